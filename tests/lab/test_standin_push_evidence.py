# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract (issue 28): what tells the Media Push plugin's own push from a publisher's stream, and a push started on an
id that is already being published.

- docs/server-contract.md, "Who published a stream": metaData is the publisher's; the plugin's session map is not.
  Source: ant-media/Plugins MediaPushPlugin/src/main/java/io/antmedia/plugin/MediaPushPlugin.java, sendCommand (no
  driver: Result(false, "Driver does not exist for stream id: " + id); with one: Result(true, streamId, value)), and
  rest/MediaPushRestService.java (streamId and jsCommand checked first).
- docs/server-contract.md, "Media Push plugin" (an id already being
  published): startMediaPush holds the driver while it waits TIMEOUT_IN_SECONDS = 30 for
  window.isConnected, then clearAndQuit answers "Error message is " + Selenium's TimeoutException message
  (ExpectedConditions.jsReturnsValue: "js %s to be executable").
"""

from __future__ import annotations

import json
import threading
import time

from standin_helpers import wait_for

PUSH = "/live/rest/v1/media-push"
PAGE = "http://127.0.0.1:5080/live/multitrack-play.html?id=room1&muted=false"


def command(ams, stream_id, script):
    status, body = ams.call("POST", PUSH + "/send-command?streamId=" + stream_id, {"jsCommand": script})
    assert status == 200, body
    return body


def test_only_the_plugins_session_answers_the_session_check(make_standin):
    ams = make_standin(media_push=True)
    ams.join("room1", "p1")
    forged = ams.publish("forged_composite", metaData=json.dumps({"driverIp": "127.0.0.1"}))
    assert forged["success"] is True
    assert command(ams, "forged_composite", "return 0") == {
        "success": False, "message": "Driver does not exist for stream id: forged_composite", "dataId": "",
        "errorId": 0}
    status, started = ams.call("POST", PUSH + "/start?streamId=room1_composite", {"url": PAGE})
    assert status == 200 and started["success"] is True
    seq = ams.last_seq()
    # Result(true, streamId, obj.toString()): the stream id in dataId, the script's value in message
    assert command(ams, "room1_composite", "return 0") == {"success": True, "message": "0",
                                                           "dataId": "room1_composite", "errorId": 0}
    assert ams.writes(seq) == []  # a script returning a constant changes nothing: not counted as a write
    command(ams, "room1_composite", "document.title = 'x'")
    assert [entry["path"] for entry in ams.writes(seq)] == [PUSH + "/send-command"]  # any other script is one
    # the checks the REST service makes before asking the plugin
    assert ams.call("POST", PUSH + "/send-command", {"jsCommand": "return 0"})[1]["message"] == (
        "streamId query parameter is mandatory.")
    assert ams.call("POST", PUSH + "/send-command?streamId=room1_composite", {"jsCommand": ""})[1]["message"] == (
        "jsCommand is mandatory.")


def test_the_connect_wait_is_the_plugins_30_s_unless_the_lab_shortens_it(make_standin):
    ams = make_standin(media_push=True)
    assert ams.lab("GET", "/_lab/options")["pushConnectTimeout"] == 30.0
    assert ams.set_options(pushConnectTimeout=0.5)["pushConnectTimeout"] == 0.5


def test_a_push_on_an_id_already_being_published_fails_after_the_plugins_wait(make_standin):
    ams = make_standin(media_push=True, push_connect_timeout=1.5)
    assert ams.publish("busy", metaData=None)["success"] is True
    answers = []

    def start():
        began = time.monotonic()
        answers.append(ams.call("POST", PUSH + "/start?streamId=busy", {"url": PAGE}, timeout=60))
        answers.append(time.monotonic() - began)

    other = threading.Thread(target=start)
    other.start()
    try:
        # the driver is held during the wait: a second start is told the session exists
        wait_for(lambda: ams.media_push_sessions(), what="the waiting session")
        status, second = ams.call("POST", PUSH + "/start?streamId=busy", {"url": PAGE})
        assert second == {"success": False, "errorId": 0, "dataId": "",
                          "message": "Session with the same streamId: busy already exists. Please stop it first"}
    finally:
        other.join(60)
    (status, answer), waited = answers
    assert status == 200 and answer["success"] is False and waited >= 1.5  # never at once
    assert answer["message"] == ("Error message is Expected condition failed: waiting for js return "
                                 "window.isConnected('busy') to be executable (tried for 30 second(s) with 500 "
                                 "milliseconds interval)")
    assert ams.media_push_sessions() == []
    status, broadcast = ams.call("GET", "/live/rest/v2/broadcasts/busy")
    assert broadcast["status"] == "broadcasting" and not broadcast.get("metaData")  # still the publisher's
