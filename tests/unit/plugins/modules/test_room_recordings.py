# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""room_recordings in-process against the in-memory server: decisions, one list read, no write in check mode."""
from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.mediaops.antmedia.plugins.modules import room_recordings

PLAY_TOKEN = "play-token-0042"


@pytest.fixture
def run(capsys, monkeypatch):
    monkeypatch.setattr("ansible.module_utils._internal.is_controller", False)
    monkeypatch.setattr("ansible.module_utils.common.warnings._global_warnings", {})

    def run_module(check_mode=False, **args):
        args.setdefault("app", "live")
        args["_ansible_check_mode"] = check_mode
        args["_ansible_diff"] = True
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                room_recordings.main()
        out = capsys.readouterr().out
        result = json.loads(out)
        result["_raw"] = out
        return result
    return run_module


def test_check_mode_predicts_and_sends_no_write(ams, run):
    ams.add_push("kept_composite", record_type=None, mp4Enabled=1)
    result = run(check_mode=True, recordings=[{"room": "new"}, {"room": "kept"}, {"room": "gone", "state": "stopped"}])
    assert result["changed"] is True and ams.writes == []
    assert [room["action"] for room in result["rooms"]] == ["start", "none", "none"]
    assert result["started"] == ["new_composite"] and result["stopped"] == []
    assert result["diff"]["after"]["rooms"]["new_composite"] == {"state": "started", "recording": ["mp4"]}
    # one paged list read (a page, then the empty page that ends it) answered every room: no GET per room; the live
    # push is checked against the plugin's sessions (a script returning a constant)
    assert [call.path for call in ams.calls] == ["/live/rest/v2/broadcasts/list/0/50", "/live/rest/v2/broadcasts/list/1/50",
                                                 "/live/rest/v1/media-push/send-command"]


def test_converged_run_reads_the_list_only(ams, run):
    for room in ("a", "b", "c"):
        ams.add_push(room + "_composite", mp4Enabled=1)
    result = run(recordings=[{"room": "a"}, {"room": "b"}, {"room": "c"}])
    assert result["changed"] is False and ams.writes == []
    assert [call.path for call in ams.calls] == ["/live/rest/v2/broadcasts/list/0/50", "/live/rest/v2/broadcasts/list/3/50"] + [
        "/live/rest/v1/media-push/send-command"] * 3  # one session check per live push


def test_start_record_and_stop_in_one_run(ams, run):
    ams.add_push("rec_composite")  # running, recording state unknown: record is asked for
    ams.add_push("stop_composite", mp4Enabled=1)
    result = run(recordings=[{"room": "new", "token": PLAY_TOKEN}, {"room": "rec"}, {"room": "stop", "state": "stopped"}])
    assert [room["action"] for room in result["rooms"]] == ["start", "record", "stop"]
    assert result["started"] == ["new_composite"] and result["stopped"] == ["stop_composite"]
    starts = [call for call in ams.writes if call.path.endswith("/media-push/start")]
    assert len(starts) == 1 and PLAY_TOKEN in starts[0].body["url"]
    assert PLAY_TOKEN not in result["_raw"]


def test_unlisted_pushes_are_left_unless_asked(ams, run):
    ams.add_push("other_composite", mp4Enabled=1)
    ams.add_broadcast("camera", mp4Enabled=1)  # not a push: never stopped by stop_unlisted
    left = run(check_mode=True, recordings=[{"room": "mine"}])
    assert "other_composite" not in [room["stream_id"] for room in left["rooms"]]
    cleaned = run(check_mode=True, recordings=[{"room": "mine"}], stop_unlisted=True)
    assert cleaned["stopped"] == ["other_composite"] and ams.writes == []


def test_failure_of_one_room_names_it_and_keeps_the_others(ams, run):
    ams.add_broadcast("busy_composite")  # someone else publishes on the push's id
    result = run(recordings=[{"room": "fine"}, {"room": "busy"}])
    assert result["failed"] is True and "1 of 2 rooms not converged" in result["msg"]
    assert "recordings[1] (room 'busy')" in result["msg"] and result["msg"].endswith("the others: started: fine; unchanged: 0")
    assert result["rooms"][0]["changed"] is True and result["rooms"][1]["failed"] is True
    assert [room["status"] for room in result["rooms"]] == ["changed", "failed"]
    assert result["failed_rooms"] == ["recordings[1] (room 'busy'): " + result["rooms"][1]["msg"]]


@pytest.mark.parametrize("recordings, expected", [
    ([{"room": "a/b"}], "recordings[0] (room 'a/b')"),
    ([{"room": "ok"}, {"room": "ok"}], "recordings[1] (room 'ok'): the same room as recordings[0] (room 'ok'); declare each room once"),
    ([{"room": "a", "height": 99999}], "height"),
    ([{"room": "a", "page_url": "javascript:alert(1)"}], "javascript:alert(1)"),
    ([{"room": "a", "extra_chrome_switches": ["--a,--b"]}], "extra_chrome_switches"),
])
def test_items_all_refused_send_no_request(ams, run, recordings, expected):
    result = run(recordings=recordings)
    assert result["failed"] is True and expected in result["msg"], result["msg"]
    assert ams.calls == []


def test_circle_items_flag_their_rooms_and_stop_unlisted_clears_circles_flag(ams, run):
    """Issue 14: room items take page circle (Circle's flag) and the publish token options of media_push."""
    ams.kind, ams.version = "circle", "3.0.1"
    ams.add_broadcast("weekly", metaData=json.dumps({"theme": "dark"}))
    ams.add_broadcast("other", metaData=json.dumps({"isRecording": True}))
    ams.add_push("other_composite", record_type="mp4")  # started by a Circle user
    secret = "stream-secret-of-the-app-0123456789"
    result = run(recordings=[{"room": "weekly", "page": "circle", "stream_jwt_secret": secret}], stop_unlisted=True)
    assert result["changed"] is True and result["started"] == ["weekly_composite"]
    assert result["stopped"] == ["other_composite"]
    assert json.loads(ams.broadcasts["weekly"]["metaData"]) == {"theme": "dark", "isRecording": True}
    assert json.loads(ams.broadcasts["other"]["metaData"]) == {"isRecording": False}
    start = [call for call in ams.writes if call.path.endswith("/media-push/start")][0]
    assert start.body["url"].endswith("/live/weekly?playOnly=true&enterDirectly=true&token=")
    assert start.body["token"].count(".") == 2  # a minted JWT...
    assert secret not in result["_raw"] and start.body["token"] not in result["_raw"]  # ...never shown
    again = run(recordings=[{"room": "weekly", "page": "circle", "stream_jwt_secret": secret}], stop_unlisted=True)
    assert again["changed"] is False


# ---- what the result says, and formats nobody declared (issue 16) ---------------------------------
def test_the_result_says_in_one_line_what_happened(ams, run):
    ams.add_push("kept_composite", mp4Enabled=1)
    ams.add_push("stop_composite", mp4Enabled=1)
    result = run(recordings=[{"room": "new"}, {"room": "kept"}, {"room": "stop", "state": "stopped"},
                             {"room": "later", "state": "stopped", "outside_schedule": True}])
    assert result["msg"] == "started: new; stopped: stop; unchanged: 1; outside their schedule: later"
    again = run(recordings=[{"room": "new"}, {"room": "kept"}, {"room": "stop", "state": "stopped"},
                            {"room": "later", "state": "stopped", "outside_schedule": True}])
    assert again["changed"] is False
    assert again["msg"] == "unchanged: 3; outside their schedule: later"


def test_check_mode_says_what_would_happen(ams, run):
    result = run(check_mode=True, recordings=[{"room": "new"}])
    assert result["msg"] == "check mode: started: new; unchanged: 0" and ams.writes == []


def test_an_undeclared_format_is_reported_and_left_running(ams, run):
    ams.add_push("board_composite", mp4Enabled=1, webMEnabled=1)
    result = run(recordings=[{"room": "board", "record_type": "mp4"}])
    assert result["changed"] is False and ams.writes == []  # no running recording is stopped by surprise
    assert result["rooms"][0]["undeclared_formats"] == ["webm"]
    assert "recording undeclared formats (left running): board (webm)" in result["msg"]


def test_an_undeclared_format_is_stopped_on_request_and_its_vod_kept(ams, run):
    ams.add_push("board_composite", mp4Enabled=1, webMEnabled=1)
    ams.recorders["board_composite"] = {"mp4", "webm"}
    predicted = run(check_mode=True, stop_undeclared_formats=True, recordings=[{"room": "board"}])
    assert predicted["changed"] is True and ams.writes == [] and predicted["rooms"][0]["action"] == "stop_undeclared"
    result = run(stop_undeclared_formats=True, vod_timeout=5, recordings=[{"room": "board"}])
    assert result["changed"] is True and result["rooms"][0]["undeclared_formats"] == []
    assert [(call.method, call.params.get("recordType")) for call in ams.writes] == [("PUT", "webm")]
    assert "/recording/false" in ams.writes[0].path
    assert ams.broadcasts["board_composite"]["mp4Enabled"] == 1 and ams.broadcasts["board_composite"]["webMEnabled"] != 1
    assert [vod["vodName"] for vod in result["vods"]] == ["board_composite.webm"]
    assert result["msg"] == "undeclared formats stopped: board; unchanged: 0"
