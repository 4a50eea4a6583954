#!/usr/bin/env python3
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of automatic recording through Event-Driven Ansible (see benchmarks/README.md).

A stand-in server sends its webhooks to a real ansible-rulebook running the collection's rulebook auto_record.yml.
Measured with one clock (this machine's time.time(), which the stand-in's request log also uses):
- one room at a time: from the join (its hook leaves the server within milliseconds) to the media push start
  request reaching the server, and from the last leave plus the grace to the stop request;
- a burst of rooms joining within one second: the time until every start request reached the server, the
  start requests per room and the playbook runs;
- rooms on one server whose first participants arrive a few seconds apart (a busy server at the top of the hour):
  from each join to its room's start request, while the runs of earlier rooms are still going.
The server's own start time is excluded: the stand-in logs a request when it answers, so its push start delay
is subtracted. Usage: .venv-eda/bin/python benchmarks/eda.py [--rooms 20] [--burst 200] [--spaced 10] [--output FILE]"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "eda"))

from eda_harness import Rulebook, Standin, fleet_inventory, push_starts, push_stops, wait_until  # noqa: E402

SERVER = "127.0.0.2"
PUSH_START_DELAY = 0.05
GRACE = 3


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def one_at_a_time(ams, eda, rooms):
    start_latency, stop_latency = [], []
    for index in range(rooms):
        room = "single-%03d" % index
        push = room + "_composite"
        joined = time.time()
        ams.join(room, room + "-p", address=SERVER)
        started = wait_until(lambda: push_starts(ams, SERVER).get(push), 120, 0.05, what=push + " started")
        start_latency.append(started[0] - PUSH_START_DELAY - joined)
        eda.idle_after("start", index + 1, timeout=120)  # so rooms do not overlap
        left = time.time()
        ams.leave(room, room + "-p", address=SERVER)
        stopped = wait_until(lambda: push_stops(ams, SERVER).get(push), 120, 0.05, what=push + " stopped")
        stop_latency.append(stopped[0] - left - GRACE)
        eda.idle_after("stop", index + 1, timeout=120)
    return start_latency, stop_latency


def burst(ams, eda, rooms):
    names = ["burst-%03d" % index for index in range(rooms)]
    runs_before = eda.playbook_runs("start")
    first = time.time()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda room: ams.join(room, room + "-p", address=SERVER), names))
    joined_in = time.time() - first
    wait_until(lambda: len([n for n in push_starts(ams, SERVER) if n.startswith("burst-")]) == rooms, 300, 0.2,
               what="every burst room started")
    eda.idle_after("start", runs_before + 1, timeout=300)
    starts = {name: times for name, times in push_starts(ams, SERVER).items() if name.startswith("burst-")}
    last_start = max(min(times) for times in starts.values()) - PUSH_START_DELAY - first
    return {"joined_in": joined_in, "all_started_after": last_start,
            "max_starts_per_room": max(len(times) for times in starts.values()),
            "start_runs": eda.playbook_runs("start") - runs_before}


def spaced(ams, eda, rooms, interval):
    """Rooms whose first participants arrive `interval` seconds apart: each join to its start request."""
    latency = []
    first = time.time()
    joined = {}
    for index in range(rooms):
        time.sleep(max(0.0, first + index * interval - time.time()))
        room = "spaced-%03d" % index
        joined[room + "_composite"] = time.time()
        ams.join(room, room + "-p", address=SERVER)
    wait_until(lambda: set(joined) <= set(push_starts(ams, SERVER)), 120, 0.1, what="every spaced room started")
    starts = push_starts(ams, SERVER)
    for push, at in joined.items():
        latency.append(min(starts[push]) - PUSH_START_DELAY - at)
    return latency


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--spaced", type=int, default=10)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--output", default=str(REPO / "benchmarks" / "output" / "eda.md"))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eda-bench-") as work:
        with Standin(addresses=(SERVER,), media_push=True, push_start_delay=PUSH_START_DELAY) as ams:
            inventory = fleet_inventory(ams, [SERVER], {"auto_record_grace": GRACE})
            with Rulebook(Path(work) / "single", inventory) as eda:
                ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url)
                starts, stops = one_at_a_time(ams, eda, options.rooms)
            with Rulebook(Path(work) / "spaced", inventory) as eda:
                ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url)
                spaced_latency = spaced(ams, eda, options.spaced, options.interval)
            with Rulebook(Path(work) / "burst", inventory) as eda:
                ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url)
                burst_result = burst(ams, eda, options.burst)
    load = os.getloadavg()
    lines = [
        "| measure | median | p99 | max |", "| --- | --- | --- | --- |",
        "| first-participant hook to start request (%d rooms, one at a time) | %.2f s | %.2f s | %.2f s |"
        % (len(starts), statistics.median(starts), percentile(starts, 0.99), max(starts)),
        "| last-leave hook + grace (%d s) to stop request | %.2f s | %.2f s | %.2f s |"
        % (GRACE, statistics.median(stops), percentile(stops, 0.99), max(stops)),
        "| first-participant hook to start request (%d rooms on one server, %.0f s apart) | %.2f s | %.2f s | %.2f s |"
        % (len(spaced_latency), options.interval, statistics.median(spaced_latency),
           percentile(spaced_latency, 0.99), max(spaced_latency)),
        "",
        "Burst: %d rooms joined in %.2f s; every start request reached the server %.1f s after the first join; "
        "at most %d start request per room; %d start playbook run(s) for the one server."
        % (options.burst, burst_result["joined_in"], burst_result["all_started_after"],
           burst_result["max_starts_per_room"], burst_result["start_runs"]),
        "", "Load average at the end: %.2f %.2f %.2f (2 cores, shared)." % load,
    ]
    text = "\n".join(lines) + "\n"
    Path(options.output).parent.mkdir(parents=True, exist_ok=True)
    Path(options.output).write_text(text)
    print(text)  # noqa: T201


if __name__ == "__main__":
    main()
