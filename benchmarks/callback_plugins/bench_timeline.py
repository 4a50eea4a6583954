# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark profile only (benchmarks/fleet_ssh.py --profile): when each task started and when each host's
result came back, as JSON lines into the file named by BENCH_TIMELINE. Names and times only, never a result."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timeline
type: aggregate
short_description: task and host timings for the fleet benchmark's profile
description: Writes when each task started and when each host's result arrived to the file in BENCH_TIMELINE.
requirements: [enabled in callbacks_enabled]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timeline"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        path = os.environ.get("BENCH_TIMELINE")
        self._out = open(path, "a", encoding="utf-8") if path else None  # pylint: disable=consider-using-with
        self._write("start")

    def _write(self, event, **fields):
        if self._out is not None:
            fields.update(event=event, t=time.monotonic())
            self._out.write(json.dumps(fields) + "\n")
            self._out.flush()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write("task", task=task.get_name(), action=task.action)

    def v2_playbook_on_handler_task_start(self, task):
        self._write("task", task=task.get_name(), action=task.action)

    def _host_done(self, result, status):
        self._write("host", host=result._host.get_name(), task=result._task.get_name(), status=status)

    def v2_runner_on_ok(self, result):
        self._host_done(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._host_done(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._host_done(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._host_done(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        self._write("end")
        if self._out is not None:
            self._out.close()
            self._out = None
