# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 2: the stand-in runs as the systemd service `antmedia` on a test host. The unit
(lab/ams_standin/install/antmedia.service, which lab/hosts.sh prefers over lab/hosts/antmedia.service) is
checked here without booting a host: its settings, systemd's own verification, and its ExecStart run for
real (on this machine's /usr/bin/python3, as on a bare Debian host: standard library only)."""

from __future__ import annotations

import configparser
import json
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
                  "--listen 0.0.0.0 --port 5080 $ANTMEDIA_STANDIN_ARGS")
EXTRA_ARGUMENTS = "ANTMEDIA_STANDIN_ARGS"


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


def environment_file(text):
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments, surrounding quotes removed)."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def exec_start(variables):
    """The unit's ExecStart as systemd runs it: an unbraced $NAME word becomes the variable's value split
    at whitespace (no word at all when it is unset or empty)."""
    command = []
    for word in shlex.split(read_unit(UNIT)["Service"]["ExecStart"]):
        if word.startswith("$") and not word.startswith("${"):
            command += variables.get(word[1:], "").split()
        else:
            command.append(word)
    return command


def test_the_unit_takes_extra_arguments_from_an_optional_environment_file():
    """/etc/default/antmedia may be absent ("-"); $ANTMEDIA_STANDIN_ARGS ends the command, so a playbook or
    the demo can run a host's app as Circle with the 3.x shape (lab/README.md, "Test hosts")."""
    for path in (UNIT, FALLBACK_UNIT):
        lines = path.read_text().splitlines()
        assert "EnvironmentFile=-/etc/default/antmedia" in lines
        assert shlex.split(read_unit(path)["Service"]["ExecStart"])[-1] == "$" + EXTRA_ARGUMENTS
    assert exec_start({})[1:] == shlex.split(README_COMMAND)[2:-1]   # no file: the command as before
    example = 'ANTMEDIA_STANDIN_ARGS="--app-kind LiveApp=circle --server-version 3.0.1"'
    assert example in (REPO / "lab" / "README.md").read_text()
    assert exec_start(environment_file(example))[-4:] == ["--app-kind", "LiveApp=circle", "--server-version", "3.0.1"]


@pytest.mark.skipif(not os.path.exists("/usr/bin/python3"), reason="no /usr/bin/python3")
@pytest.mark.parametrize("defaults", [None, 'ANTMEDIA_STANDIN_ARGS="--app-kind LiveApp=circle --server-version 3.0.1"'])
def test_the_exec_start_serves_and_stops_cleanly(tmp_path, defaults):
    """The unit's command with a test root, address and port (and the extra arguments of an
    /etc/default/antmedia, when there is one): it serves, and SIGTERM (systemctl stop) ends it with
    status 0, so Restart=on-failure does not bring it back."""
    from conftest import STANDIN_MEDIA_CACHE  # pylint: disable=import-outside-toplevel
    command = exec_start(environment_file(defaults or ""))
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
        with opener.open("http://127.0.0.1:%d/_lab/health" % port, timeout=10) as answer:
            health = json.loads(answer.read())
        if defaults:
            assert health["serverVersion"] == "3.0.1" and health["appKinds"]["LiveApp"] == "circle"
        else:
            assert health["serverVersion"] == "2.17.1" and set(health["appKinds"].values()) == {"sample"}
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    assert code == 0
