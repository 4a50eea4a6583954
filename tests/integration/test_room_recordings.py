# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""room_recordings (many rooms in one module run) through ansible-playbook against a real stand-in."""

from __future__ import annotations

import time

import pytest

READS = ("GET", "HEAD")


def args_for(ams, recordings, **extra):
    return dict(url=ams.base_url(), app="live", recordings=recordings, **extra)


def starts(ams, seq):
    return [entry for entry in ams.writes(seq) if entry["path"].endswith("/media-push/start")]


@pytest.mark.parametrize("where", ["controller", "module"])
def test_converge_rerun_check_and_stop(standin_push, run_task, where):
    """The same flow run in the controller (local connection) and as a module process."""
    ams = standin_push
    plain_run_task = run_task

    def run_task(module, args, **options):  # noqa: F811  (the fixture, with the place to run added)
        return plain_run_task(module, args, extra_vars={"antmedia_run_in_controller": where == "controller"},
                              **options)
    rooms = ["alpha", "bravo", "charlie", "delta"]
    for room in rooms:
        ams.join(room, room + "-p1")
        ams.join(room, room + "-p2")
    wanted = [{"room": room} for room in rooms]

    seq = ams.last_seq()
    predicted = run_task("room_recordings", args_for(ams, wanted), check=True, diff=True)
    assert predicted["changed"] is True
    assert [room["action"] for room in predicted["rooms"]] == ["start"] * 4
    assert predicted["diff"]["after"]["rooms"]["alpha_composite"] == {"state": "started", "recording": ["mp4"]}
    assert ams.writes(seq) == [] and ams.media_push_sessions() == []

    seq = ams.last_seq()
    started = run_task("room_recordings", args_for(ams, wanted))
    assert started["changed"] is True, started
    assert sorted(started["started"]) == sorted(room + "_composite" for room in rooms)
    assert all(room["state"] == "started" and room["recording"] == ["mp4"] for room in started["rooms"])
    assert len(starts(ams, seq)) == 4
    assert sorted(session["streamId"] for session in ams.media_push_sessions()) == sorted(started["started"])

    seq = ams.last_seq()
    again = run_task("room_recordings", args_for(ams, wanted))
    assert again["changed"] is False and [room["action"] for room in again["rooms"]] == ["none"] * 4
    requests = ams.requests(seq)
    assert ams.writes(seq) == []
    # one paged list read for the whole app (the first page, then the empty page that ends it), and one session check
    # per live push: whose push it is, asked of the plugin (a script returning a constant, no effect)
    reads = [entry for entry in requests if entry["method"] in READS]
    assert all("/broadcasts/list/" in entry["path"] for entry in reads) and len(reads) <= 2, requests
    checks = [entry for entry in requests if entry["method"] not in READS]
    assert len(checks) == 4 and all(entry["path"] == "/live/rest/v1/media-push/send-command" and entry["no_effect"]
                                    for entry in checks), requests

    time.sleep(1.5)
    stop = [{"room": "alpha", "state": "stopped"}, {"room": "bravo", "state": "stopped"},
            {"room": "charlie"}, {"room": "delta"}]
    stopped = run_task("room_recordings", args_for(ams, stop, vod_timeout=20))
    assert stopped["changed"] is True and sorted(stopped["stopped"]) == ["alpha_composite", "bravo_composite"]
    assert sorted(vod["streamId"] for vod in stopped["vods"]) == ["alpha_composite", "bravo_composite"]
    assert all(vod["duration"] >= 1000 for vod in stopped["vods"])
    assert sorted(session["streamId"] for session in ams.media_push_sessions()) == ["charlie_composite",
                                                                                    "delta_composite"]


def test_runs_in_the_controller_on_a_local_connection_unless_told_not_to(standin_push, run_task):
    ams = standin_push
    ams.join("golf", "golf-p1")
    wanted = [{"room": "golf", "token": "play-token-0099"}]
    here = run_task("room_recordings", args_for(ams, wanted), check=True, verbosity=3)
    there = run_task("room_recordings", args_for(ams, wanted), check=True, verbosity=3,
                     extra_vars={"antmedia_run_in_controller": False})
    assert "AnsiballZ_room_recordings" not in here.stdout and "AnsiballZ_room_recordings" in there.stdout
    assert here["rooms"] == there["rooms"] and here["changed"] is there["changed"] is True
    # the in-controller run scrubs no_log values from what it returns, as a module does
    assert "play-token-0099" not in here.stdout and "play-token-0099" not in there.stdout
    bad = run_task("room_recordings", args_for(ams, wanted), extra_vars={"antmedia_run_in_controller": "maybe"})
    assert bad["failed"] is True and "antmedia_run_in_controller must be a boolean, not 'maybe'" in bad["msg"]


def test_stop_unlisted_and_leave_others_alone(standin_push, run_task):
    ams = standin_push
    for room in ("echo", "foxtrot"):
        ams.join(room, room + "-p1")
    ams.circle_record("foxtrot")  # a push started by Circle, not listed below
    listed = [{"room": "echo"}]
    kept = run_task("room_recordings", args_for(ams, listed))
    assert kept["changed"] is True and kept["stopped"] == []
    assert "foxtrot_composite" in [session["streamId"] for session in ams.media_push_sessions()]

    seq = ams.last_seq()
    predicted = run_task("room_recordings", args_for(ams, listed, stop_unlisted=True), check=True)
    assert predicted["stopped"] == ["foxtrot_composite"] and ams.writes(seq) == []
    cleaned = run_task("room_recordings", args_for(ams, listed, stop_unlisted=True))
    assert cleaned["stopped"] == ["foxtrot_composite"]
    assert [session["streamId"] for session in ams.media_push_sessions()] == ["echo_composite"]


def test_a_failing_room_is_named_and_the_others_converge(standin_push, run_task):
    ams = standin_push
    ams.join("golf", "golf-p1")
    ams.publish("hotel_composite")  # someone else publishes under the id the push needs
    result = run_task("room_recordings", args_for(ams, [{"room": "golf"}, {"room": "hotel"}]))
    assert result["failed"] is True
    assert "1 of 2 rooms failed" in result["msg"] and "recordings[1] (room 'hotel')" in result["msg"]
    assert "stream id hotel_composite taken by another publisher" in result["msg"]
    assert result["rooms"][0]["changed"] is True and result["rooms"][0]["state"] == "started"
    assert [session["streamId"] for session in ams.media_push_sessions()] == ["golf_composite"]


def test_bad_items_fail_before_any_request(standin_push, run_task):
    ams = standin_push
    cases = [
        ([{"room": "ok"}, {"room": "../etc"}], "recordings[1] (room '../etc')"),
        ([{"room": "a", "page": "circle", "page_url": "http://x/"}], "mutually exclusive"),
        ([{"room": "a"}, {"room": "a"}], "already used by recordings[0]"),
        ([{"room": "a", "width": 0}], "width"),
        ([{"room": "a", "colour": "red"}], "colour"),
        ([{"room": "a", "page_url": "file:///etc/passwd"}], "file:///etc/passwd"),
    ]
    seq = ams.last_seq()
    for recordings, expected in cases:
        result = run_task("room_recordings", args_for(ams, recordings))
        assert result["failed"] is True and expected in result["msg"], (recordings, result["msg"])
    assert ams.requests(seq) == []
