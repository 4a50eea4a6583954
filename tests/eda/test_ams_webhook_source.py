# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source mediaops.antmedia.ams_webhook over real HTTP(S): what it accepts, what it refuses, and that
it keeps serving; plus the stand-in's hooks reaching it (JSON and form, retries, sender address)."""

from __future__ import annotations

import asyncio
import http.client
import importlib.util
import json
import logging
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
            "unknown action": post(port, "/ams/" + SECRET, hook(action="rmRfEverything")),
            "no action": post(port, "/ams/" + SECRET, b'{"id": "p1"}'),
            "no id": post(port, "/ams/" + SECRET, hook(id=None)),
            # events reach the playbook as trusted extra vars: a room name that is a template would run there
            "template room": post(port, "/ams/" + SECRET, hook(roomId="{{ lookup('pipe', 'id') }}")),
            "template in a form field": post(port, "/ams/" + SECRET, b"id=p1&action=liveStreamStarted&x=%7B%25+if",
                                             "application/x-www-form-urlencoded"),
            "template key": post(port, "/ams/" + SECRET, hook(**{"{#": 1})),
            "chunked": post(port, "/ams/" + SECRET, iter([hook()])),  # http.client sends an iterable chunked
        }
        assert refused == {"wrong secret": 403, "secret prefix": 403, "no secret": 403, "wrong path": 404,
                           "wrong method": 405, "oversized": 413, "malformed JSON": 400, "not an object": 400,
                           "bad form": 400, "not UTF-8": 400, "unknown action": 422, "no action": 422, "no id": 400,
                           "template room": 422, "template in a form field": 422, "template key": 422,
                           "chunked": 411}
        assert post(port, "/ams/" + SECRET, hook()) == 200  # still serving
        wait_until(lambda: source.events, 10, what="the good hook's event")
        time.sleep(0.2)
        assert len(source.events) == 1
    refusals = [record.getMessage() for record in caplog.records if "refused a hook" in record.getMessage()]
    assert len(refusals) == len(refused)
    assert SECRET not in caplog.text and SECRET[:8] not in caplog.text


def test_sender_networks():
    with RunningSource({"allowed_senders": ["127.0.0.2/32"]}) as source:
        port = source.args["port"]
        assert post(port, "/ams/" + SECRET, hook(), source="127.0.0.3") == 403
        assert post(port, "/ams/" + SECRET, hook(), source="127.0.0.2") == 200
        wait_until(lambda: source.events, 10, what="the allowed sender's event")
        assert source.events[0]["ams"]["sender"] == "127.0.0.2"


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


def test_template_syntax_anywhere_in_a_hook_is_found():
    source = load_source()
    assert source.template_field({"roomId": "r1", "metadata": {"a": ["x", "{% raw %}"]}}) == "a"
    assert source.template_field({"id": "p1", "roomId": "{ {not a template} }"}) is None
    assert source.template_field({"{{x}}": "v"}) == "{{x}}"
