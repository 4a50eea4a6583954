# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one reconcile base: read current state, decide against the desired state, write only
outside check mode, report changed and the diff (private API).

The decision itself is a pure function per domain (``decide_push``, ``decide_recording``) over
``(desired, current broadcast[, room broadcast])`` returning a Plan. A Reconciler subclass adds
the three impure steps around it: ``read`` (one item, or many at once), ``apply`` (one write)
and ``finish`` (what to report afterwards). ``run`` converges one item; ``run_many`` converges many
items from one read, applying their plans concurrently (a start may block for 90 s).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError


def _sleep(seconds):
    """time.sleep, looked up at call time (tests replace it)."""
    time.sleep(seconds)


def _clock():
    return time.monotonic()


# The first wait of a poll (the next ones double up to its interval).
FIRST_POLL_WAIT = 0.25

# How a failure names the writes that took effect before it.
DONE_WORDS = {
    "start_push": "the push was started",
    "stop_push": "the push was stopped",
    "stop_stale_push": "the stale push was ended",
    "arm_recording": "the recording was set to start with the stream",
    "start_recording": "the recording was started",
    "stop_recording": "the recording was stopped",
    "send_command": "the page's start command was sent",
}


class ReconcileError(AntMediaError):
    """The server's state forbids going on; one line, free of secrets."""


class Action(object):
    """One write a plan needs.

    ``uncertain`` marks a write whose effect only the server can tell (e.g. asking to start a
    recording whose state cannot be read): it is predicted as a change in check mode, and the
    real run reports a change only if the server made one.
    """

    def __init__(self, kind, uncertain=False, **params):
        self.kind = kind
        self.uncertain = uncertain
        self.params = params

    def __repr__(self):
        return "Action(%r, uncertain=%r, %r)" % (self.kind, self.uncertain, self.params)

    def __eq__(self, other):
        return isinstance(other, Action) and (self.kind, self.uncertain, self.params) == (
            other.kind, other.uncertain, other.params)

    def __ne__(self, other):
        return not self == other


class Plan(object):
    """The decision for one item: the writes, and the diff views before and (predicted) after."""

    def __init__(self, key, desired, current, before, after, actions=None, warnings=None, failure=None,
                 context=None, check_warnings=None):
        self.key = key
        self.desired = desired
        self.current = current
        self.before = before
        self.after = after
        self.actions = list(actions or [])
        self.warnings = list(warnings or [])
        # what only a prediction needs to say (a real run tells what the server did instead)
        self.check_warnings = list(check_warnings or [])
        self.failure = failure
        self.context = dict(context or {})

    @property
    def changed(self):
        """The prediction: any write at all is a change (check mode reports exactly this)."""
        return bool(self.actions)


class Outcome(object):
    """What converging one item did."""

    def __init__(self, key, changed, before, after, warnings=None, data=None, failure=None, plan=None):
        self.key = key
        self.plan = plan
        self.changed = changed
        self.before = before
        self.after = after
        self.warnings = list(warnings or [])
        self.data = dict(data or {})
        self.failure = failure

    @property
    def diff(self):
        return {"before": self.before, "after": self.after}


class Reconciler(object):
    """Base of every state-changing module; subclasses implement read, decide, apply and finish."""

    def __init__(self, client, check_mode=False, sleep=None, clock=None):
        self.client = client
        self.check_mode = check_mode
        self.sleep = sleep or _sleep
        self.clock = clock or _clock

    # ---- hooks ---------------------------------------------------------------------------
    def key(self, desired):
        return desired["stream_id"]

    def read(self, desired):
        """Current state of one item (one or two GETs)."""
        raise NotImplementedError

    def read_many(self, desired_items):
        """Current state of many items by key; override to read one list instead of one GET each."""
        return dict((self.key(desired), self.read(desired)) for desired in desired_items)

    def decide(self, desired, current):
        """Return a Plan; must not do I/O (call a pure decide_* function)."""
        raise NotImplementedError

    def apply(self, plan, action, state):
        """Perform one write; return True when it changed something on the server.

        ``state`` is a dict shared by the actions of one plan (e.g. what a write observed).
        """
        raise NotImplementedError

    def finish(self, plan, changed, state):
        """After the writes (or in check mode, instead of them): (after view, return data)."""
        return plan.after, {}

    def extra_items(self, desired_items):
        """Items to converge besides the desired ones (after ``read_many``'s read, e.g. unlisted pushes)."""
        return []

    # ---- engine --------------------------------------------------------------------------
    def converge(self, plan):
        """Apply one plan (or only predict it in check mode). Safe to call from worker threads
        as long as the hooks are."""
        if plan.failure:
            raise ReconcileError(plan.failure)
        state = {"warnings": list(plan.warnings) + (list(plan.check_warnings) if self.check_mode else [])}
        if self.check_mode or not plan.actions:
            after, data = self.finish(plan, plan.changed, state)
            return Outcome(plan.key, plan.changed, plan.before, after, state["warnings"], data, plan=plan)
        changed = False
        done = []
        try:
            for action in plan.actions:
                if self.apply(plan, action, state):
                    changed = True
                    done.append(action.kind)
            # the read-back after the writes fails like a write: what was done still counts
            after, data = self.finish(plan, changed, state)
        except AntMediaError as exc:
            exc.changed = exc.changed or changed  # writes done before the failure still count
            if done:
                exc.message = "%s, then: %s" % (" and ".join(DONE_WORDS.get(kind, kind.replace("_", " ") + " done")
                                                             for kind in done), exc.message)
            raise
        return Outcome(plan.key, changed, plan.before, after, state["warnings"], data, plan=plan)

    def run(self, desired):
        """Converge one item: read, decide, write, report. An error names the item's stream and room."""
        try:
            return self.converge(self.decide(desired, self.read(desired)))
        except AntMediaError as exc:
            if isinstance(desired, dict) and not hasattr(exc, "subject"):
                exc.subject = (desired.get("stream_id"), desired.get("room"))
            raise

    def run_many(self, desired_items, max_workers=4):
        """Converge many items (and ``extra_items``) from one ``read_many``; plans are applied concurrently.

        A failing item does not stop the others: its Outcome carries ``failure`` (one line).
        Outcomes come back in the order of ``desired_items``, the extra items last.
        """
        desired_items = list(desired_items)
        desired_items += self.extra_items(desired_items)
        current_by_key = self.read_many(desired_items)
        plans = []
        for desired in desired_items:
            plans.append(self.decide(desired, current_by_key.get(self.key(desired))))
        return self.converge_all(plans, max_workers)

    def converge_all(self, plans, max_workers=4):
        """Converge plans concurrently; a failing plan's Outcome carries ``failure``; order kept."""

        def converge_one(plan):
            try:
                return self.converge(plan)
            except AntMediaError as exc:
                return Outcome(plan.key, getattr(exc, "changed", False), plan.before, plan.before, plan.warnings,
                               failure=exc.message, plan=plan)

        if len(plans) <= 1 or max_workers <= 1:
            return [converge_one(plan) for plan in plans]
        with ThreadPoolExecutor(max_workers=min(max_workers, len(plans))) as pool:
            return list(pool.map(converge_one, plans))

    # ---- helpers for subclasses ----------------------------------------------------------
    def poll(self, probe, seconds, interval=1.0, probe_first=True):
        """Call probe() until it returns a true value or seconds pass; return its last value.

        The waits grow from a quarter second to ``interval``: what is usually ready at once (a fresh push's
        broadcast) costs a fraction of a second, and a long wait does not hammer the server. ``probe_first=False``
        waits before the first call: the caller has just asked and been told "not yet"."""
        deadline = self.clock() + seconds
        wait = min(FIRST_POLL_WAIT, interval)
        if not probe_first:
            self.sleep(wait)
            wait = min(wait * 2, interval)
        while True:
            value = probe()
            if value or self.clock() >= deadline:
                return value
            self.sleep(wait)
            wait = min(wait * 2, interval)
