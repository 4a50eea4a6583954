"""Contract: conference rooms (a main-track broadcast and its participants' subtracks) and the merge
pages that media pushes capture."""

from __future__ import annotations

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


def test_subtracks_and_active_subtracks(standin):
    standin.call("POST", BROADCASTS + "/create", {"streamId": "room1", "name": "Room"})
    standin.call("POST", BROADCASTS + "/create", {"streamId": "p0", "mainTrackStreamId": "room1"})
    for participant in ("p1", "p2", "p3"):
        standin.join("room1", participant)

    def ids(path):
        status, body = get(standin, path)
        assert status == 200
        return [track["streamId"] for track in body]

    assert ids("/room1/subtracks/0/10") == ["p0", "p1", "p2", "p3"]
    assert ids("/room1/subtracks/1/2") == ["p1", "p2"]
    assert ids("/room1/active-subtracks/0/10") == ["p1", "p2", "p3"]   # p0 is not publishing
    assert get(standin, "/room1/active-subtracks-count")[1] == {"number": 3}
    status, body = get(standin, "/nowhere/subtracks/0/10")
    assert (status, body["success"], body["message"]) == (404, False, "Broadcast not found with id: nowhere")
    assert get(standin, "/nowhere/active-subtracks/0/10")[0] == 404


def test_leaving(standin):
    standin.join("room1", "p1")
    standin.join("room1", "p2")
    assert standin.leave("room1", "p1")["success"] is True
    assert get(standin, "/p1")[0] == 404                          # a participant's broadcast is a zombi
    assert get(standin, "/room1")[1]["subTrackStreamIds"] == ["p2"]
    assert standin.leave("room1", "p1")["success"] is False
    standin.leave("room1", "p2")
    assert get(standin, "/room1")[0] == 404                       # the last one out ends a zombi room


def test_a_room_created_beforehand_is_finished_when_empty(standin):
    standin.call("POST", BROADCASTS + "/create", {"streamId": "room1", "name": "Board room"})
    standin.join("room1", "p1")
    assert get(standin, "/room1")[1]["subTrackStreamIds"] == ["p1"]
    standin.leave("room1", "p1")
    room = get(standin, "/room1")[1]
    assert room["status"] == "finished" and room["subTrackStreamIds"] == []


def test_stop_and_delete_a_room_with_its_subtracks(standin):
    standin.call("POST", BROADCASTS + "/create", {"streamId": "room1"})
    standin.join("room1", "p1")
    standin.join("room1", "p2")
    assert standin.call("POST", BROADCASTS + "/room1/stop?stopSubtracks=false")[1]["success"] is False
    assert get(standin, "/room1/active-subtracks-count")[1] == {"number": 2}
    assert standin.call("POST", BROADCASTS + "/room1/stop")[1]["success"] is True
    assert get(standin, "/room1/active-subtracks-count")[1] == {"number": 0}

    standin.call("POST", BROADCASTS + "/create", {"streamId": "kept", "mainTrackStreamId": "room1"})
    assert standin.call("DELETE", BROADCASTS + "/room1?deleteSubtracks=false")[1]["success"] is True
    assert get(standin, "/kept")[0] == 200
    standin.call("POST", BROADCASTS + "/create", {"streamId": "room2"})
    standin.call("POST", BROADCASTS + "/create", {"streamId": "gone", "mainTrackStreamId": "room2"})
    standin.call("DELETE", BROADCASTS + "/room2")
    assert get(standin, "/gone")[0] == 404


def test_merge_pages_and_room_page_are_served(standin):
    for path in ("/live/multitrack-play.html?id=room1&muted=false", "/live/merge_streams.html?roomName=room1",
                 "/live/room1?playOnly=true&enterDirectly=true"):
        status, page = standin.call("GET", path)
        assert status == 200 and "<html>" in page
    assert standin.call("GET", "/live/no-such-file.html")[0] == 404
