# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 28: Circle's recording flag follows every recording of a room in the same run (docs/server-contract.md, "Circle
recording flag and publish token"), through ansible-playbook and real HTTP to a Circle app on the 2.x and the 3.x shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

STANDIN_MEDIA_CACHE = Path(__file__).resolve().parents[2] / ".work" / "ams-standin-media"
STANDIN_PUSH_START_DELAY = 0.2
VERSIONS = ["2.17.1", "3.0.1"]


@pytest.fixture(scope="module", params=VERSIONS)
def circle(request, tmp_path_factory):
    from ams_standin.harness import Standin  # pylint: disable=import-outside-toplevel

    ams = Standin(root=tmp_path_factory.mktemp("circle-%s" % request.param), media_push=True,
                  push_start_delay=STANDIN_PUSH_START_DELAY, media_cache=STANDIN_MEDIA_CACHE,
                  app_kinds={"live": "circle"}, server_version=request.param).start()
    yield ams
    ams.close()


def connection(ams):
    return {"url": ams.base_url(), "app": "live"}


def room_flag(ams, room):
    status, body = ams.call("GET", "/live/rest/v2/broadcasts/" + room)
    assert status == 200, body
    return json.loads(body.get("metaData") or "{}").get("isRecording")


def record(run_task, ams, room, **extra):
    return run_task("media_push", dict(connection(ams), room=room, page="circle", record_type="mp4", **extra))


def test_stopped_by_circle_then_recorded_again(circle, run_task):
    ams = circle
    ams.join("daily", "alice")
    first = record(run_task, ams, "daily")
    assert first.get("failed") is not True, first.result
    assert first["room_is_recording"] is True and room_flag(ams, "daily") is True
    ams.circle_stop("daily")  # Circle's Stop button: the push stops, the flag is written false
    assert room_flag(ams, "daily") is False
    again = record(run_task, ams, "daily")
    assert again.get("failed") is not True, again.result
    assert again["changed"] is True and again["recording"] == ["mp4"]
    assert again["room_is_recording"] is True and room_flag(ams, "daily") is True  # in the same run
    seq = ams.last_seq()
    rerun = record(run_task, ams, "daily")
    assert rerun["changed"] is False and ams.writes(seq) == []


def test_stopped_by_the_module_then_recorded_again(circle, run_task):
    ams = circle
    ams.join("weekly", "bob")
    assert record(run_task, ams, "weekly")["room_is_recording"] is True
    stopped = run_task("media_push", dict(connection(ams), room="weekly", state="stopped", vod_timeout=0))
    assert stopped["changed"] is True and room_flag(ams, "weekly") is False
    again = record(run_task, ams, "weekly")
    assert again.get("failed") is not True, again.result
    assert again["changed"] is True and again["room_is_recording"] is True and room_flag(ams, "weekly") is True
    seq = ams.last_seq()
    assert record(run_task, ams, "weekly")["changed"] is False and ams.writes(seq) == []


def test_room_recordings_writes_the_flag_on_every_recording(circle, run_task):
    ams = circle
    ams.join("standup", "carol")
    ams.join("retro", "dan")
    wanted = [{"room": "standup", "page": "circle", "record_type": "mp4"},
              {"room": "retro", "page": "circle", "record_type": "mp4"}]
    args = dict(connection(ams), recordings=wanted)
    first = run_task("room_recordings", args)
    assert first.get("failed") is not True, first.result
    assert room_flag(ams, "standup") is True and room_flag(ams, "retro") is True
    ams.circle_stop("standup")
    again = run_task("room_recordings", args)
    assert again.get("failed") is not True, again.result
    assert again["changed"] is True and room_flag(ams, "standup") is True and room_flag(ams, "retro") is True
    seq = ams.last_seq()
    rerun = run_task("room_recordings", args)
    assert rerun["changed"] is False and ams.writes(seq) == []


def test_without_record_type_the_flag_says_whether_the_push_records(circle, run_task):
    """media_push without record_type leaves the recording alone; the flag is made to say what the server says of
    the push's recording (Circle's UI writes false even when its stop failed, so a running recording can read
    false)."""
    ams = circle
    ams.join("townhall", "erin")
    assert record(run_task, ams, "townhall")["room_is_recording"] is True
    status, _body = ams.call("PUT", "/live/rest/v2/broadcasts/townhall", {"metaData": '{"isRecording":false}'})
    assert status == 200
    plain = dict(connection(ams), room="townhall", page="circle")
    repaired = run_task("media_push", plain)
    assert repaired["changed"] is True and repaired["room_is_recording"] is True and room_flag(ams, "townhall") is True
    seq = ams.last_seq()
    assert run_task("media_push", plain)["changed"] is False and ams.writes(seq) == []
    # a new push without record_type: whether it records is the app's default, which a stream's fields do not show
    # (recording_unknown): the flag is not invented either way
    ams.join("lobby", "frank")
    started = run_task("media_push", dict(connection(ams), room="lobby", page="circle"))
    assert started["changed"] is True and started["recording"] == [] and started["recording_unknown"]
    assert "room_is_recording" not in started.result and room_flag(ams, "lobby") is None
    seq = ams.last_seq()
    assert run_task("media_push", dict(connection(ams), room="lobby", page="circle"))["changed"] is False
    assert ams.writes(seq) == []
