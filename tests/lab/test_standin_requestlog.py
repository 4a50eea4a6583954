# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 2: the stand-in's request log, which tests and benchmarks read (method, path, status, time,
remote), through GET /_lab/requests and in ROOT/log/requests.jsonl. The lab's own calls are not logged."""

from __future__ import annotations

import json
import time

from standin_helpers import SECRET, call_from

KEYS = {"seq", "time", "method", "path", "query", "status", "remote"}


def test_every_rest_call_is_logged_with_its_outcome(standin):
    since = standin.last_seq()
    began = time.time()
    standin.call("GET", "/live/rest/v2/broadcasts/count")
    standin.call("POST", "/live/rest/v2/broadcasts/create", {"streamId": "logged"})
    standin.call("GET", "/live/rest/v2/broadcasts/missing")
    standin.call("PUT", "/live/rest/v2/broadcasts/logged/recording/true?recordType=webm")
    standin.call("DELETE", "/live/rest/v2/broadcasts/logged")
    call_from("127.0.0.2", standin, "GET", "/live/rest/v2/broadcasts/count")          # refused by the IP filter
    standin.call("GET", "/nowhere/rest/v2/broadcasts/count")
    standin.call("GET", "/live/multitrack-play.html?id=r1")
    ended = time.time()

    entries = standin.requests(since)
    assert all(set(entry) == KEYS for entry in entries)
    assert [(entry["method"], entry["path"], entry["query"], entry["status"], entry["remote"]) for entry in entries] == [
        ("GET", "/live/rest/v2/broadcasts/count", "", 200, "127.0.0.1"),
        ("POST", "/live/rest/v2/broadcasts/create", "", 200, "127.0.0.1"),
        ("GET", "/live/rest/v2/broadcasts/missing", "", 404, "127.0.0.1"),
        ("PUT", "/live/rest/v2/broadcasts/logged/recording/true", "recordType=webm", 200, "127.0.0.1"),
        ("DELETE", "/live/rest/v2/broadcasts/logged", "", 200, "127.0.0.1"),
        ("GET", "/live/rest/v2/broadcasts/count", "", 403, "127.0.0.2"),
        ("GET", "/nowhere/rest/v2/broadcasts/count", "", 404, "127.0.0.1"),
        ("GET", "/live/multitrack-play.html", "id=r1", 200, "127.0.0.1"),
    ]
    seqs = [entry["seq"] for entry in entries]
    assert seqs == list(range(since + 1, since + 1 + len(entries)))
    times = [entry["time"] for entry in entries]
    assert times == sorted(times) and began - 1 <= times[0] and times[-1] <= ended + 1
    # Writes only (what benchmarks count).
    assert [entry["method"] for entry in standin.writes(since)] == ["POST", "PUT", "DELETE"]


def test_lab_calls_are_not_logged(standin):
    since = standin.last_seq()
    standin.health()
    standin.publish("cam1")
    standin.set_app_settings(mp4MuxingEnabled=False)
    standin.requests()
    standin.call("GET", "/_lab/nothing")
    assert standin.requests(since) == []
    assert standin.last_seq() == since


def test_the_log_file_holds_the_same_entries(standin):
    since = standin.last_seq()
    standin.call("POST", "/live/rest/v2/broadcasts/create", {"streamId": "filed"})
    standin.call("GET", "/live/rest/v2/broadcasts/filed")
    standin.health()
    path = standin.server_root() / "log" / "requests.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[-2:] == standin.requests(since)
    assert [line["seq"] for line in lines] == sorted(line["seq"] for line in lines)
    assert not any(line["path"].startswith("/_lab/") for line in lines)


def test_filters_and_auth_headers_are_not_logged(standin):
    """The log has no header: a JWT in Authorization never lands in it."""
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=SECRET)
    since = standin.last_seq()
    standin.call("GET", "/live/rest/v2/broadcasts/count", headers={"Authorization": "secret-looking-token"})
    [entry] = standin.requests(since)
    assert entry["status"] == 403
    assert "secret-looking-token" not in (standin.server_root() / "log" / "requests.jsonl").read_text()


def test_clearing_keeps_the_sequence(standin):
    standin.call("GET", "/live/rest/v2/broadcasts/count")
    before = standin.last_seq()
    standin.clear_requests()
    assert standin.requests() == []
    assert (standin.server_root() / "log" / "requests.jsonl").read_text() == ""
    standin.call("GET", "/live/rest/v2/broadcasts/count")
    [entry] = standin.requests()
    assert entry["seq"] == before + 1
    assert standin.requests(before + 1) == []


def test_the_log_survives_a_restart(standin):
    standin.call("GET", "/live/rest/v2/broadcasts/count")
    standin.stop()
    standin.start()
    standin.call("GET", "/live/rest/v2/vods/count")
    lines = [json.loads(line) for line in (standin.server_root() / "log" / "requests.jsonl").read_text().splitlines()]
    assert [line["path"] for line in lines] == ["/live/rest/v2/broadcasts/count", "/live/rest/v2/vods/count"]
