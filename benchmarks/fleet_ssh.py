#!/usr/bin/env python3
"""Fleet benchmark over SSH: real test hosts (lab/hosts.sh: systemd-nspawn, sshd, the stand-in as service
antmedia), R rooms each, reached over SSH as a careful operator sets it up (pipelining, ControlPersist), and the
same three ways as benchmarks/fleet.py: this collection's playbooks, the uri playbooks, Ansible's floor (one ping
per host). Writes its section of benchmarks/RESULTS.md (or --output). Run as root (the lab needs it).

    .venv/bin/python benchmarks/fleet_ssh.py [--hosts 40] [--rooms 10] [--runs 3] [--forks 20] [--profile]
    .venv/bin/python benchmarks/fleet_ssh.py --quick     # 3 hosts x 3 rooms, 1 run: counts asserted (CI)

The lab is a second one beside the project's default lab (its own bridge, addresses and run folder), so it
never needs the default lab's lock; it is torn down at the end, whatever happens."""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fleet import PLAYBOOKS, process_tree_rss  # noqa: E402  (the local benchmark's helpers)

HOSTS_SH = REPO / "lab" / "hosts.sh"
WORK = REPO / ".work" / "bench-ssh"
PUSH_START_DELAY = 0.5  # as the local benchmark (a real server: 30-90 s)
APP = "live"
# The second lab (lab/hosts.sh "Settings"): its own names, bridge, run folder and /24.
LAB = {"LAB_NAME": "bench", "LAB_BRIDGE": "br-bench", "LAB_RUN": "/run/mediaops-bench", "LAB_SUBNET": "10.77.1",
       "LAB_BOOT_TIMEOUT": "600"}  # 40 hosts booting at once on 2 cores, each encoding its clips once
# SSH as a careful operator sets it for a fleet: one master connection per host kept between tasks and runs,
# modules piped into the interpreter (no temporary files, one SSH exchange per task), keys only.
SSH_ARGS = "-o ControlMaster=auto -o ControlPersist=300s -o PreferredAuthentications=publickey -o ServerAliveInterval=15"
RESULTS_BEGIN = "<!-- fleet-ssh: begin (written by benchmarks/fleet_ssh.py) -->"
RESULTS_END = "<!-- fleet-ssh: end -->"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
EMPTY_ZIP = b"PK\x05\x06" + b"\x00" * 18  # the plugin jar: only its name matters to the stand-in


def log(message):
    print("fleet_ssh: %s" % message, flush=True)


class Lab(object):
    """The benchmark's own lab of N test hosts, each a stand-in server reached over SSH."""

    def __init__(self, count, rooms, server_waits=PUSH_START_DELAY):
        self.count = count
        self.server_waits = server_waits
        self.rooms = ["room%02d" % index for index in range(rooms)]
        self.environment = dict(os.environ, **{name: os.environ.get("FLEET_SSH_" + name, value)
                                               for name, value in LAB.items()})
        config = dict(line.split("=", 1) for line in self.hosts_sh("config").splitlines() if "=" in line)
        self.run_dir = Path(shlex.split(config["LAB_RUN"])[0])
        self.key = shlex.split(config["KEY"])[0]
        self.rootfs = shlex.split(config["ROOTFS"])[0]
        self.name = self.environment["LAB_NAME"]
        subnet, base = self.environment["LAB_SUBNET"], int(self.environment.get("LAB_BASE", "10"))
        self.hosts = [("%s%d" % (self.name, index), "%s.%d" % (subnet, base + index)) for index in range(1, count + 1)]

    def hosts_sh(self, *arguments, timeout=900):
        completed = subprocess.run(["bash", str(HOSTS_SH), *arguments], capture_output=True, text=True,
                                   env=self.environment, timeout=timeout, check=False)
        if completed.returncode != 0:
            raise SystemExit("lab/hosts.sh %s failed:\n%s%s" % (" ".join(arguments), completed.stdout[-2000:],
                                                                completed.stderr[-3000:]))
        return completed.stdout

    def up(self):
        if not Path(self.rootfs).is_dir():  # the shared image: built under the project's lab lock
            log("building the hosts' image (shared, cached)")
            subprocess.run(["flock", "/tmp/mediaops-lab.lock", "bash", str(HOSTS_SH), "build"], env=self.environment,
                           check=True, stdout=subprocess.DEVNULL)
        # each host's systemd takes several inotify instances: the kernel's default 128 per user (all of root's
        # containers together) stops a lab of dozens of hosts ("Failed to create inotify object")
        limit = Path("/proc/sys/fs/inotify/max_user_instances")
        if int(limit.read_text()) < 64 * self.count + 256:
            log("fs.inotify.max_user_instances %s -> %d" % (limit.read_text().strip(), 64 * self.count + 256))
            limit.write_text(str(64 * self.count + 256))
        started = time.monotonic()
        booting = threading.Event()
        skipper = threading.Thread(target=self.skip_boot_encodes, args=(booting,), daemon=True)
        skipper.start()
        try:
            self.hosts_sh("up", str(self.count))
        finally:
            booting.set()
            skipper.join()
        log("%d hosts up in %.0f s" % (self.count, time.monotonic() - started))
        self.seed_media_cache()

    def skip_boot_encodes(self, done):
        """Each host's first start encodes the source clips with ffmpeg: dozens of hosts at once are minutes of
        CPU. While the hosts boot, those encodes are ended (the clips are seeded afterwards, and fresh() starts
        every server again); only ffmpeg processes inside this lab's hosts' cgroups."""
        while not done.wait(0.5):
            pids = []
            for name, _ in self.hosts:  # os.walk, not glob: cgroups come and go while it reads
                for folder, _, files in os.walk("/sys/fs/cgroup/systemd/lab-%s" % name, onerror=lambda error: None):
                    try:
                        pids += Path(folder, "cgroup.procs").read_text().split() if "cgroup.procs" in files else []
                    except OSError:
                        pass
            for pid in pids:
                try:
                    if Path("/proc/%s/comm" % pid).read_text().strip() == "ffmpeg":
                        os.kill(int(pid), signal.SIGTERM)
                except (OSError, ValueError):
                    pass

    def seed_media_cache(self):
        """The recordings' source clips the tests already encoded, into each host's cache: a host's first start
        encodes them with ffmpeg (CPU seconds per host) unless they are there; fresh() restarts the service."""
        clips = [REPO / ".work" / "ams-standin-media" / ("source-30s." + kind) for kind in ("mp4", "webm")]
        if not all(clip.exists() for clip in clips):
            return
        for name, _ in self.hosts:
            root = self.run_dir / "hosts" / name / "root"
            user = [line.split(":") for line in (root / "etc" / "passwd").read_text().splitlines()
                    if line.startswith("antmedia:")]
            if not user:
                continue
            cache = root / "var" / "cache" / "antmedia" / "ams-standin"
            cache.mkdir(parents=True, exist_ok=True)
            for directory in (cache.parent, cache):
                os.chown(directory, int(user[0][2]), int(user[0][3]))
            for clip in clips:
                shutil.copyfile(clip, cache / clip.name)
                os.chown(cache / clip.name, int(user[0][2]), int(user[0][3]))

    def down(self):
        subprocess.run(["bash", str(HOSTS_SH), "down"], env=self.environment, capture_output=True, timeout=600,
                       check=False)

    # ---- on the hosts ----------------------------------------------------------------------------
    def ssh(self, address, command, timeout=120):
        completed = subprocess.run(
            ["ssh", "-i", self.key, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o",
             "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", "root@" + address,
             command], capture_output=True, text=True, timeout=timeout, check=False)
        if completed.returncode != 0:
            raise SystemExit("ssh %s failed (%d): %s" % (address, completed.returncode, completed.stderr[-1000:]))
        return completed.stdout

    def parallel(self, function, items, workers=8):
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(function, items))

    def call(self, address, method, path, body=None, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request("http://%s:5080%s" % (address, path), data=data, method=method,
                                         headers={"Content-Type": "application/json"} if data else {})
        with _OPENER.open(request, timeout=timeout) as answer:
            return json.loads(answer.read() or b"null")

    def fresh(self, hosts=None):
        """Fresh server data on every host (or those given) (a new install: no broadcast, setting or VoD), the Media Push plugin
        loaded, pushes blocking server_waits s and their muxer prepared for as long, then every room with 2
        participants."""
        reset = " && ".join([
            "printf 'ANTMEDIA_STANDIN_ARGS=\"--push-start-delay %s --push-prepare-window %s\"\\n' > /etc/default/antmedia"
            % (self.server_waits, self.server_waits),
            "systemctl stop antmedia",
            "rm -rf /usr/local/antmedia/conf /usr/local/antmedia/data /usr/local/antmedia/log /usr/local/antmedia/webapps/*",
            "install -d -o antmedia -g antmedia /usr/local/antmedia/plugins",
            "printf 'PK\\005\\006' > /usr/local/antmedia/plugins/media-push.jar",
            "head -c 18 /dev/zero >> /usr/local/antmedia/plugins/media-push.jar",
            "chown antmedia:antmedia /usr/local/antmedia/plugins/media-push.jar",
            "systemctl start antmedia"])
        hosts = hosts or self.hosts
        self.parallel(lambda host: self.ssh(host[1], reset), hosts)
        self.parallel(self.wait_ready, hosts)
        joins = [(address, room, "%s-%s" % (room, person)) for _, address in hosts for room in self.rooms
                 for person in ("a", "b")]
        self.parallel(lambda join: self.call(join[0], "POST", "/_lab/apps/%s/rooms/%s/participants" % (APP, join[1]),
                                             {"streamId": join[2]}), joins, workers=16)

    def wait_ready(self, host, timeout=180):
        """Until the server answers, its plugin is set up, and its source clips are encoded (a first boot
        encodes them: that CPU must not fall into a measured run)."""
        name, address = host
        cache = self.run_dir / "hosts" / name / "root" / "var" / "cache" / "antmedia" / "ams-standin"
        deadline = time.monotonic() + timeout
        while True:
            try:
                health = self.call(address, "GET", "/_lab/health", timeout=5)
                if (health.get("ready") and (health.get("pluginSetup") or {}).get(APP) == "done"
                        and all((cache / ("source-30s." + kind)).exists() for kind in ("mp4", "webm"))):
                    return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit("%s is not ready after %d s" % (name, timeout))
            time.sleep(0.2)

    # ---- figures --------------------------------------------------------------------------------
    def marks(self):
        return dict((address, self.call(address, "GET", "/_lab/requests?since=%d" % 2 ** 62)["last_seq"])
                    for _, address in self.hosts)

    def requests_since(self, marks):
        counts = {}
        logs = self.parallel(lambda host: self.call(host[1], "GET", "/_lab/requests?since=%d" % marks[host[1]],
                                                    timeout=60)["requests"], self.hosts)
        for entries in logs:
            for entry in entries:
                # the session probe (send-command of a constant script) changes nothing: counted apart from writes
                kind = "PROBE" if entry.get("no_effect") else entry["method"]
                counts[kind] = counts.get(kind, 0) + 1
        return counts

    def recording_rooms_of(self, address):
        return len(self.call(address, "GET", "/_lab/apps/%s/media-push" % APP)["sessions"])

    def recording_rooms(self):
        return sum(len(self.call(address, "GET", "/_lab/apps/%s/media-push" % APP)["sessions"])
                   for _, address in self.hosts)

    def cpu(self):
        """CPU seconds used so far on all hosts (cgroup v2 of each host): the server (antmedia.service), the SSH
        sessions (ssh.service: sshd and the module processes it starts; the hosts have no logind sessions) and the
        rest (systemd, journald, ...)."""
        totals = {"server": 0.0, "sessions": 0.0, "host_total": 0.0}
        for name, _ in self.hosts:
            base = Path("/sys/fs/cgroup/unified/lab-%s" % name)
            for key, relative in (("host_total", "."), ("server", "payload/system.slice/antmedia.service"),
                                  ("sessions", "payload/system.slice/ssh.service")):
                try:
                    stat = (base / relative / "cpu.stat").read_text()
                    totals[key] += int(re.search(r"^usage_usec (\d+)", stat, re.M).group(1)) / 1e6
                except (OSError, AttributeError):
                    pass
        return totals

    def memory(self):
        """Per host: MiB of proportional set size of every process of the host, and MiB its writable
        overlay holds (tmpfs, so memory too)."""
        figures = []
        for name, _ in self.hosts:
            pss_kib = 0
            for procs in Path("/sys/fs/cgroup/systemd/lab-%s" % name).rglob("cgroup.procs"):
                for pid in procs.read_text().split():
                    try:
                        rollup = Path("/proc/%s/smaps_rollup" % pid).read_text()
                        pss_kib += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1))
                    except (OSError, AttributeError):
                        pass
            upper = subprocess.run(["du", "-sk", "--one-file-system", str(self.run_dir / "hosts" / name / "upper")],
                                   capture_output=True, text=True, check=False).stdout.split()
            figures.append({"pss_mib": pss_kib / 1024, "overlay_mib": int(upper[0]) / 1024 if upper else 0.0})
        return figures

    def inventory(self, path):
        hosts = dict((name, {"ansible_host": address}) for name, address in self.hosts)
        path.write_text(json.dumps({"media_servers": {"hosts": hosts, "vars": {
            "ansible_user": "root", "ansible_ssh_private_key_file": self.key,
            "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
            "ansible_python_interpreter": "/usr/bin/python3",
            # the modules and the uri tasks call the server on the host itself, as AMS's IP filter admits
            "antmedia_url": "http://127.0.0.1:5080", "antmedia_app": APP, "antmedia_drift_plugin": False,
            "bench_rooms": [{"room": room} for room in self.rooms], "antmedia_recordings": "{{ bench_rooms }}"}}}))
        return path


def ansible_environment(forks, control_dir):
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".work" / "collections"), ANSIBLE_FORKS=str(forks),
                ANSIBLE_PIPELINING="1", ANSIBLE_SSH_ARGS=SSH_ARGS, ANSIBLE_SSH_CONTROL_PATH_DIR=str(control_dir),
                ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0",
                ANSIBLE_RETRY_FILES_ENABLED="0", NO_PROXY="*", no_proxy="*", ANSIBLE_CALLBACK_RESULT_FORMAT="json",
                ANSIBLE_DISPLAY_OK_HOSTS="0", ANSIBLE_DISPLAY_SKIPPED_HOSTS="0",
                ANSIBLE_LOCAL_TEMP=str(WORK / "ansible-tmp"))


def run_playbook(command, environment):
    """(seconds, peak tree RSS bytes, controller CPU seconds, rc, output tail) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment, text=True,
                               cwd=str(WORK))
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], process_tree_rss(process.pid))
            done.wait(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        output = process.communicate()[0]
    except BaseException:  # a signal ends the benchmark: the run goes too, before the lab is torn down
        process.kill()
        process.wait()
        raise
    finally:
        done.set()
    seconds = time.monotonic() - started
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, peak[0], cpu, process.returncode, output[-3000:]


class Bench(object):
    def __init__(self, arguments, lab):
        self.arguments = arguments
        self.lab = lab
        self.inventory = lab.inventory(WORK / "inventory.json")
        self.environment = ansible_environment(arguments.forks, WORK / "cp")
        self.ways = {
            "ours": (REPO / "playbooks" / "record.yml", REPO / "playbooks" / "drift.yml",
                     ("--check", "-e", "antmedia_drift_report=%s" % (WORK / "drift")), PLAYBOOKS / "record-stopped.yml"),
            "uri": (PLAYBOOKS / "uri-converge.yml", PLAYBOOKS / "uri-check.yml", (), PLAYBOOKS / "uri-stop.yml")}

    def command(self, playbook, extra_args=()):
        return [str(REPO / ".venv" / "bin" / "ansible-playbook"), "-i", str(self.inventory), *extra_args,
                str(playbook)]

    def measure(self, playbook, extra_args=()):
        marks = self.lab.marks()
        cpu_before = self.lab.cpu()
        seconds, peak, controller_cpu, rc, tail = run_playbook(self.command(playbook, extra_args), self.environment)
        if rc != 0:
            raise SystemExit("%s failed (rc %d):\n%s" % (playbook, rc, tail))
        cpu_after = self.lab.cpu()
        cpu = dict((key, cpu_after[key] - cpu_before[key]) for key in cpu_after)
        cpu["controller"] = controller_cpu
        return {"seconds": seconds, "peak_rss": peak, "requests": self.lab.requests_since(marks), "cpu": cpu}

    def way(self, name, runs):
        converge, check, check_args, stop = self.ways[name]
        total = len(self.lab.hosts) * len(self.lab.rooms)
        self.lab.fresh()  # from nothing: fresh server data for every converge
        sample = self.measure(converge)
        started = self.lab.recording_rooms()
        assert started == total, "%s converge started %d of %d rooms" % (name, started, total)
        runs.setdefault("converge", []).append(sample)
        if name == "ours" and self.arguments.memory is None:
            self.arguments.memory = self.lab.memory()  # each host while its 10 rooms record
        runs.setdefault("rerun", []).append(self.measure(converge))
        runs.setdefault("check", []).append(self.measure(check, check_args))
        runs.setdefault("stop", []).append(self.measure(stop))
        stopped = self.lab.recording_rooms()
        assert stopped == 0, "%s stop left %d rooms recording" % (name, stopped)

    # ---- profile (separate runs, not measured) --------------------------------------------------
    def profile(self):
        """Where the time goes, for ours and the floor: a timeline of tasks (callback bench_timeline), the
        controller's CPU by what it did (py-spy over ansible-playbook and its forks), the hosts' CPU by cgroup.
        Each scenario runs twice (timeline, then py-spy), each time from the same state."""
        py_spy = REPO / ".venv-runner" / "bin" / "py-spy"
        record, drift, drift_args, stop = self.ways["ours"][0], self.ways["ours"][1], self.ways["ours"][2], self.ways["ours"][3]

        def recording():
            run_playbook(self.command(record), self.environment)
        figures = {}
        for scenario, playbook, extra_args, prepare in (
                ("floor", PLAYBOOKS / "floor.yml", (), None), ("converge", record, (), self.lab.fresh),
                ("rerun", record, (), None), ("check", drift, drift_args, None), ("stop", stop, (), recording)):
            timeline = WORK / ("timeline-%s.jsonl" % scenario)
            raw = WORK / ("pyspy-%s.txt" % scenario)
            for path in (timeline, raw):
                if path.exists():
                    path.unlink()
            if prepare:
                prepare()
            environment = dict(self.environment, BENCH_TIMELINE=str(timeline),
                               ANSIBLE_CALLBACK_PLUGINS=str(REPO / "benchmarks" / "callback_plugins"),
                               ANSIBLE_CALLBACKS_ENABLED="bench_timeline")
            cpu_before = self.lab.cpu()
            seconds, _, controller_cpu, rc, tail = run_playbook(self.command(playbook, extra_args), environment)
            if rc != 0:
                raise SystemExit("%s failed (rc %d):\n%s" % (playbook, rc, tail))
            cpu_after = self.lab.cpu()
            entry = {"seconds": seconds, "timeline": read_timeline(timeline), "cpu": dict(
                controller=controller_cpu, **dict((key, cpu_after[key] - cpu_before[key]) for key in cpu_after))}
            if py_spy.exists():
                if prepare:
                    prepare()
                command = [str(py_spy), "record", "--subprocesses", "--nonblocking", "--rate", "100", "--format",
                           "raw", "--output", str(raw), "--", *self.command(playbook, extra_args)]
                spy_seconds, _, _, rc, tail = run_playbook(command, self.environment)
                if rc != 0:
                    raise SystemExit("py-spy %s failed (rc %d):\n%s" % (playbook, rc, tail))
                entry["pyspy"] = read_pyspy(raw)
                entry["pyspy_seconds"] = spy_seconds
            figures[scenario] = entry
            log("profile %s: %.1f s" % (scenario, seconds))
        if py_spy.exists():
            figures["module on a host"] = self.profile_module(py_spy)
        figures["what if"] = self.what_if()
        return figures

    def what_if(self):
        """Converges from nothing with a part of the work taken away, one run each, so what each part costs is
        measured rather than guessed: the role's templating (record.yml against the bare room_recordings task, one
        task per host either way), and the server's own waits (its push start and muxer preparation set to 0)."""
        rows = []
        for label, playbook, extra_args, no_waits in (
                ("record.yml as is", self.ways["ours"][0], (), False),
                ("the room_recordings task alone (no role)", PLAYBOOKS / "whatif-one-task.yml",
                 ("-e", "bench_start_concurrency=10"), False),
                ("record.yml, the server's waits at 0", self.ways["ours"][0], (), True)):
            self.lab.fresh()
            if no_waits:
                self.lab.parallel(lambda host: self.lab.call(host[1], "PUT", "/_lab/options",
                                                             {"pushPrepareWindow": 0, "pushStartDelay": 0}),
                                  self.lab.hosts)
            sample = self.measure(playbook, extra_args)
            started = self.lab.recording_rooms()
            assert started == len(self.lab.hosts) * len(self.lab.rooms), "%s started %d rooms" % (label, started)
            rows.append({"variant": label, "seconds": sample["seconds"], "requests": sample["requests"],
                         "cpu": sample["cpu"]})
            log("what if %s: %.1f s" % (label, sample["seconds"]))
        self.lab.fresh()  # the servers' own options again
        return rows

    def profile_module(self, py_spy):
        """The room_recordings module process of one host's converge from nothing, under py-spy on that host
        (--idle: waits count too). Its AnsiballZ payload is the one Ansible sent (kept with
        ANSIBLE_KEEP_REMOTE_FILES, so without pipelining for this one run)."""
        name, address = self.lab.hosts[0]
        self.lab.fresh()
        environment = dict(self.environment, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_PIPELINING="0")
        _, _, _, rc, tail = run_playbook(self.command(self.ways["ours"][0], ("--limit", name)), environment)
        if rc != 0:
            raise SystemExit("record.yml on %s failed (rc %d):\n%s" % (name, rc, tail))
        self.lab.fresh([(name, address)])
        shutil.copy(py_spy, self.lab.run_dir / "hosts" / name / "root" / "usr" / "local" / "bin" / "py-spy")
        script = ("payload=$(ls -t /root/.ansible/tmp/*/AnsiballZ_room_recordings.py | head -n 1) && "
                  "start=$(date +%s%N) && py-spy record --idle --rate 200 --format raw --output /root/module.raw -- "
                  "python3 \"$payload\" > /root/module.out 2> /root/module.err && "
                  "echo $(( ($(date +%s%N) - start) / 1000000 )) && rm -rf /root/.ansible/tmp/ansible-tmp-*")
        wall_ms = int(self.lab.ssh(address, script).split()[-1])
        raw = WORK / "pyspy-module.txt"
        raw.write_text(self.lab.ssh(address, "cat /root/module.raw && rm -f /root/module.*"))
        started = self.lab.recording_rooms_of(address)
        assert started == len(self.lab.rooms), "the profiled module started %d rooms" % started
        return {"seconds": wall_ms / 1000.0, "pyspy_module": read_module_pyspy(raw)}


def read_timeline(path):
    """{"startup": s, "tasks": [[name, action, wall s, hosts]], "end": s} from bench_timeline's lines."""
    events = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    if not events:
        return {}
    start = events[0]["t"]
    tasks, current = [], None
    for event in events:
        if event["event"] == "task":
            current = {"task": event["task"], "action": event["action"], "start": event["t"], "last": event["t"],
                       "hosts": 0}
            tasks.append(current)
        elif event["event"] == "host" and current is not None:
            current["last"] = event["t"]
            current["hosts"] += 1
    end = events[-1]["t"]
    rows = []
    for index, task in enumerate(tasks):
        following = tasks[index + 1]["start"] if index + 1 < len(tasks) else end
        rows.append([task["task"], task["action"], round(following - task["start"], 3), task["hosts"]])
    return {"startup": round(tasks[0]["start"] - start, 3) if tasks else round(end - start, 3), "tasks": rows,
            "total": round(end - start, 3)}


# What the controller's CPU did, by the first frame (outermost first) that names it.
PYSPY_BUCKETS = (
    ("module processes on the controller (tasks delegated to localhost)", ("&& sleep 0",)),
    ("imports", ("_find_and_load",)),
    ("SSH connection (module sent, result read)", ("connection/ssh.py",)),
    ("module packaging (AnsiballZ)", ("executor/module_common.py",)),
    ("templating", ("/template/", "/_internal/_templating/")),
    ("variables (hostvars, task vars)", ("vars/manager.py", "vars/hostvars.py")),
    ("playbook, role and inventory loading", ("/inventory/", "/parsing/", "/playbook/", "/plugins/inventory/")),
    ("action plugins (controller side of a task)", ("/plugins/action/",)),
    ("forking a worker per host and task", ("multiprocessing/", "popen_fork")),
    ("results and callbacks", ("/plugins/callback/", "task_result.py", "_process_pending_results",
                               "results_thread")),
    ("strategy and task queue", ("plugins/strategy/", "task_queue_manager.py", "executor/play_iterator.py")),
)


def read_pyspy(path):
    """Samples of py-spy's raw (collapsed) output grouped into PYSPY_BUCKETS, and the top leaf functions."""
    buckets, leaves, total = {}, {}, 0
    for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        count = int(count)
        total += count
        frames = stack.split(";")
        bucket = "other"
        for name, needles in PYSPY_BUCKETS:  # the first bucket that any frame names
            if any(needle in frame for frame in frames[1:] for needle in needles):
                bucket = name
                break
        buckets[bucket] = buckets.get(bucket, 0) + count
        leaf = re.sub(r" \(.*/(site-packages|lib/python3\.\d+)/", " (", frames[-1])
        leaves[leaf] = leaves.get(leaf, 0) + count
    top = sorted(leaves.items(), key=lambda item: -item[1])[:8]
    return {"samples": total, "buckets": dict(sorted(buckets.items(), key=lambda item: -item[1])), "top": top}


# Where the module process's time goes, by the innermost frame that names it (py-spy --idle: every thread).
MODULE_BUCKETS = (
    ("sleeping between re-asks of recording/true (poll interval)", ("_sleep (",)),
    ("waiting on the media push start (server)", ("start_media_push (",)),
    ("recording/true requests", ("set_recording (",)),
    ("reads", ("read_many (", "get_broadcast (", "list_broadcasts (", "_read (")),
    ("waiting for its room threads", ("converge_all (",)),
    ("imports (interpreter, AnsiballZ)", ("_find_and_load", "zipimport")),
)


def read_module_pyspy(path):
    """Seconds of each thread of the module process by MODULE_BUCKETS (samples at 200 Hz, --idle)."""
    threads = {"main thread": {}, "room threads": {}}
    for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        thread = threads["room threads" if any("Thread._bootstrap" in frame for frame in frames) else "main thread"]
        bucket = "other"
        for frame in reversed(frames):
            for name, needles in MODULE_BUCKETS:
                if any(needle in frame for needle in needles):
                    bucket = name
                    break
            if bucket != "other":
                break
        thread[bucket] = thread.get(bucket, 0.0) + int(count) / 200.0
    return dict((name, dict(sorted(buckets.items(), key=lambda item: -item[1]))) for name, buckets in threads.items())


def summary(samples):
    times = [sample["seconds"] for sample in samples]
    requests = samples[-1]["requests"]
    cpu = dict((key, statistics.median(sample["cpu"][key] for sample in samples)) for key in samples[0]["cpu"])
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times),
            "peak_rss_mib": max(sample["peak_rss"] for sample in samples) / 2 ** 20,
            "reads": requests.get("GET", 0), "probes": requests.get("PROBE", 0),
            "writes": sum(n for m, n in requests.items() if m not in ("GET", "PROBE")),
            "requests": requests, "cpu": cpu}


def count_failures(results, total_rooms):
    """The count targets (never times): what CI asserts."""
    failures = []
    for way in ("ours", "uri"):
        if way not in results:
            continue
        for scenario in ("rerun", "check"):
            row = results[way][scenario]
            # a live push costs one session probe (whose push it is: docs/server-contract.md, "Who published a stream")
            if way == "ours" and (row["writes"] != 0 or row["reads"] > total_rooms
                                  or row.get("probes", 0) > total_rooms):
                failures.append("%s %s: %d writes, %d reads and %d session probes for %d rooms" % (
                    way, scenario, row["writes"], row["reads"], row.get("probes", 0), total_rooms))
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--forks", type=int, default=20)
    parser.add_argument("--server-waits", type=float, default=PUSH_START_DELAY, metavar="S",
                        help="how long a push start blocks and its muxer is then prepared, on every server (0: what "
                             "the collection costs by itself)")
    parser.add_argument("--ways", default="floor,ours,uri", help="comma-separated: floor, ours, uri")
    parser.add_argument("--profile", action="store_true", help="then profile ours and the floor (extra runs)")
    parser.add_argument("--quick", action="store_true", help="3 hosts x 3 rooms, 1 run, to .work/bench-ssh/QUICK.md")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.hosts, arguments.rooms, arguments.runs = 3, 3, 1
        if arguments.output == REPO / "benchmarks" / "RESULTS.md":
            arguments.output = WORK / "QUICK.md"
    if os.geteuid() != 0:
        raise SystemExit("fleet_ssh: run as root (the test hosts need namespaces and mounts)")
    ways = [way for way in arguments.ways.split(",") if way]
    arguments.load_before = " ".join("%.2f" % value for value in os.getloadavg())
    arguments.memory = None
    WORK.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(WORK / "cp", ignore_errors=True)
    (WORK / "cp").mkdir()
    lab = Lab(arguments.hosts, arguments.rooms, arguments.server_waits)
    total_rooms = arguments.hosts * arguments.rooms

    def stop(signum, _frame):
        raise SystemExit("fleet_ssh: signal %d, tearing the lab down" % signum)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, stop)
    runs = dict((way, {}) for way in ways)
    state = {"profile": None}

    def save(show=False):
        """RESULTS after every completed round: a run cut short still leaves what it measured."""
        results = dict((way, dict((name, summary(samples)) for name, samples in scenarios.items()))
                       for way, scenarios in runs.items() if scenarios)
        write_results(arguments, results, state["profile"], total_rooms, show)
        return results
    try:
        lab.up()
        lab.fresh()
        arguments.memory_idle = lab.memory()
        bench = Bench(arguments, lab)
        # unmeasured: every host's SSH master connection is up, as for an operator's second run of the day
        bench.measure(PLAYBOOKS / "floor.yml")
        # the cheap ways' rounds first, then one uri round, the profile, the other uri rounds (minutes each on a
        # large fleet): a run cut short still has every way and the profile
        def uri_round(run):
            bench.way("uri", runs["uri"])
            log("run %d of %d: uri %s" % (run + 1, arguments.runs, ", ".join(
                "%s %.1f s" % (name, samples[-1]["seconds"]) for name, samples in runs["uri"].items())))
            save()
        for run in range(arguments.runs):
            if "floor" in ways:
                runs["floor"].setdefault("floor", []).append(bench.measure(PLAYBOOKS / "floor.yml"))
                log("run %d of %d: floor %.1f s" % (run + 1, arguments.runs, runs["floor"]["floor"][-1]["seconds"]))
            if "ours" in ways:
                bench.way("ours", runs["ours"])
                log("run %d of %d: ours %s" % (run + 1, arguments.runs, ", ".join(
                    "%s %.1f s" % (name, samples[-1]["seconds"]) for name, samples in runs["ours"].items())))
            save()
        uri_runs = arguments.runs if "uri" in ways else 0
        if uri_runs:
            uri_round(0)
        if arguments.profile:
            state["profile"] = bench.profile()
            save()
        for run in range(1, uri_runs):
            uri_round(run)
    finally:
        lab.down()
        shutil.rmtree(WORK / "cp", ignore_errors=True)
    results = save(show=True)
    failures = count_failures(results, total_rooms)
    if failures:
        raise SystemExit("fleet_ssh: count targets not met: %s" % "; ".join(failures))
    log("counts as required: 0 writes, at most one read and one session probe per room on the converged re-run and "
        "the drift check")


def ansible_version():
    output = subprocess.run([str(REPO / ".venv" / "bin" / "ansible-playbook"), "--version"], capture_output=True,
                            text=True, check=False).stdout
    return output.split("[core ", 1)[1].split("]", 1)[0] if "[core " in output else "?"


def median_of(figures, key):
    return statistics.median(figure[key] for figure in figures) if figures else 0.0


def write_results(arguments, results, profile, total_rooms, show=True):
    lines = [RESULTS_BEGIN, "## Over SSH: real test hosts", "",
             "Generated by `bash benchmarks/run.sh --ssh` on %s." % datetime.datetime.now(
                 datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "",
             "- Machine: %s, %d CPUs, %.0f GiB RAM (the controller and every test host share them), load average "
             "before the run %s, at its end %s" % (
                 platform.machine(), os.cpu_count(), os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30,
                 arguments.load_before, " ".join("%.2f" % value for value in os.getloadavg())),
             "- Python %s, ansible-core %s on the controller; the hosts' Debian bookworm python3" % (
                 platform.python_version(), ansible_version()),
             "- Fleet: %d test hosts (systemd-nspawn, systemd, sshd, the stand-in as service `antmedia`), %d rooms each "
             "with 2 participants (%d rooms); a media push start blocks %.1f s on the server, then its muxer is "
             "prepared for %.1f s (recording/true answers \"couldn't be started\" meanwhile); fresh server data "
             "before every converge" % (arguments.hosts, arguments.rooms, total_rooms, arguments.server_waits,
                                        arguments.server_waits)]
    if arguments.memory:
        lines.append("- Memory per host (PSS of all its processes + its tmpfs overlay), median (max): idle with its "
                     "rooms %.0f + %.1f MiB, recording its %d rooms %.0f (%.0f) + %.1f MiB" % (
                         median_of(arguments.memory_idle, "pss_mib"), median_of(arguments.memory_idle, "overlay_mib"),
                         arguments.rooms, median_of(arguments.memory, "pss_mib"),
                         max(figure["pss_mib"] for figure in arguments.memory),
                         median_of(arguments.memory, "overlay_mib")))
    lines += ["- SSH: pipelining, `%s` (master connections warm: one unmeasured run first, runs back to back), "
              "key authentication; forks %d, linear strategy; median of the runs (min-max, number of runs; %d asked)" % (
                  SSH_ARGS, arguments.forks, arguments.runs), "",
              "| way | scenario | wall time s | vs floor | vs uri | reads | writes | reads per room | controller CPU s "
              "| hosts' sessions CPU s | servers CPU s | peak controller RSS MiB |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    floor = results.get("floor", {}).get("floor", {}).get("median")
    for way in ("ours", "uri"):
        for name in ("converge", "rerun", "check", "stop"):
            row = results.get(way, {}).get(name)
            if row is None:
                continue
            uri = results.get("uri", {}).get(name, {}).get("median")
            lines.append("| %s | %s | %.1f (%.1f-%.1f, %d runs) | %s | %s | %d | %d | %.2f | %.1f | %.1f | %.1f | %.0f |" % (
                way, name, row["median"], row["min"], row["max"], row["runs"], "%.2fx" % (row["median"] / floor) if floor else "-",
                "%.1fx faster" % (uri / row["median"]) if way == "ours" and uri else "-", row["reads"], row["writes"],
                row["reads"] / total_rooms, row["cpu"]["controller"], row["cpu"]["sessions"], row["cpu"]["server"],
                row["peak_rss_mib"]))
    if floor:
        row = results["floor"]["floor"]
        lines.append("| floor | one ping per host | %.1f (%.1f-%.1f, %d runs) | 1.00x | - | 0 | 0 | 0 | %.1f | %.1f | %.1f | %.0f |"
                     % (row["median"], row["min"], row["max"], row["runs"], row["cpu"]["controller"], row["cpu"]["sessions"],
                        row["cpu"]["server"], row["peak_rss_mib"]))
    lines += ["", "CPU columns: seconds of CPU during the run (median): the controller (ansible-playbook, its forks and "
              "their ssh clients), the hosts' SSH sessions (the module processes and their sshd), the stand-in servers.",
              ""]
    ours, uri = results.get("ours"), results.get("uri")
    if ours:
        lines += ["### Targets over SSH", "", "| target | measured | met |", "| --- | --- | --- |"]
        if floor:
            ratio = ours["converge"]["median"] / floor
            lines.append("| converge at most 1.3x the floor | %.2fx | %s |" % (ratio, "yes" if ratio <= 1.3 else "NO"))
        if uri:
            ratio = uri["converge"]["median"] / ours["converge"]["median"]
            lines.append("| converge at least 10x faster than uri | %.1fx | %s |" % (ratio, "yes" if ratio >= 10 else "NO"))
        for name, label in (("rerun", "converged re-run"), ("check", "drift check")):
            row = ours[name]
            probes = row.get("probes", 0)
            lines.append("| %s: 0 writes, at most 1 read and 1 session probe per room | %d writes, %.2f reads and "
                         "%.2f probes per room | %s |" % (
                             label, row["writes"], row["reads"] / total_rooms, probes / total_rooms,
                             "yes" if row["writes"] == 0 and row["reads"] <= total_rooms and probes <= total_rooms
                             else "NO"))
        lines.append("")
    if profile:
        lines += profile_lines(profile)
    lines.append("Raw figures (SSH): `%s`" % json.dumps({"results": results, "memory_idle": arguments.memory_idle,
                                                        "memory_recording": arguments.memory}, sort_keys=True))
    lines.append(RESULTS_END)
    section = "\n".join(lines) + "\n"
    text = arguments.output.read_text() if arguments.output.exists() else ""
    if RESULTS_BEGIN in text and RESULTS_END in text:
        head, rest = text.split(RESULTS_BEGIN, 1)
        text = head + section + rest.split(RESULTS_END, 1)[1].lstrip("\n")
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + section
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text)
    if show:
        print(section)


def profile_lines(profile):
    lines = ["### Where the time goes (profiled runs, not the measured ones)", "",
             "Task timeline (callback `benchmarks/callback_plugins/bench_timeline.py`): wall seconds from the start of "
             "each step to the start of the next.", "",
             "| scenario | run s | start-up | steps (s) |", "| --- | --- | --- | --- |"]
    for scenario, entry in profile.items():
        if "timeline" not in entry:
            continue
        timeline = entry["timeline"]
        steps = "; ".join("%s %.2f" % (task[0], task[2]) for task in timeline.get("tasks", []) if task[2] >= 0.05)
        lines.append("| %s | %.1f | %.2f | %s |" % (scenario, entry["seconds"], timeline.get("startup", 0), steps))
    lines += ["", "Controller CPU by what it did (py-spy `--subprocesses` over ansible-playbook and its forks; share "
              "of the CPU samples):", "", "| scenario | samples | shares |", "| --- | --- | --- |"]
    for scenario, entry in profile.items():
        spy = entry.get("pyspy") if isinstance(entry, dict) else None
        if not spy or not spy["samples"]:
            continue
        shares = ", ".join("%s %.0f%%" % (name, 100.0 * count / spy["samples"]) for name, count in spy["buckets"].items())
        lines.append("| %s | %d | %s |" % (scenario, spy["samples"], shares))
    what_if = profile.get("what if")
    if what_if:
        lines += ["", "What if (converge from nothing, fresh data, one run each, same fleet and forks):", "",
                  "| variant | wall time s | requests | controller CPU s | hosts' sessions CPU s |",
                  "| --- | --- | --- | --- | --- |"]
        for row in what_if:
            lines.append("| %s | %.1f | %s | %.1f | %.1f |" % (
                row["variant"], row["seconds"], ", ".join("%s %d" % item for item in sorted(row["requests"].items())),
                row["cpu"]["controller"], row["cpu"]["sessions"]))
    module = profile.get("module on a host", {}).get("pyspy_module")
    if module:
        lines += ["", "The module process on one host, converging its rooms from nothing (py-spy `--idle` on the host, "
                  "%.1f s from its start to its end): seconds of each thread by what it was doing." % (
                      profile["module on a host"]["seconds"]), "",
                  "| thread | seconds by what it did |", "| --- | --- |"]
        for thread, buckets in module.items():
            lines.append("| %s | %s |" % (thread, ", ".join("%s %.2f" % item for item in buckets.items())))
    lines.append("")
    return lines


if __name__ == "__main__":
    main()
