# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import Action
from ansible_collections.mediaops.antmedia.plugins.module_utils._recording import decide_recording, desired_recording
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError


def desired(**params):
    base = {"stream_id": "cam1", "state": "started", "record_type": "mp4", "resolution_height": None, "vod_timeout": 30}
    base.update(params)
    return desired_recording(base)


def stream(status="broadcasting", mp4=0, webm=0, **fields):
    item = {"streamId": "cam1", "status": status, "mp4Enabled": mp4, "webMEnabled": webm}
    item.update(fields)
    return item


@pytest.mark.parametrize("state, current, expected", [
    ("started", stream(mp4=-1), [Action("start_recording", record_type="mp4", resolution_height=None)]),
    ("started", stream(mp4=1), []),
    ("started", stream(), [Action("start_recording", uncertain=True, record_type="mp4", resolution_height=None)]),
    ("started", stream(status="created"), [Action("start_recording", record_type="mp4", resolution_height=None)]),
    ("started", stream(status="created", mp4=1), []),
    ("stopped", stream(mp4=1), [Action("stop_recording", record_type="mp4", resolution_height=None)]),
    ("stopped", stream(mp4=-1), []),
    ("stopped", stream(), [Action("stop_recording", uncertain=True, record_type="mp4", resolution_height=None)]),
    ("stopped", stream(status="finished"), []),
    ("stopped", stream(status="created", mp4=1), [Action("stop_recording", record_type="mp4", resolution_height=None)]),
    ("stopped", None, []),
])
def test_decisions(state, current, expected):
    plan = decide_recording(desired(state=state), current)
    assert plan.actions == expected
    assert plan.changed == bool(expected)
    assert not plan.failure


def test_composite_recorded_by_circle_is_on():
    room = {"streamId": "room1", "metaData": json.dumps({"isRecording": True})}
    current = stream(streamId="room1_composite", metaData=json.dumps({"driverIp": "1.2.3.4"}))
    plan = decide_recording(desired(stream_id="room1_composite", state="stopped"), current, room)
    assert plan.actions == [Action("stop_recording", record_type="mp4", resolution_height=None)]
    assert plan.before["recording"] == ["mp4"] and plan.after["recording"] == []


def test_recording_a_missing_broadcast_fails_without_writing():
    plan = decide_recording(desired(), None)
    assert plan.actions == [] and "there is no broadcast cam1" in plan.failure


def test_resolution_height_is_passed_on():
    plan = decide_recording(desired(resolution_height=480), stream(mp4=-1))
    assert plan.actions[0].params["resolution_height"] == 480


@pytest.mark.parametrize("params, fragment", [
    ({"stream_id": ""}, "stream_id must not be empty"),
    ({"stream_id": "../etc"}, "must not contain '..'"),
    ({"record_type": "mkv"}, "record_type 'mkv'"),
    ({"resolution_height": 0}, "resolution_height 0"),
])
def test_bad_input(params, fragment):
    with pytest.raises(ValidationError, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        desired(**params)
