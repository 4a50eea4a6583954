"""The Media Push plugin (ant-media/Plugins MediaPushPlugin), without a browser.

A session stands for the headless Chrome the plugin drives: start blocks for the configured delay (the
browser start and page loads), then the 'page' publishes its stream, which becomes a broadcast with the
fields the plugin's publisher page gives it."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from .app import RECORD_TYPES, now_ms
from .filters import CLUSTER_AUTHORIZATION_HEADER, jwt_claims, jwt_sign
from .pages import describe_capture
from .settings import random_alphanumeric
from .web import ConnectionDropped, HttpError, Request, error_page, result

if TYPE_CHECKING:
    from .app import Application

log = logging.getLogger(__name__)

PUBLISHER_FOLDER = "media-push"
PUBLISHER_PAGE = "media-push-publisher.html"
PUBLISHER_SCRIPT = "media-push-publisher.js"
TIMEOUT_SECONDS = 30  # MediaPushPlugin.TIMEOUT_IN_SECONDS, quoted in its error messages

# Protocols java.net.URL knows; MediaPushPlugin.isValidURL is `new URL(url)` succeeding.
_JAVA_URL_PROTOCOLS = {"http", "https", "ftp", "file", "mailto", "jrt", "jar"}
_IPV4 = re.compile(r"^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$")


def is_valid_url(url: str | None) -> bool:
    if url is None:
        return False
    match = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):", url)
    if not match or match.group(1).lower() not in _JAVA_URL_PROTOCOLS:
        return False
    return match.group(1).lower() != "jar" or "!/" in url


_CONSTANT_SCRIPT = re.compile(r"^\s*return\s+(null|true|false|-?\d+)\s*;?\s*$")


def is_constant_script(script: object) -> bool:
    """A send-command script that only returns a constant: running it changes nothing in the page."""
    return isinstance(script, str) and bool(_CONSTANT_SCRIPT.match(script))


def _wait_failed(script: str) -> str:
    """The message of Selenium's TimeoutException for one of the plugin's 30 s waits (the real one goes
    on with Selenium's build, system and driver lines, so clients must match its start). The text always says
    the plugin's 30 s: the stand-in's shorter wait (--push-connect-timeout) is for tests only."""
    # ExpectedConditions.jsReturnsValue's toString: "js %s to be executable", the script unquoted
    return ("Expected condition failed: waiting for js %s to be executable (tried for %d second(s) with "
            "500 milliseconds interval)" % (script, TIMEOUT_SECONDS))


def websocket_url(request: Request, app_name: str) -> str:
    """MediaPushRestService.getWebSocketURL: the address the REST call came in on (or the
    X-Forwarded-* one): the browser loads the publisher page from there."""
    scheme = request.header("X-Forwarded-Proto") or request.scheme
    authority = urlsplit("//" + (request.header("X-Forwarded-Host") or request.host_header))
    port = request.header("X-Forwarded-Port") or (str(authority.port) if authority.port else "")
    return "%s://%s%s/%s/websocket" % ("wss" if scheme == "https" else "ws", authority.hostname or "",
                                       ":" + port if port else "", app_name)


def publisher_page_url(ws_url: str) -> str:
    """MediaPushPlugin.getPublisherHTMLURL."""
    scheme, rest = ws_url.split("://", 1)
    return "%s://%s/%s/%s" % ("https" if scheme == "wss" else "http", rest.rsplit("/", 1)[0], PUBLISHER_FOLDER,
                              PUBLISHER_PAGE)


@dataclass
class PushSession:
    """One browser session: what the plugin was asked for (the lab lists these)."""
    streamId: str
    url: str
    width: int
    height: int
    token: str | None
    recordType: str | None
    extraChromeSwitches: str | None
    publisherUrl: str
    startTime: int
    page: dict                    # what the browser shows (pages.describe_capture)
    connected: bool = False


class MediaPushPlugin:
    """The plugin as loaded into one application at server start."""

    def __init__(self, app: "Application"):
        self.app = app
        self.sessions: dict[str, PushSession] = {}
        self.retired = False          # the server restarted under this plugin instance
        self._failing_starts: list[str] = []
        self._failing_stops = 0
        self._lock = threading.Lock()
        self.setup_state = "pending"  # then "done" or "failed"
        self._start_setup()

    @property
    def options(self):
        return self.app.node.options

    # ---- set-up ------------------------------------------------------------------------------
    def _start_setup(self) -> None:
        """MediaPushPlugin.setApplicationContext: the REST resource exists at once, but the set-up
        (WebDriverManager.chromedriver().setup(), then writing the publisher page into
        webapps/APP/media-push/) runs later in a worker (vertx executeBlocking), and a failure there is
        only logged: the page then never appears. A page written by an earlier start stays on disk."""
        delay, fails = self.options.plugin_setup_delay, self.options.plugin_setup_fails
        if delay <= 0:
            self._setup(fails)
            return
        timer = threading.Timer(delay, self._setup, (fails,))
        timer.daemon = True
        timer.start()

    def _setup(self, fails: bool) -> None:
        if self.retired:
            return
        if fails:
            log.error("Media Push Plugin is faild to initialize for %s", self.app.name)
            self.setup_state = "failed"
            return
        self._extract_publisher_files()
        self.setup_state = "done"

    def publisher_page_ready(self) -> bool:
        """What the browser finds at the publisher page's URL: the file the set-up writes."""
        return (self.app.webapp_dir / PUBLISHER_FOLDER / PUBLISHER_PAGE).is_file()

    def _extract_publisher_files(self) -> None:
        """The plugin writes its publisher page into webapps/APP/media-push/ when it initialises."""
        folder = self.app.webapp_dir / PUBLISHER_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        (folder / PUBLISHER_SCRIPT).write_text(
            "// Stand-in for the plugin's publisher: the lab server publishes the stream itself.\n"
            "window.startBroadcasting = function () {};\nwindow.stopBroadcasting = function () {};\n"
            "window.isConnected = function () { return true; };\n")
        # Like the plugin's own page: no <title>; what identifies it is its script and its iframe.
        (folder / PUBLISHER_PAGE).write_text(
            "<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">\n"
            "<script src=\"%s\"></script>\n</head>\n<body>\n<iframe id=\"media-push-iframe\" allow=\"autoplay\">"
            "</iframe>\n</body>\n</html>\n" % PUBLISHER_SCRIPT)

    # ---- lab faults -------------------------------------------------------------------------
    def fail_next_start(self, message: str) -> None:
        with self._lock:
            self._failing_starts.append(message)

    def fail_next_stop(self) -> None:
        with self._lock:
            self._failing_stops += 1

    def describe(self) -> list[dict]:
        with self._lock:
            return [asdict(session) for session in self.sessions.values()]

    # ---- REST -------------------------------------------------------------------------------
    def start(self, stream_id: str | None, endpoint: dict | None, ws_url: str) -> dict:
        """POST /v1/media-push/start (MediaPushPlugin.startMediaPush). Blocks like the real one."""
        if endpoint is None:
            raise HttpError(error_page(500, "Cannot invoke \"io.antmedia.model.Endpoint.getUrl()\" because "
                                            "\"endpoint\" is null"))
        url = endpoint.get("url")
        if not is_valid_url(url):
            return result(False, "Incoming url: %s is not a valid url" % ("null" if url is None else url))
        with self._lock:
            if stream_id and stream_id in self.sessions:
                return result(False, "Session with the same streamId: %s already exists. Please stop it first" % stream_id)
            if not stream_id or not stream_id.strip():
                stream_id = random_alphanumeric(12) + str(now_ms())
            session = self.sessions[stream_id] = PushSession(
                streamId=stream_id, url=url, width=int(endpoint.get("width") or 0),
                height=int(endpoint.get("height") or 0), token=endpoint.get("token"),
                recordType=endpoint.get("recordType"), extraChromeSwitches=endpoint.get("extraChromeSwitches"),
                publisherUrl=publisher_page_url(ws_url), startTime=now_ms(),
                page=describe_capture(self.app.node, url))
            failure = self._failing_starts.pop(0) if self._failing_starts else None
        # The browser loads the publisher page first: before the plugin's set-up wrote it, that URL
        # is an error page (or Circle's SPA) where window.startBroadcasting never appears.
        page_missing = not self.publisher_page_ready()

        time.sleep(self.options.push_start_delay)  # Chrome starts, loads the publisher page, then the target

        with self.app.lock, self._lock:
            if self.retired:
                raise ConnectionDropped()
            if self.sessions.get(stream_id) is not session:
                return result(False, "Error message is invalid session id")  # stopped while starting
            if failure is None and page_missing:
                failure = _wait_failed("return (typeof window.startBroadcasting != 'undefined')")
            # The page publishes with the token it was given. The server may refuse the publish: a publish JWT
            # that does not pass (streamId and type), or the id already being published (streamIdInUse). The
            # page's callbackError only logs it, so isConnected never turns true and the plugin's wait
            # (TIMEOUT_IN_SECONDS) runs out; the session is held meanwhile.
            refused = failure is None and (not self._publish_allowed(session) or self.app.start_stream(
                stream_id, width=session.width if session.width > 0 else 1280,
                height=session.height if session.height > 0 else 720,
                meta_data=json.dumps({"driverIp": self.app.node.host_address}, separators=(",", ":")),
                pushed=True) is None)
            if failure is not None:
                del self.sessions[stream_id]   # clearAndQuit
                return result(False, "Error message is " + failure)
            session.connected = not refused
        if refused:
            return self._connect_timed_out(session)
        if session.recordType in RECORD_TYPES:
            # MediaPushPlugin.streamStarted: the muxer directly, mp4Enabled/webMEnabled untouched.
            self.app.start_recording_directly(stream_id, session.recordType)
        return result(True, "", stream_id)

    def _connect_timed_out(self, session: PushSession) -> dict:
        """The plugin's wait for `window.isConnected` runs out (--push-connect-timeout, the real 30 s by
        default); then clearAndQuit: the session goes and the start fails with Selenium's timeout message."""
        time.sleep(max(self.options.push_connect_timeout, 0))
        with self._lock:
            if self.retired:
                raise ConnectionDropped()
            if self.sessions.get(session.streamId) is not session:
                return result(False, "Error message is invalid session id")  # stopped while waiting
            del self.sessions[session.streamId]
        return result(False, "Error message is " + _wait_failed("return window.isConnected('%s')" % session.streamId))

    def _publish_allowed(self, session: PushSession) -> bool:
        """With publish JWT control on, the stream publishes only with a valid publish token."""
        settings = self.app.settings
        if not settings.get("publishJwtControlEnabled"):
            return True
        claims = jwt_claims(session.token, settings.get("jwtStreamSecretKey"))
        return bool(claims) and claims.get("streamId") == session.streamId and claims.get("type") == "publish"

    def stop(self, stream_id: str) -> dict:
        """POST /v1/media-push/stop/{id} (MediaPushPlugin.stopMediaPush)."""
        with self._lock:
            session = self.sessions.pop(stream_id, None)
            time_out = session is not None and self._failing_stops > 0
            if time_out:
                self._failing_stops -= 1
        if session is None:
            return self._stop_elsewhere(stream_id)
        self.app.end_stream(stream_id)  # the page stops publishing; the browser quits either way
        if time_out:
            return result(False, "Timeoutexception occured in stopping the stream. Fortunately, it'll quit the "
                                 "session to stop completely. Error message is Expected condition failed: "
                                 "waiting for js return !window.isConnected('%s') to be executable (tried for "
                                 "%d second(s) with 500 milliseconds interval)" % (stream_id, TIMEOUT_SECONDS))
        return result(True)

    def _stop_elsewhere(self, stream_id: str) -> dict:
        """No browser here: if the broadcast names the node that drives it, forward the stop there."""
        missing = result(False, "Driver does not exist for stream id: " + stream_id)
        broadcast = self.app.broadcasts.get(stream_id)
        if broadcast is None:
            return missing
        meta_data = broadcast.get("metaData")
        if not meta_data or meta_data == "null":
            return missing
        try:
            driver_ip = json.loads(meta_data)["driverIp"]
            if not isinstance(driver_ip, str):
                raise TypeError(driver_ip)
        except (ValueError, KeyError, TypeError):
            return result(False, "")  # the plugin's catch-all answer when metaData is not as expected
        if not _IPV4.match(driver_ip):
            return missing
        if driver_ip == self.app.node.host_address:
            self._hang_forwarding_to_itself(stream_id)
        if self._forward_stop(stream_id, driver_ip):
            return result(True)
        return missing

    def _hang_forwarding_to_itself(self, stream_id: str) -> None:
        """forwardMediaPushStopRequest has no check that driverIp is this node and its HTTP client no
        timeout: the stop is posted to this very node, which finds no session either and forwards again,
        each call waiting on the next (the hang is inferred in the contract). The stand-in holds the
        request for --stale-stop-hang seconds, then closes the connection without an answer."""
        log.warning("media push stop of %s: driverIp is this node and there is no session; forwarding to "
                    "itself (hangs %.1f s)", stream_id, self.options.stale_stop_hang)
        time.sleep(max(self.options.stale_stop_hang, 0))
        raise ConnectionDropped()

    def _forward_stop(self, stream_id: str, driver_ip: str) -> bool:
        """MediaPushPlugin.forwardMediaPushStopRequest: the same call on the driver's node, signed with
        the cluster communication key."""
        url = "http://%s:%d/%s/rest/v1/media-push/stop/%s" % (
            driver_ip, self.app.node.http_port, self.app.name, quote(stream_id, safe=""))
        token = jwt_sign({"iss": "", "exp": int(time.time()) + 5}, self.app.settings["clusterCommunicationKey"])
        request = urllib.request.Request(url, method="POST", data=b"", headers={
            "Content-Type": "application/json", CLUSTER_AUTHORIZATION_HEADER: token})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return bool(json.loads(response.read()).get("success"))
        except (OSError, ValueError, AttributeError) as error:
            log.warning("forwarding the media push stop of %s to %s failed: %s", stream_id, driver_ip, error)
            return False

    def send_command(self, stream_id: str | None, endpoint: dict | None) -> dict:
        """POST /v1/media-push/send-command (MediaPushPlugin.sendCommand): "Driver does not exist" without a
        session (the plugin's own map, which no publisher writes: what tells a push from a publisher's stream);
        with one, the script's value as text in message and the stream id in dataId. The stand-in has no page to
        run a script in: a script returning a constant answers that constant, any other one nothing."""
        if not stream_id:
            return result(False, "streamId query parameter is mandatory.")
        if endpoint is None:
            raise HttpError(error_page(500, "Cannot invoke \"io.antmedia.model.Endpoint.getJsCommand()\" because "
                                            "\"request\" is null"))
        if not endpoint.get("jsCommand"):
            return result(False, "jsCommand is mandatory.")
        with self._lock:
            if stream_id not in self.sessions:
                return result(False, "Driver does not exist for stream id: " + stream_id)
        script = endpoint["jsCommand"]
        value = _CONSTANT_SCRIPT.match(script).group(1) if is_constant_script(script) else "null"
        # Result(true, streamId, obj.toString()): dataId the stream id, message the value (null: "")
        return {"success": True, "message": "" if value == "null" else value, "dataId": stream_id, "errorId": 0}

    def stream_finished(self, stream_id: str) -> None:
        """IStreamListener.streamFinished: the plugin quits the browser of a stream that ended."""
        with self._lock:
            self.sessions.pop(stream_id, None)
