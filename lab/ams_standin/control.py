"""The lab's control interface under `/_lab/` (not AMS): what tests, the demo and benchmarks use to
play the parts of publishers, conference participants, Circle and the operator. Never filtered, never
logged, never called by the collection's plugins. See lab/README.md for the table of calls."""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .faults import FaultError
from .filters import jwt_sign
from .mediapush import websocket_url
from .settings import APP_SETTING_DEFAULTS
from .store import PERSISTER
from .versions import parse_version
from .web import HttpError, Request, Response, Router, error_page, json_response, not_found, result

if TYPE_CHECKING:
    from .app import Application
    from .node import AmsNode

CIRCLE_RECORDING_SUFFIX = "_composite"
routes = Router()


def handle(node: "AmsNode", request: Request) -> Response:
    response = routes.dispatch(request.method, request.path, node, request)
    return response if response is not None else not_found()


def _app(node: "AmsNode", name: str) -> "Application":
    app = node.apps.get(name)
    if app is None:
        raise HttpError(error_page(404, "No application " + name))
    return app


def _int(body: dict, key: str, default: int) -> int:
    try:
        return int(body.get(key) or default)
    except (TypeError, ValueError):
        raise HttpError(error_page(400, "%s must be an integer" % key)) from None


# ---- the server ------------------------------------------------------------------------------

@routes.get("/_lab/health")
def health(node: "AmsNode", request: Request) -> Response:
    return json_response({"ok": True, "ready": not node.initializing, "address": node.listen_address,
                          "hostAddress": node.host_address, "plugins": node.plugins, "apps": list(node.apps),
                          "recordings": node.media.available, "serverVersion": node.options.server_version,
                          "appKinds": {name: node.app_kind(name) for name in node.apps},
                          "pluginSetup": {name: app.media_push.setup_state for name, app in node.apps.items()
                                          if app.media_push is not None}})


@routes.get("/_lab/options")
def get_options(node: "AmsNode", request: Request) -> Response:
    return json_response(node.options.runtime())


@routes.put("/_lab/options")
def put_options(node: "AmsNode", request: Request) -> Response:
    """Changes options of this server while it runs (the same as its command line options):
    serverVersion at once; pluginSetupDelay and pluginSetupFails at the next (re)start;
    pushPrepareWindow, staleStopHang, pushStartDelay and pushConnectTimeout for the next calls."""
    changes = request.json_object() or {}
    unknown = sorted(key for key in changes if key not in node.options.RUNTIME)
    if unknown:
        raise HttpError(error_page(400, "unknown options: " + ", ".join(unknown)))
    parsed = {}
    for key, value in changes.items():
        try:
            if key == "serverVersion":
                parse_version(value)
                parsed[key] = str(value).strip()
            elif key == "pluginSetupFails":
                if not isinstance(value, bool):
                    raise ValueError("a boolean is expected")
                parsed[key] = value
            else:
                parsed[key] = float(value)
                if parsed[key] < 0:
                    raise ValueError("must not be negative")
        except (TypeError, ValueError) as error:
            raise HttpError(error_page(400, "%s: %s" % (key, error))) from None
    with node.lock:
        for key, value in parsed.items():
            setattr(node.options, node.options.RUNTIME[key], value)
    return json_response(node.options.runtime())


@routes.put("/_lab/apps/{app_name}/kind")
def put_app_kind(node: "AmsNode", request: Request, app_name: str) -> Response:
    """`{"kind": "sample"}` or `{"kind": "circle"}`: the web app deployed as APP (applies at once)."""
    _app(node, app_name)
    try:
        node.set_app_kind(app_name, (request.json_object() or {}).get("kind"))
    except ValueError as error:
        raise HttpError(error_page(400, str(error))) from None
    return json_response({"app": app_name, "kind": node.app_kind(app_name)})


@routes.get("/_lab/requests")
def requests_since(node: "AmsNode", request: Request) -> Response:
    try:
        since = int(request.arg("since") or 0)
    except ValueError:
        raise HttpError(error_page(400, "since must be an integer")) from None
    return json_response(node.request_log.since(since))


@routes.delete("/_lab/requests")
def clear_requests(node: "AmsNode", request: Request) -> Response:
    node.request_log.clear()
    return json_response({"ok": True})


@routes.post("/_lab/restart")
def restart(node: "AmsNode", request: Request) -> Response:
    """`{"after": S}` restarts S seconds later (a restart in the middle of a playbook run)."""
    after = (request.json_object() or {}).get("after") if request.body else None
    if after:
        timer = threading.Timer(float(after), node.restart)
        timer.daemon = True
        timer.start()
        return json_response({"ok": True, "restart_in": float(after)})
    node.restart()
    return json_response({"ok": True, "plugins": node.plugins})


@routes.get("/_lab/faults")
def get_faults(node: "AmsNode", request: Request) -> Response:
    return json_response(node.faults.describe())


@routes.put("/_lab/faults")
def put_faults(node: "AmsNode", request: Request) -> Response:
    try:
        node.faults.set((request.json_object() or {}).get("rules"))
    except FaultError as error:
        raise HttpError(error_page(400, str(error)))
    return json_response(node.faults.describe())


@routes.delete("/_lab/faults")
def delete_faults(node: "AmsNode", request: Request) -> Response:
    node.faults.clear()
    return json_response(node.faults.describe())


@routes.post("/_lab/flush")
def flush(node: "AmsNode", request: Request) -> Response:
    """Every change is on disk when this answers (to inspect the files while the server runs)."""
    PERSISTER.flush()
    return json_response({"ok": True})


@routes.get("/_lab/server-settings")
def get_server_settings(node: "AmsNode", request: Request) -> Response:
    return json_response(node.server_settings)


@routes.put("/_lab/server-settings")
def put_server_settings(node: "AmsNode", request: Request) -> Response:
    with node.server_settings_document.lock:
        node.server_settings.update(request.json_object() or {})
    node.server_settings_document.changed()
    return json_response(node.server_settings)


@routes.put("/_lab/apps/{app_name}/settings")
def put_app_settings(node: "AmsNode", request: Request, app_name: str) -> Response:
    """Merge into the settings without a console login (test set-up of filters and defaults)."""
    app = _app(node, app_name)
    changes = request.json_object() or {}
    unknown = sorted(key for key in changes if key not in APP_SETTING_DEFAULTS)
    if unknown:
        raise HttpError(error_page(400, "unknown settings: " + ", ".join(unknown)))
    app.replace_settings({**app.settings, **changes})
    return json_response(app.settings)


# ---- VoDs -------------------------------------------------------------------------------------

@routes.post("/_lab/apps/{app_name}/vods")
def add_vod(node: "AmsNode", request: Request, app_name: str) -> Response:
    """A finished file in streams/ and its VoD record (body: VoD fields, and `content`, the file's text)."""
    body = dict(request.json_object() or {})
    content = str(body.pop("content", "lab vod")).encode()
    return json_response(_app(node, app_name).add_vod(body, content))


# ---- publishers and rooms ---------------------------------------------------------------------

def _parameters(body: dict) -> dict:
    """`{"parameters": {...}}`: the publish URL's query (token, subscriberCode, ...), as strings."""
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise HttpError(error_page(400, "parameters must be an object"))
    return {str(key): str(value) for key, value in parameters.items()}


@routes.post("/_lab/apps/{app_name}/broadcasts/{stream_id}/publish")
def publish(node: "AmsNode", request: Request, app_name: str, stream_id: str) -> Response:
    """A plain publisher (WebRTC or RTMP encoder) starts streaming. `originAdress` other than this
    server's host address makes it a stream of another cluster node."""
    body = request.json_object() or {}
    live = _app(node, app_name).start_stream(
        stream_id, width=_int(body, "width", 1280), height=_int(body, "height", 720), meta_data=body.get("metaData"),
        origin=body.get("originAdress"), publish_type=body.get("publishType") or "WebRTC",
        parameters=_parameters(body))
    if live is None:
        return json_response(result(False, "streamIdInUse: %s is already being published" % stream_id))
    return json_response(result(True, "", stream_id))


@routes.post("/_lab/apps/{app_name}/broadcasts/{stream_id}/unpublish")
def unpublish(node: "AmsNode", request: Request, app_name: str, stream_id: str) -> Response:
    return json_response(result(_app(node, app_name).end_stream(stream_id), "", stream_id))


@routes.post("/_lab/apps/{app_name}/broadcasts/{stream_id}/stall")
def stall(node: "AmsNode", request: Request, app_name: str, stream_id: str) -> Response:
    """The publisher hangs without closing its connection: `{"secondsAgo": S}` dates its broadcast's
    last update S seconds back (20 s and more: the status reads terminated_unexpectedly)."""
    body = request.json_object() or {}
    try:
        seconds_ago = float(body.get("secondsAgo") or 0)
    except (TypeError, ValueError):
        raise HttpError(error_page(400, "secondsAgo must be a number")) from None
    return json_response(result(_app(node, app_name).stall_stream(stream_id, seconds_ago), "", stream_id))


@routes.post("/_lab/apps/{app_name}/broadcasts/{stream_id}/stale")
def stale_push(node: "AmsNode", request: Request, app_name: str, stream_id: str) -> Response:
    """A media push broadcast left behind by this node (its browser died without ending the stream):
    status broadcasting, last updated `{"secondsAgo": S}` ago (default 60: terminated_unexpectedly),
    metaData {"driverIp": this node}, no stream and no plugin session here."""
    body = request.json_object() or {}
    try:
        seconds_ago = float(body.get("secondsAgo", 60))
    except (TypeError, ValueError):
        raise HttpError(error_page(400, "secondsAgo must be a number")) from None
    created = _app(node, app_name).create_stale_push(stream_id, seconds_ago)
    return json_response(result(created, "" if created else "%s is live here" % stream_id, stream_id))


@routes.post("/_lab/apps/{app_name}/broadcasts/{stream_id}/viewers")
def viewers(node: "AmsNode", request: Request, app_name: str, stream_id: str) -> Response:
    """Players watching: `{"webRTC": N, "hls": N, "dash": N, "rtmp": N}` sets the viewer counts."""
    body = request.json_object() or {}
    counts = {"%sViewerCount" % kind: _int(body, kind, 0) for kind in ("webRTC", "hls", "dash", "rtmp") if kind in body}
    return json_response(result(_app(node, app_name).broadcasts.update(stream_id, **counts), "", stream_id))


@routes.post("/_lab/apps/{app_name}/rooms/{room}/participants")
def join_room(node: "AmsNode", request: Request, app_name: str, room: str) -> Response:
    body = request.json_object() or {}
    stream_id = body.get("streamId")
    if not stream_id:
        raise HttpError(error_page(400, "streamId is required"))
    live = _app(node, app_name).start_stream(stream_id, width=_int(body, "width", 640), height=_int(body, "height", 360),
                                             main_track=room, parameters=_parameters(body))
    if live is None:
        return json_response(result(False, "streamIdInUse: %s is already being published" % stream_id))
    return json_response(result(True, "", stream_id))


@routes.delete("/_lab/apps/{app_name}/rooms/{room}/participants/{stream_id}")
def leave_room(node: "AmsNode", request: Request, app_name: str, room: str, stream_id: str) -> Response:
    app = _app(node, app_name)
    participant = app.broadcasts.get(stream_id)
    if participant is None or participant["mainTrackStreamId"] != room:
        return json_response(result(False, "%s is not in room %s" % (stream_id, room)))
    return json_response(result(app.end_stream(stream_id), "", stream_id))


# ---- Circle and the media push plugin ---------------------------------------------------------

def _plugin(app: "Application"):
    if app.media_push is None:
        raise HttpError(json_response(result(False, "No bean named 'plugin.mediaPushPlugin' available")))
    return app.media_push


def _set_room_recording_flag(app: "Application", room: str, recording: bool) -> None:
    """Circle's page writes the room's state over the room broadcast's whole metaData
    (AntMedia.js updateRoomRecordingStatus -> webRTCAdaptor.updateStreamMetaData)."""
    app.broadcasts.update(room, metaData=json.dumps({"isRecording": recording}, separators=(",", ":")))


@routes.post("/_lab/apps/{app_name}/circle/{room}/record")
def circle_record(node: "AmsNode", request: Request, app_name: str, room: str) -> Response:
    """Circle's record button: a 1280x720 mp4 media push of its own room page in play-only mode,
    called in-process (WebSocketApplicationHandler START_RECORDING). `{"token": T}` is the play token
    the page URL carries; `{"mode": "webinar"}` adds `&role=listener&streamName=record`. When the app
    has a jwtStreamSecretKey, the push carries a publish JWT for ROOM_composite valid 60 s, as Circle
    signs it. The room's metaData becomes {"isRecording": true} only if the start succeeded."""
    app = _app(node, app_name)
    plugin = _plugin(app)
    body = request.json_object() or {}
    ws_url = websocket_url(request, app_name)
    parts = urlsplit(ws_url)
    secure = parts.scheme == "wss"
    port = parts.port or (443 if secure else 80)
    token = body.get("token") or ""
    webinar = "&role=listener&streamName=record" if body.get("mode") == "webinar" else ""
    page = "%s://%s:%d/%s/%s?playOnly=true&enterDirectly=true%s&token=%s" % (
        "https" if secure else "http", parts.hostname, port, app_name, room, webinar, token)
    stream_id = room + CIRCLE_RECORDING_SUFFIX
    publish_token = ""
    secret = app.settings.get("jwtStreamSecretKey")
    if secret and secret.strip():
        # WebSocketApplicationHandler.generateJwtToken: streamId and type claims, expiry in 60 s.
        publish_token = jwt_sign({"streamId": stream_id, "type": "publish", "exp": int(time.time()) + 60}, secret)
    outcome = plugin.start(stream_id, {"url": page, "width": 1280, "height": 720, "token": publish_token,
                                       "recordType": "mp4"}, ws_url)
    if outcome["success"]:
        _set_room_recording_flag(app, room, True)
    return json_response(outcome)


@routes.delete("/_lab/apps/{app_name}/circle/{room}/record")
def circle_stop(node: "AmsNode", request: Request, app_name: str, room: str) -> Response:
    """Circle's stop button: media push stop of ROOM_composite, then {"isRecording": false} in the room's
    metaData whether the stop succeeded or not (AntMedia.js on stopRecordingResponse)."""
    app = _app(node, app_name)
    outcome = _plugin(app).stop(room + CIRCLE_RECORDING_SUFFIX)
    _set_room_recording_flag(app, room, False)
    return json_response(outcome)


@routes.get("/_lab/apps/{app_name}/media-push")
def media_push_sessions(node: "AmsNode", request: Request, app_name: str) -> Response:
    """The browser sessions of the plugin, with what each was started with (url, size, token...)."""
    plugin = _app(node, app_name).media_push
    return json_response({"loaded": plugin is not None, "sessions": plugin.describe() if plugin else []})


@routes.post("/_lab/apps/{app_name}/media-push/faults")
def media_push_faults(node: "AmsNode", request: Request, app_name: str) -> Response:
    """`{"failNextStart": "message"}`: the next start fails with "Error message is <message>";
    `{"failNextStop": true}`: the next stop times out (the push stops, success is false)."""
    plugin = _plugin(_app(node, app_name))
    body = request.json_object() or {}
    if body.get("failNextStart"):
        plugin.fail_next_start(str(body["failNextStart"]))
    if body.get("failNextStop"):
        plugin.fail_next_stop()
    return json_response({"ok": True})
