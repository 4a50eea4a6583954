# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 14: "not found" told by Content-Type and one JSON probe of the app (HTML 404 pages, Circle's 200 pages),
participants by server version, readiness by the publisher page, Circle's recording flag and publish token,
recordings counted only when the server confirms them, stale pushes ended by the server."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import (
    AntMediaClient,
    AntMediaError,
    PluginMissingError,
    version_tuple,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._media_push import MediaPushReconciler, desired_push
from ansible_collections.mediaops.antmedia.plugins.module_utils._participants import summarize_one
from ansible_collections.mediaops.antmedia.plugins.module_utils._recording import RECORDING_PREPARE_SECONDS
from ansible_collections.mediaops.antmedia.plugins.module_utils._server_info import read_server
from ansible_collections.mediaops.antmedia.tests.unit.plugins.fake_ams import CIRCLE_SPA, FakeResponse, error_page

STREAM_SECRET = "stream-secret-of-the-app-0123456789"


def api(app="live"):
    return AntMediaClient("http://127.0.0.1:5080", app, retries=1)


def push(room="room1", **params):
    base = {"url": "http://127.0.0.1:5080", "app": "live", "room": room, "state": "started", "width": 1280,
            "height": 720, "extra_chrome_switches": [], "vod_timeout": 30}
    base.update(params)
    return desired_push(base)


def paths(ams, method=None):
    return [call.path for call in ams.calls if method is None or call.method == method]


def b64json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# ---- the answers as real servers give them -----------------------------------------------------
def test_the_fake_answers_like_tomcat_and_circle(ams):
    page = error_page(404, "Not Found")
    assert page.text.startswith('<!doctype html><html lang="en"><head><title>HTTP Status 404 \u2013 Not Found</title>')
    assert "<p><b>Type</b> Status Report</p>" in page.text and page.headers["Content-Type"].startswith("text/html")
    ams.kind = "circle"
    answer = ams(None, "GET", "http://127.0.0.1:5080/live/rest/v2/broadcasts/nope")
    assert (answer.status_code, answer.text) == (200, CIRCLE_SPA)


@pytest.mark.parametrize("kind", ["sample", "circle"])
def test_a_missing_broadcast_is_absent_after_one_probe_of_the_app(ams, kind):
    ams.kind = kind
    client = api()
    assert client.get_broadcast("nope") is None
    assert client.get_broadcast("nope2") is None
    # one JSON probe of the app for the whole run, not one per read
    assert paths(ams).count("/live/rest/v2/broadcasts/count") == 1


@pytest.mark.parametrize("kind", ["sample", "circle"])
def test_an_unknown_app_is_named_whatever_the_kind_of_the_others(ams, kind):
    ams.kind = kind
    with pytest.raises(AntMediaError) as error:
        api("Nope").get_broadcast("room1")
    assert error.value.kind == "app"
    assert error.value.message == ("there is no application Nope on this server (HTTP 404 for broadcast room1, and no "
                                   "JSON answer to v2/broadcasts/count)")


def test_a_json_404_is_absent_without_a_probe(ams):
    ams.inject("GET", "/broadcasts/room1$", FakeResponse(404, {"success": False, "message": "not found"}))
    assert api().get_broadcast("room1") is None
    assert "/live/rest/v2/broadcasts/count" not in paths(ams)


@pytest.mark.parametrize("kind, status, shown", [("sample", 404, "HTTP 404"), ("circle", 200, "HTTP 200, a page instead of JSON,")])
def test_plugin_routes_missing_mean_the_plugin_is_not_loaded(ams, kind, status, shown):
    ams.kind = kind
    ams.plugin_loaded = False
    with pytest.raises(PluginMissingError) as error:
        api().start_media_push("room1_composite", {"url": "http://127.0.0.1:5080/live/room1"})
    assert error.value.message == ("the Media Push plugin is not loaded in app live on this server (%s on "
                                   "v1/media-push/start): install it with the mediaops.antmedia.media_push_plugin "
                                   "role, then restart the server" % shown)
    assert [call.method for call in ams.calls] == ["POST", "GET"]  # the start, then the app's probe


def test_plugin_routes_of_an_unknown_app_name_the_app(ams):
    with pytest.raises(AntMediaError) as error:
        api("Nope").stop_media_push("room1_composite")
    assert error.value.kind == "app" and "there is no application Nope" in error.value.message


@pytest.mark.parametrize("kind", ["sample", "circle"])
def test_a_stop_whose_broadcast_the_server_deleted_reads_absent(ams, kind):
    ams.kind = kind
    # WebM is recorded after the push starts, so its broadcast is the push's own (zombi): deleted when it ends
    MediaPushReconciler(api()).run(push(record_type="webm"))
    outcome = MediaPushReconciler(api()).run(push(state="stopped"))
    assert outcome.changed and outcome.data["broadcast"] is None and outcome.data["state"] == "stopped"
    assert len(outcome.data["vods"]) == 1


def test_version_names_are_read(ams):
    assert version_tuple("2.10.1") == (2, 10, 1) and version_tuple("3.0.1-SNAPSHOT") == (3, 0, 1)
    assert version_tuple("3.0") == (3, 0, 0) and version_tuple("N/A") is None
    ams.version = "3.0.1"
    client = api()
    assert client.server_version() == "3.0.1" and client.server_version_tuple() == (3, 0, 1)
    client.server_version()
    assert paths(ams).count("/live/rest/v2/version") == 1  # once per run


def test_an_unreadable_version_fails_closed(ams):
    ams.inject("GET", "/v2/version$", FakeResponse(200, {"versionName": "unknown"}))
    with pytest.raises(AntMediaError, match="is not a version number"):
        api().server_version()


# ---- participants by version --------------------------------------------------------------------
def room_with_participants(ams):
    ams.add_broadcast("room1")
    ams.add_broadcast("alice", mainTrackStreamId="room1")
    ams.add_broadcast("bob", mainTrackStreamId="room1", status="finished")


def test_participants_on_2x_come_from_subtrackstreamids(ams):
    ams.version = "2.17.1"
    room_with_participants(ams)
    client = api()
    summary = summarize_one(client, client.get_broadcast("room1"))
    assert summary["participants"] == ["alice", "bob"] and summary["active_participants"] == ["alice"]
    assert not any("/subtracks/" in path for path in paths(ams))  # no such endpoint on 2.x


@pytest.mark.parametrize("kind", ["sample", "circle"])
def test_participants_on_3x_come_from_the_subtrack_endpoint(ams, kind):
    ams.version, ams.kind = "3.0.1", kind
    room_with_participants(ams)
    client = api()
    room = client.get_broadcast("room1")
    assert "subTrackStreamIds" not in room
    summary = summarize_one(client, room)
    assert summary["participants"] == ["alice", "bob"] and summary["active_participants"] == ["alice"]
    assert "/live/rest/v2/broadcasts/room1/subtracks/0/50" in paths(ams)


# ---- server_info: version and readiness ----------------------------------------------------------
@pytest.mark.parametrize("kind", ["sample", "circle"])
def test_server_info_reports_the_version_and_the_publisher_page(ams, kind):
    ams.kind, ams.version = kind, "3.0.1"
    report = read_server(api(), ["live"])
    assert report["version_name"] == "3.0.1" and report["media_push_ready"] is True
    assert report["apps"]["live"]["media_push_loaded"] is True and report["apps"]["live"]["media_push_ready"] is True
    # loaded, but the setup has not written the page yet (Circle answers its own 200 page for it)
    ams.inject("GET", "/media-push/media-push-publisher.html$", error_page(404, "Not Found"))
    not_yet = read_server(api(), ["live"])
    assert not_yet["apps"]["live"]["media_push_loaded"] is True
    assert not_yet["apps"]["live"]["media_push_ready"] is False and not_yet["media_push_ready"] is False
    ams.plugin_loaded = False
    gone = read_server(api(), ["live"])["apps"]["live"]
    assert gone["media_push_loaded"] is False and gone["media_push_ready"] is False


# ---- recordings count only when the server confirms them ------------------------------------------
def couldnt_be_started():
    return FakeResponse(200, {"success": False, "message": "webm recording couldn't be started", "dataId": "", "errorId": 0})


def test_couldnt_be_started_right_after_a_start_is_asked_again(ams, clock):
    for _attempt in range(3):
        ams.inject("PUT", "/recording/true$", couldnt_be_started())
    outcome = MediaPushReconciler(api()).run(push(record_type="webm"))  # MP4 is set before the push starts
    assert paths(ams, "PUT") == ["/live/rest/v2/broadcasts/room1_composite/recording/true"] * 4
    assert outcome.changed and outcome.data["recording"] == ["webm"]
    assert ams.broadcasts["room1_composite"]["webMEnabled"] == 1 and ams.recorders["room1_composite"] == {"webm"}
    assert sum(clock.sleeps) <= RECORDING_PREPARE_SECONDS


def test_couldnt_be_started_that_persists_is_not_taken_for_recording(ams, clock):
    for _attempt in range(100):
        ams.inject("PUT", "/recording/true$", couldnt_be_started())
    started = clock.now
    outcome = MediaPushReconciler(api()).run(push(record_type="webm"))
    assert RECORDING_PREPARE_SECONDS <= clock.now - started <= RECORDING_PREPARE_SECONDS + 2  # bounded
    assert outcome.data["recording"] == [] and "webm" in outcome.data["recording_unknown"]
    assert any("does not read 1" in warning for warning in outcome.warnings)


# ---- stale pushes -------------------------------------------------------------------------------------
def test_a_stale_push_is_ended_by_the_server_never_by_the_plugin(ams):
    ams.add_push("room1_composite", status="terminated_unexpectedly")
    del ams.sessions["room1_composite"]  # no session here
    outcome = MediaPushReconciler(api()).run(push(state="stopped"))
    assert outcome.changed and outcome.data["state"] == "stopped"
    assert [call.path for call in ams.writes] == ["/live/rest/v2/broadcasts/room1_composite/stop"]
    assert not any("media-push" in path for path in paths(ams))


# ---- Circle: page, flag, publish token ---------------------------------------------------------------
def test_circle_page_carries_token_as_circle_builds_it():
    plain = push(page="circle")
    assert plain["page_url"] == "http://127.0.0.1:5080/live/room1?playOnly=true&enterDirectly=true&token="
    given = push(page="circle", token="play-secret")
    assert given["page_url"].endswith("&token=play-secret") and given["page_url_shown"].endswith("&token=********")


@pytest.mark.parametrize("version, whole", [("2.17.1", False), ("3.0.1", False), ("2.10.0", True)])
def test_circle_flag_is_set_on_start_and_cleared_on_stop_keeping_the_room(ams, version, whole):
    ams.version, ams.kind = version, "circle"
    ams.add_broadcast("room1", metaData=json.dumps({"theme": "dark"}), duration=1234, name="Board")
    ams.add_broadcast("alice", mainTrackStreamId="room1")
    outcome = MediaPushReconciler(api()).run(push(page="circle", record_type="mp4"))
    assert outcome.changed and outcome.data["room_is_recording"] is True
    flag_writes = [call for call in ams.writes if call.path == "/live/rest/v2/broadcasts/room1"]
    assert len(flag_writes) == 1
    if whole:  # before 2.10.1 a PUT replaces the whole broadcast: the room's fields are sent back
        assert flag_writes[0].body["duration"] == 1234 and flag_writes[0].body["subTrackStreamIds"] == ["alice"]
    else:
        assert set(flag_writes[0].body) == {"metaData"}
    room = ams.broadcasts["room1"]
    assert json.loads(room["metaData"]) == {"theme": "dark", "isRecording": True}
    assert (room["duration"], room["name"]) == (1234, "Board")

    del ams.calls[:]
    again = MediaPushReconciler(api()).run(push(page="circle", record_type="mp4"))
    assert not again.changed and ams.writes == []

    stopped = MediaPushReconciler(api()).run(push(state="stopped"))
    assert stopped.changed and stopped.data["room_is_recording"] is False
    assert json.loads(ams.broadcasts["room1"]["metaData"]) == {"theme": "dark", "isRecording": False}
    assert ams.broadcasts["room1"]["duration"] == 1234


def test_circle_flag_check_mode_writes_nothing(ams):
    ams.add_broadcast("room1", metaData=None)
    outcome = MediaPushReconciler(api(), check_mode=True).run(push(page="circle", record_type="mp4"))
    assert outcome.changed and outcome.after["room_is_recording"] is True and ams.writes == []


def test_publish_token_is_minted_as_circle_does(ams):
    now = 1700000000
    import time as time_module
    original = time_module.time
    time_module.time = lambda: now
    try:
        MediaPushReconciler(api()).run(push(page="circle", stream_jwt_secret=STREAM_SECRET))
    finally:
        time_module.time = original
    token = ams.writes[0].body["token"]
    header, payload, signature = token.split(".")
    assert b64json(header) == {"alg": "HS256", "typ": "JWT"}
    assert b64json(payload) == {"streamId": "room1_composite", "type": "publish", "exp": now + 60}
    expected = hmac.new(STREAM_SECRET.encode(), ("%s.%s" % (header, payload)).encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected


def test_a_given_publish_token_is_sent_and_the_options_exclude_each_other(ams):
    MediaPushReconciler(api()).run(push(publish_token="given.publish.token"))
    assert ams.writes[0].body["token"] == "given.publish.token"
    with pytest.raises(ValueError, match="mutually exclusive"):
        push(publish_token="a.b.c", stream_jwt_secret=STREAM_SECRET)


@pytest.mark.parametrize("kind", ["sample", "circle"])
def test_broadcast_recording_calls_a_missing_stream_a_missing_stream(ams, kind):
    from ansible_collections.mediaops.antmedia.plugins.module_utils._recording import (
        RecordingReconciler,
        desired_recording,
    )
    from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import ReconcileError

    ams.kind = kind
    desired = desired_recording({"stream_id": "cam1", "state": "started", "record_type": "mp4", "vod_timeout": 30})
    with pytest.raises(ReconcileError) as error:
        RecordingReconciler(api()).run(desired)
    assert error.value.message.startswith("there is no broadcast cam1")
    assert ams.writes == []
