"""Contract: the hooks the stand-in sends, as AMS does (AntMediaApplicationAdapter.notifyHook, getListenerHookURL,
notifyWebhookForStreamStatus, createIdleCheckTimer; RestServiceBase.saveBroadcast), received here over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from standin_helpers import wait_for

BROADCASTS = "/live/rest/v2/broadcasts"


class HookSink:
    """A hook receiver that answers 200 and keeps (path, content type, fields, receive time) of each hook."""

    def __init__(self):
        self.hooks = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                content_type = self.headers.get("Content-Type") or ""
                fields = dict(parse_qsl(body)) if content_type.startswith("application/x-www-form") else json.loads(body)
                sink.hooks.append((self.path, content_type, fields, time.monotonic()))  # one clock for every process
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.server.server_address[1], path)

    def of(self, action, stream_id=None):
        return [(path, kind, fields, at) for path, kind, fields, at in list(self.hooks)
                if fields.get("action") == action and stream_id in (None, fields.get("id"))]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink():
    with HookSink() as receiver:
        yield receiver


def test_hook_url_is_frozen_in_each_broadcast_at_its_creation(standin, sink):
    """docs/server-contract.md, "Creating a broadcast": saveBroadcast copies the app's
    listenerHookURL into every new broadcast that has none; getListenerHookURL prefers the broadcast's own; ""
    cannot clear it (RestServiceBase.saveBroadcast, AntMediaApplicationAdapter.getListenerHookURL)."""
    standin.set_app_settings(listenerHookURL=sink.url("/old"))
    assert standin.call("POST", BROADCASTS + "/create", {"streamId": "made-before"})[0] == 200
    assert standin.call("POST", BROADCASTS + "/create",
                        {"streamId": "own-url", "listenerHookURL": sink.url("/own")})[0] == 200
    standin.set_app_settings(listenerHookURL=sink.url("/new"))   # a rotation
    assert standin.call("GET", BROADCASTS + "/made-before")[1]["listenerHookURL"] == sink.url("/old")
    assert standin.call("PUT", BROADCASTS + "/made-before", {"listenerHookURL": ""})[0] == 200
    assert standin.call("GET", BROADCASTS + "/made-before")[1]["listenerHookURL"] == sink.url("/old")
    for stream_id in ("made-before", "own-url", "zombi-after"):
        standin.publish(stream_id)
    wait_for(lambda: len(sink.of("liveStreamStarted")) == 3, what="three start hooks")
    paths = {fields["id"]: path for path, _kind, fields, _at in sink.of("liveStreamStarted")}
    assert paths == {"made-before": "/old", "own-url": "/own", "zombi-after": "/new"}
    # the broadcast is given the new URL: its next hooks go there
    assert standin.call("PUT", BROADCASTS + "/made-before", {"listenerHookURL": sink.url("/new")})[0] == 200
    standin.unpublish("made-before")
    wait_for(lambda: sink.of("liveStreamEnded", "made-before"), what="the end hook")
    assert sink.of("liveStreamEnded", "made-before")[0][0] == "/new"


@pytest.mark.parametrize("version", ["2.17.1", "3.0.1"])
def test_live_stream_status_is_periodic_with_numbers_and_no_app(make_standin, sink, version):
    """docs/server-contract.md, "Webhooks" (actions by version), 2.12.0
    liveStreamStatus (AntMediaApplicationAdapter.notifyWebhookForStreamStatus, MuxAdaptor: every
    webhookStreamStatusUpdatePeriodMs unless -1): numeric timestamp, no app."""
    ams = make_standin(server_version=version)
    ams.set_app_settings(listenerHookURL=sink.url("/hook"), webhookStreamStatusUpdatePeriodMs=200)
    ams.publish("s1", width=1920, height=1080)
    statuses = wait_for(lambda: len(sink.of("liveStreamStatus", "s1")) >= 3 and sink.of("liveStreamStatus", "s1"),
                        what="three status hooks")
    fields = statuses[0][2]
    assert set(fields) == {"id", "action", "width", "height", "totalByteReceived", "inputQueueSize", "speed",
                           "timestamp", "streamName", "encodingQueueSize", "dropFrameCountInEncoding",
                           "dropPacketCountInIngestion"}
    assert isinstance(fields["timestamp"], int) and (fields["width"], fields["height"]) == (1920, 1080)
    times = sorted(fields["timestamp"] for _path, _kind, fields, _at in statuses)
    assert all(later - earlier >= 200 for earlier, later in zip(times, times[1:]))  # the server's own clock
    ams.unpublish("s1")
    ended_ms = int(time.time() * 1000)
    ams.publish("s2")
    wait_for(lambda: len(sink.of("liveStreamStatus", "s2")) >= 2, what="the next stream's status hooks")
    assert all(fields["timestamp"] <= ended_ms for _path, _kind, fields, _at in sink.of("liveStreamStatus", "s1"))


@pytest.mark.parametrize("version", ["2.17.1", "3.0.1"])
def test_idle_time_is_expired_for_a_stream_and_a_room(make_standin, sink, version):
    """docs/server-contract.md, "Webhooks" (actions by version), 2.15.0
    idleTimeIsExpired (AntMediaApplicationAdapter.createIdleCheckTimer: after closeBroadcast, maxIdleTime s later,
    if the broadcast was not updated since; a room when it has no active participant)."""
    ams = make_standin(server_version=version)
    ams.set_app_settings(listenerHookURL=sink.url("/hook"))
    ams.call("POST", BROADCASTS + "/create", {"streamId": "cam1", "name": "Camera", "maxIdleTime": 1})
    ams.call("POST", BROADCASTS + "/create", {"streamId": "room1", "maxIdleTime": 1})
    ams.publish("cam1")
    ams.join("room1", "alice")
    before_end = time.monotonic()  # the stream ends during the next call, so its idle timer starts after this
    ams.unpublish("cam1")
    ams.leave("room1", "alice")
    wait_for(lambda: sink.of("idleTimeIsExpired", "cam1") and sink.of("idleTimeIsExpired", "room1"), 20,
             what="both idle hooks")
    _path, _kind, camera, expired_at = sink.of("idleTimeIsExpired", "cam1")[0]
    assert expired_at - before_end >= 1  # maxIdleTime after the end, both on the machine's monotonic clock
    assert {key: camera[key] for key in ("id", "action", "app", "streamName")} == {
        "id": "cam1", "action": "idleTimeIsExpired", "app": "live", "streamName": "Camera"}
    assert camera["timestamp"].isdigit()
    assert sink.of("idleTimeIsExpired", "room1")[0][2]["id"] == "room1"
    assert not sink.of("idleTimeIsExpired", "alice")  # a zombi participant broadcast is gone by then


@pytest.mark.parametrize("version", ["2.8.0", "2.9.0", "2.14.0", "2.15.0", "3.0.1"])
def test_hook_shape_by_version(make_standin, sink, version):
    """docs/server-contract.md, "Webhooks" (the fields a publisher can write): form-encoded only before 2.10 (2.8
    without timestamp); app and the publish parameters (merged after the server's keys, overwriting them) from 2.15
    (AntMediaApplicationAdapter.notifyHook)."""
    ams = make_standin(server_version=version)
    ams.set_app_settings(listenerHookURL=sink.url("/hook"))
    ams.join("room1", "bob", parameters={"token": "tok123", "subscriberCode": "999", "roomId": "forged"})
    _path, content_type, fields, _at = wait_for(lambda: sink.of("liveStreamStarted"), what="the start hook")[0]
    major_minor = tuple(int(part) for part in version.split(".")[:2])
    assert content_type.startswith("application/x-www-form-urlencoded" if major_minor < (2, 10) else
                                   "application/json")
    assert ("timestamp" in fields) == (major_minor >= (2, 9))
    if major_minor >= (2, 15):
        assert (fields["app"], fields["token"], fields["subscriberCode"], fields["roomId"]) == (
            "live", "tok123", "999", "forged")
    else:
        assert "app" not in fields and "token" not in fields and fields["roomId"] == "room1"
