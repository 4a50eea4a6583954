"""Webhooks as AMS sends them (AntMediaApplicationAdapter.notifyHook and sendPOST).

When the application setting `listenerHookURL` is set, each stream start and end posts a hook there:
`liveStreamStarted` / `liveStreamEnded` (a room participant's carry the room in `mainTrackId` and `roomId`),
and for rooms `firstActiveTrackAddedInMainTrack` (`id` = the participant, `roomId` = the room) when a
room gets its first active participant and `noActiveSubtracksLeftInMainTrack` (`id` = the room) when
its last one leaves. As on AMS:
- the hook is sent from a worker pool (vertx executeBlocking, unordered): hooks may arrive in any order,
  and `timestamp` (ms, a string) is taken when the worker builds the hook;
- JSON by default, form encoding when `webhookContentType` is `application/x-www-form-urlencoded`;
- 2 s connect and read timeouts; on a non-200 answer or an I/O error it is sent again up to
  `webhookRetryCount` times (default 0), `webhookRetryDelay` ms apart (default 1000), with the same body.
The lab sends from the server's own listen address (when it is a single address), so a receiver can tell
the servers of a fleet apart by the sender address. `AMS_STANDIN_ROOM_HOOKS=0` in the environment plays a
community-edition server: no `firstActiveTrackAddedInMainTrack` (the room is in the stream hooks only).
A receiver over HTTPS is verified against the default CA store (`SSL_CERT_FILE` selects another one)."""

from __future__ import annotations

import http.client
import json
import logging
import os
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:
    from .app import Application

log = logging.getLogger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
TIMEOUT_SECONDS = 2.0
POOL_SIZE = 8   # vertx's worker pool (20 on AMS); enough to reorder hooks

START_LIVE_STREAM = "liveStreamStarted"
END_LIVE_STREAM = "liveStreamEnded"
FIRST_ACTIVE_SUBTRACK = "firstActiveTrackAddedInMainTrack"
NO_ACTIVE_SUBTRACKS_LEFT = "noActiveSubtracksLeftInMainTrack"

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="webhook")
        return _pool


def room_hooks_enabled() -> bool:
    return os.environ.get("AMS_STANDIN_ROOM_HOOKS", "1") != "0"


def _setting_int(app: "Application", key: str, default: int) -> int:
    try:
        return int(app.settings.get(key, default))
    except (TypeError, ValueError):
        return default


def notify(app: "Application", stream_id: str, action: str, main_track_id: str | None = None,
           broadcast: dict | None = None) -> None:
    """notifyHook: queue one hook for the pool, if the application has a hook URL."""
    url = (app.settings.get("listenerHookURL") or "").strip()
    if not url:
        return
    broadcast = broadcast or {}
    fields: dict[str, Any] = {"id": stream_id, "action": action}
    for key, value in (("streamName", broadcast.get("name")), ("category", broadcast.get("category")),
                       ("mainTrackId", main_track_id), ("roomId", main_track_id), ("app", app.name)):
        if value:
            fields[key] = value
    meta_data = broadcast.get("metaData")
    if meta_data and str(meta_data).strip():
        try:
            fields["metadata"] = json.loads(meta_data)
        except ValueError:
            fields["metadata"] = meta_data
    content_type = app.settings.get("webhookContentType") or JSON_CONTENT_TYPE
    retries = _setting_int(app, "webhookRetryCount", 0)
    delay = _setting_int(app, "webhookRetryDelay", 1000) / 1000.0
    source = app.node.listen_address if app.node.listen_address not in ("", "0.0.0.0") else None

    def build_and_send() -> None:
        fields["timestamp"] = str(int(time.time() * 1000))   # when the worker runs, as on AMS
        send_post(url, fields, retries, content_type, delay, source)

    _executor().submit(build_and_send)


def send_post(url: str, fields: dict, retries: int, content_type: str, delay: float, source: str | None) -> None:
    """sendPOST: one POST, then a retry after `delay` seconds on a non-200 or an I/O error while retries remain."""
    try:
        status = _post(url, fields, content_type, source)
    except (OSError, http.client.HTTPException) as error:
        status = None
        log.info("webhook %s to %s failed: %s", fields.get("action"), _safe(url), error)
    if status == 200 or retries < 1:
        return
    timer = threading.Timer(delay, lambda: _executor().submit(send_post, url, fields, retries - 1, content_type,
                                                               delay, source))
    timer.daemon = True
    timer.start()


def _post(url: str, fields: dict, content_type: str, source: str | None) -> int:
    parts = urlsplit(url)
    if content_type == FORM_CONTENT_TYPE:
        # UrlEncodedFormEntity of entry.getValue().toString(): a JSON object reads as its JSON text
        body = urlencode([(key, json.dumps(value) if isinstance(value, (dict, list)) else str(value))
                          for key, value in fields.items()]).encode()
    else:
        body, content_type = json.dumps(fields).encode(), JSON_CONTENT_TYPE
    source_address = (source, 0) if source else None
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port or 443, timeout=TIMEOUT_SECONDS, source_address=source_address,
            context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=TIMEOUT_SECONDS,
                                                source_address=source_address)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request("POST", path, body=body, headers={"Content-Type": content_type})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _safe(url: str) -> str:
    """The URL without its path and query (a receiver's secret is in there): for the log."""
    parts = urlsplit(url)
    return "%s://%s/..." % (parts.scheme, parts.netloc)


# ---- the stream events that send hooks (called by Application under its lock) ----------------------

def stream_started(app: "Application", stream_id: str, main_track: str | None) -> None:
    """startPublish: liveStreamStarted; for a room's first active participant also the room hook."""
    broadcast = app.broadcasts.get(stream_id) or {}
    notify(app, stream_id, START_LIVE_STREAM, main_track, broadcast)
    if main_track and room_hooks_enabled():
        active = app.subtracks(main_track, 0, len(app.broadcasts), None, active_only=True)
        if [track["streamId"] for track in active] == [stream_id]:
            notify(app, stream_id, FIRST_ACTIVE_SUBTRACK, main_track, app.broadcasts.get(main_track))


def stream_ended(app: "Application", broadcast: dict | None, stream_id: str) -> None:
    """closeBroadcast: liveStreamEnded; for a room's last active participant also noActiveSubtracksLeft."""
    broadcast = broadcast or {}
    main_track = broadcast.get("mainTrackStreamId") or None
    notify(app, stream_id, END_LIVE_STREAM, main_track, broadcast)
    if main_track and not app.subtracks(main_track, 0, len(app.broadcasts), None, active_only=True):
        notify(app, main_track, NO_ACTIVE_SUBTRACKS_LEFT, None, app.broadcasts.get(main_track) or {})
