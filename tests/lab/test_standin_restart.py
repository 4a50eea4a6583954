# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract: restart semantics ("Layout of a server", "Media Push plugin" and issue 2). Broadcasts and VoDs
persist in the data folder; at start the broadcast store is reset (zombi broadcasts removed, the others of
this node finished with their viewer counts zeroed); media push sessions and recordings in progress are
lost (the in-progress file too, and no VoD comes of it); plugins are loaded only at start. Each case runs
with a real process restart (SIGTERM, new process on the same root) and with the lab's /_lab/restart."""

from __future__ import annotations

import json
import time

import pytest

from standin_helpers import is_tomcat_error, media_duration, vods, wait_vods

BROADCASTS = "/live/rest/v2/broadcasts"
PUSH = "/live/rest/v1/media-push"
PAGE = "http://127.0.0.1:5080/live/multitrack-play.html?id=room1&muted=false"
RESTARTS = ["process", "lab"]


def restart(ams, kind):
    if kind == "process":
        assert ams.stop() == 0   # SIGTERM, as systemd stops the service: a clean exit
        ams.start()
    else:
        ams.restart()


def get(ams, stream_id, app="live"):
    return ams.call("GET", "/%s/rest/v2/broadcasts/%s" % (app, stream_id))


def record(ams, stream_id, state):
    status, body = ams.call("PUT", BROADCASTS + "/%s/recording/%s" % (stream_id, state))
    assert status == 200
    return body


@pytest.mark.parametrize("kind", RESTARTS)
def test_broadcasts_and_vods_persist_and_are_reset(make_standin, kind):
    ams = make_standin()
    ams.call("POST", BROADCASTS + "/create", {"streamId": "made", "name": "Made", "description": "kept"})
    ams.call("POST", BROADCASTS + "/create", {"streamId": "idle", "name": "Idle"})
    ams.call("POST", "/LiveApp/rest/v2/broadcasts/create", {"streamId": "other-app"})
    ams.publish("made")
    ams.publish("zombi1")                                    # made by its publisher: a zombi broadcast
    ams.publish("remote1", originAdress="10.77.0.99")        # a stream of another cluster node
    ams.lab("POST", "/_lab/apps/live/broadcasts/made/viewers", {"webRTC": 3, "hls": 2, "dash": 1, "rtmp": 1})
    made = get(ams, "made")[1]
    assert (made["status"], made["webRTCViewerCount"], made["anyoneWatching"]) == ("broadcasting", 3, True)
    # A finished recording: a VoD with its file.
    ams.publish("rec")
    record(ams, "rec", "true")
    time.sleep(1.0)
    record(ams, "rec", "false")
    [vod] = wait_vods(ams, "rec")
    assert ams.call("GET", BROADCASTS + "/active-live-stream-count")[1] == {"number": 4}

    restart(ams, kind)

    status, made = get(ams, "made")
    assert status == 200
    assert made["status"] == "finished" and made["name"] == "Made" and made["description"] == "kept"
    assert [made[key] for key in ("webRTCViewerCount", "hlsViewerCount", "dashViewerCount", "rtmpViewerCount")] \
        == [0, 0, 0, 0]
    assert made["anyoneWatching"] is False
    assert get(ams, "idle")[1]["status"] == "finished"       # every broadcast of this node, even never started
    assert is_tomcat_error(get(ams, "zombi1"), 404)
    assert is_tomcat_error(get(ams, "rec"), 404)             # a zombi too
    assert get(ams, "other-app", "LiveApp")[1]["status"] == "finished"
    remote = get(ams, "remote1")[1]                          # another node's broadcast is not this node's to reset
    assert remote["originAdress"] == "10.77.0.99" and remote["zombi"] is True
    assert ams.call("GET", BROADCASTS + "/active-live-stream-count")[1] == {"number": 1}   # only the remote one
    assert {broadcast["status"] for broadcast in ams.call("GET", BROADCASTS + "/list/0/50")[1]
            if broadcast["streamId"] != "remote1"} == {"finished"}
    # The VoD and its file are still there, unchanged.
    assert vods(ams, "rec") == [vod]
    assert ams.call("GET", "/live/rest/v2/vods/count")[1] == {"number": 1}
    assert media_duration(ams.streams_dir() / vod["vodName"]) == pytest.approx(vod["duration"] / 1000, abs=0.3)
    # The data folder holds them (JSON documents under ROOT/data/APP/).
    ams.flush()
    stored = json.loads((ams.server_root() / "data" / "live" / "broadcasts.json").read_text())
    assert {broadcast["streamId"] for broadcast in stored} == {"made", "idle", "remote1"}
    assert [entry["vodId"] for entry in json.loads((ams.server_root() / "data" / "live" / "vods.json").read_text())] \
        == [vod["vodId"]]


@pytest.mark.parametrize("kind", RESTARTS)
def test_a_recording_in_progress_is_lost(make_standin, kind):
    ams = make_standin()
    ams.call("POST", BROADCASTS + "/create", {"streamId": "cam1", "name": "Camera"})
    ams.publish("cam1")
    started = record(ams, "cam1", "true")
    assert started["success"] is True
    in_progress = ams.streams_dir() / "cam1.mp4.tmp_extension"
    assert in_progress.exists()
    time.sleep(0.5)

    restart(ams, kind)

    assert not in_progress.exists()
    assert not (ams.streams_dir() / "cam1.mp4").exists()
    assert vods(ams, "cam1") == []
    cam = get(ams, "cam1")[1]
    assert cam["status"] == "finished"
    assert cam["mp4Enabled"] == 1       # the per-stream setting stays: the next stream records again
    # Nothing records any more: a stop now only stores the per-stream setting, as for any stream that
    # is not live, and a new stream records into a fresh file that becomes the only VoD.
    assert record(ams, "cam1", "false") == {"success": True, "message": None, "dataId": None, "errorId": 0}
    ams.publish("cam1")
    assert record(ams, "cam1", "true")["success"] is True
    record(ams, "cam1", "false")
    [vod] = wait_vods(ams, "cam1")
    assert vod["vodName"] == "cam1.mp4" and vod["vodId"] != started["dataId"]
    assert not in_progress.exists()


@pytest.mark.parametrize("kind", RESTARTS)
def test_media_push_sessions_are_lost(make_standin, kind):
    ams = make_standin(media_push=True)
    ams.call("POST", BROADCASTS + "/create", {"streamId": "made-push", "name": "Pushed"})
    for stream_id in ("push1", "made-push"):
        assert ams.call("POST", PUSH + "/start?streamId=" + stream_id, {"url": PAGE})[1]["success"] is True
    assert len(ams.media_push_sessions()) == 2

    restart(ams, kind)

    assert ams.media_push_sessions() == []
    assert is_tomcat_error(get(ams, "push1"), 404)           # the push's zombi broadcast is gone
    assert get(ams, "made-push")[1]["status"] == "finished"
    assert json.loads(get(ams, "made-push")[1]["metaData"]) == {"driverIp": "127.0.0.1"}
    assert ams.call("POST", PUSH + "/stop/push1")[1] == {
        "success": False, "message": "Driver does not exist for stream id: push1", "dataId": "", "errorId": 0}
    # The same ids can be pushed again (no "already exists").
    assert ams.call("POST", PUSH + "/start?streamId=push1", {"url": PAGE})[1]["success"] is True
    assert get(ams, "push1")[1]["status"] == "broadcasting"


def test_media_push_routes_appear_only_after_a_process_restart(make_standin):
    """The jar copied into plugins/ does nothing until the service restarts; removed, the routes go at
    the next restart."""
    ams = make_standin()
    assert ams.call("POST", PUSH + "/start?streamId=a", {"url": PAGE})[0] == 404
    jar = ams.install_media_push_jar()
    assert ams.call("POST", PUSH + "/start?streamId=a", {"url": PAGE})[0] == 404
    assert ams.call("POST", PUSH + "/stop/a")[0] == 404
    assert ams.health()["plugins"] == []

    restart(ams, "process")

    assert ams.health()["plugins"] == ["media-push.jar"]
    assert ams.call("POST", PUSH + "/start?streamId=a", {"url": PAGE})[1]["success"] is True
    assert ams.call("POST", PUSH + "/stop/a")[1]["success"] is True

    jar.unlink()
    assert ams.call("POST", PUSH + "/stop/nothing")[0] == 200    # still loaded until the next restart
    restart(ams, "process")
    assert ams.health()["plugins"] == []
    assert ams.call("POST", PUSH + "/stop/nothing")[0] == 404


@pytest.mark.parametrize("kind", RESTARTS)
def test_settings_persist(make_standin, kind):
    ams = make_standin()
    ams.set_app_settings(mp4MuxingEnabled=True, remoteAllowedCIDR="127.0.0.1,127.0.0.2")
    restart(ams, kind)
    ams.publish("auto")                       # the application default records every new stream
    assert (ams.streams_dir() / "auto.mp4.tmp_extension").exists()
    assert get(ams, "auto")[1]["mp4Enabled"] == 1
