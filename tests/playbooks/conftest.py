# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running the collection's playbooks with ansible-playbook against stand-in fleets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("ANSIBLE_TEST_VENV") or Path(sys.executable).parent.parent)
COLLECTIONS = REPO / ".work" / "collections"


class PlaybookRun(object):
    def __init__(self, completed):
        self.rc = completed.returncode
        self.output = completed.stdout + completed.stderr

    def recap(self):
        """{host: {"ok": n, "changed": n, "failed": n, ...}} from the PLAY RECAP."""
        hosts = {}
        for line in self.output.splitlines():
            parts = line.split()
            if len(parts) > 2 and parts[1] == ":" and "=" in parts[2]:
                hosts[parts[0]] = dict((key, int(value)) for key, value in (item.split("=") for item in parts[2:]))
        return hosts


def playbook_command(playbook, inventory, tmp_path, extra_vars=None, check=False, diff=False, verbosity=0, env=None,
                     inventories=(), extra_args=()):
    """The ansible-playbook command line and its environment (the inventory a path, or a dict written as JSON)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if isinstance(inventory, dict):
        path = tmp_path / ("inventory-%d.json" % len(list(tmp_path.glob("inventory-*.json"))))
        path.write_text(json.dumps(inventory))
        inventory = path
    command = [str(VENV / "bin" / "ansible-playbook"), "-i", str(inventory)]
    for extra in inventories:
        command += ["-i", str(extra)]
    if extra_vars:
        vars_path = tmp_path / ("vars-%d.json" % len(list(tmp_path.glob("vars-*.json"))))
        vars_path.write_text(json.dumps(extra_vars))
        command += ["-e", "@%s" % vars_path]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if verbosity:
        command.append("-" + "v" * verbosity)
    command += list(extra_args)
    command.append(str(playbook))
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_FORCE_COLOR="0", ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_RETRY_FILES_ENABLED="0",
                       ANSIBLE_PIPELINING="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
                       ANSIBLE_DEPRECATION_WARNINGS="0", NO_PROXY="*", no_proxy="*")
    environment.update(env or {})
    return command, environment


def run_playbook(playbook, inventory, tmp_path, **options):
    """ansible-playbook PLAYBOOK with the inventory (a path or a dict written as YAML-compatible JSON)."""
    command, environment = playbook_command(playbook, inventory, tmp_path, **options)
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=900, check=False,
                               cwd=str(tmp_path))
    return PlaybookRun(completed)


def standin_fleet(root, addresses, rooms, server_secret=None):
    """For a module fixture (yield from): one stand-in process serving every address with Media Push, each server
    with the rooms joined by one participant ROOM-p1, and the server API's JWT filter on when server_secret is given."""
    from ams_standin.harness import Standin
    ams = Standin(root=root, addresses=addresses, media_push=True, push_start_delay=0.3,
                  media_cache=REPO / ".work" / "ams-standin-media").start()
    try:
        for address in addresses:
            if server_secret:
                ams.set_server_settings(address=address, jwtServerControlEnabled=True, jwtServerSecretKey=server_secret)
            for room in rooms:
                ams.join(room, room + "-p1", address=address)
        yield ams
    finally:
        ams.close()


def local_fleet_inventory(ams, addresses, host_vars, group_vars=None):
    """Hosts that run their modules on the controller and call their own stand-in address."""
    hosts = {}
    for index, address in enumerate(addresses):
        name = "media%d" % (index + 1)
        hosts[name] = dict(ansible_connection="local", ansible_python_interpreter=str(VENV / "bin" / "python"),
                           antmedia_url=ams.base_url(address), **host_vars.get(name, {}))
    return {"media_servers": {"hosts": hosts, "vars": dict(antmedia_app="live", **(group_vars or {}))}}


def markdown_cells(line):
    """The cells of a Markdown table row as a reader sees them: split on unescaped |, backslash escapes undone."""
    cells, cell, escaped = [], "", False
    for char in line.strip():
        if escaped:
            cell += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
    cells.append(cell.strip())
    return cells[1:-1]


def report_rows(path, known_hosts):
    """{host: [cell per concern]} from a Markdown drift report, for the rows of known_hosts."""
    rows = {}
    for line in path.read_text().splitlines():
        if line.startswith("| ") and not line.startswith("| host |") and not line.startswith("| ---"):
            cells = markdown_cells(line)
            if cells and cells[0] in known_hosts:
                rows[cells[0]] = cells[1:]
    return rows
