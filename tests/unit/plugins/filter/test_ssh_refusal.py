# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""provision.yml and restart.yml refuse a host without SSH (a REST-only host) in one line naming what to use instead."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.mediaops.antmedia.plugins.filter.ssh_refusal import ssh_refusal


@pytest.mark.parametrize("connection", ["ssh", "paramiko", "ansible.builtin.ssh", "smart", "community.general.lxc"])
def test_a_remote_connection_is_not_refused(connection):
    assert ssh_refusal(connection, "provision.yml", "ams-a") == ""
    assert ssh_refusal(connection, "restart.yml", "ams-a") == ""


@pytest.mark.parametrize("connection", ["local", "ansible.builtin.local", "ansible.legacy.local", " local ", ""])
def test_a_local_connection_is_refused_naming_the_playbook_to_use(connection):
    line = ssh_refusal(connection, "provision.yml", "ams-a")
    assert line.startswith("ams-a: provision.yml needs SSH to the media host (")
    assert "use settings.yml" in line and "\n" not in line
    line = ssh_refusal(connection, "restart.yml", "ams-a")
    assert line.startswith("ams-a: restart.yml needs SSH to the media host (")
    assert "settings.yml" in line and "record.yml" in line and "\n" not in line


def test_a_value_that_is_no_connection_name_is_refused_fail_closed():
    line = ssh_refusal(["ssh"], "restart.yml", "ams-a")
    assert "needs SSH" in line and "\n" not in line
    assert "needs SSH" in ssh_refusal(None, "restart.yml", "ams-a")
    assert "connection is local\n" not in ssh_refusal("local\n", "restart.yml", "ams-a")


def test_an_unknown_playbook_is_an_error():
    with pytest.raises(AnsibleFilterError, match="unknown playbook 'drift.yml'"):
        ssh_refusal("local", "drift.yml", "ams-a")
