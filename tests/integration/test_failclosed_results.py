# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15: a result says what happened (a write that took effect is `changed` even when the read after it
fails, and the message says both), and reads honour Retry-After; real stand-in, fault injection."""

from __future__ import annotations

SERVER_SECRET = "server-secret-0123456789abcdef-0123456789"


def pass_once_then_fail(method, path, count=50):
    """Fault rules: the first matching request is served normally (a slow rule of 0 s), the next ones get 503."""
    return ({"method": method, "path": path, "kind": "slow", "delay": 0, "count": 1},
            {"method": method, "path": path, "kind": "status", "status": 503, "count": count})


def test_media_push_started_then_read_back_failed_is_changed_and_says_both(standin_push, run_task):
    ams = standin_push
    ams.join("rb-room", "p1")
    # the module's first read of the push's broadcast passes; every read after the start fails
    ams.set_faults(*pass_once_then_fail("GET", r"/broadcasts/rb-room_composite$"))
    seq = ams.last_seq()
    result = run_task("media_push", dict(url=ams.base_url(), app="live", room="rb-room"))
    starts = [entry for entry in ams.writes(seq) if entry["path"].endswith("/media-push/start")]
    assert len(starts) == 1 and starts[0]["status"] == 200, ams.writes(seq)
    assert result["failed"] is True and result["changed"] is True, result.result
    assert "the push was started, then:" in result["msg"] and "503" in result["msg"], result["msg"]
    assert [session for session in ams.media_push_sessions() if session.get("streamId") == "rb-room_composite"]


def test_app_settings_written_then_read_back_failed_is_changed_and_says_both(standin, run_task):
    ams = standin
    ams.set_server_settings(jwtServerControlEnabled=True, jwtServerSecretKey=SERVER_SECRET)
    ams.set_faults(*pass_once_then_fail("GET", r"/rest/v2/applications/settings/live$"))
    seq = ams.last_seq()
    result = run_task("app_settings", dict(url=ams.base_url(), app="live", server_jwt_secret=SERVER_SECRET,
                                           settings={"mp4MuxingEnabled": True}))
    assert [entry["method"] for entry in ams.writes(seq)] == ["POST"]
    assert ams.set_app_settings(app="live")["mp4MuxingEnabled"] is True
    assert result["failed"] is True and result["changed"] is True, result.result
    assert "changed mp4MuxingEnabled, then reading the settings back failed" in result["msg"], result["msg"]


def test_reads_wait_for_retry_after_and_give_up_at_once_past_the_timeout(standin, run_task):
    ams = standin
    ams.join("ra-room", "p1")
    path = r"/live/rest/v2/broadcasts/ra-room$"
    ams.set_faults({"method": "GET", "path": path, "kind": "retry_after", "retry_after": 1, "count": 2})
    seq = ams.last_seq()
    waited = run_task("broadcast_info", dict(url=ams.base_url(), app="live", stream_id="ra-room"))
    assert waited.get("failed") is not True and waited["broadcasts"][0]["stream_id"] == "ra-room", waited.result
    reads = [entry for entry in ams.requests(seq) if entry["path"] == "/live/rest/v2/broadcasts/ra-room"]
    assert [entry["status"] for entry in reads] == [429, 429, 200]

    ams.set_faults({"method": "GET", "path": path, "kind": "retry_after", "retry_after": 600, "count": 5})
    seq = ams.last_seq()
    refused = run_task("broadcast_info", dict(url=ams.base_url(), app="live", stream_id="ra-room", timeout=20))
    assert refused["failed"] is True, refused.result
    assert "HTTP 429 with Retry-After 600" in refused["msg"] and "timeout of 20 s" in refused["msg"], refused["msg"]
    reads = [entry for entry in ams.requests(seq) if entry["path"] == "/live/rest/v2/broadcasts/ra-room"]
    assert len(reads) == 1, "it must not retry when the wait would pass the timeout"
