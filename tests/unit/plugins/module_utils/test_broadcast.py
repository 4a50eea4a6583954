# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils import _broadcast as bc

PUSH_META = json.dumps({"driverIp": "10.0.0.5"})


def broadcast(status="broadcasting", mp4=0, webm=0, **fields):
    item = {"streamId": "room1_composite", "status": status, "mp4Enabled": mp4, "webMEnabled": webm, "metaData": PUSH_META}
    item.update(fields)
    return item


@pytest.mark.parametrize("item, room, expected", [
    (None, None, {"mp4": "off", "webm": "off"}),
    (broadcast(mp4=1), None, {"mp4": "on", "webm": "unknown"}),
    (broadcast(mp4=-1, webm=-1), None, {"mp4": "off", "webm": "off"}),
    # fields 0 while broadcasting: may record (push started with a recordType): never "off"
    (broadcast(), None, {"mp4": "unknown", "webm": "unknown"}),
    # Circle marks the room: the composite records MP4
    (broadcast(), {"streamId": "room1", "metaData": json.dumps({"isRecording": True})}, {"mp4": "on", "webm": "unknown"}),
    (broadcast(), {"streamId": "room1", "metaData": json.dumps({"isRecording": False})}, {"mp4": "unknown", "webm": "unknown"}),
    # not broadcasting: records nothing now; a stored 1 means it will when the stream starts
    (broadcast(status="finished"), None, {"mp4": "off", "webm": "off"}),
    (broadcast(status="created", webm=1), None, {"mp4": "off", "webm": "on"}),
])
def test_recording_state(item, room, expected):
    assert bc.recording_state(item, room) == expected


def test_metadata_parsing_is_forgiving():
    assert bc.metadata_of({"metaData": "not json"}) == {}
    assert bc.metadata_of({"metaData": "null"}) == {}
    assert bc.metadata_of({"metaData": "[1]"}) == {}
    assert bc.metadata_of({"metaData": '{"driverIp": "1.2.3.4"}'}) == {"driverIp": "1.2.3.4"}
    assert bc.is_media_push(broadcast())
    assert not bc.is_media_push(broadcast(metaData=None))


def test_composite_ids():
    assert bc.composite_stream_id("room1") == "room1_composite"
    assert bc.composite_room("room1_composite") == "room1"
    assert bc.composite_room("_composite") is None
    assert bc.composite_room("room1") is None


def test_room_broadcast_needed_only_for_an_unreadable_composite():
    assert bc.needs_room_broadcast(broadcast())
    assert not bc.needs_room_broadcast(broadcast(mp4=1))
    assert not bc.needs_room_broadcast(broadcast(status="finished"))
    assert not bc.needs_room_broadcast(broadcast(streamId="other"))


def test_redaction_removes_credentials_only():
    item = broadcast(password="hunter2", streamUrl="rtsp://admin:pw@cam.local:554/live?key=1",
                     endPointList=[{"type": "generic", "rtmpUrl": "rtmp://a.rtmp.youtube.com/live2/KEY", "status": "ok"}])
    cleaned = bc.redact_broadcast(item)
    assert cleaned["password"] == "********"
    assert cleaned["streamUrl"] == "rtsp://********@cam.local:554/live?********"
    assert cleaned["endPointList"] == [{"type": "generic", "rtmpUrl": "********", "status": "ok"}]
    assert cleaned["streamId"] == item["streamId"] and cleaned["mp4Enabled"] == 0
    assert item["password"] == "hunter2"  # the input is not modified
    assert bc.redact_broadcast(None) is None


def test_participants_from_the_room_and_the_list():
    room = {"streamId": "room1", "status": "broadcasting", "subTrackStreamIds": ["alice", "bob"]}
    others = [
        {"streamId": "alice", "mainTrackStreamId": "room1", "status": "broadcasting"},
        {"streamId": "bob", "mainTrackStreamId": "room1", "status": "finished"},
        {"streamId": "carol", "mainTrackStreamId": "room1", "status": "broadcasting"},
        {"streamId": "dave", "mainTrackStreamId": "room2", "status": "broadcasting"},
    ]
    assert bc.participants_of(room, all_broadcasts=others) == (["alice", "bob", "carol"], ["alice", "carol"])
    summary = bc.summarize(room, all_broadcasts=others)
    assert summary["is_room"] and summary["active_participants"] == ["alice", "carol"]
    assert summary["recording"] == [] and summary["recording_unknown"] == ["mp4", "webm"]
