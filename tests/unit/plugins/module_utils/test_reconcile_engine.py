# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile base on its own: check mode, failures, and many items at once."""
from __future__ import annotations

import threading

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError
from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import (
    Action,
    Plan,
    ReconcileError,
    Reconciler,
)


class Counter(Reconciler):
    """Desired {"stream_id", "value"}; current is a number in a dict; one write sets it."""

    def __init__(self, store, check_mode=False, barrier=None, fail_on=None):
        super(Counter, self).__init__(client=None, check_mode=check_mode)
        self.store = store
        self.reads = []
        self.writes = []
        self.barrier = barrier
        self.fail_on = fail_on or {}

    def read(self, desired):
        self.reads.append(desired["stream_id"])
        return self.store.get(desired["stream_id"])

    def read_many(self, desired_items):
        self.reads.append("*")
        return dict(self.store)

    def decide(self, desired, current):
        actions = [Action("set", value=desired["value"])] if current != desired["value"] else []
        if desired["value"] == "twice" and current != "twice":
            actions.append(Action("set", value="twice"))
        failure = "negative" if desired["value"] == -1 else None
        return Plan(desired["stream_id"], desired, current, {"value": current}, {"value": desired["value"]},
                    actions, failure=failure)

    def apply(self, plan, action, state):
        if self.barrier is not None:
            self.barrier.wait(timeout=5)  # proves the plans run concurrently
        if self.fail_on.get(plan.key) == len(self.writes):
            raise AntMediaError("server said no")
        self.writes.append((plan.key, action.params["value"]))
        self.store[plan.key] = action.params["value"]
        return True


def test_change_then_no_change():
    store = {"a": 1}
    first = Counter(store).run({"stream_id": "a", "value": 2})
    assert first.changed and first.diff == {"before": {"value": 1}, "after": {"value": 2}}
    second = Counter(store)
    outcome = second.run({"stream_id": "a", "value": 2})
    assert not outcome.changed and second.writes == []


def test_check_mode_predicts_without_writing():
    store = {"a": 1}
    engine = Counter(store, check_mode=True)
    outcome = engine.run({"stream_id": "a", "value": 2})
    assert outcome.changed and outcome.after == {"value": 2}
    assert engine.writes == [] and store == {"a": 1}


def test_a_plan_failure_writes_nothing():
    engine = Counter({})
    with pytest.raises(ReconcileError, match="negative"):
        engine.run({"stream_id": "a", "value": -1})
    assert engine.writes == []


def test_writes_before_a_failure_still_count_as_changed():
    engine = Counter({}, fail_on={"a": 1})
    with pytest.raises(AntMediaError) as error:
        engine.run({"stream_id": "a", "value": "twice"})
    assert error.value.changed is True


def test_run_many_reads_once_and_applies_concurrently():
    store = {"a": 0, "b": 0, "c": 0, "d": 5}
    engine = Counter(store, barrier=threading.Barrier(3))
    outcomes = engine.run_many([{"stream_id": key, "value": 5} for key in "abcd"], max_workers=4)
    assert engine.reads == ["*"]
    assert [outcome.key for outcome in outcomes] == list("abcd")
    assert [outcome.changed for outcome in outcomes] == [True, True, True, False]
    assert sorted(engine.writes) == [("a", 5), ("b", 5), ("c", 5)]


def test_run_many_isolates_failures_and_honours_check_mode():
    engine = Counter({"a": 0}, check_mode=True)
    outcomes = engine.run_many([{"stream_id": "a", "value": 1}, {"stream_id": "b", "value": -1}])
    assert outcomes[0].changed and outcomes[0].failure is None
    assert outcomes[1].failure == "negative"
    assert engine.writes == []


def test_poll_stops_at_the_deadline(clock):
    engine = Counter({})
    calls = []
    assert engine.poll(lambda: calls.append(1), 3, interval=1.0) is None
    # the waits grow from a quarter second to the interval: 0 0.25 0.75 1.75 2.75 3.75
    assert len(calls) == 6 and clock.sleeps == [0.25, 0.5, 1.0, 1.0, 1.0]


def test_check_only_warnings_are_given_in_check_mode_only():
    from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import Action, Plan, Reconciler

    class Guessing(Reconciler):
        def read(self, desired):
            return None

        def decide(self, desired, current):
            return Plan("a", desired, current, {}, {}, [Action("write", uncertain=True)], warnings=["always"],
                        check_warnings=["a change it cannot confirm"])

        def apply(self, plan, action, state):
            return True

    assert Guessing(None, check_mode=True).run({"stream_id": "a"}).warnings == ["always", "a change it cannot confirm"]
    assert Guessing(None).run({"stream_id": "a"}).warnings == ["always"]
