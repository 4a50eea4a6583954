"""Webhooks as AMS sends them (AntMediaApplicationAdapter.notifyHook, notifyWebhookForStreamStatus and sendPOST).

A hook goes to `getListenerHookURL(broadcast)`: the broadcast's own `listenerHookURL`, else the application
setting. `RestServiceBase.saveBroadcast` copies the application's URL into every broadcast it creates (REST
create, a publisher's zombi broadcast), so a broadcast's hook URL is frozen at its creation; a room's main track
made by its first participant (`saveMainBroadcast`) has none and follows the application setting.
When there is a hook URL, each stream start and end posts a hook there:
`liveStreamStarted` / `liveStreamEnded` (a room participant's carry the room in `mainTrackId` and `roomId`),
and for rooms `firstActiveTrackAddedInMainTrack` (`id` = the participant, `roomId` = the room) when a
room gets its first active participant and `noActiveSubtracksLeftInMainTrack` (`id` = the room) when
its last one leaves. From 2.12 `liveStreamStatus` is posted for each live stream every
`webhookStreamStatusUpdatePeriodMs` (not when -1, the default): numbers, a numeric `timestamp`, no `app`. From 2.15
`idleTimeIsExpired` is posted when a closed broadcast with `maxIdleTime` > 0 s was not updated (a room: had no
active participant) for that long. Before 2.10 hooks are form-encoded only and there are no room hooks; 2.8 sends
no `timestamp`; `app` and the publisher's parameters (the publish URL's query, merged after the server's own keys,
so they can overwrite them) are sent from 2.15. As on AMS:
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
STREAM_STATUS = "liveStreamStatus"
IDLE_TIME_EXPIRED = "idleTimeIsExpired"
STATUS_TICK_SECONDS = 0.05  # how often the status sender looks at the live streams (MuxAdaptor: each packet batch)

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


def hook_url(app: "Application", broadcast: dict | None) -> str:
    """getListenerHookURL: the broadcast's own hook URL, else the application's."""
    own = ((broadcast or {}).get("listenerHookURL") or "").strip()
    return own or (app.settings.get("listenerHookURL") or "").strip()


def frozen_hook_url(app: "Application", broadcast: dict) -> None:
    """RestServiceBase.saveBroadcast: a new broadcast without a hook URL gets the application's."""
    if not (broadcast.get("listenerHookURL") or "").strip():
        url = (app.settings.get("listenerHookURL") or "").strip()
        if url:
            broadcast["listenerHookURL"] = url


def _content_type(app: "Application") -> str:
    if app.node.options.version < (2, 10, 0):
        return FORM_CONTENT_TYPE  # 2.8 and 2.9 post forms only
    return app.settings.get("webhookContentType") or JSON_CONTENT_TYPE


def _source(app: "Application") -> str | None:
    return app.node.listen_address if app.node.listen_address not in ("", "0.0.0.0") else None


def notify(app: "Application", stream_id: str, action: str, main_track_id: str | None = None,
           broadcast: dict | None = None, parameters: dict | None = None) -> None:
    """notifyHook: queue one hook for the pool, if the broadcast or the application has a hook URL."""
    url = hook_url(app, broadcast)
    if not url:
        return
    version = app.node.options.version
    broadcast = broadcast or {}
    fields: dict[str, Any] = {"id": stream_id, "action": action}
    for key, value in (("streamName", broadcast.get("name")), ("category", broadcast.get("category")),
                       ("mainTrackId", main_track_id), ("roomId", main_track_id),
                       ("app", app.name if version >= (2, 15, 0) else None)):
        if value:
            fields[key] = value
    meta_data = broadcast.get("metaData")
    if meta_data and str(meta_data).strip():
        try:
            fields["metadata"] = json.loads(meta_data)
        except ValueError:
            fields["metadata"] = meta_data
    content_type = _content_type(app)
    retries = _setting_int(app, "webhookRetryCount", 0)
    delay = _setting_int(app, "webhookRetryDelay", 1000) / 1000.0
    source = _source(app)
    extra = {str(key): str(value) for key, value in (parameters or {}).items()
             if str(value).strip()} if version >= (2, 15, 0) else {}

    def build_and_send() -> None:
        if version >= (2, 9, 0):
            fields["timestamp"] = str(int(time.time() * 1000))   # when the worker runs, as on AMS
        fields.update(extra)  # the publish parameters, after the server's own keys
        send_post(url, fields, retries, content_type, delay, source)

    _executor().submit(build_and_send)


def notify_stream_status(app: "Application", broadcast: dict, width: int, height: int, received_bytes: int) -> None:
    """notifyWebhookForStreamStatus (2.12+)."""
    url = hook_url(app, broadcast)
    if not url:
        return
    fields = {"id": broadcast["streamId"], "action": STREAM_STATUS, "width": width, "height": height,
              "totalByteReceived": received_bytes, "inputQueueSize": 0, "speed": 1.0,
              "timestamp": int(time.time() * 1000), "streamName": broadcast.get("name"), "encodingQueueSize": 0,
              "dropFrameCountInEncoding": 0, "dropPacketCountInIngestion": 0}
    content_type = _content_type(app)
    retries = _setting_int(app, "webhookRetryCount", 0)
    delay = _setting_int(app, "webhookRetryDelay", 1000) / 1000.0
    source = _source(app)
    _executor().submit(send_post, url, fields, retries, content_type, delay, source)


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
                          for key, value in fields.items() if value is not None]).encode()
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

def stream_started(app: "Application", stream_id: str, main_track: str | None, parameters: dict | None = None) -> None:
    """startPublish: liveStreamStarted; for a room's first active participant also the room hook (2.10+)."""
    broadcast = app.broadcasts.get(stream_id) or {}
    notify(app, stream_id, START_LIVE_STREAM, main_track, broadcast, parameters)
    if main_track and room_hooks_enabled() and app.node.options.version >= (2, 10, 0):
        active = app.subtracks(main_track, 0, len(app.broadcasts), None, active_only=True)
        if [track["streamId"] for track in active] == [stream_id]:
            notify(app, stream_id, FIRST_ACTIVE_SUBTRACK, main_track, app.broadcasts.get(main_track))
    if app.node.options.version >= (2, 12, 0):
        _status_sender(app)


def stream_ended(app: "Application", broadcast: dict | None, stream_id: str, parameters: dict | None = None) -> None:
    """closeBroadcast: liveStreamEnded; for a room's last active participant also noActiveSubtracksLeft (2.10+);
    the idle timers of the broadcast and of its room (2.15+, when their maxIdleTime is set)."""
    broadcast = broadcast or {}
    main_track = broadcast.get("mainTrackStreamId") or None
    notify(app, stream_id, END_LIVE_STREAM, main_track, broadcast, parameters)
    idle_timer(app, broadcast, is_main_track=False)
    if main_track and not app.subtracks(main_track, 0, len(app.broadcasts), None, active_only=True):
        room = app.broadcasts.get(main_track) or {}
        if app.node.options.version >= (2, 10, 0):
            notify(app, main_track, NO_ACTIVE_SUBTRACKS_LEFT, None, room)
        idle_timer(app, room, is_main_track=True)


def idle_timer(app: "Application", broadcast: dict, is_main_track: bool) -> None:
    """createIdleCheckTimer (2.15+): after maxIdleTime s, idleTimeIsExpired if the broadcast still exists and was
    not updated since (a room: has no active participant)."""
    max_idle = int(broadcast.get("maxIdleTime") or 0)
    if max_idle <= 0 or app.node.options.version < (2, 15, 0):
        return
    stream_id = broadcast["streamId"]

    def check() -> None:
        with app.lock:
            current = app.broadcasts.get(stream_id)
            if current is None:
                return  # a zombi broadcast is gone
            if is_main_track:
                expired = not app.subtracks(stream_id, 0, len(app.broadcasts), None, active_only=True)
            else:
                expired = int(time.time() * 1000) > int(current.get("updateTime") or 0) + max_idle * 1000
            if expired:
                notify(app, stream_id, IDLE_TIME_EXPIRED, current.get("mainTrackStreamId") or None, current)

    timer = threading.Timer(max_idle, check)
    timer.daemon = True
    timer.start()


_status_threads: dict[int, threading.Thread] = {}


def _status_sender(app: "Application") -> None:
    """MuxAdaptor's periodic stream status (2.12+): one thread per application, started with its first stream."""
    with _pool_lock:
        if id(app) in _status_threads:
            return
        thread = threading.Thread(target=_send_statuses, args=(app,), daemon=True, name="stream-status")
        _status_threads[id(app)] = thread
    thread.start()


def _send_statuses(app: "Application") -> None:
    last_sent: dict[str, float] = {}
    while True:
        time.sleep(STATUS_TICK_SECONDS)
        with app.lock:
            if not app.live:  # the next stream start starts another one
                with _pool_lock:
                    del _status_threads[id(app)]
                return
        period = _setting_int(app, "webhookStreamStatusUpdatePeriodMs", -1)
        if period == -1:
            last_sent.clear()
            continue
        now = time.monotonic()
        with app.lock:
            for stream_id in list(last_sent):
                if stream_id not in app.live:
                    del last_sent[stream_id]
            for stream_id, live in app.live.items():
                if (now - last_sent.get(stream_id, now - 3600)) * 1000 <= period:
                    continue
                last_sent[stream_id] = now
                broadcast = app.broadcasts.get(stream_id)
                if broadcast is not None:
                    notify_stream_status(app, broadcast, live.width, live.height,
                                         int(broadcast.get("receivedBytes") or 0))
