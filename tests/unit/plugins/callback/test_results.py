# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The results callback's decisions: which line a host gets, and when a progress line is due."""
from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.callback.results import (
    CallbackModule,
    result_line,
    shown_lines,
    still_running_line,
)


def test_a_hosts_line_says_what_went_wrong_first():
    assert result_line("ok", {"msg": "started: a, b;\n unchanged: 0"}) == "started: a, b; unchanged: 0"
    assert result_line("failed", {"msg": "HTTP 403"}) == "FAILED: HTTP 403"
    assert result_line("unreachable", {}) == "UNREACHABLE: no answer"
    assert result_line("ok", {"changed": True}) == "changed"


def test_progress_lists_the_hosts_longest_first_and_caps_the_list():
    line = still_running_line("Converge", {"m2": 95.0, "m1": 80.0}, 100.0)
    assert line == "... Converge: still running on m1 (20 s), m2 (5 s)"
    many = dict(("h%02d" % index, 50.0) for index in range(25))
    assert still_running_line("T", many, 60.0).endswith(" and 5 more")


def test_a_progress_line_is_due_once_per_interval():
    callback = CallbackModule()
    callback._running = {"m1": 100.0}
    callback._last_line = 100.0
    assert callback._progress(10, 109.0) is None  # not yet 10 s
    assert callback._progress(10, 110.0).startswith("... : still running on m1 (10 s)")
    assert callback._progress(10, 115.0) is None  # said 5 s ago
    assert callback._progress(10, 120.0) is not None
    callback._running = {}
    assert callback._progress(10, 200.0) is None  # nothing runs


def test_a_fact_to_show_is_plain_lines():
    assert shown_lines(["a  b", "c"]) == ["a  b", "c"] and shown_lines("x\ny") == ["x", "y"]
