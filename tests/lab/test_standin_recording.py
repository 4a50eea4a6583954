"""Contract: recording (PUT .../recording/{true|false}) and VoDs (/{APP}/rest/v2/vods)."""

from __future__ import annotations

import re
import time

from standin_helpers import logged_span, media_codecs, media_duration, vods, wait_for, wait_vods

BROADCASTS = "/live/rest/v2/broadcasts"


def record(ams, stream_id, state, query=""):
    status, body = ams.call("PUT", "%s/%s/recording/%s%s" % (BROADCASTS, stream_id, state, query))
    assert status == 200
    return body


def broadcast(ams, stream_id):
    return ams.call("GET", "%s/%s" % (BROADCASTS, stream_id))[1]


def test_unexpected_record_type(standin):
    standin.publish("cam1")
    assert record(standin, "cam1", "true", "?recordType=mkv") == {
        "success": False, "message": "No stream for this id: cam1 or unexpected record type. Record type is null",
        "dataId": None, "errorId": 0}


def test_missing_broadcast_has_no_message(standin):
    body = record(standin, "nothing", "true")
    assert body["success"] is False
    assert body["message"] in (None, "")


def test_not_broadcasting_stores_the_per_stream_setting(standin):
    standin.call("POST", BROADCASTS + "/create", {"streamId": "cam1"})
    assert record(standin, "cam1", "true") == {"success": True, "message": None, "dataId": None, "errorId": 0}
    assert broadcast(standin, "cam1")["mp4Enabled"] == 1
    assert record(standin, "cam1", "false", "?recordType=webm")["success"] is True
    assert broadcast(standin, "cam1")["webMEnabled"] == -1
    assert record(standin, "cam1", "false")["success"] is True
    assert broadcast(standin, "cam1")["mp4Enabled"] == -1
    assert not list(standin.streams_dir().iterdir())  # nothing recorded


def test_per_stream_setting_applies_when_the_stream_starts(standin):
    standin.call("POST", BROADCASTS + "/create", {"streamId": "cam1", "name": "Camera"})
    record(standin, "cam1", "true")
    standin.publish("cam1")
    # Already recording since it started: asking again is refused, stopping works.
    assert record(standin, "cam1", "true")["message"] == "mp4 recording couldn't be started"
    stopped = record(standin, "cam1", "false")
    assert stopped["success"] is True
    assert stopped["dataId"] is None  # a muxer started with the stream has no VoD id yet
    [vod] = wait_vods(standin, "cam1")
    assert len(vod["vodId"]) == 24 and vod["streamName"] == "Camera"


def test_start_and_stop_recording_makes_a_vod_with_a_real_file(standin):
    standin.call("POST", BROADCASTS + "/create", {"streamId": "cam1", "name": "Camera 1", "description": "front"})
    standin.publish("cam1")
    before = int(time.time() * 1000)
    seq = standin.last_seq()
    started = record(standin, "cam1", "true")
    assert started["success"] is True
    assert re.fullmatch(r"[A-Za-z0-9]{24}", started["dataId"])
    assert abs(int(started["message"]) - before) < 5000  # the recording's timestamp (ms)
    assert broadcast(standin, "cam1")["mp4Enabled"] == 1
    assert (standin.streams_dir() / "cam1.mp4.tmp_extension").exists()  # the file being written

    assert record(standin, "cam1", "true") == {"success": False, "message": "mp4 recording couldn't be started",
                                               "dataId": None, "errorId": 0}
    time.sleep(2.0)  # a recording of at least 2 s (a loaded machine makes it longer, never shorter)
    stopped = record(standin, "cam1", "false")
    recorded_seconds = logged_span(standin, seq, "/cam1/recording/true", "/cam1/recording/false")  # server clock
    assert recorded_seconds >= 2.0
    assert stopped == {"success": True, "message": started["message"], "dataId": started["dataId"], "errorId": 0}
    assert broadcast(standin, "cam1")["mp4Enabled"] == -1
    assert record(standin, "cam1", "false")["message"] == "mp4 recording couldn't be stopped"

    [vod] = wait_vods(standin, "cam1")
    path = standin.streams_dir() / "cam1.mp4"
    assert vod["vodId"] == started["dataId"]
    assert vod["vodName"] == "cam1.mp4" and vod["filePath"] == "streams/cam1.mp4"
    assert vod["streamId"] == "cam1" and vod["streamName"] == "Camera 1" and vod["description"] == "front"
    assert vod["type"] == "streamVod"
    assert vod["fileSize"] == path.stat().st_size > 0
    assert abs(vod["duration"] / 1000 - recorded_seconds) < 0.5
    assert abs(media_duration(path) - recorded_seconds) < 0.5
    assert media_codecs(path) == ["h264", "aac"]
    assert vod["startTime"] >= before and vod["creationDate"] >= vod["startTime"]
    assert not (standin.streams_dir() / "cam1.mp4.tmp_extension").exists()
    # GET one VoD; a missing id is a 200 with an empty VoD.
    assert standin.call("GET", "/live/rest/v2/vods/" + vod["vodId"])[1] == vod
    status, missing = standin.call("GET", "/live/rest/v2/vods/nothing")
    assert status == 200 and missing["vodId"] is None and missing["duration"] == 0


def test_webm_recording(standin):
    standin.publish("cam1")
    seq = standin.last_seq()
    started = record(standin, "cam1", "true", "?recordType=webm")
    assert started["success"] is True
    assert broadcast(standin, "cam1")["webMEnabled"] == 1
    time.sleep(1.0)  # at least 1 s
    assert record(standin, "cam1", "false", "?recordType=webm")["success"] is True
    recorded_seconds = logged_span(standin, seq, "/cam1/recording/true", "/cam1/recording/false")
    [vod] = wait_vods(standin, "cam1")
    assert vod["vodName"] == "cam1.webm"
    path = standin.streams_dir() / "cam1.webm"
    assert media_codecs(path) == ["vp8", "opus"]
    assert abs(media_duration(path) - recorded_seconds) < 0.5


def test_sub_second_recording_is_a_valid_file(standin):
    standin.publish("cam1")
    record(standin, "cam1", "true")
    record(standin, "cam1", "false")
    [vod] = wait_vods(standin, "cam1")
    path = standin.streams_dir() / vod["vodName"]
    assert media_duration(path) < 0.5
    assert media_codecs(path) == ["h264", "aac"]


def test_file_name_is_sanitised_and_capped(standin):
    standin.publish("cam1")
    started = record(standin, "cam1", "true", "?fileName=team%2Fweekly%5Cmeeting.mp4")
    assert started["success"] is True
    assert started["message"] == "0"  # a muxer given its name never sets its timestamp
    record(standin, "cam1", "false")
    assert wait_vods(standin, "cam1")[0]["vodName"] == "team_weekly_meeting.mp4"

    record(standin, "cam1", "true", "?fileName=" + "x" * 200)
    record(standin, "cam1", "false")
    names = {vod["vodName"] for vod in wait_vods(standin, "cam1", 2)}
    assert "x" * 120 + ".mp4" in names


def test_a_name_in_use_gets_a_number(standin):
    standin.publish("cam1")
    for _ in range(3):
        record(standin, "cam1", "true")
        record(standin, "cam1", "false")
    names = sorted(vod["vodName"] for vod in wait_vods(standin, "cam1", 3))
    assert names == ["cam1.mp4", "cam1_1.mp4", "cam1_2.mp4"]


def test_resolution_height(standin):
    standin.call("POST", BROADCASTS + "/create", {"streamId": "cam1", "name": "Camera"})
    standin.publish("cam1", height=720)
    # Another height than the stream's: a VoD id and success, but nothing records (MuxAdaptor.addMuxer).
    phantom = record(standin, "cam1", "true", "?resolutionHeight=360")
    assert phantom["success"] is True and phantom["message"] == "0" and len(phantom["dataId"]) == 24
    assert record(standin, "cam1", "false", "?resolutionHeight=360")["message"] == "mp4 recording couldn't be stopped"

    assert record(standin, "cam1", "true", "?resolutionHeight=720")["success"] is True
    assert record(standin, "cam1", "true")["message"] == "mp4 recording couldn't be started"
    record(standin, "cam1", "false")
    [vod] = wait_vods(standin, "cam1")
    assert vod["vodName"] == "cam1_720p.mp4" and vod["streamName"] == "Camera (720p)"
    assert standin.call("GET", BROADCASTS + "/cam1/recording/true?resolutionHeight=abc")[0] == 405
    assert standin.call("PUT", BROADCASTS + "/cam1/recording/true?resolutionHeight=abc")[0] == 404


def test_application_default_records_every_new_stream(standin):
    standin.set_app_settings(mp4MuxingEnabled=True)
    standin.call("POST", BROADCASTS + "/create", {"streamId": "opted-out", "mp4Enabled": -1})
    standin.publish("cam1")
    standin.publish("opted-out")
    assert broadcast(standin, "cam1")["mp4Enabled"] == 1
    assert record(standin, "cam1", "true")["message"] == "mp4 recording couldn't be started"
    assert record(standin, "opted-out", "true")["success"] is True  # it was not recording
    time.sleep(0.5)
    standin.unpublish("cam1")  # the stream's end finishes its recording
    standin.unpublish("opted-out")
    [vod] = wait_vods(standin, "cam1")
    assert len(vod["vodId"]) == 24 and vod["streamName"] == "cam1.mp4"  # no broadcast name: the file's
    assert abs(media_duration(standin.streams_dir() / "cam1.mp4") - vod["duration"] / 1000) < 0.2
    assert len(wait_vods(standin, "opted-out")) == 1
    assert standin.call("GET", BROADCASTS + "/cam1")[0] == 404  # a zombi broadcast goes when it ends


def test_room_main_track_cannot_record(standin):
    standin.join("room1", "p1")
    assert broadcast(standin, "room1")["status"] == "broadcasting"
    assert record(standin, "room1", "true") == {"success": False, "message": "mp4 recording couldn't be started",
                                                "dataId": None, "errorId": 0}


def test_stream_on_another_node(standin):
    standin.publish("remote1", originAdress="10.9.8.7")
    assert record(standin, "remote1", "true")["message"] == (
        "Please send mp4 recording request to 10.9.8.7 node or send request in a stopped status.")
    assert record(standin, "remote1", "false")["message"] == "mp4 recording couldn't be stopped"


def test_vod_list_count_sort_filter_search(standin):
    for stream_id in ("b-stream", "a-stream"):
        standin.publish(stream_id)
        record(standin, stream_id, "true")
        record(standin, stream_id, "false")
        wait_vods(standin, stream_id)
    assert standin.call("GET", "/live/rest/v2/vods/count")[1] == {"number": 2}
    assert standin.call("GET", "/live/rest/v2/vods/count/a-str")[1] == {"number": 1}

    def names(query):
        return [vod["vodName"] for vod in standin.call("GET", "/live/rest/v2/vods/list/0/50" + query)[1]]

    assert names("?sort_by=name&order_by=asc") == ["a-stream.mp4", "b-stream.mp4"]
    assert names("?sort_by=date&order_by=desc") == ["a-stream.mp4", "b-stream.mp4"]
    assert names("?streamId=b-stream") == ["b-stream.mp4"]
    assert names("?search=A-STREAM") == ["a-stream.mp4"]
    assert names("?sort_by=name&order_by=asc&search=stream") == ["a-stream.mp4", "b-stream.mp4"]
    assert len(vods(standin)) == 2
    assert standin.call("GET", "/live/rest/v2/vods/list/1/1?sort_by=name&order_by=asc")[1][0]["vodName"] == "b-stream.mp4"


def test_stop_then_restart_of_a_stream_records_again(standin):
    standin.call("POST", BROADCASTS + "/create", {"streamId": "cam1"})
    record(standin, "cam1", "true")
    for _ in range(2):
        standin.publish("cam1")
        wait_for(lambda: (standin.streams_dir() / "cam1.mp4.tmp_extension").exists() or
                 (standin.streams_dir() / "cam1_1.mp4.tmp_extension").exists(), what="recording")
        standin.unpublish("cam1")
    assert len(wait_vods(standin, "cam1", 2)) == 2
    assert broadcast(standin, "cam1")["status"] == "finished"
