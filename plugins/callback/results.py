# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: results
type: aggregate
short_description: One readable line per host at the end of each play, and a sign of life during long tasks
version_added: 0.4.0
author: mediaops team (@mediaops)
description:
  - Ends each play with a C(RESULTS) section, one line per host, at the default verbosity (no C(-v)), next to the
    output of the stdout callback (C(ansible.builtin.default), AWX's, or any other). A host's line is the C(msg) of
    its last result from a module or action of this collection (for C(room_recordings) what started, stopped,
    failed and was left alone) or from a task that sets the task variable C(antmedia_result_line=true); a host that
    failed or was unreachable says so before its message.
  - While a task runs longer than O(interval) seconds on a host, prints every O(interval) seconds which hosts are
    still running it and for how long, so that no host sits silent while its rooms converge (a push start blocks 30
    to 90 seconds on a real server). The output is flushed with each such line, also when it goes to a pipe (a
    systemd journal, C(tee)).
  - Prints the text of a task that sets the task variable C(antmedia_show) to the name of a fact the task sets (a
    text or a list of lines) as plain lines, neither quoted nor escaped (for example the table of C(drift.yml)).
  - The playbooks of this collection enable it themselves (a shim in C(playbooks/callback_plugins)); enable it for
    your own playbooks with C(callbacks_enabled = mediaops.antmedia.results) in C(ansible.cfg). Loaded both ways, it
    prints once.
options:
  interval:
    description: Seconds between two lines about a task still running.
    type: float
    default: 10
    env:
      - name: ANTMEDIA_PROGRESS_INTERVAL
    ini:
      - section: mediaops_antmedia
        key: progress_interval
"""

import os
import sys
import threading
import time

from ansible.plugins.callback import CallbackBase

RESULT_LINE_VAR = "antmedia_result_line"
SHOW_VAR = "antmedia_show"
COLLECTION_PREFIX = "mediaops.antmedia."
DEFAULT_INTERVAL = 10.0

# The one active instance in this process: the shim of the playbooks and callbacks_enabled may load it twice.
_ACTIVE = []


def one_line(text):
    """Text as one line: runs of white space (line breaks too) become one space."""
    return " ".join(str(text).split())


def shown_lines(value):
    """A fact to show, as the lines a person reads (a list of lines, or a text split at its line breaks)."""
    if isinstance(value, (list, tuple)):
        return [str(line) for line in value]
    return str(value).splitlines()


def still_running_line(task_name, hosts, now, most=20):
    """One progress line: the task and each host still running it, with its seconds so far (longest first)."""
    running = sorted(hosts.items(), key=lambda item: (item[1], item[0]))
    named = ", ".join("%s (%d s)" % (host, int(now - started)) for host, started in running[:most])
    more = " and %d more" % (len(running) - most) if len(running) > most else ""
    return "... %s: still running on %s%s" % (task_name, named, more)


def result_line(status, result):
    """A host's line from one task result: its msg, with what went wrong before it."""
    message = one_line(result.get("msg") or "")
    if status == "unreachable":
        return "UNREACHABLE: " + (message or "no answer")
    if status == "failed":
        return "FAILED: " + (message or "failed")
    if status == "skipped":
        return message or "skipped"
    return message or ("changed" if result.get("changed") else "ok")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "mediaops.antmedia.results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._play_name = None
        self._lines = {}  # host -> its line in this play
        self._order = {}  # host -> its place in the play (the order tasks are queued in: the inventory's)
        self._running = {}  # host -> when the current task started on it
        self._task_name = ""
        self._last_line = 0.0  # when the last progress line of the current task was printed
        self._stop = threading.Event()
        self._thread = None
        self._active = not _ACTIVE
        if self._active:
            _ACTIVE.append(self)

    # What the play did, host by host

    def _wanted(self, task):
        action = str(getattr(task, "resolved_action", None) or task.action or "")
        variables = getattr(task, "vars", None) or {}
        return action.startswith(COLLECTION_PREFIX) or variables.get(RESULT_LINE_VAR) in (True, "true", "yes")

    def _note(self, status, result):
        host = result.host.get_name()
        with self._lock:
            self._running.pop(host, None)
        if not self._active:
            return
        self._flush()  # the stdout callback's line for this result, also through a pipe
        if status == "ok":
            self._show(result)
        if status != "unreachable" and not self._wanted(result.task):
            if status == "failed" and not result.task.ignore_errors:
                self._lines[host] = result_line(status, result.result)
            return
        if status == "skipped" and host in self._lines:
            return  # a skipped later task does not hide what an earlier one did
        self._lines[host] = result_line(status, result.result)

    def _show(self, result):
        fact = (getattr(result.task, "vars", None) or {}).get(SHOW_VAR)
        facts = result.result.get("ansible_facts") or {}
        if fact and fact in facts:
            for line in shown_lines(facts[fact]):
                self._display.display(line)
            self._flush()

    def _end_play(self):
        if self._active and self._lines:
            self._display.banner("RESULTS [%s]" % (self._play_name or ""))
            width = max(len(host) for host in self._lines)
            for host, line in sorted(self._lines.items(), key=lambda item: self._order.get(item[0], len(self._order))):
                self._display.display("%s  %s" % (host.ljust(width), line))
            self._flush()
        self._lines = {}
        self._order = {}

    def v2_playbook_on_play_start(self, play):
        self._end_play()
        self._play_name = play.get_name().strip()
        self._start_thread()

    def v2_playbook_on_stats(self, stats):
        self._end_play()
        self._stop.set()

    def v2_runner_on_ok(self, result):
        self._note("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._note("failed", result)

    def v2_runner_on_unreachable(self, result):
        self._note("unreachable", result)

    def v2_runner_on_skipped(self, result):
        self._note("skipped", result)

    # Signs of life while a task runs

    def v2_playbook_on_task_start(self, task, is_conditional):
        with self._lock:
            self._task_name = task.get_name().strip()
            self._running = {}
            self._last_line = time.monotonic()

    def v2_runner_on_start(self, host, task):
        with self._lock:
            self._running[host.get_name()] = time.monotonic()
            self._order.setdefault(host.get_name(), len(self._order))

    def _start_thread(self):
        if not self._active or self._thread is not None:
            return
        interval = self._interval()
        if interval <= 0:
            return
        self._thread = threading.Thread(target=self._watch, args=(interval,), name="antmedia-progress", daemon=True)
        self._thread.start()

    def _interval(self):
        try:
            return float(self.get_option("interval"))
        except KeyError:  # loaded through the playbooks' shim, whose file declares no options
            return float(os.environ.get("ANTMEDIA_PROGRESS_INTERVAL") or DEFAULT_INTERVAL)

    def _watch(self, interval):
        while not self._stop.wait(min(1.0, interval / 4)):
            line = self._progress(interval, time.monotonic())
            if line:
                self._display.display(line)
                self._flush()

    def _progress(self, interval, now):
        """The progress line due now, if any: some host has run the task interval seconds since the last line."""
        with self._lock:
            if not self._running or now - max(self._last_line, min(self._running.values())) < interval:
                return None
            self._last_line = now
            return still_running_line(self._task_name, self._running, now)

    @staticmethod
    def _flush():
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass  # a closed or broken pipe: nothing more to show
