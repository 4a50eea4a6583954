# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one-line result: a room is named under what was done only when something was done (or, in check mode, would
be); a planned write that changed nothing on the server counts as unchanged."""
from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.module_utils._media_push import summary_line
from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import Action, Outcome, Plan


def outcome(room, kind=None, changed=False, failure=None, **desired):
    plan = Plan(room + "_composite", dict(room=room, **desired), {}, {}, {},
                actions=[Action(kind)] if kind else [])
    return Outcome(room + "_composite", changed, {}, {}, failure=failure, plan=plan)


def test_a_planned_stop_that_changed_nothing_counts_as_unchanged_in_a_real_run():
    # the push ended by itself between the read and the stop: the stop answered, nothing changed
    outcomes = [outcome("a", "start_push", changed=True), outcome("gone", "stop_push", changed=False),
                outcome("same")]
    assert summary_line(outcomes) == "started: a; unchanged: 2"


def test_check_mode_names_what_would_be_done():
    outcomes = [outcome("a", "start_push"), outcome("b", "stop_push"), outcome("same")]
    assert summary_line(outcomes, check_mode=True) == "check mode: started: a; stopped: b; unchanged: 1"


def test_failures_and_rooms_outside_their_schedule_are_named_not_counted():
    outcomes = [outcome("bad", "start_push", failure="refused"), outcome("later", outside_schedule=True),
                outcome("same")]
    assert summary_line(outcomes) == "failed: bad; unchanged: 1; outside their schedule: later"
