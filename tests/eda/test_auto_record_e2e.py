# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: stand-in servers send their hooks over HTTP to a real ansible-rulebook running the collection's
rulebook auto_record.yml, whose playbook records and stops the rooms through room_recordings."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from eda_harness import Rulebook, Standin, fleet_inventory, push_starts, push_stops, send_hook, vods_of, wait_until

SERVER = "127.0.0.2"
OTHER_SERVER = "127.0.0.3"
GRACE = 4


@pytest.fixture
def ams(request):
    with Standin(addresses=(SERVER, OTHER_SERVER), media_push=True, push_start_delay=0.2) as standin:
        yield standin


def rulebook(ams, tmp_path, verbosity=0, **host_vars):
    inventory = fleet_inventory(ams, [SERVER, OTHER_SERVER], dict({"auto_record_grace": GRACE}, **host_vars))
    return Rulebook(tmp_path / "eda", inventory, verbosity=verbosity)


def hook_to(ams, eda, *addresses, **settings):
    for address in addresses or (SERVER,):
        ams.set_app_settings(address=address, listenerHookURL=eda.hook_url, **settings)


def test_join_records_leave_stops_after_grace_rejoin_keeps_it(ams, tmp_path):
    with rulebook(ams, tmp_path, verbosity=2) as eda:
        hook_to(ams, eda, SERVER, OTHER_SERVER)
        ams.join("alpha", "alice", address=SERVER)
        wait_until(lambda: "alpha_composite" in push_starts(ams, SERVER), 60, what="alpha recorded")
        assert push_starts(ams, OTHER_SERVER) == {}  # the other server sent nothing about alpha

        # the last participant leaves and another one joins within the grace: the recording goes on
        ams.leave("alpha", "alice", address=SERVER)
        ams.join("alpha", "bob", address=SERVER)
        eda.idle_after("stop", 1)
        assert push_stops(ams, SERVER) == {}

        ams.leave("alpha", "bob", address=SERVER)
        left_at = time.time()
        wait_until(lambda: "alpha_composite" in push_stops(ams, SERVER), 60, what="alpha stopped")
        eda.idle_after("stop", 2)
        starts, stops = push_starts(ams, SERVER), push_stops(ams, SERVER)
        assert len(starts["alpha_composite"]) == 1 and len(stops["alpha_composite"]) == 1
        assert stops["alpha_composite"][0] - left_at >= GRACE  # both times from this machine's clock
        assert len(wait_until(lambda: vods_of(ams, "alpha_composite", SERVER), 30, what="alpha's VoD")) == 1
        log = eda.log()
    assert eda.secret not in log and eda.secret not in ams.log()


def test_without_room_hooks_streams_tell_the_room(ams, tmp_path, monkeypatch):
    """A server without firstActiveTrackAddedInMainTrack: liveStreamStarted/Ended with roomId drive it; the
    recording push's own liveStreamStarted (no room) is no participant."""
    ams.stop()
    monkeypatch.setenv("AMS_STANDIN_ROOM_HOOKS", "0")
    ams.start()
    with rulebook(ams, tmp_path) as eda:
        hook_to(ams, eda, OTHER_SERVER, webhookContentType="application/x-www-form-urlencoded")
        ams.join("beta", "carol", address=OTHER_SERVER)
        wait_until(lambda: "beta_composite" in push_starts(ams, OTHER_SERVER), 60, what="beta recorded")
        eda.idle_after("start", 1)
        assert push_starts(ams, OTHER_SERVER) == {"beta_composite": push_starts(ams, OTHER_SERVER)["beta_composite"]}
        assert len(push_starts(ams, OTHER_SERVER)["beta_composite"]) == 1
        ams.leave("beta", "carol", address=OTHER_SERVER)
        wait_until(lambda: "beta_composite" in push_stops(ams, OTHER_SERVER), 60, what="beta stopped")
        assert push_starts(ams, SERVER) == {} and push_stops(ams, SERVER) == {}


def test_burst_of_200_rooms(ams, tmp_path):
    # ten rooms named by digits: the rulebook must keep them text on the way to the playbook (stops included)
    rooms = ["burst-%03d" % index for index in range(190)] + ["%d" % (700000 + index) for index in range(10)]
    with rulebook(ams, tmp_path, auto_record_start_concurrency=32) as eda:
        hook_to(ams, eda)
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda room: ams.join(room, room + "-p", address=SERVER), rooms))
        wait_until(lambda: len(push_starts(ams, SERVER)) == 200, 120, 0.5, what="200 rooms recorded")
        eda.idle_after("start", 1)
        starts = push_starts(ams, SERVER)
        assert sorted(starts) == sorted(room + "_composite" for room in rooms)
        assert all(len(times) == 1 for times in starts.values())
        assert eda.playbook_runs("start") <= 2
        # everyone leaves at once, while a second start run may still be pending or running: the action plugin's
        # per-server lock makes the stop run read the server only after every start run's pushes exist
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda room: ams.leave(room, room + "-p", address=SERVER), rooms))
        wait_until(lambda: len(push_stops(ams, SERVER)) == 200, 300, 0.5, what="200 rooms stopped")
        eda.idle_after("stop", 1)
        stops, starts = push_stops(ams, SERVER), push_starts(ams, SERVER)
        assert all(len(times) == 1 for times in stops.values()), {k: v for k, v in stops.items() if len(v) > 1}
        assert all(len(times) == 1 for times in starts.values()), {
            k: (v, stops.get(k)) for k, v in starts.items() if len(v) > 1}
        assert eda.playbook_runs("start") <= 2


def test_duplicated_reordered_and_hostile_hooks(ams, tmp_path):
    with rulebook(ams, tmp_path) as eda:
        hook_to(ams, eda)
        ams.join("gamma", "dave", address=SERVER)
        wait_until(lambda: "gamma_composite" in push_starts(ams, SERVER), 60, what="gamma recorded")
        eda.idle_after("start", 1)
        old = str(int(time.time() * 1000) - 60000)

        def hook(action, stream_id, room=None, **extra):
            fields = dict({"id": stream_id, "action": action, "app": "live", "timestamp": old}, **extra)
            if room:
                fields.update(roomId=room, mainTrackId=room)
            return send_hook(eda.port, eda.secret, fields, SERVER, **({} if "content_type" in extra else {}))

        # an old "left" and an old "empty" delivered late, a duplicated join: gamma still has dave
        assert hook("liveStreamEnded", "dave", "gamma") == 200
        assert hook("noActiveSubtracksLeftInMainTrack", "gamma") == 200
        assert hook("noActiveSubtracksLeftInMainTrack", "gamma") == 200
        assert hook("firstActiveTrackAddedInMainTrack", "dave", "gamma") == 200
        assert hook("liveStreamStarted", "dave", "gamma") == 200
        # hostile: wrong secret, oversized, malformed, unknown action, a stream without a room
        assert send_hook(eda.port, eda.secret, {"id": "dave", "action": "noActiveSubtracksLeftInMainTrack"},
                         SERVER, path_secret=eda.secret + "x") == 403
        assert hook("liveStreamStarted", "x", "gamma", metadata="x" * 70000) == 413
        assert send_hook(eda.port, eda.secret, b"{not json", SERVER, content_type="text/plain") == 400
        assert hook("deleteEverything", "gamma") == 200  # answered, no event
        assert hook("liveStreamStarted", "gamma_composite") == 200
        eda.idle_after("stop", 1)
        eda.idle_after("start", 2)
        assert len(push_starts(ams, SERVER)["gamma_composite"]) == 1
        assert push_stops(ams, SERVER) == {}

        # the receiver is still up: a new room is recorded, and gamma ends normally
        ams.join("delta", "erin", address=SERVER)
        wait_until(lambda: "delta_composite" in push_starts(ams, SERVER), 60, what="delta recorded")
        ams.leave("gamma", "dave", address=SERVER)
        wait_until(lambda: "gamma_composite" in push_stops(ams, SERVER), 60, what="gamma stopped")
        assert "delta_composite" not in push_stops(ams, SERVER)


def test_receiver_restarted_mid_meeting(ams, tmp_path):
    eda = rulebook(ams, tmp_path)
    with eda:
        hook_to(ams, eda)
        ams.join("eps", "frank", address=SERVER)
        wait_until(lambda: "eps_composite" in push_starts(ams, SERVER), 60, what="eps recorded")
    # the receiver is down: these hooks are lost (webhookRetryCount 0)
    ams.join("eps", "grace", address=SERVER)
    ams.join("zeta", "heidi", address=SERVER)
    with eda:
        ams.join("eta", "ivan", address=SERVER)  # the next hook converges every room with participants
        wait_until(lambda: {"zeta_composite", "eta_composite"} <= set(push_starts(ams, SERVER)), 60,
                   what="zeta and eta recorded")
        eda.idle_after("start", 1)
        assert all(len(times) == 1 for times in push_starts(ams, SERVER).values())
        for room, participant in (("eps", "frank"), ("eps", "grace"), ("zeta", "heidi"), ("eta", "ivan")):
            ams.leave(room, participant, address=SERVER)
        wait_until(lambda: len(push_stops(ams, SERVER)) == 3, 60, what="3 rooms stopped")
        eda.idle_after("stop", 1)
        assert all(len(times) == 1 for times in push_stops(ams, SERVER).values())
