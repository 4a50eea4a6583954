"""Contract: the Media Push plugin, /{APP}/rest/v1/media-push, and Circle's recording of a room."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from standin_helpers import (SECRET, hs256_token, is_circle_spa, is_tomcat_error, media_duration,
                             logged_span, start_recording_when_prepared, wait_for, wait_vods)

PUSH = "/live/rest/v1/media-push"
PAGE = "http://127.0.0.1:5080/live/multitrack-play.html?id=room1&muted=false"


def start(ams, stream_id=None, address=None, **endpoint):
    endpoint.setdefault("url", PAGE)
    query = "?streamId=%s" % stream_id if stream_id is not None else ""
    status, body = ams.call("POST", PUSH + "/start" + query, endpoint, address=address)
    assert status == 200, body
    return body


def stop(ams, stream_id, address=None):
    status, body = ams.call("POST", PUSH + "/stop/" + stream_id, address=address)
    assert status == 200, body
    return body


def test_without_the_jar_the_plugin_paths_do_not_exist(standin):
    """No MediaPushRestService without the jar: Jersey's entity-less 404, Tomcat's HTML page."""
    for method, path in (("POST", PUSH + "/start?streamId=a"), ("POST", PUSH + "/stop/a"),
                         ("POST", PUSH + "/send-command?streamId=a"), ("GET", PUSH + "/start")):
        assert is_tomcat_error(standin.call(method, path, {"url": PAGE}), 404)


def test_the_jar_is_loaded_only_at_the_next_start(standin):
    standin.install_media_push_jar()
    assert standin.call("POST", PUSH + "/start?streamId=a", {"url": PAGE})[0] == 404  # not before a restart
    assert standin.health()["plugins"] == []
    assert standin.restart()["plugins"] == ["media-push.jar"]
    assert start(standin, "a")["success"] is True
    assert (standin.server_root() / "webapps" / "live" / "media-push" / "media-push-publisher.html").exists()


def test_start_blocks_then_the_page_publishes_a_zombi_broadcast(standin_push):
    began = time.monotonic()
    answer = start(standin_push, "push1", width=1280, height=720)
    assert time.monotonic() - began >= 0.2  # --push-start-delay
    assert answer == {"success": True, "message": "", "dataId": "push1", "errorId": 0}
    status, pushed = standin_push.call("GET", "/live/rest/v2/broadcasts/push1")
    assert status == 200
    assert pushed["status"] == "broadcasting" and pushed["type"] == "liveStream"
    assert json.loads(pushed["metaData"]) == {"driverIp": "127.0.0.1"}
    assert pushed["originAdress"] == "127.0.0.1" and pushed["zombi"] is True
    assert pushed["publishType"] == "WebRTC" and (pushed["width"], pushed["height"]) == (1280, 720)
    assert pushed["mp4Enabled"] == 0 and pushed["startTime"] > 0
    [session] = standin_push.media_push_sessions()
    assert session["url"] == PAGE and session["connected"] is True
    assert session["publisherUrl"] == standin_push.url("/live/media-push/media-push-publisher.html")


def test_a_blocking_start_does_not_hold_up_other_requests(make_standin):
    # a start long enough that no load can make the requests below outlast it
    ams = make_standin(media_push=True, push_start_delay=8.0)
    answers = []
    pusher = threading.Thread(target=lambda: answers.append(start(ams, "slow")))
    pusher.start()
    # polled: once the blocking start holds its session (a fixed sleep could run ahead of it on a loaded machine)
    wait_for(lambda: ams.media_push_sessions(), what="the blocking start's session")
    assert ams.call("GET", "/live/rest/v2/broadcasts/count")[0] == 200
    # While it starts, the session exists: the same id is refused without waiting for it.
    assert start(ams, "slow")["message"] == "Session with the same streamId: slow already exists. Please stop it first"
    assert pusher.is_alive() and answers == []  # answered while the first start still blocked, not after it
    pusher.join()
    assert answers[0]["success"] is True


def test_invalid_url(standin_shared):
    assert start(standin_shared, "bad-url", url="not a url") == {
        "success": False, "message": "Incoming url: not a url is not a valid url", "dataId": "", "errorId": 0}
    assert start(standin_shared, "bad-url", url="gopher://x")["success"] is False
    assert start(standin_shared, "bad-url", url=None)["message"] == "Incoming url: null is not a valid url"


def test_same_stream_id_is_refused_while_its_session_runs(standin_shared):
    assert start(standin_shared, "dup1")["success"] is True
    assert start(standin_shared, "dup1") == {
        "success": False, "message": "Session with the same streamId: dup1 already exists. Please stop it first",
        "dataId": "", "errorId": 0}
    assert stop(standin_shared, "dup1")["success"] is True
    assert start(standin_shared, "dup1")["success"] is True


def test_without_stream_id_the_plugin_generates_one(standin_shared):
    before = int(time.time() * 1000)
    generated = start(standin_shared)["dataId"]
    match = re.fullmatch(r"([A-Za-z0-9]{12})(\d{13})", generated)
    assert match and before <= int(match.group(2)) <= int(time.time() * 1000)
    assert standin_shared.call("GET", "/live/rest/v2/broadcasts/" + generated)[1]["status"] == "broadcasting"


def test_record_type_on_start_records_without_setting_the_fields(standin_push):
    seq = standin_push.last_seq()
    start(standin_push, "push1", recordType="mp4")
    pushed = standin_push.call("GET", "/live/rest/v2/broadcasts/push1")[1]
    assert pushed["mp4Enabled"] == 0 and pushed["webMEnabled"] == 0
    assert (standin_push.streams_dir() / "push1.mp4.tmp_extension").exists()
    # Recording already: the REST call says it could not start, which does not mean "not recording".
    assert standin_push.call("PUT", "/live/rest/v2/broadcasts/push1/recording/true")[1] == {
        "success": False, "message": "mp4 recording couldn't be started", "dataId": None, "errorId": 0}
    time.sleep(1.0)  # at least 1 s
    assert stop(standin_push, "push1") == {"success": True, "message": "", "dataId": "", "errorId": 0}
    [vod] = wait_vods(standin_push, "push1")
    recorded = logged_span(standin_push, seq, "/media-push/start", "/media-push/stop/push1")  # the server's clock
    assert abs(media_duration(standin_push.streams_dir() / vod["vodName"]) - recorded) < 0.5


def test_stop_ends_the_push_removes_the_zombi_and_finishes_the_recording(standin_push):
    start(standin_push, "push1")
    assert start_recording_when_prepared(standin_push, "push1")["success"] is True
    assert stop(standin_push, "push1")["success"] is True
    assert is_tomcat_error(standin_push.call("GET", "/live/rest/v2/broadcasts/push1"), 404)
    assert standin_push.media_push_sessions() == []
    [vod] = wait_vods(standin_push, "push1")
    assert vod["vodName"] == "push1.mp4" and vod["metadata"] == '{"driverIp":"127.0.0.1"}'


def test_a_broadcast_created_with_mp4_enabled_records_its_push_from_the_start(standin_push):
    """RestServiceBase.saveBroadcast keeps the body's fields (only status, date, hook, origin and rtmpURL are
    set); MuxAdaptor.init calls enableMp4Setting, which reads the broadcast's mp4Enabled when the stream starts
    (Ant-Media-Server, src/main/java/io/antmedia/muxer/MuxAdaptor.java): the pushed stream records from its first
    frame, with no recording request while its muxer is prepared."""
    seq = standin_push.last_seq()
    status, made = standin_push.call("POST", "/live/rest/v2/broadcasts/create", {"streamId": "armed", "mp4Enabled": 1})
    assert status == 200 and made["mp4Enabled"] == 1 and made["status"] == "created" and made["zombi"] is False
    start(standin_push, "armed")
    pushed = standin_push.call("GET", "/live/rest/v2/broadcasts/armed")[1]
    assert pushed["status"] == "broadcasting" and pushed["mp4Enabled"] == 1
    assert (standin_push.streams_dir() / "armed.mp4.tmp_extension").exists()
    time.sleep(1.0)
    stop(standin_push, "armed")
    [vod] = wait_vods(standin_push, "armed")
    recorded = logged_span(standin_push, seq, "/media-push/start", "/media-push/stop/armed")
    assert abs(media_duration(standin_push.streams_dir() / vod["vodName"]) - recorded) < 0.5
    assert [call["path"] for call in standin_push.requests(seq) if "/recording/" in call["path"]] == []
    kept = standin_push.call("GET", "/live/rest/v2/broadcasts/armed")[1]
    assert kept["status"] == "finished" and kept["mp4Enabled"] == 1  # kept, and records again at the next start


def test_stop_of_an_unknown_stream(standin_shared):
    assert stop(standin_shared, "never-started") == {
        "success": False, "message": "Driver does not exist for stream id: never-started", "dataId": "", "errorId": 0}


def test_a_broadcast_created_beforehand_is_finished_not_removed(make_standin):
    ams = make_standin(media_push=True, stale_stop_hang=30)
    ams.call("POST", "/live/rest/v2/broadcasts/create", {"streamId": "made", "name": "Made"})
    start(ams, "made")
    made = ams.call("GET", "/live/rest/v2/broadcasts/made")[1]
    assert made["status"] == "broadcasting" and made["zombi"] is False
    assert json.loads(made["metaData"])["driverIp"] == "127.0.0.1"
    stop(ams, "made")
    assert ams.call("GET", "/live/rest/v2/broadcasts/made")[1]["status"] == "finished"
    # No browser any more, but the broadcast names its driver, this very node: MediaPushPlugin
    # .forwardMediaPushStopRequest posts the stop to itself, with no timeout, again and again.
    with pytest.raises(OSError):   # no answer within the client's timeout
        ams.call("POST", PUSH + "/stop/made", timeout=1)


def test_stopping_the_broadcast_ends_the_push_session(standin_shared):
    start(standin_shared, "via-broadcast")
    assert standin_shared.call("POST", "/live/rest/v2/broadcasts/via-broadcast/stop")[1]["success"] is True
    assert "via-broadcast" not in [session["streamId"] for session in standin_shared.media_push_sessions()]
    assert start(standin_shared, "via-broadcast")["success"] is True


def test_send_command(standin_shared):
    start(standin_shared, "cmd1")
    assert standin_shared.call("POST", PUSH + "/send-command?streamId=cmd1", {"jsCommand": "1+1"})[1] == {
        "success": True, "message": "", "dataId": "cmd1", "errorId": 0}
    assert standin_shared.call("POST", PUSH + "/send-command", {"jsCommand": "1"})[1]["message"] == (
        "streamId query parameter is mandatory.")
    assert standin_shared.call("POST", PUSH + "/send-command?streamId=cmd1", {})[1]["message"] == "jsCommand is mandatory."
    assert standin_shared.call("POST", PUSH + "/send-command?streamId=nope", {"jsCommand": "1"})[1]["message"] == (
        "Driver does not exist for stream id: nope")


def test_browser_failure_and_stop_timeout(standin_push):
    standin_push.lab("POST", "/_lab/apps/live/media-push/faults", {"failNextStart": "chrome not reachable"})
    assert start(standin_push, "f1") == {"success": False, "message": "Error message is chrome not reachable",
                                         "dataId": "", "errorId": 0}
    assert standin_push.media_push_sessions() == []  # cleaned up
    assert is_tomcat_error(standin_push.call("GET", "/live/rest/v2/broadcasts/f1"), 404)

    start(standin_push, "f2")
    standin_push.lab("POST", "/_lab/apps/live/media-push/faults", {"failNextStop": True})
    answer = stop(standin_push, "f2")
    assert answer["success"] is False
    assert answer["message"].startswith("Timeoutexception occured in stopping the stream")
    assert is_tomcat_error(standin_push.call("GET", "/live/rest/v2/broadcasts/f2"), 404)  # stopped all the same


def test_publish_token_is_checked_when_publish_jwt_control_is_on(standin_push):
    standin_push.set_app_settings(publishJwtControlEnabled=True, jwtStreamSecretKey=SECRET)
    standin_push.set_options(pushConnectTimeout=0.2)  # the plugin's 30 s wait for the refused publish, shortened
    try:
        refused = start(standin_push, "tok1")
    finally:
        standin_push.set_options(pushConnectTimeout=30)
    assert refused["success"] is False and refused["message"].startswith("Error message is Expected condition failed")
    token = hs256_token(SECRET, streamId="tok1", type="publish", exp=int(time.time()) + 60)
    assert start(standin_push, "tok1", token=token)["success"] is True
    assert standin_push.media_push_sessions()[0]["token"] == token


def test_stop_is_forwarded_to_the_node_that_drives_the_push(make_standin):
    fleet = make_standin(addresses=("127.0.0.1", "127.0.0.2"), media_push=True)
    key = "c" * 32  # a cluster shares its communication key
    for address in fleet.addresses:
        fleet.set_app_settings(address=address, clusterCommunicationKey=key)
    start(fleet, "shared", address="127.0.0.2")
    # Node 1 holds the broadcast (a cluster's shared database), node 2 the browser.
    fleet.call("POST", "/live/rest/v2/broadcasts/create", {"streamId": "shared", "metaData": '{"driverIp":"127.0.0.2"}'},
               address="127.0.0.1")
    assert stop(fleet, "shared", address="127.0.0.1") == {"success": True, "message": "", "dataId": "", "errorId": 0}
    assert fleet.media_push_sessions(address="127.0.0.2") == []
    assert stop(fleet, "shared", address="127.0.0.1")["message"] == "Driver does not exist for stream id: shared"


def test_circle_records_a_room_with_a_composite_push(make_standin):
    """WebSocketApplicationHandler START_RECORDING (conference-call-application): ROOM_composite, 1280x720,
    mp4, on its room page /APP/ROOM?playOnly=true&enterDirectly=true&token=; AntMedia.js then writes
    {"isRecording": true} into the room broadcast's metaData, and false on stop."""
    ams = make_standin(media_push=True, app_kinds={"Conference": "circle"})
    ams.join("room1", "p1", app="Conference")
    assert ams.circle_record("room1", app="Conference")["success"] is True
    [session] = ams.media_push_sessions("Conference")
    assert session["streamId"] == "room1_composite"
    assert session["url"] == ams.url("/Conference/room1?playOnly=true&enterDirectly=true&token=")
    assert (session["width"], session["height"], session["recordType"]) == (1280, 720, "mp4")
    assert session["page"] == {"shows": "room", "room": "room1", "app": "Conference"}
    assert session["token"] == ""    # no jwtStreamSecretKey: Circle signs nothing
    room = ams.call("GET", "/Conference/rest/v2/broadcasts/room1")[1]
    assert json.loads(room["metaData"]) == {"isRecording": True}
    assert is_circle_spa(ams.call("GET", "/Conference/room1?playOnly=true&enterDirectly=true"))
    assert ams.circle_stop("room1", app="Conference")["success"] is True
    room = ams.call("GET", "/Conference/rest/v2/broadcasts/room1")[1]
    assert json.loads(room["metaData"]) == {"isRecording": False}
    assert wait_vods(ams, "room1_composite", app="Conference")[0]["vodName"] == "room1_composite.mp4"


def test_circle_needs_the_plugin(standin):
    status, answer = standin.call("POST", "/_lab/apps/live/circle/room1/record")
    assert status == 200 and answer["success"] is False
