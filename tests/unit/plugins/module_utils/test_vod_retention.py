# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The retention decisions of the vod module: which VoDs go, which are spared and why, and the checks of its rules."""

from __future__ import annotations

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaClient
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError
from ansible_collections.mediaops.antmedia.plugins.module_utils._vod import (
    DAY_MS,
    VodReconciler,
    retention_rules,
    select_vods,
)
from ansible_collections.mediaops.antmedia.tests.unit.plugins.fake_ams import FakeResponse

NOW = 1_800_000_000_000


def vod(vod_id, stream_id="room_composite", days=40, vod_type="streamVod", **fields):
    return dict({"vodId": vod_id, "vodName": vod_id + ".mp4", "streamId": stream_id, "type": vod_type,
                 "creationDate": NOW - int(days * DAY_MS), "processStatus": None}, **fields)


def select(vods, statuses=None, **params):
    doomed, spared = select_vods(vods, retention_rules(params), NOW, statuses or {})
    return [item["vodId"] for item, _reason in doomed], dict((item["vodId"], reason) for item, reason in spared)


def test_older_than_days_takes_only_older_recordings():
    vods = [vod("old", days=31), vod("young", days=29), vod("edge", days=30)]
    assert select(vods, older_than_days=30) == (["old", "edge"], {})
    assert select(vods, older_than_days=0) == (["old", "young", "edge"], {})


def test_keep_last_is_per_stream_and_keeps_the_newest():
    vods = [vod("a1", "a", days=3), vod("a2", "a", days=2), vod("a3", "a", days=1), vod("b1", "b", days=9)]
    assert select(vods, keep_last=2) == (["a1"], {})
    assert select(vods, keep_last=0) == (["a1", "a2", "a3", "b1"], {})


def test_every_rule_given_must_select():
    vods = [vod("old", days=40), vod("old-other", "camera", days=40), vod("young", days=1), vod("older", days=50)]
    # keep_last 1 keeps `young`; older_than 30 leaves `young` anyway; pattern leaves out camera
    assert select(vods, stream_pattern=".*_composite", older_than_days=30, keep_last=1) == (["old", "older"], {})
    # keep_last 2 keeps young and old: only older goes
    assert select(vods, stream_pattern=".*_composite", older_than_days=30, keep_last=2) == (["older"], {})
    assert select(vods, vod_id=["old", "old-other"], older_than_days=45) == ([], {})


def test_stream_pattern_matches_the_whole_stream_id():
    vods = [vod("1", "room_composite"), vod("2", "room_composite_x"), vod("3", "xroom_composite"), vod("4", None)]
    assert select(vods, stream_pattern="room_composite") == (["1"], {})
    assert select(vods, stream_pattern="room.*") == (["1", "2"], {})


def test_only_recordings_unless_asked_and_a_named_upload_is_spared_with_its_reason():
    vods = [vod("rec"), vod("up", vod_type="uploadedVod"), vod("user", vod_type="userVod")]
    assert select(vods, older_than_days=1) == (["rec"], {})
    doomed, spared = select(vods, vod_id=["rec", "up"])
    assert doomed == ["rec"] and list(spared) == ["up"] and "vod_types" in spared["up"]
    assert select(vods, older_than_days=1, vod_types=["uploadedVod", "userVod"]) == (["up", "user"], {})


def test_a_vod_whose_stream_is_not_finished_is_spared_fail_closed():
    vods = [vod("live", "s1"), vod("done", "s2"), vod("gone", "s3"), vod("created", "s4"), vod("stalled", "s5"),
            vod("odd", "s6"), vod("errored", "s7")]
    statuses = {"s1": "broadcasting", "s2": "finished", "s4": "created", "s5": "terminated_unexpectedly",
                "s6": "in an unknown state", "s7": "error"}
    doomed, spared = select(vods, statuses, older_than_days=1)
    assert doomed == ["done", "gone", "created"]
    assert sorted(spared) == ["errored", "live", "odd", "stalled"]
    assert spared["live"] == "its stream s1 is broadcasting, not finished"


def test_a_file_still_processed_or_of_unknown_age_is_spared():
    vods = [vod("queued", processStatus="inqueue"), vod("busy", processStatus="processing"),
            vod("strange", processStatus="whatever"), vod("processed", processStatus="finished"),
            vod("undated", creationDate=0), vod("text-date", creationDate="yesterday")]
    doomed, spared = select(vods, older_than_days=1)
    assert doomed == ["processed"]
    assert sorted(spared) == ["busy", "queued", "strange", "text-date", "undated"]
    assert "processStatus inqueue" in spared["queued"] and "creation date is unknown" in spared["undated"]
    # a VoD named by id with no age rule needs no date
    assert select([vod("undated", creationDate=0)], vod_id="undated") == (["undated"], {})


def test_no_selection_at_all_is_refused_in_one_line():
    with pytest.raises(ValidationError) as caught:
        retention_rules({"vod_types": ["streamVod"]})
    assert "nothing selects the VoDs to delete" in str(caught.value) and "\n" not in str(caught.value)
    named = {"vod_id": "antmedia_vod_retention.vod_id", "older_than_days": "antmedia_vod_retention.older_than_days",
             "keep_last": "antmedia_vod_retention.keep_last", "stream_pattern": "antmedia_vod_retention.stream_pattern"}
    with pytest.raises(ValidationError, match="antmedia_vod_retention.older_than_days"):
        retention_rules({}, names=named)


@pytest.mark.parametrize("params, words", [
    ({"keep_last": -1}, "keep_last -1 must be a whole number, 0 or more"),
    ({"keep_last": True}, "keep_last True must be a whole number"),
    ({"older_than_days": 1.5}, "older_than_days 1.5 must be a whole number"),
    ({"older_than_days": "30"}, None),
    ({"stream_pattern": "("}, "stream_pattern '(' is not a regular expression"),
    ({"stream_pattern": ""}, "stream_pattern '' must be a regular expression"),
    ({"vod_id": []}, "vod_id is an empty list"),
    ({"vod_id": 123}, "vod_id 123 is a number, not a VoD id"),
    ({"vod_id": "a/../b"}, "is not a VoD id"),
    ({"vod_id": "abc\n"}, "is not a VoD id"),
    ({"vod_id": "x", "vod_types": ["streamVod", "bogus"]}, "vod_types item 'bogus' is not a VoD type"),
    ({"vod_id": "x", "vod_types": []}, "vod_types [] must be a non-empty list"),
])
def test_bad_rules_are_refused_naming_the_option_and_value(params, words):
    if words is None:
        assert retention_rules(params)["older_than_days"] == 30
        return
    with pytest.raises(ValidationError) as caught:
        retention_rules(params)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value) and "int" not in str(caught.value).split()


# ---- the deletions (VodReconciler over the one client, against the in-memory server) ----------------------------

def _client():
    return AntMediaClient("http://127.0.0.1:5080", "live", retries=1)


def _deleting(ams, check_mode, *vods):
    reconciler = VodReconciler(_client(), check_mode=check_mode)
    return reconciler.converge_all(reconciler.plans([(item, "named by id") for item in vods]), max_workers=1)


def test_check_mode_sends_no_delete(ams):
    [outcome] = _deleting(ams, True, vod("a"))
    assert outcome.changed is True and ams.writes == []


def test_a_refusal_for_a_vod_already_gone_is_no_change(ams):
    ams.inject("DELETE", "/vods/a$", FakeResponse(200, {"success": False, "message": ""}))
    ams.inject("GET", "/vods/a$", FakeResponse(200, {"vodId": None, "streamId": None}))  # AMS: new VoD()
    [outcome] = _deleting(ams, False, vod("a"))
    assert (outcome.changed, outcome.failure) == (False, None)


def test_a_refusal_for_a_vod_still_there_fails_naming_it_and_the_next_goes_on(ams):
    ams.inject("DELETE", "/vods/a$", FakeResponse(200, {"success": False, "message": ""}))
    ams.inject("GET", "/vods/a$", FakeResponse(200, vod("a")))
    ams.inject("DELETE", "/vods/b$", FakeResponse(200, {"success": True, "message": "vod deleted"}))
    first, second = _deleting(ams, False, vod("a"), vod("b"))
    assert first.failure.startswith("VoD a a.mp4 (stream room_composite, streamVod): the server did not delete it")
    assert (second.changed, second.failure) == (True, None)


def test_a_page_instead_of_json_is_a_failure_not_a_deletion(ams):
    ams.inject("DELETE", "/vods/a$", FakeResponse(200, text="<html>login</html>", content_type="text/html"))
    ams.inject("GET", "/broadcasts/count$", FakeResponse(200, {"number": 0}))
    [outcome] = _deleting(ams, False, vod("a"))
    assert outcome.changed is False and "is not JSON" in outcome.failure and "VoD a " in outcome.failure
