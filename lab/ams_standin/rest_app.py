"""An application's REST API, `/{APP}/rest/...` (BroadcastRestService, VoDRestService and the Media
Push plugin's MediaPushRestService), once the filters have let the request through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .mediapush import is_constant_script, websocket_url
from .store import broadcast_json, new_vod
from .versions import has_subtrack_endpoints, version_json
from .web import HttpError, Request, Response, Router, json_response, not_found, result

if TYPE_CHECKING:
    from .app import Application

routes = Router()


def handle(app: "Application", request: Request, path: str) -> Response:
    """The answer; a path no resource matches is Jersey's entity-less 404 (Tomcat's HTML page)."""
    app.refresh_live()  # what the live streams' muxers would have written by now
    if path.startswith("/v1/media-push") and app.media_push is None:
        return not_found()  # the plugin's resource does not exist unless its jar was loaded at start
    return routes.dispatch(request.method, path, app, request) or not_found()


def _json(app: "Application", broadcast: dict) -> dict:
    return broadcast_json(broadcast, app.node.options.version)


def _v3(app: "Application") -> bool:
    """The subtrack endpoints exist from 3.0.0 on; on 2.x their paths match no resource."""
    return has_subtrack_endpoints(app.node.options.version)


# ---- the server (RootRestService, in every application's REST API) -----------------------------

@routes.get("/v2/version")
def version(app: "Application", request: Request) -> Response:
    return json_response(version_json(app.node.options.server_version, app.node.options.edition))


def _int_arg(request: Request, name: str, default: int = 0) -> int:
    """An int @QueryParam: absent is 0; a value that is not an int is a 404 in Jersey."""
    value = request.arg(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise HttpError(not_found()) from None


def _bool_arg(request: Request, name: str) -> bool | None:
    """A Boolean @QueryParam: absent is null, otherwise Boolean.valueOf."""
    value = request.arg(name)
    return None if value is None else value.lower() == "true"


# ---- broadcasts ------------------------------------------------------------------------------

@routes.post("/v2/broadcasts/create")
def create_broadcast(app: "Application", request: Request) -> Response:
    status, body = app.create_broadcast(request.json_object())
    return json_response(_json(app, body) if status == 200 else body, status)


@routes.get("/v2/broadcasts/count")
def count_broadcasts(app: "Application", request: Request) -> Response:
    return json_response({"number": len(app.broadcasts)})


@routes.get("/v2/broadcasts/count/{search}")
def count_broadcasts_matching(app: "Application", request: Request, search: str) -> Response:
    return json_response({"number": len(app.search_broadcasts(app.broadcasts.all(), search))})


@routes.get("/v2/broadcasts/active-live-stream-count")
def count_active_broadcasts(app: "Application", request: Request) -> Response:
    return json_response({"number": app.active_broadcast_count()})


@routes.get("/v2/broadcasts/list/{offset:int}/{size:int}")
def list_broadcasts(app: "Application", request: Request, offset: int, size: int) -> Response:
    broadcasts = app.list_broadcasts(offset, size, request.arg("type_by"), request.arg("sort_by"),
                                     request.arg("order_by"), request.arg("search"))
    return json_response([_json(app, broadcast) for broadcast in broadcasts])


@routes.delete("/v2/broadcasts")
@routes.delete("/v2/broadcasts/")
def delete_broadcasts(app: "Application", request: Request) -> Response:
    """Bulk delete (?ids=a,b): stops at the first failure and answers its Result."""
    ids = request.arg("ids")
    if not ids or not ids.strip():
        return json_response(result(False, "ids parameter is blank"))
    outcome = result(False)
    for stream_id in ids.split(","):
        outcome = app.delete_broadcast(stream_id, delete_subtracks=False)
        if not outcome["success"]:
            break
    return json_response(outcome)


@routes.get("/v2/broadcasts/{stream_id}")
def get_broadcast(app: "Application", request: Request, stream_id: str) -> Response:
    """A missing id: `Response.status(NOT_FOUND).build()`, no entity, so Jersey calls sendError(404)
    and Tomcat renders its HTML page (BroadcastRestService.getBroadcast; Circle: its SPA, 200)."""
    broadcast = app.broadcasts.get(stream_id)
    return json_response(_json(app, broadcast)) if broadcast is not None else not_found()


@routes.put("/v2/broadcasts/{stream_id}")
def update_broadcast(app: "Application", request: Request, stream_id: str) -> Response:
    return json_response(app.update_broadcast(stream_id, request.json_object()))


@routes.delete("/v2/broadcasts/{stream_id}")
def delete_broadcast(app: "Application", request: Request, stream_id: str) -> Response:
    delete_subtracks = _bool_arg(request, "deleteSubtracks")
    return json_response(app.delete_broadcast(stream_id, True if delete_subtracks is None else delete_subtracks))


@routes.post("/v2/broadcasts/{stream_id}/stop")
def stop_broadcast(app: "Application", request: Request, stream_id: str) -> Response:
    stop_subtracks = _bool_arg(request, "stopSubtracks")
    return json_response(app.stop_broadcast(stream_id, True if stop_subtracks is None else stop_subtracks))


@routes.put("/v2/broadcasts/{stream_id}/recording/{state}")
def set_recording(app: "Application", request: Request, stream_id: str, state: str) -> Response:
    return json_response(app.set_recording(
        stream_id, state.lower() == "true", request.arg("recordType") or "mp4",
        _int_arg(request, "resolutionHeight"), request.arg("fileName")))


def _tracks(app: "Application", request: Request, stream_id: str, offset: int, size: int, active: bool) -> Response:
    """BroadcastRestService.getSubtracks / getActiveSubtracks (3.0.0 on): a missing room is a 404 with
    a JSON Result entity (no error page, not even in Circle)."""
    if not _v3(app):
        return not_found()
    if stream_id not in app.broadcasts:
        return json_response(result(False, "Broadcast not found with id: " + stream_id), 404)
    tracks = app.subtracks(stream_id, offset, size, request.arg("role"), active_only=active)
    return json_response([_json(app, track) for track in tracks])


@routes.get("/v2/broadcasts/{stream_id}/subtracks/{offset:int}/{size:int}")
def list_subtracks(app: "Application", request: Request, stream_id: str, offset: int, size: int) -> Response:
    return _tracks(app, request, stream_id, offset, size, active=False)


@routes.get("/v2/broadcasts/{stream_id}/active-subtracks/{offset:int}/{size:int}")
def list_active_subtracks(app: "Application", request: Request, stream_id: str, offset: int, size: int) -> Response:
    return _tracks(app, request, stream_id, offset, size, active=True)


@routes.get("/v2/broadcasts/{stream_id}/active-subtracks-count")
def count_active_subtracks(app: "Application", request: Request, stream_id: str) -> Response:
    if not _v3(app):
        return not_found()
    if stream_id not in app.broadcasts:
        return json_response(result(False, "Broadcast not found with id: " + stream_id), 404)
    return json_response({"number": len(app.subtracks(stream_id, 0, len(app.broadcasts), request.arg("role"),
                                                      active_only=True))})


# ---- VoDs ------------------------------------------------------------------------------------

@routes.get("/v2/vods/count")
def count_vods(app: "Application", request: Request) -> Response:
    return json_response({"number": len(app.vods)})


@routes.get("/v2/vods/count/{search}")
def count_vods_matching(app: "Application", request: Request, search: str) -> Response:
    return json_response({"number": len(app.search_vods(app.vods.all(), search))})


@routes.get("/v2/vods/list/{offset:int}/{size:int}")
def list_vods(app: "Application", request: Request, offset: int, size: int) -> Response:
    return json_response(app.list_vods(offset, size, request.arg("sort_by"), request.arg("order_by"),
                                       request.arg("streamId"), request.arg("search")))


@routes.get("/v2/vods/{vod_id}")
def get_vod(app: "Application", request: Request, vod_id: str) -> Response:
    """A missing VoD is a 200 with an empty VoD object (RestServiceBase.getVoD: new VoD())."""
    return json_response(app.vods.get(vod_id) or new_vod())


@routes.delete("/v2/vods/{vod_id}")
def delete_vod(app: "Application", request: Request, vod_id: str) -> Response:
    """RestServiceBase.deleteVoD: the file and the record; a missing id is a 200 `success: false`."""
    return json_response(app.delete_vod(vod_id))


# ---- Media Push plugin (only routed when its jar was loaded at start) ----------------------

@routes.post("/v1/media-push/start")
def start_media_push(app: "Application", request: Request) -> Response:
    return json_response(app.media_push.start(request.arg("streamId"), request.json_object(),
                                              websocket_url(request, app.name)))


@routes.post("/v1/media-push/stop/{stream_id}")
def stop_media_push(app: "Application", request: Request, stream_id: str) -> Response:
    return json_response(app.media_push.stop(stream_id))


@routes.post("/v1/media-push/send-command")
def media_push_command(app: "Application", request: Request) -> Response:
    response = json_response(app.media_push.send_command(request.arg("streamId"), request.json_object()))
    # a script that only returns a constant (a session check) changes nothing in the page
    response.no_effect = is_constant_script((request.json_object() or {}).get("jsCommand"))
    return response
