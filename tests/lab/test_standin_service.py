# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 2: the stand-in runs as the systemd service `antmedia` on a test host. The unit
(lab/ams_standin/install/antmedia.service, which lab/hosts.sh prefers over lab/hosts/antmedia.service) is
checked here without booting a host: its settings, systemd's own verification, and its ExecStart run for
real (on this machine's /usr/bin/python3, as on a bare Debian host: standard library only)."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from ams_standin.harness import free_port

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "lab" / "ams_standin" / "install" / "antmedia.service"
FALLBACK_UNIT = REPO / "lab" / "hosts" / "antmedia.service"
README_COMMAND = ("PYTHONPATH=/usr/local/antmedia/standin python3 -m ams_standin --root /usr/local/antmedia "
                  "--listen 0.0.0.0 --port 5080")


def read_unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str   # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def environment(path):
    """The unit's Environment= settings, one per line as written there."""
    values = {}
    for line in path.read_text().splitlines():
        if line.startswith("Environment="):
            name, _, value = line[len("Environment="):].partition("=")
            values[name] = value
    return values


def test_lab_hosts_installs_this_unit():
    script = (REPO / "lab" / "hosts.sh").read_text()
    assert '"$LAB_STANDIN/install/antmedia.service"' in script
    assert README_COMMAND in (REPO / "lab" / "README.md").read_text()


def test_the_unit_runs_the_stand_in_as_antmedia():
    service = read_unit(UNIT)["Service"]
    assert service["Type"] == "simple"
    assert (service["User"], service["Group"]) == ("antmedia", "antmedia")
    assert service["Restart"] == "on-failure"
    assert service["WorkingDirectory"] == "/usr/local/antmedia"
    assert read_unit(UNIT)["Install"]["WantedBy"] == "multi-user.target"
    # The command of lab/README.md: the package from /usr/local/antmedia/standin, root /usr/local/antmedia.
    command = shlex.split(service["ExecStart"])
    assert command[0] == "/usr/bin/python3"
    readme = shlex.split(README_COMMAND)
    assert readme[0] == "PYTHONPATH=" + environment(UNIT)["PYTHONPATH"]
    assert command[1:] == readme[2:]


def test_the_unit_is_at_least_the_fallback_unit():
    unit, fallback = read_unit(UNIT), read_unit(FALLBACK_UNIT)
    for section in ("Unit", "Service", "Install"):
        for key, value in fallback[section].items():
            if key == "Environment":
                continue
            assert unit[section].get(key) == value, (section, key)
    fallback_environment = {line for line in FALLBACK_UNIT.read_text().splitlines() if line.startswith("Environment=")}
    unit_environment = {line for line in UNIT.read_text().splitlines() if line.startswith("Environment=")}
    assert fallback_environment <= unit_environment


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(tmp_path):
    copy = tmp_path / "antmedia.service"
    copy.write_text(UNIT.read_text())
    verified = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, cwd=tmp_path,
                              check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Unknown" not in verified.stderr


@pytest.mark.skipif(not os.path.exists("/usr/bin/python3"), reason="no /usr/bin/python3")
def test_the_exec_start_serves_and_stops_cleanly(tmp_path):
    """The unit's command with a test root, address and port: it serves, and SIGTERM (systemctl stop)
    ends it with status 0, so Restart=on-failure does not bring it back."""
    from conftest import STANDIN_MEDIA_CACHE  # pylint: disable=import-outside-toplevel
    command = shlex.split(read_unit(UNIT)["Service"]["ExecStart"])
    port = free_port()
    replacements = {"--root": str(tmp_path / "antmedia"), "--listen": "127.0.0.1", "--port": str(port)}
    for index, argument in enumerate(command):
        if argument in replacements:
            command[index + 1] = replacements[argument]
    command += ["--media-cache", STANDIN_MEDIA_CACHE]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environment(UNIT),
           "PYTHONPATH": str(REPO / "lab"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        from standin_helpers import wait_for  # pylint: disable=import-outside-toplevel

        def answers():
            assert process.poll() is None, process.stderr.read().decode()
            try:
                with opener.open("http://127.0.0.1:%d/live/rest/v2/broadcasts/count" % port, timeout=2) as answer:
                    return answer.status == 200 and answer.read() == b'{"number": 0}'
            except OSError:
                return False
        wait_for(answers, timeout=30, what="the service's command to serve")
        assert (tmp_path / "antmedia" / "webapps" / "live" / "streams").is_dir()
        assert (tmp_path / "antmedia" / "plugins").is_dir()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    assert code == 0
