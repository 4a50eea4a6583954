# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real ansible-rulebook running extensions/eda/rulebooks/auto_record.yml against stand-in servers
(used by tests/eda and benchmarks/eda.py)."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, unquote

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "lab"))
EDA_VENV = Path(os.environ.get("EDA_VENV") or REPO / ".venv-eda")
COLLECTIONS = REPO / ".work" / "collections"

from ams_standin.harness import Standin, free_port  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import

__all__ = ["Standin", "free_port", "Rulebook", "fleet_inventory", "wait_until"]


def wait_until(predicate, timeout=60.0, interval=0.1, what="condition"):
    """Poll predicate until it returns something truthy (a generous bound, never a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(interval)


def fleet_inventory(ams, addresses, host_vars=None):
    hosts = {}
    for index, address in enumerate(addresses):
        hosts["media%d" % (index + 1)] = dict(
            ansible_connection="local", ansible_python_interpreter=str(EDA_VENV / "bin" / "python"),
            antmedia_url=ams.base_url(address), auto_record_senders=[address], **(host_vars or {}))
    return {"media_servers": {"hosts": hosts, "vars": {"antmedia_app": "live"}}}


def count_play_headers(log, mode):
    """The playbook runs of a mode in a log: each prints its play header once (the results callback repeats the
    play's name in its RESULTS header, which is not a run)."""
    return len(re.findall(r"^PLAY \[.*hooks were about \(%s\)\]" % re.escape(mode), log, re.M))


class Rulebook:
    """ansible-rulebook with the collection's rulebook; its receiver on 127.0.0.1:port."""

    def __init__(self, workdir, inventory, secret=None, port=None, extra_vars=None, verbosity=0):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.secret = secret or "k1" + secrets.token_hex(24)
        self.port = port or free_port()
        self.inventory = self.workdir / "inventory.json"
        self.inventory.write_text(json.dumps(inventory))
        self.vars_file = self.workdir / "rulebook-vars.json"
        self.vars_file.write_text(json.dumps(dict({"ams_hook_host": "127.0.0.1", "ams_hook_port": self.port},
                                                  **(extra_vars or {}))))
        self.log_path = self.workdir / "rulebook.log"
        self.verbosity = verbosity
        self.process = None
        self.log_offset = 0  # where the current start's output begins in the log (a restart appends to it)
        self.cache_dir = self.workdir / "cache"
        self.lock_dir = self.cache_dir / "mediaops-antmedia" / "auto-record"

    @property
    def hook_url(self):
        return "http://127.0.0.1:%d/ams/%s" % (self.port, self.secret)

    def start(self, timeout=90.0):
        command = [str(EDA_VENV / "bin" / "ansible-rulebook"), "-i", str(self.inventory),
                   "--rulebook", "mediaops.antmedia.auto_record", "--vars", str(self.vars_file),
                   "--env-vars", "AMS_HOOK_SECRET"]
        if self.verbosity:
            command.append("-" + "v" * self.verbosity)
        environment = dict(os.environ, AMS_HOOK_SECRET=self.secret, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
                           PATH="%s:%s" % (EDA_VENV / "bin", os.environ.get("PATH", "")), ANSIBLE_NOCOLOR="1",
                           ANSIBLE_FORCE_COLOR="0", ANSIBLE_LOCAL_TEMP=str(self.workdir / "ansible-tmp"),
                           ANSIBLE_DEPRECATION_WARNINGS="0", NO_PROXY="*", no_proxy="*", PYTHONUNBUFFERED="1",
                           XDG_CACHE_HOME=str(self.cache_dir))  # the locks and the receiver's marks, per test
        with open(self.log_path, "ab") as log_file:
            self.log_offset = log_file.tell()
            self.process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, cwd=str(self.workdir), env=environment)
        wait_until(self._listening, timeout, what="the rulebook's receiver on port %d (log: %s)"
                   % (self.port, self.log_path))
        return self

    def _listening(self):
        if self.process.poll() is not None:
            raise AssertionError("ansible-rulebook exited %s:\n%s" % (self.process.returncode, self.log()[-4000:]))
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def run_log(self):
        """The log of the current start only (runs of an earlier, stopped receiver do not count)."""
        try:
            with open(self.log_path, "rb") as log_file:
                log_file.seek(self.log_offset)
                return log_file.read().decode(errors="replace")
        except OSError:
            return ""

    def playbook_runs(self, mode="start"):
        """How many runs of the playbook in this mode started since the receiver's latest start (each prints its
        play header once)."""
        return count_play_headers(self.run_log(), mode)

    def runs_finished(self):
        """How many playbook runs have ended (each prints its recap once)."""
        return self.run_log().count("PLAY RECAP")

    def idle_after(self, mode, at_least, timeout=120.0):
        """Wait until at least `at_least` runs of `mode` started and every started run ended."""
        def idle():
            log = self.run_log()
            started = count_play_headers(log, "start") + count_play_headers(log, "stop")
            return self.playbook_runs(mode) >= at_least and log.count("PLAY RECAP") >= started
        wait_until(idle, timeout, 0.2, what="%d %s run(s) of the playbook, all ended" % (at_least, mode))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def push_starts(ams, address=None, since=0):
    """The media push start requests the server answered: {push stream id: [time, ...]}."""
    starts = {}
    for entry in ams.requests(since, address):
        if entry["method"] == "POST" and entry["path"].endswith("/rest/v1/media-push/start"):
            stream_id = dict(parse_qsl(entry["query"])).get("streamId")
            starts.setdefault(stream_id, []).append(entry["time"])
    return starts


def push_stops(ams, address=None, since=0):
    """The media push stop requests the server answered: {push stream id: [time, ...]}."""
    stops = {}
    for entry in ams.requests(since, address):
        if entry["method"] == "POST" and "/rest/v1/media-push/stop/" in entry["path"]:
            stops.setdefault(unquote(entry["path"].rsplit("/", 1)[1]), []).append(entry["time"])
    return stops


def vods_of(ams, stream_id, address=None):
    status, vods = ams.call("GET", "/live/rest/v2/vods/list/0/50?streamId=%s" % stream_id, address=address)
    assert status == 200, vods
    return [vod for vod in vods if vod["streamId"] == stream_id]


def send_hook(port, secret, fields, source, content_type="application/json", path_secret=None):
    """One hook as the server would send it, from the source address; the answer's status."""
    body = json.dumps(fields).encode() if content_type == "application/json" else fields
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
    try:
        connection.request("POST", "/ams/%s" % (path_secret if path_secret is not None else secret), body=body,
                           headers={"Content-Type": content_type})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
