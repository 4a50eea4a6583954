"""Contract: the server version (docs/server-contract.md, "Rooms and participants", "Broadcasts" on `PUT /{id}`
of old servers, "Versions and editions").

Sources, ant-media/Ant-Media-Server at the release tags: `rest/RootRestService.java` (GET /v2/version),
`rest/RestServiceBase.java` (getSoftwareVersion, ENTERPRISE_EDITION), `rest/model/Version.java`,
`pom.xml` (Build-Number: maven.build.timestamp yyyyMMdd_HHmm), `datastore/db/types/Broadcast.java`
(subTrackStreamIds and conferenceMode gone in 3.0.0), `rest/BroadcastRestService.java` (updateBroadcast:
Broadcast up to ams-v2.10.0, BroadcastUpdate from ams-v2.10.1; the subtrack endpoints from ams-v3.0.0),
`datastore/db/DataStore.java` (updateStreamInfo)."""

from __future__ import annotations

import re

import pytest
from standin_helpers import call_from, is_circle_spa, is_tomcat_error

BROADCASTS = "/live/rest/v2/broadcasts"


def test_version_endpoint_default_and_set_at_start(make_standin):
    default = make_standin()
    status, version = default.call("GET", "/live/rest/v2/version")
    assert status == 200 and list(version) == ["versionName", "versionType", "buildNumber"]
    assert version["versionName"] == "2.17.1" and version["versionType"] == "Enterprise Edition"
    assert re.fullmatch(r"\d{8}_\d{4}", version["buildNumber"])
    assert default.health()["serverVersion"] == "2.17.1"
    three = make_standin(server_version="3.0.1")
    assert three.call("GET", "/LiveApp/rest/v2/version")[1]["versionName"] == "3.0.1"


def test_the_edition_is_the_version_type_community_or_enterprise(make_standin):
    """docs/server-contract.md, "Versions and editions": GET /{APP}/rest/v2/version's versionType is "Enterprise Edition"
    when the Enterprise classes load, else "Community Edition" (ant-media/Ant-Media-Server
    `rest/RestServiceBase.java`: getSoftwareVersion, isEnterprise, ENTERPRISE_EDITION, COMMUNITY_EDITION;
    `rest/model/Version.java`: versionName, versionType, buildNumber)."""
    community = make_standin(extra_args=("--edition", "community"))
    status, version = community.call("GET", "/LiveApp/rest/v2/version")
    assert status == 200 and list(version) == ["versionName", "versionType", "buildNumber"]
    assert version["versionType"] == "Community Edition" and version["versionName"] == "2.17.1"
    enterprise = make_standin(extra_args=("--edition", "enterprise"))
    assert enterprise.call("GET", "/live/rest/v2/version")[1]["versionType"] == "Enterprise Edition"
    bad = make_standin(start=False, extra_args=("--edition", "platinum"))
    with pytest.raises(Exception, match="exited"):
        bad.start(timeout=10)


def test_version_endpoint_is_behind_the_app_filters(standin):
    """RootRestService is a resource of the application's Jersey servlet (/rest/*): IPFilter applies."""
    assert is_tomcat_error(call_from("127.0.0.2", standin, "GET", "/live/rest/v2/version"), 403)


def test_version_changes_through_the_control_interface_and_bad_ones_are_refused(standin):
    assert standin.set_options(serverVersion="3.0.1")["serverVersion"] == "3.0.1"
    assert standin.call("GET", "/live/rest/v2/version")[1]["versionName"] == "3.0.1"
    for bad in ("3", "2.7.9", "latest"):
        assert standin.call("PUT", "/_lab/options", {"serverVersion": bad})[0] == 400
    assert standin.call("PUT", "/_lab/options", {"noSuchOption": 1})[0] == 400
    assert standin.call("GET", "/live/rest/v2/version")[1]["versionName"] == "3.0.1"


def test_a_bad_version_on_the_command_line_is_refused(make_standin):
    ams = make_standin(start=False, server_version="2.x")
    with pytest.raises(Exception, match="exited"):
        ams.start(timeout=10)


@pytest.mark.parametrize("version", ["2.8.0", "2.10.0", "2.17.1"])
def test_2x_broadcasts_list_participants(make_standin, version):
    ams = make_standin(server_version=version)
    ams.join("room1", "p1")
    ams.join("room1", "p2")
    room = ams.call("GET", BROADCASTS + "/room1")[1]
    assert room["subTrackStreamIds"] == ["p1", "p2"]
    assert ("conferenceMode" in room) == (version != "2.8.0")   # Broadcast.conferenceMode from 2.10.0
    ams.leave("room1", "p1")
    assert ams.call("GET", BROADCASTS + "/room1")[1]["subTrackStreamIds"] == ["p2"]
    assert is_tomcat_error(ams.call("GET", BROADCASTS + "/room1/subtracks/0/10"), 404)


@pytest.mark.parametrize("version", ["3.0.0", "3.0.1", "3.0.3"])
def test_3x_broadcasts_have_no_subtrack_ids_nor_conference_mode(make_standin, version):
    ams = make_standin(server_version=version)
    ams.join("room1", "p1")
    created = ams.call("POST", BROADCASTS + "/create", {"streamId": "made"})[1]
    listed = ams.call("GET", BROADCASTS + "/list/0/50")[1]
    for broadcast in [ams.call("GET", BROADCASTS + "/room1")[1], ams.call("GET", BROADCASTS + "/p1")[1],
                      created] + listed:
        assert "subTrackStreamIds" not in broadcast and "conferenceMode" not in broadcast
    assert ams.call("GET", BROADCASTS + "/p1")[1]["mainTrackStreamId"] == "room1"
    assert [track["streamId"] for track in ams.call("GET", BROADCASTS + "/room1/active-subtracks/0/50")[1]] == ["p1"]
    assert ams.call("GET", BROADCASTS + "/room1/active-subtracks-count")[1] == {"number": 1}


def test_the_version_switch_applies_at_once(standin):
    standin.join("room1", "p1")
    assert "subTrackStreamIds" in standin.call("GET", BROADCASTS + "/room1")[1]
    standin.set_options(serverVersion="3.0.1")
    assert "subTrackStreamIds" not in standin.call("GET", BROADCASTS + "/room1")[1]
    assert standin.call("GET", BROADCASTS + "/room1/active-subtracks-count")[1] == {"number": 1}


def test_3x_subtrack_paths_in_a_circle_app_on_2x_are_the_spa(make_standin):
    ams = make_standin(app_kinds={"Conference": "circle"})
    assert is_circle_spa(ams.call("GET", "/Conference/rest/v2/broadcasts/room1/active-subtracks/0/10"))


# ---- PUT /{id} -----------------------------------------------------------------------------------

ROOM_FIELDS = {"name": "Board", "description": "weekly", "duration": 5000, "webRTCViewerLimit": 10,
               "hlsViewerLimit": 20, "userAgent": "encoder/1"}


def _room_with_fields(ams):
    """A room created beforehand with two participants, and fields a later partial PUT may reset."""
    ams.call("POST", BROADCASTS + "/create", {"streamId": "room1", "name": "Board", "seekTimeInMs": 7})
    ams.join("room1", "p1")
    ams.join("room1", "p2")
    assert ams.call("PUT", BROADCASTS + "/room1", ROOM_FIELDS)[1]["success"] is True


@pytest.mark.parametrize("version", ["2.10.1", "2.17.1", "3.0.1"])
def test_put_applies_only_the_fields_given_from_2_10_1(make_standin, version):
    """BroadcastUpdate: null fields are left alone (DataStore.updateStreamInfo with `!= null` checks)."""
    ams = make_standin(server_version=version)
    _room_with_fields(ams)
    answer = ams.call("PUT", BROADCASTS + "/room1", {"metaData": '{"isRecording":true}'})
    assert answer == (200, {"success": True, "message": "", "dataId": "", "errorId": 0})
    room = ams.call("GET", BROADCASTS + "/room1")[1]
    assert room["metaData"] == '{"isRecording":true}'
    assert {key: room[key] for key in ROOM_FIELDS} == ROOM_FIELDS and room["seekTimeInMs"] == 7
    assert room.get("subTrackStreamIds", ["p1", "p2"]) == ["p1", "p2"]
    assert ams.call("GET", BROADCASTS + "/p1")[1]["mainTrackStreamId"] == "room1"


@pytest.mark.parametrize("version", ["2.8.0", "2.9.0", "2.10.0"])
def test_put_replaces_the_whole_broadcast_up_to_2_10_0(make_standin, version):
    """ams-v2.10.0 binds a whole Broadcast: updateStreamInfo copies duration, viewer limits, userAgent,
    subTrackStreamIds... unconditionally, so a body with metaData only resets them to the defaults of a
    new Broadcast; the fields it checks for null (name, description...) are kept."""
    ams = make_standin(server_version=version)
    _room_with_fields(ams)
    assert ams.call("PUT", BROADCASTS + "/room1", {"metaData": '{"isRecording":true}'})[1]["success"] is True
    room = ams.call("GET", BROADCASTS + "/room1")[1]
    assert room["metaData"] == '{"isRecording":true}'
    assert (room["name"], room["description"]) == ("Board", "weekly")
    assert room["subTrackStreamIds"] == []
    assert (room["duration"], room["webRTCViewerLimit"], room["hlsViewerLimit"], room["userAgent"]) == \
        (0, -1, -1, "N/A")
    assert room["seekTimeInMs"] == (7 if version == "2.8.0" else 0)   # copied unconditionally from 2.9.0
    # Sending the room's fields back with the change keeps them (what a client must do on these versions).
    ams.call("PUT", BROADCASTS + "/room1", {**ROOM_FIELDS, "subTrackStreamIds": ["p1", "p2"],
                                            "metaData": '{"isRecording":false}'})
    room = ams.call("GET", BROADCASTS + "/room1")[1]
    assert room["subTrackStreamIds"] == ["p1", "p2"] and room["duration"] == 5000
    assert room["metaData"] == '{"isRecording":false}'


def test_put_of_a_missing_broadcast_and_without_a_body(standin):
    assert standin.call("PUT", BROADCASTS + "/nothing", {"name": "x"})[1] == {
        "success": False, "message": "Broadcast with streamId: nothing does not exist", "dataId": "", "errorId": 0}
    standin.call("POST", BROADCASTS + "/create", {"streamId": "cam"})
    assert standin.call("PUT", BROADCASTS + "/cam")[1]["success"] is False
