# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source mediaops.antmedia.ams_webhook over real HTTP(S): what it accepts, what it refuses, and that
it keeps serving; plus the stand-in's hooks reaching it (JSON and form, retries, sender address)."""

from __future__ import annotations

import asyncio
import http.client
import importlib.util
import json
import logging
import os
import socket
import ssl
import threading
import time

import pytest

from eda_harness import REPO, Standin, free_port, wait_until
from ams_standin.harness import make_test_ca

SOURCE = REPO / "extensions" / "eda" / "plugins" / "event_source" / "ams_webhook.py"
SECRET = "s3cret-0123456789-abcdef"


def load_source():
    spec = importlib.util.spec_from_file_location("ams_webhook", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RunningSource:
    """main(queue, args) on its own event loop thread; the events it queued; the slow consumer it has."""

    def __init__(self, args, consumer_delay=0.0):
        self.module = load_source()
        self.args = dict({"host": "127.0.0.1", "port": free_port(), "secret": SECRET}, **args)
        self.events = []
        self.consumer_delay = consumer_delay
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _consume(self, queue):
        while True:
            self.events.append(await queue.get())
            if self.consumer_delay:
                await asyncio.sleep(self.consumer_delay)

    def __enter__(self):
        self.thread.start()
        queue = asyncio.Queue(maxsize=1)  # as small as ansible-rulebook's: the source must not wait on it
        self.task = asyncio.run_coroutine_threadsafe(self.module.main(queue, self.args), self.loop)
        self.consumer = asyncio.run_coroutine_threadsafe(self._consume(queue), self.loop)
        wait_until(lambda: self.task.done() or self._listening(), 10, what="the source listening")
        return self

    def _listening(self):
        try:
            with socket.create_connection(("127.0.0.1", self.args["port"]), timeout=1):
                return True
        except OSError:
            return False

    def __exit__(self, *exc_info):
        self.task.cancel()
        self.consumer.cancel()
        time.sleep(0.1)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def post(port, path, body, content_type="application/json", method="POST", tls_context=None, timeout=5, source=None):
    if tls_context:
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls_context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                                source_address=(source, 0) if source else None)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": content_type})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def hook(**fields):
    return json.dumps(dict({"id": "p1", "action": "liveStreamStarted", "app": "live", "timestamp": "1700000000000",
                            "roomId": "r1", "mainTrackId": "r1"}, **fields)).encode()


def test_json_and_form_hooks_become_events():
    with RunningSource({}) as source:
        port = source.args["port"]
        assert post(port, "/ams/" + SECRET, hook()) == 200
        assert post(port, "/ams/" + SECRET, b"id=r1&action=noActiveSubtracksLeftInMainTrack&app=live&timestamp=17",
                    "application/x-www-form-urlencoded") == 200
        assert post(port, "/ams/" + SECRET, hook(id="r1_composite", roomId=None, mainTrackId=None)) == 200
        assert post(port, "/ams/" + SECRET, hook(action="firstActiveTrackAddedInMainTrack", mainTrackId=None)) == 200
        wait_until(lambda: len(source.events) == 4, 10, what="4 events")
    joined, empty, composite, first = [event["ams"] for event in source.events]
    assert joined == {"action": "liveStreamStarted", "app": "live", "room": "r1", "stream_id": "p1",
                      "timestamp": 1700000000000, "sender": "127.0.0.1", "room_event": "joined",
                      "received_ms": joined["received_ms"]}
    assert source.events[0]["roomId"] == "r1"  # the raw fields are kept
    assert (empty["room"], empty["room_event"], empty["timestamp"]) == ("r1", "empty", 17)
    assert (composite["room"], composite["room_event"]) == (None, None)  # a stream without a room: no participant
    assert (first["room"], first["room_event"]) == ("r1", "joined")


def test_hostile_requests_are_refused_and_it_keeps_serving(caplog):
    caplog.set_level(logging.DEBUG)
    with RunningSource({"max_body_bytes": 1024}) as source:
        port = source.args["port"]
        refused = {
            "wrong secret": post(port, "/ams/" + SECRET[:-1] + "x", hook()),
            "secret prefix": post(port, "/ams/" + SECRET[:8], hook()),
            "no secret": post(port, "/ams/", hook()),
            "wrong path": post(port, "/other/" + SECRET, hook()),
            "wrong method": post(port, "/ams/" + SECRET, None, method="GET"),
            "oversized": post(port, "/ams/" + SECRET, hook(metadata="x" * 2000)),
            "malformed JSON": post(port, "/ams/" + SECRET, b'{"id": "p1", "action": '),
            "not an object": post(port, "/ams/" + SECRET, b'["liveStreamStarted"]'),
            "bad form": post(port, "/ams/" + SECRET, b"id&&==", "application/x-www-form-urlencoded"),
            "not UTF-8": post(port, "/ams/" + SECRET, b'{"id": "\xff"}'),
            "no id": post(port, "/ams/" + SECRET, hook(id=None)),
            "chunked": post(port, "/ams/" + SECRET, iter([hook()])),  # http.client sends an iterable chunked
        }
        assert refused == {"wrong secret": 403, "secret prefix": 403, "no secret": 403, "wrong path": 404,
                           "wrong method": 405, "oversized": 413, "malformed JSON": 400, "not an object": 400,
                           "bad form": 400, "not UTF-8": 400, "no id": 400, "chunked": 411}
        # an action no server sends: answered 200 (no retries), no event
        assert post(port, "/ams/" + SECRET, hook(action="rmRfEverything")) == 200
        assert post(port, "/ams/" + SECRET, b'{"id": "p1"}') == 200
        assert post(port, "/ams/" + SECRET, hook()) == 200  # still serving
        wait_until(lambda: source.events, 10, what="the good hook's event")
        time.sleep(0.2)
        assert len(source.events) == 1
    refusals = [record.getMessage() for record in caplog.records if "refused a hook" in record.getMessage()]
    assert len(refusals) == len(refused)
    assert SECRET not in caplog.text and SECRET[:8] not in caplog.text


# docs/server-contract.md, "Webhooks" (actions by version)
# (AntMediaApplicationAdapter HOOK_* constants, notifyHook, notifyWebhookForStreamStatus).
EVERY_ACTION = {
    "liveStreamStarted": "joined", "liveStreamEnded": "left", "vodReady": None, "publishTimeoutError": None,
    "encoderNotOpenedError": None, "endpointFailed": None, "playStarted": None, "playStopped": None,
    "subtrackAddedInTheMainTrack": "joined", "subtrackLeftTheMainTrack": "left",
    "firstActiveTrackAddedInMainTrack": "joined", "noActiveSubtracksLeftInMainTrack": "empty",
    "liveStreamStatus": None, "idleTimeIsExpired": None,
}


def test_every_action_of_every_version_is_answered_200():
    with RunningSource({}) as source:
        port = source.args["port"]
        for action in EVERY_ACTION:
            assert post(port, "/ams/" + SECRET, hook(id="p-" + action, action=action)) == 200, action
        # 2.8: a form without timestamp or app; 2.12 liveStreamStatus: numbers, a numeric timestamp, no app
        assert post(port, "/ams/" + SECRET, b"id=old&action=liveStreamStarted&streamName=old",
                    "application/x-www-form-urlencoded") == 200
        status = {"id": "s1", "action": "liveStreamStatus", "width": 1280, "height": 720, "totalByteReceived": 123456,
                  "inputQueueSize": 0, "speed": 1.01, "timestamp": 1700000000123, "streamName": None,
                  "encodingQueueSize": 0, "dropFrameCountInEncoding": 0, "dropPacketCountInIngestion": 0}
        assert post(port, "/ams/" + SECRET, json.dumps(status).encode()) == 200
        wait_until(lambda: len(source.events) == len(EVERY_ACTION) + 2, 10, what="one event per hook")
    by_id = {event["id"]: event for event in source.events}
    for action, room_event in EVERY_ACTION.items():
        summary = by_id["p-" + action]["ams"]
        assert (summary["action"], summary["room_event"]) == (action, room_event)
    old = by_id["old"]["ams"]
    assert (old["app"], old["room"], old["room_event"]) == (None, None, None)
    assert old["timestamp"] == old["received_ms"]
    assert by_id["s1"]["ams"]["timestamp"] == 1700000000123 and by_id["s1"]["width"] == 1280


def test_publish_parameters_never_reach_an_event_or_a_log(caplog):
    """From 2.15 notifyHook merges the publish URL's query into the hook: only the server's keys make the event."""
    caplog.set_level(logging.DEBUG)
    token = "tok" + "9f8e7d6c" * 4
    with RunningSource({}) as source:
        port = source.args["port"]
        assert post(port, "/ams/" + SECRET, hook(token=token, subscriberCode="482913", subscriberId="alice",
                                                 anything="else")) == 200
        assert post(port, "/ams/" + SECRET, ("id=p2&action=liveStreamEnded&roomId=r1&token=%s&subscriberCode=482913"
                                             % token).encode(), "application/x-www-form-urlencoded") == 200
        # a publisher overwrote the action itself (a publish parameter named action): no event, not logged
        assert post(port, "/ams/" + SECRET, hook(action=token)) == 200
        wait_until(lambda: len(source.events) == 2, 10, what="both events")
    started, ended = source.events
    assert "token" not in started and "subscriberCode" not in started and "anything" not in started
    assert started["subscriberId"] == "alice" and started["ams"]["room_event"] == "joined"
    assert set(ended) == {"id", "action", "roomId", "ams"} and ended["ams"]["room_event"] == "left"
    assert token not in json.dumps(source.events) and "482913" not in json.dumps(source.events)
    assert token not in caplog.text and "482913" not in caplog.text


def test_publisher_content_is_neutralised_not_refused():
    """Template syntax, huge numbers, deep nesting and non-finite numbers cost no join or leave, and every body gets
    an answer."""
    deep = '{"id": "p3", "action": "liveStreamStarted", "roomId": "r3", "metadata": %s}' % ("[" * 20000 + "]" * 20000)
    with RunningSource({"max_body_bytes": 65536}) as source:
        port = source.args["port"]
        answers = [
            post(port, "/ams/" + SECRET, hook(id="p1", metadata={"name": "{{ lookup('pipe', 'id') }}",
                                                                 "{% if %}": ["{#", 1]})),
            post(port, "/ams/" + SECRET, hook(id="p2", roomId="{{ lookup('pipe', 'id') }}", mainTrackId=None)),
            post(port, "/ams/" + SECRET, deep.encode()),
            post(port, "/ams/" + SECRET, ('{"id": "p4", "action": "liveStreamEnded", "roomId": "r4", "timestamp": %s, '
                                          '"metadata": {"n": %s, "f": 1e999, "x": -Infinity}}'
                                          % ("1" * 1000, "9" * 5000)).encode()),
            post(port, "/ams/" + SECRET, hook(id="p5", action="liveStreamEnded", timestamp="Infinity")),
            post(port, "/ams/" + SECRET,
                 b'{"id": "p6", "action": "liveStreamStarted", "roomId": "r6", "timestamp": NaN}'),
            post(port, "/ams/" + SECRET,
                 b"id=p7&action=liveStreamStarted&roomId=r7&metadata=%7B%22a%22%3A%22%7B%7B%22%7D",
                 "application/x-www-form-urlencoded"),
            post(port, "/ams/" + SECRET, b"[" * 30000 + b"]" * 30000),
            post(port, "/ams/" + SECRET, b"{" * 30000),
        ]
        assert answers == [200] * 7 + [400, 400]
        wait_until(lambda: len(source.events) == 7, 10, what="seven events")
    events = {event["id"]: event for event in source.events}
    assert events["p1"]["metadata"] == {"name": "{ { lookup('pipe', 'id') }}", "{ % if %}": ["{ #", 1]}
    assert events["p1"]["ams"]["room_event"] == "joined"
    assert events["p2"]["ams"]["room"] == "{ { lookup('pipe', 'id') }}"
    assert events["p3"]["ams"]["room_event"] == "joined"
    nested, depth = events["p3"]["metadata"], 0
    while isinstance(nested, list) and nested:
        nested, depth = nested[0], depth + 1
    assert depth <= 16
    p4 = events["p4"]
    assert p4["ams"]["room_event"] == "left" and p4["ams"]["timestamp"] == p4["ams"]["received_ms"]
    assert p4["metadata"] == {"n": "9" * 5000, "f": None, "x": None}
    assert events["p5"]["ams"]["timestamp"] == events["p5"]["ams"]["received_ms"]
    assert events["p6"]["ams"]["room_event"] == "joined" and events["p6"]["timestamp"] is None
    assert events["p7"]["metadata"] == {"a": "{ {"}
    assert "{{" not in json.dumps(source.events) and "{%" not in json.dumps(source.events)


def test_sender_networks():
    """A refused network's connection is closed as it is accepted: no answer, no event."""
    with RunningSource({"allowed_senders": ["127.0.0.2/32"]}) as source:
        port = source.args["port"]
        with pytest.raises((ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine)):
            post(port, "/ams/" + SECRET, hook(), source="127.0.0.3")
        assert post(port, "/ams/" + SECRET, hook(), source="127.0.0.2") == 200
        wait_until(lambda: source.events, 10, what="the allowed sender's event")
        assert len(source.events) == 1 and source.events[0]["ams"]["sender"] == "127.0.0.2"


def test_previous_secret_works_until_its_deadline(monkeypatch):
    previous = "old-0123456789-abcdef"
    monkeypatch.setenv("AMS_HOOK_PREVIOUS_SECRET", previous)
    future = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3600))
    with RunningSource({"previous_secret_env": "AMS_HOOK_PREVIOUS_SECRET", "previous_secret_until": future}) as source:
        port = source.args["port"]
        assert post(port, "/ams/" + SECRET, hook(id="new")) == 200
        assert post(port, "/ams/" + previous, hook(id="old")) == 200
        assert post(port, "/ams/" + previous + "x", hook(id="wrong")) == 403
        wait_until(lambda: len(source.events) == 2, 10, what="both secrets' events")
    with RunningSource({"previous_secret": previous, "previous_secret_until": time.time() - 1}) as source:
        assert post(source.args["port"], "/ams/" + previous, hook(id="late")) == 403
        assert post(source.args["port"], "/ams/" + SECRET, hook(id="new")) == 200
    module = load_source()
    for until in (None, "tomorrow", "2027-01-31T12:00:00"):  # missing, not a time, no offset
        with pytest.raises(ValueError, match="previous_secret_until"):
            module.HookReceiver(asyncio.Queue(), {"secret": SECRET, "previous_secret": previous,
                                                  "previous_secret_until": until})
    with pytest.raises(ValueError, match="AMS_HOOK_UNSET_SECRET, which is not set"):
        module.HookReceiver(asyncio.Queue(), {"secret": SECRET, "previous_secret_env": "AMS_HOOK_UNSET_SECRET",
                                              "previous_secret_until": 1})
    with pytest.raises(ValueError, match="previous secret"):
        module.HookReceiver(asyncio.Queue(), {"secret": SECRET, "previous_secret": "short",
                                              "previous_secret_until": 1})


def test_answers_at_once_while_the_rules_are_slow():
    """A hook is answered within the server's 2 s even when the consumer takes 1 s per event."""
    with RunningSource({}, consumer_delay=1.0) as source:
        port = source.args["port"]
        for index in range(20):
            assert post(port, "/ams/" + SECRET, hook(id="p%d" % index), timeout=2) == 200
        wait_until(lambda: len(source.events) >= 2, 10, what="the consumer's first events")
        assert len(source.events) < 20  # the answers did not wait for the consumer


def test_no_secret_no_start():
    module = load_source()
    with pytest.raises(ValueError, match="secret"):
        module.HookReceiver(asyncio.Queue(), {"port": 1, "secret": "short"})


def test_tls(tmp_path):
    tls = make_test_ca(tmp_path)
    with RunningSource({"certfile": str(tls.cert), "keyfile": str(tls.key)}) as source:
        context = ssl.create_default_context(cafile=str(tls.ca_cert))
        assert post(source.args["port"], "/ams/" + SECRET, hook(), tls_context=context) == 200
        wait_until(lambda: source.events, 10, what="the event over HTTPS")


def test_standin_hooks_reach_the_source_json_form_and_retries(caplog):
    """The stand-in sends from its own address; form encoding by setting; a refused hook is retried."""
    caplog.set_level(logging.INFO)
    with RunningSource({}) as source, Standin(addresses=("127.0.0.4",)) as ams:
        url = "http://127.0.0.1:%d/ams/%s" % (source.args["port"], SECRET)
        ams.set_app_settings(address="127.0.0.4", listenerHookURL=url)
        ams.join("room-a", "alice", address="127.0.0.4")
        wait_until(lambda: len(source.events) == 2, 10, what="started + first active")
        actions = {event["ams"]["action"] for event in source.events}
        assert actions == {"liveStreamStarted", "firstActiveTrackAddedInMainTrack"}
        assert all(event["ams"]["sender"] == "127.0.0.4" and event["ams"]["room"] == "room-a"
                   for event in source.events)
        ams.set_app_settings(address="127.0.0.4", webhookContentType="application/x-www-form-urlencoded")
        ams.leave("room-a", "alice", address="127.0.0.4")
        wait_until(lambda: len(source.events) == 4, 10, what="ended + no active left")
        assert {(event["ams"]["action"], event["ams"]["room_event"]) for event in source.events[2:]} == {
            ("liveStreamEnded", "left"), ("noActiveSubtracksLeftInMainTrack", "empty")}
        # a wrong secret is refused (403): with webhookRetryCount 2 the server sends it three times in all
        ams.set_app_settings(address="127.0.0.4", listenerHookURL=url + "x", webhookRetryCount=2,
                             webhookRetryDelay=100, webhookContentType="application/json")
        ams.publish("solo", address="127.0.0.4")

        def refusals():
            return [record for record in caplog.records if "wrong secret" in record.getMessage()]
        wait_until(lambda: len(refusals()) >= 3, 20, what="the hook and its 2 retries")
        time.sleep(0.5)
        assert len(refusals()) == 3
        assert len(source.events) == 4


def test_documentation_is_valid_yaml_with_every_option():
    import yaml
    source = load_source()
    documentation = yaml.safe_load(source.DOCUMENTATION)
    assert {"host", "port", "secret", "secret_env", "allowed_senders"} <= set(documentation["options"])
    assert yaml.safe_load(source.EXAMPLES)


def _open_fds():
    return len(os.listdir("/proc/self/fd"))


def _closed_by_peer(sock):
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:  # reset
        return True


def test_slow_connections_do_not_starve_real_hooks():
    """Hundreds of slow connections from an allowed (127.0.0.2) and a refused network (127.0.0.3) while real hooks
    from the allowed one are answered within the 2 s AMS gives a hook (docs/server-contract.md,
    "Webhooks"): refused ones are closed at accept, allowed ones are capped and closed at
    their deadline."""
    cap, slow_count = 32, 250
    with RunningSource({"allowed_senders": ["127.0.0.2/32"], "max_connections": cap, "request_timeout": 2}) as source:
        port = source.args["port"]
        fds_before = _open_fds()
        slow = {"127.0.0.2": [], "127.0.0.3": []}
        for source_address, sockets in slow.items():
            for _index in range(slow_count):
                sock = socket.socket()
                sock.bind((source_address, 0))
                sock.setblocking(False)
                sock.connect_ex(("127.0.0.1", port))
                sockets.append(sock)
        stop = threading.Event()
        held = []  # the receiver's sockets (this process's descriptors beyond the clients'), sampled

        def trickle():  # a byte of a request line now and then, never a whole request
            while not stop.wait(0.1):
                held.append(_open_fds() - fds_before - 2 * slow_count)
                for sock in slow["127.0.0.2"] + slow["127.0.0.3"]:
                    try:
                        sock.send(b"P")
                    except OSError:
                        pass
        trickler = threading.Thread(target=trickle, daemon=True)
        trickler.start()
        try:
            answered = []
            for index in range(20):
                # http.client's own 2 s timeout is AMS's (sendPOST): a hook not answered in time raises here
                started = time.monotonic()
                assert post(port, "/ams/" + SECRET, hook(id="real%d" % index), timeout=2, source="127.0.0.2") == 200
                answered.append(time.monotonic() - started)
            assert len(answered) == 20 and max(answered) < 2
            # the server holds at most `cap` of the slow connections (plus the listener and a few in flight)
            held.append(_open_fds() - fds_before - 2 * slow_count)
            assert max(held) <= cap + 8, held
            wait_until(lambda: all(_closed_by_peer(sock) for sock in slow["127.0.0.3"]), 10,
                       what="every refused network's connection closed")
            wait_until(lambda: all(_closed_by_peer(sock) for sock in slow["127.0.0.2"]), 30,
                       what="every slow allowed connection closed by its deadline or by a newer one")
        finally:
            stop.set()
            trickler.join(5)
            for sock in slow["127.0.0.2"] + slow["127.0.0.3"]:
                sock.close()
        wait_until(lambda: len(source.events) == 20, 10, what="the real hooks' events")
        assert sorted(event["id"] for event in source.events) == sorted("real%d" % index for index in range(20))
