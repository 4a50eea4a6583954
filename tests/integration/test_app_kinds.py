# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 14: the modules' flows against a `sample` app and a `circle` app, on the 2.x and the 3.x shape, through
ansible-playbook and real HTTP to a stand-in that answers "not found" as real servers do (Tomcat's HTML 404 pages;
200 pages inside a Circle app)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

# as tests/conftest.py's stand-ins: the clips encoded once, a short push start
STANDIN_MEDIA_CACHE = Path(__file__).resolve().parents[2] / ".work" / "ams-standin-media"
STANDIN_PUSH_START_DELAY = 0.2

ROOM = "board"
PUSH = ROOM + "_composite"
SHAPES = [("sample", "2.17.1"), ("sample", "3.0.1"), ("circle", "2.17.1"), ("circle", "3.0.1")]
SHAPE_IDS = ["%s-%s" % shape for shape in SHAPES]
STREAM_SECRET = "stream-secret-of-the-conference-app-0123"


def standin_options(kind, version, **extra):
    return dict(app_kinds={"live": kind}, server_version=version, **extra)


@pytest.fixture(scope="module", params=SHAPES, ids=SHAPE_IDS)
def shaped(request, tmp_path_factory):
    """A stand-in with the plugin whose app `live` is of the given kind, answering as the given version."""
    from ams_standin.harness import Standin  # pylint: disable=import-outside-toplevel

    kind, version = request.param
    ams = Standin(root=tmp_path_factory.mktemp("ams-%s-%s" % (kind, version)), media_push=True,
                  push_start_delay=STANDIN_PUSH_START_DELAY, media_cache=STANDIN_MEDIA_CACHE,
                  **standin_options(kind, version)).start()
    yield kind, version, ams
    ams.close()


def connection(ams, app="live"):
    return {"url": ams.base_url(), "app": app}


def page_for(kind):
    return "circle" if kind == "circle" else "multitrack"


def writes(ams, seq):
    return [(entry["method"], entry["path"]) for entry in ams.writes(seq)]


def room_flag(ams):
    status, room = ams.call("GET", "/live/rest/v2/broadcasts/" + ROOM)
    assert status == 200, room
    return json.loads(room.get("metaData") or "{}").get("isRecording")


def test_start_rerun_check_stop_with_vod(shaped, run_task):
    kind, version, ams = shaped
    ams.join(ROOM, "alice")
    ams.join(ROOM, "bob")
    args = dict(connection(ams), room=ROOM, record_type="mp4", page=page_for(kind))

    seq = ams.last_seq()
    predicted = run_task("media_push", args, check=True)
    assert predicted["changed"] is True and predicted["state"] == "started" and ams.writes(seq) == []

    seq = ams.last_seq()
    started = run_task("media_push", args)
    assert started.get("failed") is not True, started.result
    assert started["changed"] is True and started["recording"] == ["mp4"]
    assert started["broadcast"]["mp4Enabled"] == 1  # counted as started because the server says so
    session = [item for item in ams.media_push_sessions() if item["streamId"] == PUSH][0]
    # the page the server's browser shows is the room, in either kind of app
    assert session["page"]["shows"] == "room" and session["page"]["room"] == ROOM, session
    if kind == "circle":
        assert session["url"].endswith("/live/board?playOnly=true&enterDirectly=true&token=")
        assert started["room_is_recording"] is True and room_flag(ams) is True
        assert writes(ams, seq)[-1] == ("PUT", "/live/rest/v2/broadcasts/" + ROOM)
    else:
        assert "room_is_recording" not in started.result and room_flag(ams) is None

    seq = ams.last_seq()
    again = run_task("media_push", args)
    assert again["changed"] is False and ams.writes(seq) == []
    checked = run_task("media_push", args, check=True)
    assert checked["changed"] is False and ams.writes(seq) == []

    info = run_task("broadcast_info", dict(connection(ams), stream_id=ROOM))
    room = info["broadcasts"][0]
    assert room["participants"] == ["alice", "bob"] and room["active_participants"] == ["alice", "bob"]
    asked = [entry["path"] for entry in ams.requests(seq)]
    # participants by version: 3.x's subtrack endpoint, 2.x's subTrackStreamIds (that endpoint does not exist there)
    assert any("/%s/subtracks/" % ROOM in path for path in asked) is version.startswith("3.")

    seq = ams.last_seq()
    stopped = run_task("media_push", dict(connection(ams), room=ROOM, state="stopped", vod_timeout=20))
    assert stopped.get("failed") is not True, stopped.result
    # created beforehand with its MP4 setting: the broadcast stays, finished (a push's own one would be removed)
    assert stopped["changed"] is True and stopped["state"] == "stopped"
    assert stopped["broadcast"]["status"] == "finished" and stopped["broadcast"]["mp4Enabled"] == 1
    assert len(stopped["vods"]) == 1 and stopped["vods"][0]["streamId"] == PUSH
    expected = [("POST", "/live/rest/v1/media-push/stop/" + PUSH)]
    if kind == "circle":
        expected.append(("PUT", "/live/rest/v2/broadcasts/" + ROOM))
        assert room_flag(ams) is False
    assert writes(ams, seq) == expected

    seq = ams.last_seq()
    assert run_task("media_push", dict(connection(ams), room=ROOM, state="stopped"))["changed"] is False
    assert ams.writes(seq) == []


def test_missing_stream_is_a_missing_stream(shaped, run_task):
    kind, _version, ams = shaped
    seq = ams.last_seq()
    recording = run_task("broadcast_recording", dict(connection(ams), stream_id="ghost"))
    assert recording["failed"] is True
    assert recording["msg"] == ("%s app live stream ghost: there is no broadcast ghost: start its stream (or its Media "
                                "Push) first, then its recording" % ams.base_url())
    assert run_task("broadcast_info", dict(connection(ams), stream_id="ghost"))["broadcasts"] == []
    assert ams.writes(seq) == []
    # the server really answered "not found" the way of its kind: an HTML 404, or Circle's 200 page
    status, body = ams.call("GET", "/live/rest/v2/broadcasts/ghost")
    assert status == (200 if kind == "circle" else 404) and "<html" in body.lower()


def test_unknown_app_is_named(shaped, run_task):
    _kind, _version, ams = shaped
    for module, extra in (("media_push", {"room": ROOM}), ("broadcast_recording", {"stream_id": PUSH})):
        failed = run_task(module, dict(connection(ams, app="Nope"), **extra))
        assert failed["failed"] is True, module
        assert "there is no application Nope on this server" in failed["msg"], failed["msg"]


def test_server_info_reports_version_and_readiness(shaped, run_task):
    kind, version, ams = shaped
    info = run_task("server_info", dict(url=ams.base_url(), apps=["live"]))
    assert info["version_name"] == version and info["ready"] is True
    assert info["apps"]["live"]["media_push_loaded"] is True and info["apps"]["live"]["media_push_ready"] is True
    assert info["media_push_ready"] is True


@pytest.mark.parametrize("kind, version", SHAPES, ids=SHAPE_IDS)
def test_plugin_missing(make_standin, run_task, kind, version):
    ams = make_standin(**standin_options(kind, version))  # no media-push.jar
    failed = run_task("media_push", dict(connection(ams), room="r1"))
    assert failed["failed"] is True
    shown = "HTTP 404" if kind == "sample" else "HTTP 200, a page instead of JSON,"
    assert failed["msg"] == (
        "%s app live room r1 (stream r1_composite): the Media Push plugin is not loaded in app live on this server "
        "(%s on v1/media-push/start): install it with the mediaops.antmedia.media_push_plugin role, then restart "
        "the server" % (ams.base_url(), shown))
    if kind == "circle":  # the plugin's routes answer Circle's 200 page: not loaded
        info = run_task("server_info", dict(url=ams.base_url(), apps=["live"]))
        assert info["apps"]["live"]["media_push_loaded"] is False
        assert info["apps"]["live"]["media_push_ready"] is False


def test_loaded_is_not_ready_until_the_publisher_page_is_there(make_standin, run_task):
    ams = make_standin(media_push=True, plugin_setup_fails=True, **standin_options("circle", "3.0.1"))
    info = run_task("server_info", dict(url=ams.base_url(), apps=["live"]))
    # Circle answers the missing page with its own 200 page: still not ready
    assert info["apps"]["live"]["media_push_loaded"] is True and info["apps"]["live"]["media_push_ready"] is False
    assert info["media_push_ready"] is False


def test_circle_push_with_a_minted_publish_token_on_an_old_server(make_standin, run_task):
    """2.10.0: a PUT replaces the whole room broadcast, so the flag is written with the room's other fields."""
    ams = make_standin(media_push=True, **standin_options("circle", "2.10.0"))
    ams.set_app_settings(publishJwtControlEnabled=True, jwtStreamSecretKey=STREAM_SECRET)
    ams.join("weekly", "carol")
    ams.join("weekly", "dan")
    args = dict(connection(ams), room="weekly", page="circle", record_type="mp4", stream_jwt_secret=STREAM_SECRET)
    started = run_task("media_push", args, verbosity=3, diff=True)
    assert started.get("failed") is not True, started.result
    assert started["changed"] is True and started["recording"] == ["mp4"] and started["room_is_recording"] is True
    session = [item for item in ams.media_push_sessions() if item["streamId"] == "weekly_composite"][0]
    assert session["token"]  # the publish JWT the server accepted
    assert STREAM_SECRET not in started.stdout and session["token"] not in started.stdout
    status, room = ams.call("GET", "/live/rest/v2/broadcasts/weekly")
    assert json.loads(room["metaData"]) == {"isRecording": True}
    assert sorted(room["subTrackStreamIds"]) == ["carol", "dan"]  # not reset by the whole-broadcast PUT
    assert run_task("media_push", args)["changed"] is False


def test_a_stale_push_is_ended_by_the_server(make_standin, run_task):
    ams = make_standin(media_push=True, stale_stop_hang=600, **standin_options("sample", "3.0.1"))
    ams.stale_push("old_composite")
    seq = ams.last_seq()
    stopped = run_task("media_push", dict(connection(ams), stream_id="old_composite", state="stopped", timeout=30))
    assert stopped.get("failed") is not True, stopped.result
    assert stopped["changed"] is True and stopped["state"] == "stopped"
    # never the plugin's stop (it would hang, forwarding to driverIp)
    assert writes(ams, seq) == [("POST", "/live/rest/v2/broadcasts/old_composite/stop")]


def test_an_in_flight_start_is_waited_for_not_doubled(make_standin, run_task):
    ams = make_standin(media_push=True, push_start_delay=6.0)
    ams.join("late", "erin")
    other = threading.Thread(target=ams.call, args=(
        "POST", "/live/rest/v1/media-push/start?streamId=late_composite",
        {"url": ams.url("/live/multitrack-play.html?id=late&muted=false"), "width": 1280, "height": 720}),
        kwargs={"timeout": 60})
    other.start()
    try:
        # poll until the other start holds the session (its broadcast is not broadcasting yet)
        deadline = time.monotonic() + 30
        while not any(item["streamId"] == "late_composite" for item in ams.media_push_sessions()):
            assert time.monotonic() < deadline, "the other start never opened its session"
            time.sleep(0.05)
        seq = ams.last_seq()
        result = run_task("media_push", dict(connection(ams), room="late"))
    finally:
        other.join(60)
    assert result.get("failed") is not True, result.result
    assert result["changed"] is False and result["state"] == "started"
    assert "started by someone else meanwhile" in result.stdout and "stop it" not in result.stdout
    starts = [entry for entry in ams.requests(0) if entry["path"].endswith("/media-push/start")]
    assert len(starts) == 2  # the other one, and ours refused as "already exists": never a third
    assert [item["streamId"] for item in ams.media_push_sessions()] == ["late_composite"]  # one browser
    assert [item["streamId"] for item in ams.media_push_sessions()] == ["late_composite"]
