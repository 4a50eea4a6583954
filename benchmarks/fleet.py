#!/usr/bin/env python3
"""Fleet benchmark: N stand-in servers on loopback addresses (one stand-in process), R rooms each, and three ways
to do the same job with the same inventory and forks: (a) this collection's playbooks, (b) a playbook of
ansible.builtin.uri tasks following Ant Media's documented curl flow room by room, (c) Ansible's floor, one
trivial module per host. Writes benchmarks/RESULTS.md (or --output).

    .venv/bin/python benchmarks/fleet.py [--servers 100] [--rooms 10] [--runs 3] [--forks 20]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lab"))
from ams_standin.harness import Standin  # noqa: E402  (the lab is not an installed package)

PLAYBOOKS = REPO / "benchmarks" / "playbooks"
PUSH_START_DELAY = 0.5
SSH_SECTION = "<!-- fleet-ssh: begin"


def process_tree_rss(root_pid):
    """Sum of the resident memory (bytes) of root_pid and all its descendants, from /proc."""
    children, rss = {}, {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * page
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def run_playbook(playbook, inventory, forks, extra_args=()):
    """(seconds, peak tree RSS bytes, rc, output tail) of one ansible-playbook run."""
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".work" / "collections"),
                       ANSIBLE_FORKS=str(forks), ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_NOCOLOR="1",
                       ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_RETRY_FILES_ENABLED="0", NO_PROXY="*",
                       ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_DISPLAY_OK_HOSTS="0",
                       ANSIBLE_DISPLAY_SKIPPED_HOSTS="0")
    command = [str(REPO / ".venv" / "bin" / "ansible-playbook"), "-i", str(inventory), *extra_args, str(playbook)]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment, text=True)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], process_tree_rss(process.pid))
            done.wait(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0]
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    return seconds, peak[0], process.returncode, output[-3000:]


class Fleet(object):
    def __init__(self, servers, rooms, workdir):
        self.addresses = tuple("127.0.%d.%d" % (90 + index // 250, 1 + index % 250) for index in range(servers))
        self.rooms = ["room%02d" % index for index in range(rooms)]
        self.workdir = workdir
        self.ams = None

    def start(self):
        """A fresh stand-in process (fresh data), the plugin loaded, every room with 2 participants."""
        if self.ams is not None:
            self.ams.close()
            shutil.rmtree(self.ams.root, ignore_errors=True)
        self.ams = Standin(root=Path(tempfile.mkdtemp(dir=self.workdir, prefix="fleet-")), addresses=self.addresses,
                           media_push=True, push_start_delay=PUSH_START_DELAY,
                           media_cache=REPO / ".work" / "ams-standin-media").start(timeout=120)
        for address in self.addresses:
            for room in self.rooms:
                for person in ("a", "b"):
                    self.ams.join(room, "%s-%s" % (room, person), address=address)

    def inventory(self):
        hosts = {}
        for index, address in enumerate(self.addresses):
            hosts["ams%03d" % (index + 1)] = {"ansible_connection": "local", "antmedia_url": self.ams.base_url(address)}
        path = self.workdir / "inventory.json"
        path.write_text(json.dumps({"media_servers": {"hosts": hosts, "vars": {
            "ansible_python_interpreter": str(REPO / ".venv" / "bin" / "python"),
            "antmedia_app": "live", "antmedia_drift_plugin": False,
            "bench_rooms": [{"room": room} for room in self.rooms],
            "antmedia_recordings": "{{ bench_rooms }}"}}}))
        return path

    def marks(self):
        return dict((address, self.ams.last_seq(address)) for address in self.addresses)

    def requests_since(self, marks):
        counts = {}
        for address in self.addresses:
            for entry in self.ams.requests(marks[address], address):
                # the session probe (send-command of a constant script) changes nothing: counted apart from writes
                kind = "PROBE" if entry.get("no_effect") else entry["method"]
                counts[kind] = counts.get(kind, 0) + 1
        return counts

    def recording_rooms(self):
        return sum(len(self.ams.media_push_sessions(address=address)) for address in self.addresses)

    def close(self):
        if self.ams is not None:
            self.ams.close()
            shutil.rmtree(self.ams.root, ignore_errors=True)


def measure(fleet, inventory, forks, playbook, extra_args=(), expect_rc=(0,)):
    marks = fleet.marks()
    seconds, peak, rc, tail = run_playbook(playbook, inventory, forks, extra_args)
    if rc not in expect_rc:
        raise SystemExit("%s failed (rc %d):\n%s" % (playbook, rc, tail))
    return {"seconds": seconds, "peak_rss": peak, "requests": fleet.requests_since(marks)}


def summary(samples):
    times = [sample["seconds"] for sample in samples]
    requests = samples[-1]["requests"]
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "peak_rss_mib": max(sample["peak_rss"] for sample in samples) / 2 ** 20,
            "reads": requests.get("GET", 0), "probes": requests.get("PROBE", 0),
            "writes": sum(n for m, n in requests.items() if m not in ("GET", "PROBE")),
            "requests": requests}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=100)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--forks", type=int, default=20)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    parser.add_argument("--ways", default="floor,ours,uri",
                        help="comma-separated among floor, ours, uri (the floor always runs: every ratio needs it)")
    arguments = parser.parse_args()
    arguments.load_before = " ".join("%.2f" % value for value in os.getloadavg())  # is anything else running?
    workdir = REPO / ".work" / "benchmark"
    workdir.mkdir(parents=True, exist_ok=True)
    fleet = Fleet(arguments.servers, arguments.rooms, workdir)
    total_rooms = arguments.servers * arguments.rooms
    results = {}
    try:
        fleet.start()
        inventory = fleet.inventory()
        runs = {"ours": {}, "uri": {}, "floor": {}}
        for run in range(arguments.runs):
            print("run %d of %d" % (run + 1, arguments.runs), flush=True)
            runs["floor"].setdefault("floor", []).append(measure(fleet, inventory, arguments.forks,
                                                                 PLAYBOOKS / "floor.yml"))
            for way, converge, check, stop, check_args in (
                    ("ours", REPO / "playbooks" / "record.yml", REPO / "playbooks" / "drift.yml",
                     PLAYBOOKS / "record-stopped.yml", ("--check", "-e", "antmedia_drift_report=%s" % (
                         workdir / "drift"))),
                    ("uri", PLAYBOOKS / "uri-converge.yml", PLAYBOOKS / "uri-check.yml", PLAYBOOKS / "uri-stop.yml",
                     ())):
                if way not in arguments.ways.split(","):
                    continue
                fleet.start()  # from nothing: fresh server data every run
                inventory = fleet.inventory()
                sample = measure(fleet, inventory, arguments.forks, converge)
                assert fleet.recording_rooms() == total_rooms, "%s did not start every room" % way
                runs[way].setdefault("converge", []).append(sample)
                runs[way].setdefault("rerun", []).append(measure(fleet, inventory, arguments.forks, converge))
                runs[way].setdefault("check", []).append(measure(fleet, inventory, arguments.forks, check,
                                                                 check_args))
                runs[way].setdefault("stop", []).append(measure(fleet, inventory, arguments.forks, stop))
                assert fleet.recording_rooms() == 0, "%s did not stop every room" % way
                print("  %s: %s" % (way, ", ".join("%s %.1f s" % (name, samples[-1]["seconds"])
                                                   for name, samples in runs[way].items())), flush=True)
        for way, scenarios in runs.items():
            if scenarios:
                results[way] = dict((name, summary(samples)) for name, samples in scenarios.items())
    finally:
        fleet.close()
    write_results(arguments, results, total_rooms)


def write_results(arguments, results, total_rooms):
    floor = results["floor"]["floor"]["median"]
    lines = [
        "# Fleet benchmark results", "",
        "Generated by `bash benchmarks/run.sh` on %s." % datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"), "",
        "- Machine: %s, %d CPUs, %.0f GiB RAM, load average before the run %s, at its end %s" % (
            platform.machine(), os.cpu_count(), os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30,
            arguments.load_before, " ".join("%.2f" % value for value in os.getloadavg())),
        "- Python %s, ansible-core %s" % (platform.python_version(), ansible_version()),
        "- Fleet: %d stand-in servers on loopback addresses (one process), %d rooms each with 2 participants "
        "(%d rooms); a media push start blocks %.1f s on the server" % (
            arguments.servers, arguments.rooms, total_rooms, PUSH_START_DELAY),
        "- Same inventory for every way, forks %d, linear strategy; median of %d runs (min-max)" % (
            arguments.forks, arguments.runs), "",
        "| way | scenario | wall time s | vs floor | vs uri | reads | writes | reads per room | peak controller RSS MiB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for way in ("ours", "uri"):
        for name in ("converge", "rerun", "check", "stop") if way in results else ():
            row = results[way][name]
            uri = results["uri"][name]["median"] if "uri" in results else None
            lines.append("| %s | %s | %.1f (%.1f-%.1f) | %.2fx | %s | %d | %d | %.2f | %.0f |" % (
                way, name, row["median"], row["min"], row["max"], row["median"] / floor,
                "%.1fx faster" % (uri / row["median"]) if way == "ours" and uri else "-", row["reads"], row["writes"],
                row["reads"] / total_rooms, row["peak_rss_mib"]))
    row = results["floor"]["floor"]
    lines.append("| floor | one ping per host | %.1f (%.1f-%.1f) | 1.00x | - | 0 | 0 | 0 | %.0f |" % (
        row["median"], row["min"], row["max"], row["peak_rss_mib"]))
    ours, uri = results["ours"], results.get("uri")
    lines += ["", "## Targets", "",
              "| target | measured | met |", "| --- | --- | --- |",
              "| converge from nothing at most 1.5x the floor | %.2fx | %s |" % (
                  ours["converge"]["median"] / floor, "yes" if ours["converge"]["median"] <= 1.5 * floor else "NO"),
              "| converge at least 5x faster than uri | %s |" % (
                  "%.1fx | %s" % (uri["converge"]["median"] / ours["converge"]["median"],
                                  "yes" if uri["converge"]["median"] >= 5 * ours["converge"]["median"] else "NO")
                  if uri else "not run (--ways) | -"),
              "| converged re-run: 0 writes, at most 1 read per room | %d writes, %.2f reads per room | %s |" % (
                  ours["rerun"]["writes"], ours["rerun"]["reads"] / total_rooms,
                  "yes" if ours["rerun"]["writes"] == 0 and ours["rerun"]["reads"] <= total_rooms else "NO"),
              "| drift check: 0 writes, at most 1 read per room | %d writes, %.2f reads per room | %s |" % (
                  ours["check"]["writes"], ours["check"]["reads"] / total_rooms,
                  "yes" if ours["check"]["writes"] == 0 and ours["check"]["reads"] <= total_rooms else "NO"),
              ""]
    lines.append("Raw figures: `%s`" % json.dumps(results, sort_keys=True))
    # the SSH benchmark's section (benchmarks/fleet_ssh.py) stays beside these results
    previous = arguments.output.read_text() if arguments.output.exists() else ""
    ssh_section = previous[previous.index(SSH_SECTION):] if SSH_SECTION in previous else ""
    arguments.output.write_text("\n".join(lines) + "\n" + ("\n" + ssh_section if ssh_section else ""))
    print("\n".join(lines[:-1]))


def ansible_version():
    output = subprocess.run([str(REPO / ".venv" / "bin" / "ansible-playbook"), "--version"], capture_output=True,
                            text=True, check=False).stdout
    return output.split("[core ", 1)[1].split("]", 1)[0] if "[core " in output else "?"


if __name__ == "__main__":
    main()
