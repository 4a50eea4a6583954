# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration tests: real ansible-playbook processes running the collection's modules over real HTTP
against stand-in server processes (lab/ams_standin, through tests/conftest.py's harness).

`run_task(module, args)` runs a one-task playbook and returns the task's registered result (read from
a file the playbook writes, not parsed from the screen) with the run's stdout and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".work" / "collections"
# scripts/test.sh runs this suite a second time with the ansible-core 2.21 venv
VENV = Path(os.environ.get("ANSIBLE_TEST_VENV") or Path(sys.executable).parent.parent)


class TaskRun(object):
    def __init__(self, result, stdout, returncode):
        self.result = result
        self.stdout = stdout
        self.returncode = returncode

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)

    @property
    def warnings(self):
        """The task's warnings as one text (ansible-playbook prints them; the result may not carry them)."""
        return self.stdout

    def __repr__(self):
        return "TaskRun(rc=%s, result=%s)" % (self.returncode, json.dumps(self.result)[:2000])


def _playbook(module, args, result_path, loop=None):
    task = {"name": "under test", module: args, "register": "under_test", "ignore_errors": True}
    if loop is not None:
        task["loop"] = loop
        task["loop_control"] = {"label": "{{ item.label }}"}
    save_result = {"content": "{{ under_test | to_json }}", "dest": str(result_path), "mode": "0600"}
    save = {"name": "save the result", "ansible.builtin.copy": save_result,
            "no_log": True, "check_mode": False, "diff": False}
    return [{"name": "integration", "hosts": "localhost", "gather_facts": False, "tasks": [task, save]}]


def run_playbook_task(tmp_path, module, args, check=False, diff=False, verbosity=0, loop=None, env=None,
                      extra_vars=None):
    """Run one module task through ansible-playbook; its registered result."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    number = len(list(tmp_path.glob("play-*.yml")))
    playbook = tmp_path / ("play-%d.yml" % number)
    result_path = tmp_path / ("result-%d.json" % number)
    playbook.write_text(json.dumps(_playbook(module, args, result_path, loop), indent=1))
    command = [str(VENV / "bin" / "ansible-playbook"), "-i", "localhost,", "-c", "local",
               "-e", "ansible_python_interpreter=%s" % (VENV / "bin" / "python"), str(playbook)]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if verbosity:
        command.append("-" + "v" * verbosity)
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_FORCE_COLOR="0", ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_RETRY_FILES_ENABLED="0",
                       ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_DEPRECATION_WARNINGS="0",
                       NO_PROXY="*", no_proxy="*")
    for name in ("ANTMEDIA_URL", "ANTMEDIA_APP", "ANTMEDIA_JWT_SECRET", "ANTMEDIA_JWT_TOKEN", "HTTP_PROXY",
                 "HTTPS_PROXY", "http_proxy", "https_proxy"):
        environment.pop(name, None)
    environment.update(env or {})
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600, check=False)
    output = completed.stdout + completed.stderr
    if not result_path.exists():
        raise AssertionError("the playbook did not run its task (rc %s):\n%s" % (completed.returncode, output))
    return TaskRun(json.loads(result_path.read_text()), output, completed.returncode)


@pytest.fixture
def run_task(tmp_path):
    def run(module, args, **options):
        if "." not in module:
            module = "mediaops.antmedia." + module
        return run_playbook_task(tmp_path / "runs", module, args, **options)
    return run


def writes_since(ams, seq):
    """Requests that may change something, made after seq (the stand-in's request log)."""
    return ams.writes(seq)
