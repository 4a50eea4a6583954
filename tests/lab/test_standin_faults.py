# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stand-in's fault injection (/_lab/faults): each kind does what it says, only on matching requests."""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest
from standin_helpers import wait_for


def raw(ams, method, path, body=None, timeout=10):
    """One request on a fresh connection: (status, headers, body) or the exception the client saw."""
    host, port = ams.addresses[0], ams.port
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def test_status_and_retry_after_do_no_work(standin_push):
    ams = standin_push
    ams.set_faults({"method": "POST", "path": "/media-push/start", "kind": "status", "status": 503},
                   {"method": "POST", "path": "/media-push/start", "kind": "retry_after", "retry_after": 7})
    status, _, _ = raw(ams, "POST", "/live/rest/v1/media-push/start?streamId=f1",
                       {"url": "http://127.0.0.1/live/multitrack-play.html?id=r"})
    assert status == 503
    status, headers, _ = raw(ams, "POST", "/live/rest/v1/media-push/start?streamId=f1",
                             {"url": "http://127.0.0.1/live/multitrack-play.html?id=r"})
    assert status == 429 and headers["Retry-After"] == "7"
    assert ams.media_push_sessions() == []
    described = ams.faults()
    assert described["injected"] == 2 and all(rule["remaining"] == 0 for rule in described["rules"])
    # the rules are used up: the next start works
    status, _, body = raw(ams, "POST", "/live/rest/v1/media-push/start?streamId=f1",
                          {"url": "http://127.0.0.1/live/multitrack-play.html?id=r"})
    assert status == 200 and json.loads(body)["success"] is True
    assert [entry["status"] for entry in ams.requests() if entry["path"].endswith("/start")] == [503, 429, 200]


def test_reset_does_no_work_and_lose_reply_does_it(standin_push):
    ams = standin_push
    ams.set_faults({"method": "POST", "path": "/media-push/start", "kind": "reset"})
    with pytest.raises((http.client.HTTPException, ConnectionError, socket.timeout)):
        raw(ams, "POST", "/live/rest/v1/media-push/start?streamId=f2", {"url": "http://127.0.0.1/x?id=r"})
    assert ams.media_push_sessions() == []
    ams.set_faults({"method": "POST", "path": "/media-push/start", "kind": "lose_reply"})
    with pytest.raises((http.client.HTTPException, ConnectionError, socket.timeout)):
        raw(ams, "POST", "/live/rest/v1/media-push/start?streamId=f2", {"url": "http://127.0.0.1/x?id=r"})
    assert [session["streamId"] for session in ams.media_push_sessions()] == ["f2"]


def test_slow_answers_late_but_does_the_work(standin):
    ams = standin
    ams.publish("slowcam")
    ams.set_faults({"method": "PUT", "path": "/recording/true", "kind": "slow", "delay": 1.5})
    with pytest.raises(socket.timeout):
        raw(ams, "PUT", "/live/rest/v2/broadcasts/slowcam/recording/true?recordType=mp4", timeout=0.5)
    # the slow request still does its work: polled, not a fixed sleep that a loaded machine can outrun
    broadcast = wait_for(lambda: (lambda answer: answer[1] if answer[0] == 200 and answer[1].get("mp4Enabled") == 1
                                  else None)(ams.call("GET", "/live/rest/v2/broadcasts/slowcam")),
                         what="the slow recording start to take effect")
    assert broadcast["mp4Enabled"] == 1


def test_rules_match_method_and_path_only(standin):
    ams = standin
    ams.set_faults({"method": "GET", "path": "^/live/rest/v2/broadcasts/list/", "kind": "status", "count": 2})
    assert ams.call("GET", "/LiveApp/rest/v2/broadcasts/list/0/10")[0] == 200
    assert ams.call("GET", "/live/rest/v2/broadcasts/count")[0] == 200
    assert ams.call("GET", "/live/rest/v2/broadcasts/list/0/10")[0] == 503
    assert ams.call("GET", "/live/rest/v2/broadcasts/list/0/10")[0] == 503
    assert ams.call("GET", "/live/rest/v2/broadcasts/list/0/10")[0] == 200
    status, page = ams.call("PUT", "/_lab/faults", {"rules": [{"kind": "explode"}]})
    assert status == 400 and "kind must be one of" in page


def test_delayed_restart(standin_push):
    ams = standin_push
    ams.join("lateroom", "p1")
    ams.circle_record("lateroom")
    answer = ams.lab("POST", "/_lab/restart", {"after": 0.5})
    assert answer["restart_in"] == 0.5 and ams.media_push_sessions() != []
    deadline = time.time() + 10
    while ams.media_push_sessions() and time.time() < deadline:
        time.sleep(0.2)
    assert ams.media_push_sessions() == []
