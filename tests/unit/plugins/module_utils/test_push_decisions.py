# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure per-room decision: (desired, current broadcast[, room broadcast]) -> plan."""
from __future__ import annotations

import json

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._media_push import (
    build_page_url,
    decide_push,
    desired_push,
    endpoint_body,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import Action
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError

PUSH_META = json.dumps({"driverIp": "10.0.0.5"})


def desired(**params):
    base = {"url": "http://127.0.0.1:5080", "app": "live", "room": "room1", "state": "started", "width": 1280,
            "height": 720, "extra_chrome_switches": [], "vod_timeout": 30}
    base.update(params)
    return desired_push(base)


def push(status="broadcasting", mp4=0, webm=0, **fields):
    item = {"streamId": "room1_composite", "status": status, "mp4Enabled": mp4, "webMEnabled": webm,
            "metaData": PUSH_META, "width": 1280, "height": 720}
    item.update(fields)
    return item


# ---- desired state ------------------------------------------------------------------------------
def test_stream_id_defaults_to_circles_composite_id():
    assert desired()["stream_id"] == "room1_composite"
    assert desired(stream_id="rec-1")["stream_id"] == "rec-1"


@pytest.mark.parametrize("page, expected", [
    ("multitrack", "http://127.0.0.1:5080/live/multitrack-play.html?id=room1&muted=false"),
    ("circle", "http://127.0.0.1:5080/live/room1?playOnly=true&enterDirectly=true"),
    ("merge", "http://127.0.0.1:5080/live/merge_streams.html?roomName=room1&streamId=room1_merged"),
])
def test_pages(page, expected):
    assert build_page_url("http://127.0.0.1:5080/", "live", "room1", page) == expected


def test_default_page_is_multitrack_built_from_url_or_page_base_url():
    assert desired()["page_url"] == "http://127.0.0.1:5080/live/multitrack-play.html?id=room1&muted=false"
    assert desired(page_base_url="http://10.0.0.5:5080")["page_url"].startswith("http://10.0.0.5:5080/live/")


def test_values_in_the_page_url_are_encoded():
    url = desired(room="salle-é", app="Live")["page_url"]
    assert url == "http://127.0.0.1:5080/Live/multitrack-play.html?id=salle-%C3%A9&muted=false"


def test_play_token_goes_in_the_page_url_and_is_hidden_in_the_shown_one():
    wanted = desired(token="t0k&n")
    assert wanted["page_url"].endswith("&muted=false&token=t0k%26n")
    assert wanted["page_url_shown"] == "http://127.0.0.1:5080/live/multitrack-play.html?id=room1&muted=false&token=********"


def test_start_body_has_no_record_type_and_no_token():
    body = endpoint_body(desired(record_type="mp4", token="secret-play", extra_chrome_switches=["--a", "--b=1"]))
    assert set(body) == {"url", "width", "height", "extraChromeSwitches"}
    assert body["extraChromeSwitches"] == "--a,--b=1"
    assert (body["width"], body["height"]) == (1280, 720)


@pytest.mark.parametrize("params, fragment", [
    ({"room": "a/b"}, "room 'a/b' must not contain '/'"),
    ({"room": None, "stream_id": "x y"}, "stream_id 'x y' must not contain spaces"),
    ({"room": None, "stream_id": None}, "one of room or stream_id is required"),
    ({"room": None, "stream_id": "s1"}, "needs room (to build the page) or page_url"),
    ({"width": 0}, "width 0 must be a whole number from 1 to 7680"),
    ({"height": 9999}, "height 9999 must be a whole number from 1 to 4320"),
    ({"record_type": "flv"}, "record_type 'flv' must be one of mp4, webm"),
    ({"page_url": "ftp://x/y"}, "page_url 'ftp://x/y' must be an http:// or https:// URL"),
    ({"page_base_url": "file:///tmp"}, "page_base_url 'file:///tmp' must be an http:// or https:// URL"),
    ({"extra_chrome_switches": ["--a,b"]}, "must not contain ','"),
    ({"vod_timeout": -5}, "vod_timeout -5"),
])
def test_bad_input(params, fragment):
    with pytest.raises(ValidationError) as error:
        desired(**params)
    assert fragment in str(error.value)


def test_stop_needs_only_an_id():
    assert desired(room=None, stream_id="s1", state="stopped")["page_url"] is None


# ---- decisions ----------------------------------------------------------------------------------
def test_absent_push_is_set_to_record_mp4_then_started():
    plan = decide_push(desired(record_type="mp4"), None)
    assert [action.kind for action in plan.actions] == ["arm_recording", "start_push"]
    assert plan.actions[0] == Action("arm_recording", record_type="mp4", create=True)
    assert plan.changed and not plan.warnings
    assert plan.before["state"] == "stopped" and plan.after["state"] == "started"
    assert plan.after["recording"] == ["mp4"]


def test_a_finished_broadcast_gets_its_mp4_setting_stored_not_a_new_broadcast():
    plan = decide_push(desired(record_type="mp4"), {"streamId": "room1_composite", "status": "finished",
                                                    "mp4Enabled": -1, "webMEnabled": 0})
    assert plan.actions[0] == Action("arm_recording", record_type="mp4", create=False)


def test_absent_push_is_started_then_recorded_in_webm():
    plan = decide_push(desired(record_type="webm"), None)
    assert [action.kind for action in plan.actions] == ["start_push", "start_recording"]
    assert plan.actions[1] == Action("start_recording", record_type="webm")
    assert plan.after["recording"] == ["webm"]


def test_finished_broadcast_is_started_again():
    plan = decide_push(desired(), push(status="finished"))
    assert [action.kind for action in plan.actions] == ["start_push"]


def test_merge_page_gets_its_start_button_clicked():
    plan = decide_push(desired(page="merge"), None)
    assert [action.kind for action in plan.actions] == ["start_push", "send_command"]


def test_running_recording_push_is_left_alone():
    plan = decide_push(desired(record_type="mp4"), push(mp4=1))
    assert plan.actions == [] and not plan.changed
    assert plan.before == plan.after


def test_running_push_is_recorded_without_restart():
    plan = decide_push(desired(record_type="webm"), push(mp4=1, webm=-1), session=True)
    assert plan.actions == [Action("start_recording", record_type="webm")]


def test_running_push_with_other_size_is_not_restarted_but_warned():
    plan = decide_push(desired(width=1920, height=1080, page="circle"), push(mp4=1))
    assert plan.actions == []
    assert len(plan.warnings) == 1
    assert "width 1280 (asked 1920), height 720 (asked 1080)" in plan.warnings[0]
    assert "keeps its parameters" in plan.warnings[0]


def test_circle_recording_is_recognised_from_the_rooms_metadata():
    room = {"streamId": "room1", "metaData": json.dumps({"isRecording": True})}
    plan = decide_push(desired(record_type="mp4"), push(), room)
    assert plan.actions == []
    assert plan.before["recording"] == ["mp4"]


def test_unreadable_recording_is_asked_not_assumed_off():
    plan = decide_push(desired(record_type="mp4"), push(), session=True)
    assert plan.actions == [Action("start_recording", uncertain=True, record_type="mp4")]
    assert plan.changed  # check mode says it may change, and warns why (a real run does not: it tells)
    assert plan.warnings == [] and "cannot be read" in plan.check_warnings[0]


def test_a_plain_publisher_on_the_id_fails_the_start():
    plan = decide_push(desired(), push(metaData=None), session=False)
    assert plan.failure and "taken by another publisher" in plan.failure
    assert plan.actions == []


def test_stop_a_running_push():
    plan = decide_push(desired(state="stopped"), push(mp4=1), session=True)
    assert plan.actions == [Action("stop_push", recording=["mp4"], recording_unknown=["webm"])]
    assert plan.after == {"stream_id": "room1_composite", "state": "stopped", "status": None, "recording": [],
                          "recording_unknown": []}


@pytest.mark.parametrize("current", [None, push(status="finished"), push(status="created")])
def test_nothing_to_stop(current):
    plan = decide_push(desired(state="stopped"), current)
    assert plan.actions == [] and not plan.failure


def test_stalled_push_is_stopped_but_uncertain():
    plan = decide_push(desired(state="stopped"), push(status="terminated_unexpectedly"))
    # no live session here: the server ends it, never the plugin's stop (which forwards to driverIp and can hang)
    assert [(action.kind, action.uncertain) for action in plan.actions] == [("stop_stale_push", True)]


def test_a_plain_publisher_is_never_stopped():
    plan = decide_push(desired(state="stopped"), push(metaData=None), session=False)
    assert "taken by another publisher" in plan.failure and "not stopped" in plan.failure and plan.actions == []


# ---- whose push it is (issue 28): the plugin's session, never the publisher's metaData ---------------------------
@pytest.mark.parametrize("state", ["started", "stopped"])
def test_a_driver_ip_without_a_session_is_another_publisher(state):
    plan = decide_push(desired(state=state, record_type="mp4"), push(mp4=1), session=False)
    assert plan.actions == []
    assert plan.failure.startswith("room room1: stream id room1_composite taken by another publisher")
    assert "\n" not in plan.failure


@pytest.mark.parametrize("session", [None, "the answer to the session check is not a Result object"])
def test_an_unread_session_is_never_taken_for_ours(session):
    plan = decide_push(desired(record_type="mp4"), push(), session=session)
    assert plan.actions == [] and "cannot be read" in plan.failure and "room1_composite" in plan.failure


def test_circle_flag_follows_a_push_armed_earlier():
    """Second recording: the push's broadcast kept its MP4 setting, Circle wrote false on stop."""
    room = {"streamId": "room1", "metaData": json.dumps({"isRecording": False, "other": 1})}
    plan = decide_push(desired(page="circle", record_type="mp4"), push(status="finished", mp4=1), room)
    assert [action.kind for action in plan.actions] == ["start_push", "flag_room"]
    assert plan.actions[-1].params["recording"] is True and plan.after["room_is_recording"] is True


def test_circle_flag_without_record_type_says_what_the_server_says():
    room = {"streamId": "room1", "metaData": json.dumps({"isRecording": False})}
    recording = decide_push(desired(page="circle"), push(mp4=1), room, session=True)
    assert [(action.kind, action.params["recording"]) for action in recording.actions] == [("flag_room", True)]
    unknown = decide_push(desired(page="circle"), push(), room, session=True)
    assert unknown.actions == [] and unknown.after["room_is_recording"] is False  # left as it was
    silent = decide_push(desired(page="circle"), push(mp4=-1, webm=-1), dict(room, metaData='{"isRecording":true}'),
                         session=True)
    assert [(action.kind, action.params["recording"]) for action in silent.actions] == [("flag_room", False)]


def test_a_push_without_driver_ip_is_ours_when_the_plugin_holds_it():
    """The Community edition's WebRTC path keeps no driverIp: the plugin's session alone says it is the push."""
    plan = decide_push(desired(record_type="mp4"), push(metaData=None, mp4=1), session=True)
    assert plan.failure is None and plan.actions == []
