# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract cases not covered by the other stand-in test files: the layout and defaults of a server,
several applications, counts, the status terminated_unexpectedly, the empty VoD of a missing id, the
shape of Result objects ("" or null, AMS 2.9+), and recordings made cheaply (one encode per source clip
and media cache, then stream copies)."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from ams_standin.__main__ import parse_arguments

from standin_helpers import logged_span, media_codecs, media_duration, vods, wait_for, wait_vods

BROADCASTS = "/live/rest/v2/broadcasts"
RESULT_KEYS = {"success", "message", "dataId", "errorId"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    from conftest import _standin  # pylint: disable=import-outside-toplevel
    ams = _standin(tmp_path_factory.mktemp("ams-more")).start()
    yield ams
    ams.close()


def count(ams, path, app="live"):
    status, body = ams.call("GET", "/%s/rest/v2/%s" % (app, path))
    assert status == 200 and set(body) == {"number"}, body
    return body["number"]


# ---- layout and defaults ------------------------------------------------------------------------

def test_ports_and_install_folder_defaults():
    arguments = parse_arguments([])
    assert (arguments.port, arguments.tls_port) == (5080, 5443)
    assert str(arguments.root) == "/usr/local/antmedia"
    assert arguments.apps.split(",") == ["live", "LiveApp", "WebRTCAppEE"]
    assert arguments.addresses == ["0.0.0.0"]
    assert parse_arguments(["--listen", "127.0.0.1-127.0.0.3"]).addresses == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]


def test_a_fresh_server_has_the_install_layout(shared):
    root = shared.server_root()
    assert (root / "plugins").is_dir() and not list((root / "plugins").iterdir())
    for app in ("live", "LiveApp", "WebRTCAppEE"):
        assert (root / "webapps" / app / "streams").is_dir()
    assert shared.health()["apps"] == ["live", "LiveApp", "WebRTCAppEE"]


def test_each_application_has_its_own_rest_root_and_state(shared):
    for app in ("live", "LiveApp", "WebRTCAppEE"):
        status, made = shared.call("POST", "/%s/rest/v2/broadcasts/create" % app, {"streamId": "per-app-" + app})
        assert status == 200 and made["rtmpURL"].endswith("/%s/per-app-%s" % (app, app))
    for app in ("live", "LiveApp", "WebRTCAppEE"):
        ids = [broadcast["streamId"] for broadcast in shared.call("GET", "/%s/rest/v2/broadcasts/list/0/250" % app)[1]]
        assert [stream_id for stream_id in ids if stream_id.startswith("per-app-")] == ["per-app-" + app]


def test_apps_option_names_the_applications_of_a_new_server(make_standin):
    ams = make_standin(apps=("WebRTCAppEE", "Conference"))
    assert sorted(ams.health()["apps"]) == ["Conference", "WebRTCAppEE"]
    assert ams.call("GET", "/Conference/rest/v2/broadcasts/count")[1] == {"number": 0}
    assert ams.call("GET", "/live/rest/v2/broadcasts/count")[0] == 404


# ---- counts -------------------------------------------------------------------------------------

def test_count_and_active_live_stream_count(make_standin):
    ams = make_standin()
    assert count(ams, "broadcasts/count") == 0 and count(ams, "broadcasts/active-live-stream-count") == 0
    ams.call("POST", BROADCASTS + "/create", {"streamId": "made", "name": "Made"})
    ams.call("POST", BROADCASTS + "/create", {"streamId": "other", "name": "Other"})
    ams.publish("made")
    ams.publish("zombi1")
    ams.join("room1", "p1")                  # a participant, and the room's virtual main track
    assert count(ams, "broadcasts/count") == 5
    assert count(ams, "broadcasts/active-live-stream-count") == 4
    assert count(ams, "broadcasts/count/zomb") == 1                    # count with a search text
    assert count(ams, "broadcasts/count", "LiveApp") == 0               # per application
    ams.leave("room1", "p1")                 # the zombi participant and its zombi room go
    ams.unpublish("zombi1")
    assert count(ams, "broadcasts/count") == 2
    assert count(ams, "broadcasts/active-live-stream-count") == 1
    ams.call("DELETE", BROADCASTS + "/made")
    assert count(ams, "broadcasts/count") == 1
    assert count(ams, "broadcasts/active-live-stream-count") == 0
    assert count(ams, "vods/count") == 0


# ---- terminated_unexpectedly --------------------------------------------------------------------

def test_a_stream_not_updated_for_20_seconds_is_terminated_unexpectedly(shared):
    shared.call("POST", BROADCASTS + "/create", {"streamId": "stuck", "name": "Stuck"})
    shared.publish("stuck")
    shared.publish("fresh")
    active = count(shared, "broadcasts/active-live-stream-count")
    shared.lab("POST", "/_lab/apps/live/broadcasts/fresh/stall", {"secondsAgo": 5})
    assert shared.call("GET", BROADCASTS + "/fresh")[1]["status"] == "broadcasting"   # 5 s: still live

    assert shared.lab("POST", "/_lab/apps/live/broadcasts/stuck/stall", {"secondsAgo": 25})["success"] is True
    stuck = shared.call("GET", BROADCASTS + "/stuck")[1]
    assert stuck["status"] == "terminated_unexpectedly"
    assert [broadcast["status"] for broadcast in shared.call("GET", BROADCASTS + "/list/0/250")[1]
            if broadcast["streamId"] == "stuck"] == ["terminated_unexpectedly"]
    assert count(shared, "broadcasts/active-live-stream-count") == active - 1
    # Not broadcasting as far as recording goes: only the per-stream setting is stored.
    assert shared.call("PUT", BROADCASTS + "/stuck/recording/true")[1] == {
        "success": True, "message": None, "dataId": None, "errorId": 0}
    assert shared.call("GET", BROADCASTS + "/stuck")[1]["mp4Enabled"] == 1
    assert not (shared.streams_dir() / "stuck.mp4.tmp_extension").exists()
    # When the publisher's connection finally closes, the broadcast is finished as usual.
    shared.unpublish("stuck")
    assert shared.call("GET", BROADCASTS + "/stuck")[1]["status"] == "finished"
    assert shared.lab("POST", "/_lab/apps/live/broadcasts/stuck/stall", {"secondsAgo": 25})["success"] is False
    shared.unpublish("fresh")


def test_a_virtual_room_is_never_terminated_unexpectedly(shared):
    shared.join("vroom", "vp1")
    shared.lab("POST", "/_lab/apps/live/broadcasts/vp1/stall", {"secondsAgo": 60})
    assert shared.call("GET", BROADCASTS + "/vp1")[1]["status"] == "terminated_unexpectedly"
    assert shared.call("GET", BROADCASTS + "/vroom")[1]["status"] == "broadcasting"   # virtual: as stored
    assert shared.call("GET", BROADCASTS + "/vroom")[1]["subTrackStreamIds"] == ["vp1"]  # 2.x: still listed
    shared.leave("vroom", "vp1")


# ---- VoDs ---------------------------------------------------------------------------------------

def test_get_of_a_missing_vod_is_200_with_an_empty_vod(shared):
    """RestServiceBase.getVoD answers `new VoD()`: a JSON object with no value set (nulls and zeros)."""
    status, vod = shared.call("GET", "/live/rest/v2/vods/no-such-vod")
    assert status == 200 and isinstance(vod, dict)
    assert vod["vodId"] is None
    assert not any(vod.values())
    assert shared.call("GET", "/LiveApp/rest/v2/vods/no-such-vod")[0] == 200


# ---- Result objects -----------------------------------------------------------------------------

def test_result_objects_use_empty_strings_or_null_as_ams_does(shared):
    """Result(boolean) has "" message and dataId (AMS 2.9+); the recording endpoint answers a missing
    broadcast, and a stored per-stream setting, with null ones."""
    shared.call("POST", BROADCASTS + "/create", {"streamId": "res1"})
    answers = {
        "stop, not live": shared.call("POST", BROADCASTS + "/res1/stop")[1],
        "stop, missing": shared.call("POST", BROADCASTS + "/nothing/stop")[1],
        "recording, missing": shared.call("PUT", BROADCASTS + "/nothing/recording/true")[1],
        "recording, stored": shared.call("PUT", BROADCASTS + "/res1/recording/true")[1],
        "recording, bad type": shared.call("PUT", BROADCASTS + "/res1/recording/true?recordType=flv")[1],
        "bulk delete, no ids": shared.call("DELETE", BROADCASTS + "?ids=")[1],
    }
    for name, answer in answers.items():
        assert set(answer) == RESULT_KEYS, name
        assert isinstance(answer["success"], bool) and answer["errorId"] == 0, name
    assert answers["stop, not live"] == {"success": False, "message": "", "dataId": "", "errorId": 0}
    assert answers["stop, missing"] == {"success": False, "message": "", "dataId": "", "errorId": 0}
    assert answers["recording, missing"] == {"success": False, "message": None, "dataId": None, "errorId": 0}
    assert answers["recording, stored"] == {"success": True, "message": None, "dataId": None, "errorId": 0}
    assert answers["recording, bad type"]["message"] == \
        "No stream for this id: res1 or unexpected record type. Record type is null"
    assert answers["bulk delete, no ids"] == {"success": False, "message": "ids parameter is blank", "dataId": "",
                                              "errorId": 0}
    # A Result is an HTTP 200 whether it succeeded or not.
    status, deleted = shared.call("DELETE", BROADCASTS + "/res1")
    assert status == 200 and deleted["success"] is True and isinstance(deleted["message"], str)
    status, missing = shared.call("DELETE", BROADCASTS + "/res1")
    assert status == 200 and missing == {"success": False, "message": "", "dataId": "", "errorId": 0}


# ---- recordings made cheaply --------------------------------------------------------------------

def ffmpeg_shim(directory):
    """An ffmpeg that writes its arguments to a log, then runs the real one."""
    log = directory / "ffmpeg-calls.log"
    shim = directory / "ffmpeg"
    real = "/usr/bin/ffmpeg" if os.path.exists("/usr/bin/ffmpeg") else "ffmpeg"
    shim.write_text("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\nexec %s \"$@\"\n" % (log, real))
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return shim, log


def record_for(ams, stream_id, seconds, record_type="mp4"):
    ams.publish(stream_id)
    query = "?recordType=%s" % record_type
    seq = ams.last_seq()
    assert ams.call("PUT", BROADCASTS + "/%s/recording/true%s" % (stream_id, query))[1]["success"] is True
    time.sleep(seconds)  # at least this long
    assert ams.call("PUT", BROADCASTS + "/%s/recording/false%s" % (stream_id, query))[1]["success"] is True
    # how long it recorded on the server's clock, not the test's (a loaded machine stretches the latter)
    return logged_span(ams, seq, "/%s/recording/true" % stream_id, "/%s/recording/false" % stream_id)


def test_recordings_are_cut_from_one_encode_per_media_cache(make_standin, tmp_path):
    """Each source clip is encoded once per media cache; every recording is a stream copy cut from it.
    To stay cheap, the MP4 clip comes from the tests' shared cache when it is there; the WebM clip is
    always encoded afresh here, once, however many WebM recordings follow."""
    from conftest import STANDIN_MEDIA_CACHE  # pylint: disable=import-outside-toplevel
    shim, log = ffmpeg_shim(tmp_path)
    cache = tmp_path / "media-cache"
    cache.mkdir()
    shared_clip = Path(STANDIN_MEDIA_CACHE) / "source-30s.mp4"
    if shared_clip.exists():
        shutil.copy(shared_clip, cache / shared_clip.name)
    missing_clips = 1 if shared_clip.exists() else 2
    ams = make_standin(media_cache=cache, extra_args=("--ffmpeg", str(shim)))
    recorded = {stream_id: record_for(ams, stream_id, seconds, kind)
                for stream_id, seconds, kind in (("a", 1.0, "mp4"), ("b", 0.3, "mp4"), ("c", 1.5, "mp4"),
                                                 ("d", 1.0, "webm"), ("e", 0.5, "webm"))}
    # A missing clip is encoded first (in the background from the start): time for a busy machine.
    wait_for(lambda: len(vods(ams)) == len(recorded), timeout=300, what="the recordings of a fresh media cache")
    for stream_id, seconds in recorded.items():
        [vod] = wait_vods(ams, stream_id)
        path = ams.streams_dir() / vod["vodName"]
        assert media_duration(path) == pytest.approx(seconds, abs=0.5), stream_id
        assert vod["duration"] / 1000 == pytest.approx(seconds, abs=0.5), stream_id
    assert media_codecs(ams.streams_dir() / "d.webm") == ["vp8", "opus"]
    assert media_codecs(ams.streams_dir() / "a.mp4") == ["h264", "aac"]

    calls = log.read_text().splitlines()
    encodes = [call for call in calls if "lavfi" in call]
    cuts = [call for call in calls if "lavfi" not in call]
    assert len(encodes) == missing_clips and any("libvpx" in call for call in encodes)   # once per clip
    assert len(cuts) == len(recorded) and all("-c copy" in call for call in cuts)
    assert not any("libx264" in call or "libvpx" in call for call in cuts)

    # A second process with the same media cache encodes nothing at all.
    log.write_text("")
    other = make_standin(media_cache=cache, extra_args=("--ffmpeg", str(shim)))
    record_for(other, "f", 0.5, "webm")
    wait_vods(other, "f")
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and "-c copy" in calls[0] and "lavfi" not in calls[0]


def test_the_vod_names_the_real_file(shared):
    seconds = record_for(shared, "named", 0.8)
    [vod] = wait_vods(shared, "named")
    path = shared.streams_dir() / vod["vodName"]
    assert vod["filePath"] == "streams/" + vod["vodName"]
    assert vod["fileSize"] == path.stat().st_size
    assert media_duration(path) == pytest.approx(seconds, abs=0.5)
    # The file is served by the application, as AMS serves streams/.
    status, _ = shared.call("GET", "/live/" + vod["filePath"])
    assert status == 200
    assert vod["type"] == "streamVod"
    shared.unpublish("named")
