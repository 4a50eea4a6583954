"""Role scenarios on real systemd test hosts: one test per molecule scenario.

    .venv/bin/python -m pytest -p no:cacheprovider tests/roles

Each test runs `molecule test -s NAME` from the collection root. The scenario
itself boots its hosts (lab/hosts.sh through tests/roles/lab.sh) and tears them
down; a finalizer tears them down again in case molecule itself died. The time
of each scenario is printed (run pytest with -s to see it live).
"""
import os
import shutil
import subprocess
import sys
import time

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCENARIOS = ["default", "check-first", "restart-guard", "upgrade", "rerun-after-failure", "server-install", "server-upgrade", "server-retry"]
VENV_BIN = os.path.dirname(sys.executable)
TIMEOUT = 1800  # server-upgrade takes 11 min on a loaded 2-core machine


def _environment():
    env = dict(os.environ)
    # molecule and ansible-lint find ansible-config and friends on PATH.
    env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO, ".work", "collections"))
    env.update({"ANSIBLE_FORCE_COLOR": "0", "PY_COLORS": "0", "ANSIBLE_NOCOLOR": "1", "NO_COLOR": "1"})
    return env


def _missing_prerequisites():
    missing = [tool for tool in ("systemd-nspawn", "dpkg-deb", "ssh") if shutil.which(tool) is None]
    if not os.path.exists(os.environ.get("LAB_HOSTS", os.path.join(REPO, "lab", "hosts.sh"))):
        missing.append("lab/hosts.sh")
    if os.geteuid() != 0:
        missing.append("root")
    return missing


@pytest.fixture
def lab_teardown():
    yield
    subprocess.run(["bash", os.path.join(REPO, "tests", "roles", "lab.sh"), "down"],
                   cwd=REPO, env=_environment(), check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario, lab_teardown):
    missing = _missing_prerequisites()
    if missing:
        pytest.fail("cannot run the role scenarios here, missing: " + ", ".join(missing))
    log_dir = os.path.join(REPO, ".work", "molecule", "logs")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, scenario + ".log")
    started = time.monotonic()
    with open(log_path, "w") as log:
        result = subprocess.run([os.path.join(VENV_BIN, "molecule"), "test", "-s", scenario],
                                cwd=REPO, env=_environment(), stdout=log, stderr=subprocess.STDOUT,
                                timeout=TIMEOUT, check=False)
    elapsed = time.monotonic() - started
    print(f"\nmolecule scenario {scenario}: rc={result.returncode} in {elapsed:.0f} s (log {log_path})")
    if result.returncode != 0:
        with open(log_path) as log:
            tail = log.read()[-6000:]
        pytest.fail(f"molecule test -s {scenario} failed (rc {result.returncode}, {elapsed:.0f} s); "
                    f"end of {log_path}:\n{tail}")
