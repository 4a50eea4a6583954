# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 28: a room's push is ours only when the server's Media Push plugin holds a session for it (its send-command
answers "Driver does not exist" otherwise: docs/server-contract.md, "Who published a stream"; MediaPushPlugin.java,
sendCommand). A forged ROOM_composite with driverIp in its metaData is never recorded nor stopped, on a sample and a
Circle app, 2.x and 3.x shapes."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

STANDIN_MEDIA_CACHE = Path(__file__).resolve().parents[2] / ".work" / "ams-standin-media"
SHAPES = [("sample", "2.17.1"), ("sample", "3.0.1"), ("circle", "2.17.1"), ("circle", "3.0.1")]


@pytest.fixture(scope="module", params=SHAPES, ids=["%s-%s" % shape for shape in SHAPES])
def shaped(request, tmp_path_factory):
    from ams_standin.harness import Standin  # pylint: disable=import-outside-toplevel

    kind, version = request.param
    ams = Standin(root=tmp_path_factory.mktemp("evidence-%s-%s" % (kind, version)), media_push=True,
                  push_start_delay=0.2, media_cache=STANDIN_MEDIA_CACHE, app_kinds={"live": kind},
                  server_version=version).start()
    yield kind, ams
    ams.close()


def forge(ams, stream_id):
    """A publisher streams under the push's id with the plugin's metaData (WebRTC publishers set metaData)."""
    published = ams.publish(stream_id, metaData=json.dumps({"driverIp": "127.0.0.1"}))
    assert published["success"] is True, published


def test_a_forged_room_composite_is_named_and_the_other_rooms_are_recorded(shaped, run_task):
    kind, ams = shaped
    page = "circle" if kind == "circle" else "multitrack"
    for room, person in (("north", "ann"), ("south", "ben"), ("east", "cat")):
        ams.join(room, person)
    forge(ams, "south_composite")
    seq = ams.last_seq()
    wanted = [{"room": room, "page": page, "record_type": "mp4"} for room in ("north", "south", "east")]
    result = run_task("room_recordings", dict(url=ams.base_url(), app="live", recordings=wanted))
    assert result["failed"] is True and "1 of 3 rooms not converged" in result["msg"]
    lines = [line for line in result["msg"].splitlines() if "south" in line]
    assert len(lines) == 1 and "stream id south_composite taken by another publisher" in lines[0]
    assert [(room["room"], room["recording"]) for room in result["rooms"]] == [
        ("north", ["mp4"]), ("south", []), ("east", ["mp4"])]
    assert "south" not in result["started"] + result.get("recorded", [])
    touched = [entry["path"] for entry in ams.writes(seq) if "south" in entry["path"]]
    assert touched == []  # never a recording request, never a flag, never a stop on the forged stream
    status, forged = ams.call("GET", "/live/rest/v2/broadcasts/south_composite")
    assert status == 200 and forged["mp4Enabled"] == 0 and forged["status"] == "broadcasting"
    assert sorted(item["streamId"] for item in ams.media_push_sessions()) == ["east_composite", "north_composite"]


@pytest.mark.parametrize("state", ["started", "stopped"])
def test_media_push_refuses_a_forged_push_in_one_line(shaped, run_task, state):
    kind, ams = shaped
    stream_id = "west%s_composite" % state
    forge(ams, stream_id)
    seq = ams.last_seq()
    args = dict(url=ams.base_url(), app="live", room="west" + state, state=state, record_type="mp4",
                page="circle" if kind == "circle" else "multitrack")
    result = run_task("media_push", args)
    assert result["failed"] is True and "\n" not in result["msg"]
    assert "room west%s: stream id %s taken by another publisher" % (state, stream_id) in result["msg"]
    assert ams.writes(seq) == []  # no plugin stop either: it would forward to the forged driverIp
    ams.unpublish(stream_id)


def test_an_id_taken_while_the_start_runs_is_named_after_the_plugins_wait(make_standin, run_task):
    """The plugin holds the session and waits (TIMEOUT_IN_SECONDS, shortened here by the lab's pushConnectTimeout) for
    the page's stream, which the server refuses while the id is published; then it fails with Selenium's timeout
    (docs/server-contract.md, "Media Push plugin"). One line names the room and the publisher, and
    the MP4 setting the run stored on the id is withdrawn."""
    ams = make_standin(media_push=True, push_start_delay=1.5, push_connect_timeout=1.0, app_kinds={"live": "sample"},
                       server_version="3.0.1")
    ams.join("race", "gus")
    results = []
    runner = threading.Thread(target=lambda: results.append(run_task("media_push", dict(
        url=ams.base_url(), app="live", room="race", record_type="mp4"))))
    runner.start()
    try:
        deadline = time.monotonic() + 60
        while not ams.media_push_sessions():  # our start is on its way: someone publishes the id meanwhile
            assert time.monotonic() < deadline, "the start never opened its session"
            time.sleep(0.05)
        assert ams.publish("race_composite")["success"] is True
    finally:
        runner.join(120)
    result = results[0]
    assert result["failed"] is True and "\n" not in result["msg"]
    assert "room race: stream id race_composite taken by another publisher" in result["msg"]
    assert "30 s wait" in result["msg"] and "mp4 setting this run stored on it was withdrawn" in result["msg"]
    status, broadcast = ams.call("GET", "/live/rest/v2/broadcasts/race_composite")
    assert broadcast["status"] == "broadcasting" and broadcast["mp4Enabled"] == -1
    assert ams.media_push_sessions() == []
