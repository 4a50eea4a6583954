# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""media_push through ansible-playbook against one stand-in process (each test uses rooms of its own)."""

from __future__ import annotations

import json
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

READS = ("GET", "HEAD")


def media_duration(path):
    output = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                             str(path)], check=True, capture_output=True, text=True).stdout
    return float(output.strip())


def connection(ams):
    return {"url": ams.base_url(), "app": "live"}


def session_of(ams, stream_id):
    sessions = [session for session in ams.media_push_sessions() if session["streamId"] == stream_id]
    return sessions[0] if sessions else None


def assert_vod_is_a_real_recording(ams, vod, recorded_at_least):
    path = ams.streams_dir("live").parent / vod["filePath"]
    seconds = media_duration(path)
    assert abs(seconds - vod["duration"] / 1000.0) < 0.5, (seconds, vod["duration"])
    assert seconds >= recorded_at_least - 0.5
    assert path.stat().st_size == vod["fileSize"]


def server_time(ams, seq, method, path_end):
    """When the server logged the last matching request after seq (its own clock, not the test's)."""
    times = [entry["time"] for entry in ams.requests(seq) if entry["method"] == method
             and entry["path"].endswith(path_end) and entry["status"] == 200]
    assert times, (method, path_end)
    return times[-1]


def wait_for_server_seconds(ams, since, seconds):
    """Poll the server's clock (its request log) until `seconds` passed since `since` on that clock."""
    while True:
        seq = ams.last_seq()
        ams.call("GET", "/live/rest/v2/broadcasts/count")
        if ams.requests(seq)[-1]["time"] - since >= seconds:
            return
        time.sleep(0.1)


def test_room_recording_lifecycle(standin_shared, run_task):
    ams = standin_shared
    ams.join("board", "alice")
    ams.join("board", "bob")
    args = dict(connection(ams), room="board", record_type="mp4")

    seq = ams.last_seq()
    predicted = run_task("media_push", args, check=True, diff=True)
    assert predicted["changed"] is True and predicted["state"] == "started"
    assert predicted["diff"]["before"]["state"] == "stopped"
    assert predicted["diff"]["after"]["state"] == "started" and predicted["diff"]["after"]["recording"] == ["mp4"]
    assert ams.writes(seq) == [] and ams.media_push_sessions() == []

    seq = ams.last_seq()
    started = run_task("media_push", args, diff=True)
    assert started["changed"] is True, started
    assert started["stream_id"] == "board_composite" and started["recording"] == ["mp4"]
    assert started["broadcast"]["status"] == "broadcasting" and started["broadcast"]["mp4Enabled"] == 1
    # MP4 set on a broadcast created before the push (the server reads it when the stream starts), then the push
    # without a recordType: no recording request, so none to re-ask while the server prepares the new stream
    writes = [(entry["method"], entry["path"], entry["query"]) for entry in ams.writes(seq)]
    assert writes == [("POST", "/live/rest/v2/broadcasts/create", ""),
                      ("POST", "/live/rest/v1/media-push/start", "streamId=board_composite")]
    # the stream records from its start, inside the blocking push start; the server logs that request when it
    # answers, so its logged time is when the recording began (the module's later reads would add their own delay)
    recording_since = server_time(ams, seq, "POST", "/media-push/start")
    session = session_of(ams, "board_composite")
    assert session["recordType"] is None and (session["width"], session["height"]) == (1280, 720)
    page = urlsplit(session["url"])
    assert page.path == "/live/multitrack-play.html"
    assert parse_qs(page.query) == {"id": ["board"], "muted": ["false"]}

    seq = ams.last_seq()
    again = run_task("media_push", args, diff=True)
    assert again["changed"] is False and again["state"] == "started"
    assert again["diff"]["before"] == again["diff"]["after"]
    assert ams.writes(seq) == []

    seq = ams.last_seq()
    assert run_task("media_push", args, check=True)["changed"] is False
    stop_predicted = run_task("media_push", dict(args, state="stopped"), check=True, diff=True)
    assert stop_predicted["changed"] is True and stop_predicted["diff"]["after"]["state"] == "stopped"
    assert ams.writes(seq) == []  # reads, and the plugin's session check (a script returning a constant)
    assert session_of(ams, "board_composite") is not None

    wait_for_server_seconds(ams, recording_since, 2.0)
    seq = ams.last_seq()
    stopped = run_task("media_push", dict(args, state="stopped"), diff=True)
    # the recording's length on the server's clock: from the recording start it accepted to the stop it got
    recorded = server_time(ams, seq, "POST", "/media-push/stop/board_composite") - recording_since
    assert stopped["changed"] is True and stopped["state"] == "stopped" and stopped["broadcast"]["status"] == "finished"
    assert [entry["path"] for entry in ams.writes(seq)] == ["/live/rest/v1/media-push/stop/board_composite"]
    assert len(stopped["vods"]) == 1
    assert session_of(ams, "board_composite") is None

    listed = run_task("vod_info", dict(connection(ams), stream_id="board_composite"))
    assert listed["count"] == 1 and listed["vods"][0]["vodId"] == stopped["vods"][0]["vodId"]
    vod = listed["vods"][0]
    assert vod["vodName"].endswith(".mp4") and vod["type"] == "streamVod"
    assert_vod_is_a_real_recording(ams, vod, recorded_at_least=2.0)
    # both ends on one clock; a second of slack for the cut to the next key frame
    assert vod["duration"] / 1000.0 <= recorded + 1.0

    seq = ams.last_seq()
    assert run_task("media_push", dict(args, state="stopped"))["changed"] is False
    assert ams.writes(seq) == []


def test_circle_recording_is_found_and_stopped(standin_shared, run_task):
    ams = standin_shared
    ams.join("weekly", "carol")
    assert ams.circle_record("weekly")["success"] is True
    seq = ams.last_seq()
    ams.call("GET", "/live/rest/v2/broadcasts/count")
    circle_started = ams.requests(seq)[-1]["time"]  # the server's clock, after Circle's recording started
    args = dict(connection(ams), room="weekly", record_type="mp4", page="circle")

    seq = ams.last_seq()
    found = run_task("media_push", args)
    assert found["changed"] is False and found["state"] == "started"
    assert found["stream_id"] == "weekly_composite" and found["recording"] == ["mp4"]  # from Circle's mark
    assert ams.writes(seq) == []

    info = run_task("broadcast_info", dict(connection(ams), stream_id="weekly_composite"))
    assert info["broadcasts"][0]["is_media_push"] is True and info["broadcasts"][0]["recording"] == ["mp4"]

    wait_for_server_seconds(ams, circle_started, 1.5)
    seq = ams.last_seq()
    stopped = run_task("media_push", dict(connection(ams), room="weekly", state="stopped"))
    assert stopped["changed"] is True and len(stopped["vods"]) == 1
    # the push is stopped, then Circle's flag on the room says so (as Circle's own Stop writes it)
    assert [entry["path"] for entry in ams.writes(seq)] == ["/live/rest/v1/media-push/stop/weekly_composite",
                                                            "/live/rest/v2/broadcasts/weekly"]
    assert stopped["room_is_recording"] is False
    status, room = ams.call("GET", "/live/rest/v2/broadcasts/weekly")
    assert status == 200 and json.loads(room["metaData"]) == {"isRecording": False}
    assert session_of(ams, "weekly_composite") is None
    assert_vod_is_a_real_recording(ams, stopped["vods"][0], recorded_at_least=1.5)


def test_a_running_push_is_never_restarted(standin_shared, run_task):
    ams = standin_shared
    ams.join("lobby", "dave")
    args = dict(connection(ams), room="lobby")
    assert run_task("media_push", args)["changed"] is True
    first_start = session_of(ams, "lobby_composite")["startTime"]

    seq = ams.last_seq()
    other = run_task("media_push", dict(args, width=1920, height=1080, page="circle"))
    assert other["changed"] is False
    assert "keeps its parameters" in other.stdout and "width 1280 (asked 1920)" in other.stdout
    assert ams.writes(seq) == []
    assert session_of(ams, "lobby_composite")["startTime"] == first_start

    assert run_task("media_push", dict(args, state="stopped"))["changed"] is True


def test_push_recording_with_fields_at_zero_is_not_taken_for_not_recording(standin_shared, run_task):
    """A push started with a recordType (not by Circle) records while mp4Enabled says 0."""
    ams = standin_shared
    ams.join("side", "erin")
    status, answer = ams.call("POST", "/live/rest/v1/media-push/start?streamId=side_composite",
                              {"url": ams.url("/live/multitrack-play.html?id=side"), "width": 1280, "height": 720,
                               "recordType": "mp4"})
    assert status == 200 and answer["success"] is True
    args = dict(connection(ams), room="side", record_type="mp4")

    predicted = run_task("media_push", args, check=True)
    assert predicted["changed"] is True and "cannot be read" in predicted.stdout  # said, not assumed

    seq = ams.last_seq()
    asked = run_task("media_push", args)
    # "couldn't be started" and a field at 0: maybe recording, never counted as started
    assert asked["changed"] is False and asked["recording"] == [] and "mp4" in asked["recording_unknown"]
    assert "does not read 1" in asked.stdout
    assert [entry["path"] for entry in ams.writes(seq)] == ["/live/rest/v2/broadcasts/side_composite/recording/true"]

    stopped = run_task("media_push", dict(args, state="stopped"))
    assert stopped["changed"] is True and len(stopped["vods"]) == 1  # one recording, not two


def test_merge_and_custom_pages(standin_shared, run_task):
    ams = standin_shared
    ams.join("design", "frank")
    merged = run_task("media_push", dict(connection(ams), room="design", page="merge", stream_id="design-merge"))
    assert merged["changed"] is True
    session = session_of(ams, "design-merge")
    assert parse_qs(urlsplit(session["url"]).query) == {"roomName": ["design"], "streamId": ["design_merged"]}
    assert any(entry["path"] == "/live/rest/v1/media-push/send-command" for entry in ams.writes())

    custom = run_task("media_push", dict(connection(ams), stream_id="signage", page_url="https://example.com/board?x=1",
                                         width=640, height=360, extra_chrome_switches=["--mute-audio"]))
    assert custom["changed"] is True
    session = session_of(ams, "signage")
    assert session["url"] == "https://example.com/board?x=1"
    assert (session["width"], session["height"], session["extraChromeSwitches"]) == (640, 360, "--mute-audio")
    for stream_id in ("design-merge", "signage"):
        assert run_task("media_push", dict(connection(ams), stream_id=stream_id, state="stopped"))["changed"] is True


def test_stopping_a_plain_publisher_is_refused(standin_shared, run_task):
    ams = standin_shared
    ams.publish("camera7")
    seq = ams.last_seq()
    refused = run_task("media_push", dict(connection(ams), stream_id="camera7", state="stopped"))
    assert refused["failed"] is True
    assert refused["msg"] == ("%s app live stream camera7: stream id camera7 taken by another publisher (it is "
                              "broadcasting, but this server's Media Push plugin holds no session for it); not stopped "
                              "(a push driven by another cluster node is stopped there)" % ams.base_url())
    assert ams.writes(seq) == []
    status, broadcast = ams.call("GET", "/live/rest/v2/broadcasts/camera7")
    assert status == 200 and broadcast["status"] == "broadcasting"


def test_plugin_not_loaded(make_standin, run_task):
    ams = make_standin()  # no media-push.jar in plugins/
    failed = run_task("media_push", dict(connection(ams), room="r1"))
    assert failed["failed"] is True
    assert failed["msg"] == (
        "%s app live room r1 (stream r1_composite): the Media Push plugin is not loaded in app live on this server "
        "(HTTP 404 on v1/media-push/start): install it with the mediaops.antmedia.media_push_plugin role, then "
        "restart the server" % ams.base_url())


def test_server_refusal_is_reported_in_one_line(standin_shared, run_task):
    ams = standin_shared
    ams.lab("POST", "/_lab/apps/live/media-push/faults", {"failNextStart": "net::ERR_CONNECTION_REFUSED"})
    failed = run_task("media_push", dict(connection(ams), room="broken"))
    assert failed["failed"] is True
    assert failed["msg"] == ("%s app live room broken (stream broken_composite): the Media Push start failed: Error "
                             "message is net::ERR_CONNECTION_REFUSED" % ams.base_url())
    assert json.dumps(failed.result).count("\\n") == 0
