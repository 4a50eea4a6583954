# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults injected in a real stand-in (lab/ams_standin/faults.py) while the modules run through ansible-playbook.

For every fault: the run converges, or fails with one line naming the server, the room/stream and the cause;
a re-run converges; no room ever gets a second push (the start is never re-sent blindly); a recording that a
correct client could keep is never lost."""

from __future__ import annotations

import time

import pytest

START = "/media-push/start"


def push_args(ams, room, **extra):
    return dict(url=ams.base_url(), app="live", room=room, record_type="mp4", **extra)


def starts_of(ams, stream_id, since=0):
    return [entry for entry in ams.requests(since) if entry["path"].endswith(START)
            and entry["query"] == "streamId=" + stream_id]


def one_line(message):
    return "\n" not in message.strip()


def wait_broadcasting(ams, stream_id, seconds=60):
    """Poll the server until stream_id broadcasts (a fixed sleep would race a loaded machine)."""
    deadline = time.monotonic() + seconds
    while True:
        status, broadcast = ams.call("GET", "/live/rest/v2/broadcasts/" + stream_id)
        if status == 200 and isinstance(broadcast, dict) and broadcast.get("status") == "broadcasting":
            return broadcast
        assert time.monotonic() < deadline, "%s is not broadcasting after %d s" % (stream_id, seconds)
        time.sleep(0.2)


def assert_one_push(ams, stream_id):
    sessions = [session["streamId"] for session in ams.media_push_sessions()]
    assert sessions.count(stream_id) == 1, sessions


@pytest.mark.parametrize("kind, extra", [("status", {"status": 503}), ("retry_after", {"retry_after": 1})])
def test_refused_start_fails_in_one_line_and_the_rerun_converges(standin_shared, run_task, kind, extra):
    ams = standin_shared
    room = "refused-" + kind
    ams.join(room, room + "-p1")
    seq = ams.last_seq()
    ams.set_faults(dict(method="POST", path=START, kind=kind, **extra))
    failed = run_task("media_push", push_args(ams, room))
    assert failed["failed"] is True and one_line(failed["msg"])
    assert ams.base_url() in failed["msg"] and room in failed["msg"]
    assert ("HTTP %d" % (503 if kind == "status" else 429)) in failed["msg"]
    assert len(starts_of(ams, room + "_composite", seq)) == 1, "a refused write is not retried"
    again = run_task("media_push", push_args(ams, room))
    assert again["changed"] is True and again["state"] == "started" and again["recording"] == ["mp4"]
    assert_one_push(ams, room + "_composite")


def test_read_bursts_are_retried(standin_shared, run_task):
    ams = standin_shared
    ams.join("burst", "burst-p1")
    ams.set_faults({"method": "GET", "path": "/broadcasts/", "kind": "status", "status": 503, "count": 2})
    done = run_task("media_push", push_args(ams, "burst"))
    assert done["changed"] is True and done["state"] == "started"
    assert sum(rule["hits"] for rule in ams.faults()["rules"]) == 2
    assert_one_push(ams, "burst_composite")


def test_start_done_but_answer_lost_is_found_by_reading(standin_shared, run_task):
    ams = standin_shared
    ams.join("lost", "lost-p1")
    seq = ams.last_seq()
    ams.set_faults({"method": "POST", "path": START, "kind": "lose_reply"})
    done = run_task("media_push", push_args(ams, "lost", timeout=3))
    assert done.get("failed") is not True, done.result
    assert done["changed"] is True and done["state"] == "started" and done["recording"] == ["mp4"]
    assert len(starts_of(ams, "lost_composite", seq)) == 1, "the start was re-sent"
    again = run_task("media_push", push_args(ams, "lost"))
    assert again["changed"] is False
    assert len(starts_of(ams, "lost_composite", seq)) == 1
    assert_one_push(ams, "lost_composite")


def test_start_slower_than_the_timeout_is_not_resent(standin_shared, run_task):
    ams = standin_shared
    ams.join("slow", "slow-p1")
    seq = ams.last_seq()
    ams.set_faults({"method": "POST", "path": START, "kind": "slow", "delay": 5})
    first = run_task("media_push", push_args(ams, "slow", timeout=2))
    # the server is still starting it when the module gives up looking: it says so, and does not start twice
    assert first["failed"] is True and one_line(first["msg"]) and "slow_composite" in first["msg"]
    assert "not re-sent" in first["msg"]
    wait_broadcasting(ams, "slow_composite")  # the slow start finished on the server: polled, not slept
    again = run_task("media_push", push_args(ams, "slow"))
    assert again.get("failed") is not True, again.result
    assert again["state"] == "started" and again["recording"] == ["mp4"]
    assert len(starts_of(ams, "slow_composite", seq)) == 1, "the start was re-sent"
    assert_one_push(ams, "slow_composite")


def test_start_reset_before_the_work_fails_clearly_and_is_not_resent(standin_shared, run_task):
    ams = standin_shared
    ams.join("reset", "reset-p1")
    seq = ams.last_seq()
    ams.set_faults({"method": "POST", "path": START, "kind": "reset"})
    failed = run_task("media_push", push_args(ams, "reset", timeout=3))
    assert failed["failed"] is True and one_line(failed["msg"])
    assert "reset_composite" in failed["msg"] and "not re-sent" in failed["msg"]
    assert len(starts_of(ams, "reset_composite", seq)) == 1
    again = run_task("media_push", push_args(ams, "reset"))
    assert again["changed"] is True and again["state"] == "started"
    assert len(starts_of(ams, "reset_composite", seq)) == 2
    assert_one_push(ams, "reset_composite")


def test_stop_answer_lost_still_keeps_the_recording(standin_shared, run_task):
    ams = standin_shared
    ams.join("stoplost", "stoplost-p1")
    assert run_task("media_push", push_args(ams, "stoplost"))["changed"] is True
    time.sleep(1.2)
    ams.set_faults({"method": "POST", "path": "/media-push/stop/", "kind": "lose_reply"})
    stopped = run_task("media_push", dict(url=ams.base_url(), app="live", room="stoplost", state="stopped",
                                          vod_timeout=15))
    assert stopped.get("failed") is not True, stopped.result
    assert stopped["changed"] is True and stopped["state"] == "stopped"
    vods = [vod for vod in ams.call("GET", "/live/rest/v2/vods/list/0/50")[1] if vod["streamId"] == "stoplost_composite"]
    assert len(vods) == 1 and vods[0]["duration"] >= 1000


def test_batch_converges_through_faults_without_duplicates(standin_push, run_task):
    ams = standin_push
    rooms = ["b%d" % index for index in range(6)]
    for room in rooms:
        ams.join(room, room + "-p1")
    ams.set_faults({"method": "POST", "path": "streamId=b1|/media-push/start", "kind": "status", "status": 500},
                   {"method": "POST", "path": START, "kind": "lose_reply"},
                   {"method": "PUT", "path": "/recording/true", "kind": "reset"})
    args = dict(url=ams.base_url(), app="live", recordings=[{"room": room} for room in rooms], timeout=5)
    first = run_task("room_recordings", args)
    if first.get("failed"):
        assert one_line(first["msg"]) and "rooms not converged" in first["msg"]
    second = run_task("room_recordings", args)
    assert second.get("failed") is not True, second.result
    third = run_task("room_recordings", args)
    assert third["changed"] is False
    sessions = sorted(session["streamId"] for session in ams.media_push_sessions())
    assert sessions == sorted(room + "_composite" for room in rooms)
    assert all(room["recording"] == ["mp4"] for room in third["rooms"])


def test_restart_in_the_middle_of_a_run(make_standin, run_task):
    ams = make_standin(media_push=True, push_start_delay=1.0)
    rooms = ["r%d" % index for index in range(4)]
    for room in rooms:
        ams.join(room, room + "-p1")
    args = dict(url=ams.base_url(), app="live", recordings=[{"room": room} for room in rooms], timeout=10)
    ams.publish("restart-marker")  # a restart resets every broadcast: this one tells when it happened
    ams.lab("POST", "/_lab/restart", {"after": 0.5})
    first = run_task("room_recordings", args)
    if first.get("failed"):
        assert one_line(first["msg"])
    deadline = time.monotonic() + 60
    while True:  # reset by the restart: gone (a zombi), or no longer broadcasting
        status, marker = ams.call("GET", "/live/rest/v2/broadcasts/restart-marker")
        if status != 403 and not (isinstance(marker, dict) and marker.get("status") == "broadcasting"):
            break
        assert time.monotonic() < deadline, "the restart did not happen"
        time.sleep(0.2)
    ams.wait_healthy()
    for room in rooms:  # participants reconnect after a restart, as in a real room
        ams.join(room, room + "-p2")
    second = run_task("room_recordings", args)
    assert second.get("failed") is not True, second.result
    assert run_task("room_recordings", args)["changed"] is False
    sessions = sorted(session["streamId"] for session in ams.media_push_sessions())
    assert sessions == sorted(room + "_composite" for room in rooms)
