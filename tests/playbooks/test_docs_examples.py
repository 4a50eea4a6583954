# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README's and the guide's ad-hoc example, run as written (only the inventory path changed) against a stand-in
whose application has its JWT filter on: the connection_options lookup reaches the inventory's server with the
inventory's secret."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import pytest

from conftest import REPO, VENV, playbook_command, standin_fleet

ADDRESS = "127.0.82.1"
SECRET = "docs-example-jwt-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    yield from standin_fleet(tmp_path_factory.mktemp("docs"), (ADDRESS,), ["board-meeting"])


def adhoc_example(text):
    """The one `ansible ams-b ...` command of the text, its continuation lines joined."""
    found = re.search(r"^ *(ansible ams-b -i inventory\.yml .*?[^\\])$", text, re.MULTILINE | re.DOTALL)
    assert found, "no ad-hoc example"
    return re.sub(r"\\\n\s*", "", found.group(1))


@pytest.mark.parametrize("document", ["README.md", "docs/docsite/rst/guide.rst"])
def test_the_adhoc_example_reaches_the_inventorys_server(fleet, tmp_path, document):
    fleet.set_app_settings(address=ADDRESS, jwtControlEnabled=True, jwtSecretKey=SECRET)
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"media_servers": {"hosts": {"ams-b": {
        "ansible_connection": "local", "ansible_python_interpreter": str(VENV / "bin" / "python"),
        "antmedia_url": fleet.base_url(ADDRESS), "antmedia_app": "live", "antmedia_jwt_secret": SECRET}}}}))
    words = shlex.split(adhoc_example((REPO / document).read_text()))
    assert words[:4] == ["ansible", "ams-b", "-i", "inventory.yml"]
    _command, environment = playbook_command("unused.yml", inventory, tmp_path)
    seq = fleet.last_seq(ADDRESS)
    completed = subprocess.run([str(VENV / "bin" / "ansible")] + words[1:], capture_output=True, text=True,
                               env=environment, cwd=str(tmp_path), timeout=300, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0 and "ams-b | SUCCESS" in output, output[-3000:]
    requests = fleet.requests(seq, address=ADDRESS)
    assert any("board-meeting_composite" in entry["path"] and entry["status"] != 403 for entry in requests), requests
    assert SECRET not in output
    fleet.set_app_settings(address=ADDRESS, jwtControlEnabled=False)
