"""Contract: conference rooms (a main-track broadcast and its participants' subtracks) and the merge
pages that media pushes capture."""

from __future__ import annotations

from standin_helpers import is_tomcat_error

BROADCASTS = "/live/rest/v2/broadcasts"


def get(ams, path):
    return ams.call("GET", BROADCASTS + path)


def test_first_participant_creates_the_room(standin):
    standin.join("room1", "p1")
    standin.join("room1", "p2")
    status, room = get(standin, "/room1")
    assert status == 200
    assert room["status"] == "broadcasting" and room["zombi"] is True and room["virtual"] is True
    assert room["subTrackStreamIds"] == ["p1", "p2"]
    participant = get(standin, "/p1")[1]
    assert participant["mainTrackStreamId"] == "room1" and participant["status"] == "broadcasting"


def test_subtracks_and_active_subtracks_on_3x(make_standin):
    """AMS 3.0 (BroadcastRestService at ams-v3.0.1: getSubtracks, getActiveSubtracks,
    getActiveSubtracksCount): the participants of a room through the subtrack endpoints; a missing room
    is a 404 with a JSON Result entity (so no HTML page)."""
    ams = make_standin(server_version="3.0.1")
    ams.call("POST", BROADCASTS + "/create", {"streamId": "room1", "name": "Room"})
    ams.call("POST", BROADCASTS + "/create", {"streamId": "p0", "mainTrackStreamId": "room1"})
    for participant in ("p1", "p2", "p3"):
        ams.join("room1", participant)

    def ids(path):
        status, body = get(ams, path)
        assert status == 200
        return [track["streamId"] for track in body]

    assert ids("/room1/subtracks/0/10") == ["p0", "p1", "p2", "p3"]
    assert ids("/room1/subtracks/1/2") == ["p1", "p2"]
    assert ids("/room1/active-subtracks/0/10") == ["p1", "p2", "p3"]   # p0 is not publishing
    assert get(ams, "/room1/active-subtracks-count")[1] == {"number": 3}
    status, body = get(ams, "/nowhere/subtracks/0/10")
    assert (status, body["success"], body["message"]) == (404, False, "Broadcast not found with id: nowhere")
    assert get(ams, "/nowhere/active-subtracks/0/10")[0] == 404
    assert get(ams, "/nowhere/active-subtracks-count")[1]["message"] == "Broadcast not found with id: nowhere"


def test_subtracks_role_filter_on_3x(make_standin):
    """The optional `role` query parameter of the subtrack endpoints (3.0.1: getSubtracks(id, offset,
    size, role))."""
    ams = make_standin(server_version="3.0.1")
    ams.call("POST", BROADCASTS + "/create", {"streamId": "room1"})
    ams.call("POST", BROADCASTS + "/create", {"streamId": "host", "mainTrackStreamId": "room1", "role": "host"})
    ams.call("POST", BROADCASTS + "/create", {"streamId": "guest", "mainTrackStreamId": "room1", "role": "guest"})
    status, tracks = get(ams, "/room1/subtracks/0/10?role=host")
    assert status == 200 and [track["streamId"] for track in tracks] == ["host"]


def test_2x_has_no_subtrack_endpoints_and_lists_participants_in_the_room(standin):
    """AMS 2.x (BroadcastRestService at ams-v2.17.1 has no subtrack resource): the subtrack paths are
    unknown paths, Tomcat's HTML 404, which says nothing about the room; the participants are in the
    room's subTrackStreamIds (and conferenceMode is written, null)."""
    standin.join("room1", "p1")
    for path in ("/room1/subtracks/0/10", "/room1/active-subtracks/0/10", "/room1/active-subtracks-count"):
        assert is_tomcat_error(get(standin, path), 404)
    room = get(standin, "/room1")[1]
    assert room["subTrackStreamIds"] == ["p1"] and "conferenceMode" in room


def test_leaving(standin):
    standin.join("room1", "p1")
    standin.join("room1", "p2")
    assert standin.leave("room1", "p1")["success"] is True
    assert is_tomcat_error(get(standin, "/p1"), 404)              # a participant's broadcast is a zombi
    assert get(standin, "/room1")[1]["subTrackStreamIds"] == ["p2"]
    assert standin.leave("room1", "p1")["success"] is False
    standin.leave("room1", "p2")
    assert is_tomcat_error(get(standin, "/room1"), 404)           # the last one out ends a zombi room


def test_a_room_created_beforehand_is_finished_when_empty(standin):
    standin.call("POST", BROADCASTS + "/create", {"streamId": "room1", "name": "Board room"})
    standin.join("room1", "p1")
    assert get(standin, "/room1")[1]["subTrackStreamIds"] == ["p1"]
    standin.leave("room1", "p1")
    room = get(standin, "/room1")[1]
    assert room["status"] == "finished" and room["subTrackStreamIds"] == []


def test_stop_and_delete_a_room_with_its_subtracks(standin):
    def active():
        return get(standin, "/room1")[1]["subTrackStreamIds"]

    standin.call("POST", BROADCASTS + "/create", {"streamId": "room1"})
    standin.join("room1", "p1")
    standin.join("room1", "p2")
    assert standin.call("POST", BROADCASTS + "/room1/stop?stopSubtracks=false")[1]["success"] is False
    assert active() == ["p1", "p2"]
    assert standin.call("POST", BROADCASTS + "/room1/stop")[1]["success"] is True
    assert active() == []

    standin.call("POST", BROADCASTS + "/create", {"streamId": "kept", "mainTrackStreamId": "room1"})
    assert standin.call("DELETE", BROADCASTS + "/room1?deleteSubtracks=false")[1]["success"] is True
    assert get(standin, "/kept")[0] == 200
    standin.call("POST", BROADCASTS + "/create", {"streamId": "room2"})
    standin.call("POST", BROADCASTS + "/create", {"streamId": "gone", "mainTrackStreamId": "room2"})
    standin.call("DELETE", BROADCASTS + "/room2")
    assert is_tomcat_error(get(standin, "/gone"), 404)


def test_merge_pages_of_a_sample_app(standin):
    """StreamApp's merge pages exist in a sample app; a room page /APP/ROOM does not (Tomcat's 404)."""
    for path in ("/live/multitrack-play.html?id=room1&muted=false", "/live/merge_streams.html?roomName=room1"):
        status, page = standin.call("GET", path)
        assert status == 200 and "<html>" in page
    assert is_tomcat_error(standin.call("GET", "/live/no-such-file.html"), 404)
    assert is_tomcat_error(standin.call("GET", "/live/room1?playOnly=true&enterDirectly=true"), 404)
