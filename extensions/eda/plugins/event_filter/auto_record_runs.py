# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-rulebook event filter: marks the joins that need a start run of their server (standard library only).

Every join used to start an Ansible process or wait for a throttle window. This filter, on the events of
mediaops.antmedia.ams_webhook, sets C(auto_record.start_run) on each join: true when no start run asked for
earlier is still to read that server (the playbook's action plugin leaves a mark in C(state_dir) when a start run
reads the server under its lock), false when such a run is pending (it will see this join's participant). So a
server has at most one start run running and one waiting, and a join that comes while a run is in progress gets the
next run as soon as that one ends. Other events pass unchanged, without the key.

Arguments: C(state_dir), the directory where the action plugin leaves its marks (empty: the default, which the
action plugin always uses, C($XDG_CACHE_HOME/mediaops-antmedia/auto-record), else C(~/.cache/...): the receiver and
its playbooks share one environment); C(pending_timeout), seconds after which a run
asked for and never seen reading (no inventory host took its hook) is taken as lost, so a join asks again (120).
"""

from __future__ import annotations

import importlib.util
import os
import time

_DECISIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), *([os.pardir] * 4 + [
    "plugins", "module_utils", "_auto_record.py"]))


def _load_decisions():
    spec = importlib.util.spec_from_file_location("mediaops_antmedia_auto_record", os.path.normpath(_DECISIONS))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


decisions = _load_decisions()
_coalescers: dict = {}


def main(event: dict, state_dir: str = "", pending_timeout: float = decisions.DEFAULT_PENDING_TIMEOUT,
         clock=time.time) -> dict:
    """The event, a join marked with whether it needs a start run; any key auto_record a hook brought is dropped."""
    if not isinstance(event, dict):
        return event
    event.pop("auto_record", None)  # only this filter says whether a run is needed, never a hook's own field
    ams = event.get("ams")
    if not isinstance(ams, dict) or ams.get("room_event") != "joined":
        return event
    directory = os.path.abspath(os.path.expanduser(state_dir or decisions.default_state_dir()))
    key = (directory, float(pending_timeout))
    if key not in _coalescers:
        _coalescers[key] = decisions.RunCoalescer(directory, key[1])
    coalescer = _coalescers[key]
    start_run = coalescer.wants_run(str(ams.get("sender")), ams.get("app"), int(clock() * 1000))
    event["auto_record"] = {"start_run": start_run}
    return event
