# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-memory Ant Media Server answering at Transport.request, the lowest level the
client uses. It follows the contract (docs/server-contract.md) closely enough for unit tests of
decisions and the request policy; the integration tests use the real stand-in process."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import SESSION_PROBE_SCRIPT


WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")


class FakeResponse(object):
    def __init__(self, status, body=None, text=None, content_type="application/json"):
        self.status_code = status
        if text is None:
            text = "" if body is None else json.dumps(body)
        self.text = text
        self.headers = {"Content-Type": content_type}


def error_page(status, reason):
    """Tomcat's ErrorReportValve page, as a real server renders an entity-less error."""
    title = "HTTP Status %d \u2013 %s" % (status, reason)
    return FakeResponse(status, text=(
        '<!doctype html><html lang="en"><head><title>%s</title><style type="text/css">body {font-family:Tahoma,'
        'Arial,sans-serif;} h1 {color:white;background-color:#525D76;}</style></head><body><h1>%s</h1><hr class='
        '"line" /><p><b>Type</b> Status Report</p><p><b>Description</b> The origin server did not find a current '
        'representation for the target resource or is not willing to disclose that one exists.</p><hr class="line" '
        '/><h3>Apache Tomcat/10.1.7</h3></body></html>' % (title, title)), content_type="text/html;charset=utf-8")


# Circle's web.xml maps 404 to its single-page app: a 200 HTML page.
CIRCLE_SPA = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><title>Circle</title><script defer="defer" '
              'src="/Conference/static/js/main.js"></script></head><body><noscript>You need to enable JavaScript to '
              'run this app.</noscript><div id="root"></div></body></html>')


def circle_page():
    return FakeResponse(200, text=CIRCLE_SPA, content_type="text/html;charset=UTF-8")


class Call(object):
    def __init__(self, method, path, params, body, headers, timeout, verify):
        self.method = method
        self.path = path
        self.params = dict(params or {})
        self.body = body
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.verify = verify

    @property
    def is_write(self):
        # the Media Push session check runs a script returning a constant: it changes nothing
        probe = self.path.endswith("/media-push/send-command") and self.body == {"jsCommand": SESSION_PROBE_SCRIPT}
        return self.method in WRITE_METHODS and not probe

    def __repr__(self):
        return "%s %s %s" % (self.method, self.path, self.params)


class FakeAMS(object):
    """One application of one server."""

    def __init__(self, app="live", page_cap=50, kind="sample", version="2.17.1"):
        self.app = app
        self.kind = kind  # "sample" (StreamApp) or "circle" (every 404 in the app is a 200 page)
        self.version = version
        self.version_type = "Enterprise Edition"  # GET v2/version's versionType (RestServiceBase.ENTERPRISE_EDITION)
        self.page_cap = page_cap
        self.broadcasts = {}
        self.sessions = {}
        self.recorders = {}  # stream id -> set of record types actually recording
        self.vods = []
        self.calls = []
        self.injected = []
        self.plugin_loaded = True
        self.vod_counter = 0

    # ---- test set-up -------------------------------------------------------------------
    def add_broadcast(self, stream_id, status="broadcasting", recording=(), **fields):
        broadcast = {"streamId": stream_id, "name": stream_id, "status": status, "type": "liveStream",
                     "mp4Enabled": 0, "webMEnabled": 0, "metaData": None}
        broadcast.update(fields)
        self.broadcasts[stream_id] = broadcast
        self.recorders[stream_id] = set(recording)
        return broadcast

    def add_push(self, stream_id, width=1280, height=720, record_type=None, **fields):
        """A push started by someone else (with recordType: recording while the fields say 0)."""
        self.sessions[stream_id] = {"width": width, "height": height}
        return self.add_broadcast(stream_id, width=width, height=height, recording=[record_type] if record_type else [],
                                  metaData=json.dumps({"driverIp": "10.0.0.5"}), zombi=True, **fields)

    def inject(self, method, path_pattern, outcome):
        """The next matching request gets outcome: an exception to raise, a FakeResponse, or a
        function called instead of the route (it may change the server, then raise)."""
        self.injected.append((method, re.compile(path_pattern), outcome))

    @property
    def writes(self):
        return [call for call in self.calls if call.is_write]

    # ---- the server --------------------------------------------------------------------
    def __call__(self, transport, method, url, params=None, headers=None, json=None, timeout=None, verify=None,
                 **kwargs):
        path = urlsplit(url).path
        self.calls.append(Call(method, path, params, json, headers, timeout, verify))
        for index, (inj_method, pattern, outcome) in enumerate(self.injected):
            if inj_method == method and pattern.search(path):
                del self.injected[index]
                if isinstance(outcome, BaseException):
                    raise outcome
                if callable(outcome):  # a side effect on the server, which may then raise
                    return outcome()
                return outcome
        answer = self.route(method, path, params, json)
        if self.kind == "circle" and answer.status_code == 404 and path.startswith("/%s/" % self.app) \
                and "json" not in answer.headers["Content-Type"]:
            return circle_page()
        return answer

    @property
    def major(self):
        return int(self.version.split(".")[0])

    def route(self, method, path, params, json):
        if path == "/%s/media-push/media-push-publisher.html" % self.app and self.plugin_loaded and method == "GET":
            return FakeResponse(200, text='<html><body><iframe id="media-push-iframe"></iframe></body></html>',
                                content_type="text/html")
        prefix = "/%s/rest/" % self.app
        if not path.startswith(prefix):
            return error_page(404, "Not Found")
        parts = [unquote(part) for part in path[len(prefix):].split("/")]
        params = dict(params or {})
        if parts[0] == "v1" and parts[1] == "media-push":
            if not self.plugin_loaded:
                return error_page(404, "Not Found")
            return self.media_push(method, parts[2:], params, json or {})
        if parts == ["v2", "version"] and method == "GET":
            return FakeResponse(200, {"versionName": self.version, "versionType": self.version_type,
                                      "buildNumber": "20261201_1200"})
        if parts[:2] == ["v2", "broadcasts"] and len(parts) > 2:
            return self.broadcast_routes(method, parts[2:], params, json)
        if parts[:3] == ["v2", "vods", "list"] and method == "GET":
            items = [vod for vod in self.vods if not params.get("streamId") or vod["streamId"] == params["streamId"]]
            return self.page(items, parts[3], parts[4])
        return error_page(404, "Not Found")

    @property
    def version_tuple(self):
        return tuple(int(part) for part in self.version.split("-")[0].split("."))

    def page(self, items, offset, size):
        offset, size = int(offset), min(int(size), self.page_cap)
        return FakeResponse(200, items[offset:offset + size])

    def shown(self, broadcast):
        """A broadcast as this version reports it: 3.x has no subTrackStreamIds."""
        broadcast = dict(broadcast)
        if self.major >= 3:
            broadcast.pop("subTrackStreamIds", None)
        else:
            broadcast["subTrackStreamIds"] = [item["streamId"] for item in self.broadcasts.values()
                                              if item.get("mainTrackStreamId") == broadcast["streamId"]]
        return broadcast

    def broadcast_routes(self, method, parts, params, body=None):
        if parts == ["create"] and method == "POST":
            stream_id = (body or {}).get("streamId")
            if stream_id in self.broadcasts:
                return FakeResponse(400, {"success": False, "message": "Stream id is already being used. Please change "
                                                                       "stream id or keep it empty"})
            fields = dict((key, value) for key, value in (body or {}).items() if key != "streamId")
            return FakeResponse(200, self.shown(self.add_broadcast(stream_id, status="created", zombi=False, **fields)))
        if parts[0] == "list" and method == "GET":
            return self.page([self.shown(item) for item in self.broadcasts.values()], parts[1], parts[2])
        if parts == ["count"] and method == "GET":
            return FakeResponse(200, {"number": len(self.broadcasts)})
        stream_id = parts[0]
        broadcast = self.broadcasts.get(stream_id)
        if len(parts) == 1 and method == "GET":
            return FakeResponse(200, self.shown(broadcast)) if broadcast else error_page(404, "Not Found")
        if len(parts) == 1 and method == "PUT":
            if broadcast is None:
                return FakeResponse(200, {"success": False, "message": "", "dataId": "", "errorId": 0})
            if self.version_tuple < (2, 10, 1):  # a whole Broadcast: what is not sent is reset
                for key in list(broadcast):
                    if key not in ("streamId",):
                        broadcast[key] = None
            broadcast.update(dict((key, value) for key, value in (body or {}).items() if value is not None))
            return FakeResponse(200, {"success": True, "message": "", "dataId": stream_id, "errorId": 0})
        if len(parts) == 2 and parts[1] == "stop" and method == "POST":
            if broadcast is None:
                return FakeResponse(200, {"success": False, "message": "", "dataId": "", "errorId": 0})
            for record_type in sorted(self.recorders.pop(stream_id, set())):
                self.finalise(stream_id, record_type)
            if broadcast.get("zombi"):
                del self.broadcasts[stream_id]
            else:
                broadcast["status"] = "finished"
            return FakeResponse(200, {"success": True, "message": "", "dataId": "", "errorId": 0})
        if len(parts) == 4 and parts[1] == "subtracks" and method == "GET" and self.major >= 3:
            if broadcast is None:
                return FakeResponse(404, {"success": False, "message": "Broadcast not found with id: " + stream_id})
            items = [item for item in self.broadcasts.values() if item.get("mainTrackStreamId") == stream_id]
            return self.page(items, parts[2], parts[3])
        if len(parts) == 3 and parts[1] == "recording" and method == "PUT":
            return FakeResponse(200, self.recording(stream_id, parts[2] == "true", params.get("recordType", "mp4")))
        return error_page(405, "Method Not Allowed")

    def recording(self, stream_id, enable, record_type):
        if record_type not in ("mp4", "webm"):
            return {"success": False, "message": "No stream for this id: %s or unexpected record type. Record type is null"
                    % stream_id, "dataId": "", "errorId": 0}
        broadcast = self.broadcasts.get(stream_id)
        field = "mp4Enabled" if record_type == "mp4" else "webMEnabled"
        if broadcast is None:
            return {"success": False, "message": "", "dataId": "", "errorId": 0}
        if broadcast["status"] != "broadcasting":
            broadcast[field] = 1 if enable else -1
            return {"success": True, "message": "", "dataId": "", "errorId": 0}
        recording = self.recorders.setdefault(stream_id, set())
        if enable == (record_type in recording):
            return {"success": False, "message": "%s recording couldn't be %s" % (record_type, "started" if enable else "stopped"),
                    "dataId": "", "errorId": 0}
        broadcast[field] = 1 if enable else -1
        if enable:
            recording.add(record_type)
            return {"success": True, "message": "1234", "dataId": "v" * 24, "errorId": 0}
        recording.discard(record_type)
        return {"success": True, "message": "1234", "dataId": self.finalise(stream_id, record_type), "errorId": 0}

    def finalise(self, stream_id, record_type):
        self.vod_counter += 1
        vod_id = "vod%021d" % self.vod_counter
        self.vods.append({"vodId": vod_id, "streamId": stream_id, "vodName": "%s.%s" % (stream_id, record_type),
                          "filePath": "streams/%s.%s" % (stream_id, record_type), "duration": 5000,
                          "fileSize": 1000, "type": "streamVod"})
        return vod_id

    def media_push(self, method, parts, params, body):
        if method != "POST":
            return error_page(405, "Method Not Allowed")
        if parts[0] == "start":
            stream_id = params.get("streamId")
            if not str(body.get("url", "")).startswith(("http://", "https://")):
                return FakeResponse(200, {"success": False, "message": "Incoming url: %s is not a valid url" % body.get("url")})
            if stream_id in self.sessions:
                return FakeResponse(200, {"success": False, "message": "Session with the same streamId: %s already exists. "
                                                                       "Please stop it first" % stream_id})
            self.sessions[stream_id] = dict(body)
            created = self.broadcasts.get(stream_id) or {}
            # the muxer starts what the stored per-stream settings ask for (1), and the start's recordType
            recording = set(record_type for record_type, field in (("mp4", "mp4Enabled"), ("webm", "webMEnabled"))
                            if created.get(field) == 1)
            recording.update([body["recordType"]] if body.get("recordType") else [])
            self.add_broadcast(stream_id, width=body.get("width"), height=body.get("height"), recording=recording,
                               metaData=json.dumps({"driverIp": "10.0.0.5"}), zombi=created.get("zombi", not created),
                               mp4Enabled=created.get("mp4Enabled", 0), webMEnabled=created.get("webMEnabled", 0))
            return FakeResponse(200, {"success": True, "message": "", "dataId": stream_id, "errorId": 0})
        if parts[0] == "stop":
            stream_id = parts[1]
            if stream_id not in self.sessions:
                return FakeResponse(200, {"success": False, "message": "Driver does not exist for stream id: " + stream_id})
            del self.sessions[stream_id]
            for record_type in sorted(self.recorders.pop(stream_id, set())):
                self.finalise(stream_id, record_type)
            if self.broadcasts.get(stream_id, {}).get("zombi", True):
                self.broadcasts.pop(stream_id, None)
            else:  # created beforehand: it stays, finished
                self.broadcasts[stream_id]["status"] = "finished"
            return FakeResponse(200, {"success": True, "message": "", "dataId": "", "errorId": 0})
        if parts[0] == "send-command":
            ok = params.get("streamId") in self.sessions
            return FakeResponse(200, {"success": ok, "message": "" if ok else "Driver does not exist for stream id: x"})
        return error_page(404, "Not Found")


class FakeClock(object):
    """time.sleep and time.monotonic for tests: sleeping advances the clock at once."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now
