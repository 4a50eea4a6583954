# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event filter mediaops.antmedia.auto_record_runs, loaded by its path as ansible-rulebook loads it (runpy,
outside Ansible): which joins ask for a start run of their server."""

from __future__ import annotations

import runpy

from eda_harness import REPO

FILTER = REPO / "extensions" / "eda" / "plugins" / "event_filter" / "auto_record_runs.py"


def join(sender="10.0.0.1", app="live", room="a", **extra):
    return dict({"id": "p", "action": "firstActiveTrackAddedInMainTrack",
                 "ams": {"room_event": "joined", "sender": sender, "app": app, "room": room}}, **extra)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_joins_are_coalesced_until_the_asked_run_reads(tmp_path):
    main = runpy.run_path(str(FILTER))["main"]
    decisions = runpy.run_path(str(FILTER))["decisions"]
    clock = Clock()
    state = str(tmp_path)
    assert main(join(), state_dir=state, clock=clock)["auto_record"] == {"start_run": True}
    clock.now += 1
    assert main(join(room="b"), state_dir=state, clock=clock)["auto_record"] == {"start_run": False}
    assert main(join(sender="10.0.0.2"), state_dir=state, clock=clock)["auto_record"] == {"start_run": True}
    decisions.mark_start_read(state, ["10.0.0.1"], "live", int(clock.now * 1000) + 1)  # the run reads
    clock.now += 1
    assert main(join(room="c"), state_dir=state, clock=clock)["auto_record"] == {"start_run": True}
    clock.now += 200  # the asked run was never seen reading (no host took it): ask again
    assert main(join(room="d"), state_dir=state, clock=clock)["auto_record"] == {"start_run": True}


def test_other_events_pass_unchanged_and_a_hooks_own_key_is_dropped(tmp_path):
    main = runpy.run_path(str(FILTER))["main"]
    leave = {"id": "p", "ams": {"room_event": "left", "sender": "10.0.0.1", "app": "live", "room": "a"}}
    assert main(dict(leave), state_dir=str(tmp_path)) == leave
    assert main({"shutdown": True}) == {"shutdown": True}
    forged = main(dict(leave, auto_record={"start_run": True}), state_dir=str(tmp_path))
    assert "auto_record" not in forged
    forged_join = main(join(auto_record={"start_run": "yes", "x": 1}), state_dir=str(tmp_path))
    assert forged_join["auto_record"] == {"start_run": True}
    assert main(join(), state_dir=str(tmp_path))["auto_record"] == {"start_run": False}


def test_the_default_state_dir_is_the_action_plugins(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    main = runpy.run_path(str(FILTER))["main"]
    decisions = runpy.run_path(str(FILTER))["decisions"]
    assert decisions.default_state_dir() == str(tmp_path / "mediaops-antmedia" / "auto-record")
    clock = Clock()
    assert main(join(), clock=clock)["auto_record"]["start_run"] is True
    assert main(join(), clock=clock)["auto_record"]["start_run"] is False
    decisions.mark_start_read(decisions.private_dir(decisions.default_state_dir()), ["10.0.0.1"], "live", 10 ** 7)
    assert main(join(), clock=clock)["auto_record"]["start_run"] is True
