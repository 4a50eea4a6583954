# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 26: no room is held back by another. A refused, skipped or failed room costs only itself; names from the
server are the server's (case twins are two rooms); inventory look-alikes are warned about, NFC twins refused."""
from __future__ import annotations

import json

import pytest

from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import run_in_controller

STARTS = "/media-push/start"


@pytest.fixture
def run():
    """room_recordings as Ansible runs it on a local connection: the action plugin (its item screening) and the
    module's converge, in the controller (tests/integration run the module process too)."""
    def run_task(check_mode=False, **args):
        args.setdefault("app", "live")
        return run_in_controller(args, check_mode, True)
    return run_task


def warning_lines(result):
    """The warnings' text (a module result carries them as structured warnings from ansible-core 2.19)."""
    return [warning["event"]["msg"] if isinstance(warning, dict) else warning for warning in result.get("warnings", [])]


def started_ids(ams):
    return sorted(call.params["streamId"] for call in ams.writes if call.path.endswith(STARTS))


def test_one_refused_item_and_two_good_rooms(ams, run):
    result = run(list_name="antmedia_recordings",
                 recordings=[{"room": "alpha"}, {"room": "bad", "width": 0, "record_type": "avi"}, {"room": "bravo"}])
    assert started_ids(ams) == ["alpha_composite", "bravo_composite"]
    assert result["failed"] is True and result["changed"] is True
    assert result["refused"] == ["antmedia_recordings[1] (room 'bad'): record_type 'avi' must be one of mp4, webm; "
                                 "width 0 must be a whole number from 1 to 7680"]
    statuses = [(room["index"], room["status"]) for room in result["rooms"]]
    assert statuses == [(0, "changed"), (1, "refused"), (2, "changed")]
    assert result["msg"] == ("http://127.0.0.1:5080 app live: 1 of 3 rooms not converged: " + result["refused"][0]
                             + "; the others: started: alpha, bravo; unchanged: 0")
    assert result["started"] == ["alpha_composite", "bravo_composite"] and result["failed_rooms"] == []


def test_check_mode_and_diff_per_room_with_a_refused_item(ams, run):
    result = run(check_mode=True, recordings=[{"room": "alpha"}, {"room": "a/b"}])
    assert ams.writes == [] and result["failed"] is True
    assert [room["status"] for room in result["rooms"]] == ["changed", "refused"]
    assert result["diff"]["after"]["rooms"] == {"alpha_composite": {"state": "started", "recording": ["mp4"]}}
    assert result["msg"].endswith("the others: check mode: started: alpha; unchanged: 0")


@pytest.mark.parametrize("source", ["server", "inventory"])
def test_case_twins_are_two_rooms(ams, run, source):
    """AMS stream ids are case-sensitive: Standup and standup are two rooms, both recorded, from either source."""
    result = run(room_source=source, recordings=[{"room": "Standup"}, {"room": "standup"}, {"room": "ok"}])
    assert result.get("failed") is not True
    assert started_ids(ams) == ["Standup_composite", "ok_composite", "standup_composite"]
    warnings = warning_lines(result)
    if source == "server":
        assert warnings == []
    else:
        assert warnings == ["recordings[1] (room 'standup'): looks like recordings[0] (room 'Standup') (only case, "
                            "compatibility forms or look-alike letters differ); both are recorded, as two rooms"]


@pytest.mark.parametrize("first, second", [("team0", "teamo"), ("room1", "rooml"), ("board", "\uff42oard")])
def test_inventory_look_alikes_are_both_recorded_with_a_warning(ams, run, first, second):
    result = run(recordings=[{"room": first}, {"room": second}])
    assert result.get("failed") is not True and len(started_ids(ams)) == 2
    assert len(warning_lines(result)) == 1 and "looks like recordings[0] (room %r)" % first in warning_lines(result)[0]


def test_inventory_nfc_twins_are_both_refused_naming_each_other_the_others_go_on(ams, run):
    result = run(recordings=[{"room": "caf\u00e9"}, {"room": "ok"}, {"room": "cafe\u0301", "record_type": "webm"}])
    assert started_ids(ams) == ["ok_composite"] and result["failed"] is True
    assert [room["status"] for room in result["rooms"]] == ["refused", "changed", "refused"]
    assert result["rooms"][0]["msg"] == ("the same room as recordings[2] (room 'cafe\u0301') after Unicode "
                                         "normalisation (NFC); declare each room once")
    assert "the same room as recordings[0] (room 'caf\u00e9') after" in result["rooms"][2]["msg"]


def test_a_room_and_an_explicit_stream_id_of_its_push_are_one_push(ams, run):
    result = run(recordings=[{"room": "a"}, {"room": "b", "stream_id": "a_composite"}, {"room": "c"}])
    assert started_ids(ams) == ["c_composite"]
    assert result["rooms"][0]["msg"].startswith("the same push (stream id 'a_composite') as recordings[1] (room 'b')")


def test_server_names_the_module_cannot_handle_are_skipped_with_a_warning(ams, run):
    long_name = "r" * 111
    result = run(room_source="server", recordings=[{"room": "Standup"}, {"room": long_name}, {"room": "a'b"},
                                                   {"room": "standup"}, {"room": "ok"}])
    assert result.get("failed") is not True
    assert started_ids(ams) == ["Standup_composite", "ok_composite", "standup_composite"]
    assert [room["status"] for room in result["rooms"]] == ["changed", "skipped", "skipped", "changed", "changed"]
    warnings = warning_lines(result)
    assert len(warnings) == 2 and "recordings[1] (room '%s')" % long_name in warnings[0]
    assert "at most 110 bytes" in warnings[0] and "must not contain \"'\"" in warnings[1]
    assert result["msg"] == "started: Standup, standup, ok; unchanged: 0; skipped: '%s', \"a'b\"" % long_name
    assert len(result["skipped"]) == 2


def test_server_names_are_never_compared_as_look_alikes(ams, run):
    names = ["caf\u00e9", "cafe\u0301", "b\u043eard", "board", "team0", "teamo", "\u3164x"]
    result = run(room_source="server", recordings=[{"room": name} for name in names])
    assert result.get("failed") is not True and warning_lines(result) == []
    assert started_ids(ams) == sorted(name + "_composite" for name in names)


def test_the_same_server_room_twice_is_converged_once_and_a_conflict_refused(ams, run):
    once = run(room_source="server", recordings=[{"room": "a"}, {"room": "a"}])
    assert once.get("failed") is not True and started_ids(ams) == ["a_composite"]
    assert [room["status"] for room in once["rooms"]] == ["changed", "skipped"]
    conflict = run(room_source="server", recordings=[{"room": "b"}, {"room": "b", "state": "stopped"}, {"room": "c"}])
    assert conflict["failed"] is True and started_ids(ams) == ["a_composite", "c_composite"]
    hostile = "x" * 111  # the same name the module cannot handle, from two hooks: skipped, never refused
    twice = run(room_source="server", recordings=[{"room": hostile}, {"room": hostile}, {"room": "d"}])
    assert twice.get("failed") is not True and [room["status"] for room in twice["rooms"]] == [
        "skipped", "skipped", "changed"]
    assert len(twice["warnings"]) == 1


def test_stop_unlisted_keeps_the_push_of_a_refused_item(ams, run):
    ams.add_push("kept_composite", mp4Enabled=1)
    ams.add_push("other_composite", mp4Enabled=1)
    result = run(stop_unlisted=True, recordings=[{"room": "kept", "width": "wide"}, {"room": "new"}])
    assert result["failed"] is True and result["stopped"] == ["other_composite"]
    assert started_ids(ams) == ["new_composite"]
    assert not [call for call in ams.writes if "kept_composite" in call.path]


def test_stop_unlisted_stops_nothing_while_a_refused_item_names_no_push(ams, run):
    ams.add_push("other_composite", mp4Enabled=1)
    result = run(stop_unlisted=True, recordings=[{"room": 750}, {"room": "new"}])
    assert result["failed"] is True and result["stopped"] == [] and started_ids(ams) == ["new_composite"]
    assert "stop_unlisted: no unlisted push was stopped, as recordings[0] (room 750) (refused) names no push" in (
        result["msg"])
    assert not [call for call in ams.writes if "other_composite" in call.path]


def test_stop_unlisted_leaves_an_unlisted_push_whose_name_cannot_be_handled(ams, run):
    ams.add_push("x" * 130, mp4Enabled=1)  # a name longer than the module handles (made by another tool)
    ams.add_push("other_composite", mp4Enabled=1)
    result = run(stop_unlisted=True, recordings=[{"room": "mine"}])
    assert result.get("failed") is not True and result["stopped"] == ["other_composite"]
    assert len(result["skipped"]) == 1 and result["skipped"][0].startswith("unlisted push '%s'" % ("x" * 130))
    assert warning_lines(result) == result["skipped"]
    assert not [call for call in ams.writes if "x" * 130 in call.path]


def test_all_items_refused_and_nothing_to_stop_sends_no_request(ams, run):
    result = run(recordings=[{"room": "a/b"}, {"room": "c", "page": "merge", "page_url": "http://x/"}])
    assert result["failed"] is True and ams.calls == [] and len(result["refused"]) == 2
    assert "2 of 2 rooms not converged" in result["msg"]


def test_a_refused_item_shows_no_secret(ams, run):
    result = run(recordings=[{"room": "a b", "token": "tok-42-secret"}, {"room": "c", "token": "tok-43-secret"}])
    text = json.dumps(result)
    assert "tok-42-secret" not in text and "tok-43-secret" not in text and result["failed"] is True
