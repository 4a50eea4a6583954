"""Contract: the Media Push plugin is loaded before it is ready, "couldn't be started" right after a push,
and stale pushes (docs/server-contract.md, "Plugin readiness", "Recording", "Media Push plugin").

Sources: ant-media/Plugins `MediaPushPlugin/src/main/java/io/antmedia/plugin/MediaPushPlugin.java`
(setApplicationContext: WebDriverManager set-up and extractFile in vertx executeBlocking, failures only
logged; startMediaPush: the 30 s waits for window.startBroadcasting and window.isConnected;
stopMediaPush and forwardMediaPushStopRequest: no session -> POST to the metaData's driverIp, no timeout,
no check that it is this node), `rest/MediaPushRestService.java`; ant-media/Ant-Media-Server
`muxer/MuxAdaptor.java` (startRecordingInternal: "stream is being prepared" -> null, the REST answer
"mp4 recording couldn't be started"), `rest/RestServiceBase.java` (enableRecordMuxing sets
mp4Enabled/webMEnabled only after a successful start)."""

from __future__ import annotations

import json

import pytest
from standin_helpers import is_circle_spa, is_tomcat_error, start_recording_when_prepared, wait_for

PUSH = "/live/rest/v1/media-push"
PUBLISHER_PAGE = "/live/media-push/media-push-publisher.html"
PAGE = "http://127.0.0.1:5080/live/multitrack-play.html?id=room1&muted=false"
BROADCASTS = "/live/rest/v2/broadcasts"
NOT_SET_UP = ("Error message is Expected condition failed: waiting for js return (typeof window.startBroadcasting "
              "!= 'undefined') to be executable")


# ---- the plugin's set-up -------------------------------------------------------------------------

def test_routes_exist_at_once_but_the_publisher_page_only_after_the_set_up(make_standin):
    """A set-up 30 s away (so that no load can make this test see it done): the REST resource exists
    (GET on the POST-only start is 405), the publisher page does not, and a start fails as the browser
    waits in vain for window.startBroadcasting. After a restart with a set-up without delay, it works."""
    ams = make_standin(media_push=True, plugin_setup_delay=30, wait_plugin_setup=False)
    assert is_tomcat_error(ams.call("GET", PUSH + "/start"), 405)
    assert ams.health()["pluginSetup"]["live"] == "pending"
    assert is_tomcat_error(ams.call("GET", PUBLISHER_PAGE), 404)
    status, answer = ams.call("POST", PUSH + "/start?streamId=early", {"url": PAGE})
    assert status == 200 and answer["success"] is False and answer["message"].startswith(NOT_SET_UP)
    assert ams.media_push_sessions() == []
    assert is_tomcat_error(ams.call("GET", BROADCASTS + "/early"), 404)

    ams.set_options(pluginSetupDelay=0)
    ams.restart()
    assert ams.health()["pluginSetup"]["live"] == "done"
    status, page = ams.call("GET", PUBLISHER_PAGE)
    assert status == 200 and "media-push-publisher.js" in page and "media-push-iframe" in page
    assert ams.call("POST", PUSH + "/start?streamId=later", {"url": PAGE})[1]["success"] is True


def test_the_publisher_page_appears_after_the_set_up_delay(make_standin):
    """The default kind of start: the page is polled until it answers 200 (no timing asserted)."""
    ams = make_standin(media_push=True, plugin_setup_delay=0.5, wait_plugin_setup=False)
    wait_for(lambda: ams.call("GET", PUBLISHER_PAGE)[0] == 200, what="the publisher page")
    assert ams.health()["pluginSetup"] == {"live": "done", "LiveApp": "done", "WebRTCAppEE": "done"}
    assert ams.call("POST", PUSH + "/start?streamId=p", {"url": PAGE})[1]["success"] is True


def test_a_failed_set_up_leaves_the_routes_without_the_page(make_standin):
    """The set-up's failure is only logged: the routes answer, the page never comes, every start fails.
    In a Circle app the missing page is the SPA with 200: a status alone does not say "ready"."""
    ams = make_standin(media_push=True, plugin_setup_fails=True, app_kinds={"Conference": "circle"})
    assert ams.health()["pluginSetup"]["live"] == "failed"
    assert is_tomcat_error(ams.call("GET", PUSH + "/start"), 405)
    assert is_tomcat_error(ams.call("GET", PUBLISHER_PAGE), 404)
    assert is_circle_spa(ams.call("GET", "/Conference/media-push/media-push-publisher.html"))
    assert is_tomcat_error(ams.call("GET", "/Conference/rest/v1/media-push/start"), 405)
    answer = ams.call("POST", PUSH + "/start?streamId=x", {"url": PAGE})[1]
    assert answer["success"] is False and answer["message"].startswith(NOT_SET_UP)
    # It fails again at each restart while the option holds; cleared, the next restart sets it up.
    ams.restart()
    assert ams.health()["pluginSetup"]["live"] == "failed"
    ams.set_options(pluginSetupFails=False)
    ams.restart()
    assert ams.health()["pluginSetup"]["live"] == "done"
    assert ams.call("GET", PUBLISHER_PAGE)[0] == 200


def test_the_page_written_by_an_earlier_start_stays(make_standin):
    """extractFile overwrites the file in place: the page of a previous start answers before the new set-up."""
    ams = make_standin(media_push=True)
    assert ams.call("GET", PUBLISHER_PAGE)[0] == 200
    ams.set_options(pluginSetupDelay=30)
    ams.wait_plugin_setup = False
    ams.restart()
    assert ams.health()["pluginSetup"]["live"] == "pending"
    assert ams.call("GET", PUBLISHER_PAGE)[0] == 200


# ---- "couldn't be started" while the pushed stream is prepared -----------------------------------

def test_recording_cannot_start_while_a_pushed_stream_is_prepared(make_standin):
    """Within the prepare window (30 s here, so no load can end it early) recording/true answers as for a
    stream that records already, for mp4 and webm, and the fields stay 0; after it, the start succeeds and
    only then mp4Enabled is 1."""
    ams = make_standin(media_push=True, push_prepare_window=30)
    assert ams.call("POST", PUSH + "/start?streamId=push1", {"url": PAGE})[1]["success"] is True
    for record_type in ("mp4", "webm"):
        assert ams.call("PUT", BROADCASTS + "/push1/recording/true?recordType=" + record_type)[1] == {
            "success": False, "message": "%s recording couldn't be started" % record_type, "dataId": None,
            "errorId": 0}
    pushed = ams.call("GET", BROADCASTS + "/push1")[1]
    assert (pushed["mp4Enabled"], pushed["webMEnabled"]) == (0, 0)
    assert not list(ams.streams_dir().glob("push1*"))

    ams.set_options(pushPrepareWindow=0)
    started = ams.call("PUT", BROADCASTS + "/push1/recording/true")[1]
    assert started["success"] is True and len(started["dataId"]) == 24
    assert ams.call("GET", BROADCASTS + "/push1")[1]["mp4Enabled"] == 1


def test_a_plain_publisher_is_not_held_by_the_prepare_window(make_standin):
    ams = make_standin(push_prepare_window=30)
    ams.publish("cam1")
    assert ams.call("PUT", BROADCASTS + "/cam1/recording/true")[1]["success"] is True


def test_a_client_retrying_gets_the_recording_with_the_default_window(standin_push):
    """With the server's default window (0.5 s), a client that retries gets its recording started."""
    assert standin_push.call("POST", PUSH + "/start?streamId=push2", {"url": PAGE})[1]["success"] is True
    assert start_recording_when_prepared(standin_push, "push2")["success"] is True
    assert standin_push.call("GET", BROADCASTS + "/push2")[1]["mp4Enabled"] == 1


# ---- stale pushes -----------------------------------------------------------------------------------

@pytest.fixture
def stale(make_standin):
    ams = make_standin(media_push=True, stale_stop_hang=30)
    answer = ams.stale_push("old-push")
    assert answer["success"] is True
    return ams


def test_a_stale_push_broadcast_reads_terminated_unexpectedly_with_this_node_as_driver(stale):
    broadcast = stale.call("GET", BROADCASTS + "/old-push")[1]
    assert broadcast["status"] == "terminated_unexpectedly"
    assert json.loads(broadcast["metaData"]) == {"driverIp": "127.0.0.1"}
    assert broadcast["originAdress"] == "127.0.0.1" and broadcast["zombi"] is True
    assert stale.media_push_sessions() == []
    assert stale.call("GET", BROADCASTS + "/active-live-stream-count")[1] == {"number": 0}


def test_the_plugins_stop_of_a_stale_push_hangs(stale):
    """No session here, driverIp is this node: the plugin forwards the stop to itself with no timeout.
    The client gets no answer within its own timeout (1 s here; the stand-in holds it 30 s)."""
    with pytest.raises(OSError):   # a socket timeout
        stale.call("POST", PUSH + "/stop/old-push", timeout=1)
    assert stale.call("GET", BROADCASTS + "/old-push")[1]["status"] == "terminated_unexpectedly"   # unchanged


def test_the_hang_is_bounded_then_the_connection_closes_unanswered(make_standin):
    ams = make_standin(media_push=True, stale_stop_hang=0.2)
    ams.stale_push("old-push")
    with pytest.raises(OSError):   # the connection closed without a response
        ams.call("POST", PUSH + "/stop/old-push", timeout=30)
    assert ams.call("GET", "/_lab/health")[0] == 200


def test_broadcast_stop_ends_a_stale_push(stale):
    """POST /v2/broadcasts/{id}/stop ends it: the zombi push broadcast is removed (a broadcast created
    beforehand would be finished); a second stop finds nothing live."""
    assert stale.call("POST", BROADCASTS + "/old-push/stop")[1] == {
        "success": True, "message": "", "dataId": "", "errorId": 0}
    assert is_tomcat_error(stale.call("GET", BROADCASTS + "/old-push"), 404)
    stale.call("POST", BROADCASTS + "/create", {"streamId": "made", "name": "Made"})
    stale.stale_push("made")
    assert stale.call("GET", BROADCASTS + "/made")[1]["status"] == "terminated_unexpectedly"
    assert stale.call("POST", BROADCASTS + "/made/stop")[1]["success"] is True
    made = stale.call("GET", BROADCASTS + "/made")[1]
    assert (made["status"], made["name"], made["zombi"]) == ("finished", "Made", False)
    assert stale.call("POST", BROADCASTS + "/made/stop")[1]["success"] is False


def test_a_stale_push_cannot_be_made_for_a_live_stream(stale):
    stale.publish("live1")
    assert stale.stale_push("live1")["success"] is False
    assert stale.call("GET", BROADCASTS + "/live1")[1]["status"] == "broadcasting"
