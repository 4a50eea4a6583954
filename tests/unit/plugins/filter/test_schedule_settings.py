# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""schedule_settings: the antmedia_schedule role's variables checked as whole values, all problems at once."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mediaops.antmedia.plugins.filter.schedule_settings import schedule_settings

GOOD = {"name": "", "state": "present", "inventory": "/etc/ansible/media/inventory.yml", "interval_minutes": 5,
        "ansible_playbook": "/opt/venv/bin/ansible-playbook", "playbook": "record", "user": "root", "extra_args": [],
        "environment": {"ANTMEDIA_JWT_SECRET": "s" * 40}, "vault_password_file": ""}


def settings(**changes):
    return schedule_settings(dict(GOOD, **changes))


def refused(**changes):
    with pytest.raises(AnsibleFilterError) as error:
        settings(**changes)
    return str(error.value)


def test_defaults_give_the_record_timer():
    checked = settings()
    assert checked["name"] == "mediaops-antmedia-record" and checked["playbook"] == "mediaops.antmedia.record"
    assert checked["interval_minutes"] == 5 and checked["environment"] == {"ANTMEDIA_JWT_SECRET": "s" * 40}


@pytest.mark.parametrize("given,full,name", [("vods", "mediaops.antmedia.vods", "mediaops-antmedia-vods"),
                                             ("mediaops.antmedia.vods", "mediaops.antmedia.vods", "mediaops-antmedia-vods"),
                                             ("mediaops.antmedia.record", "mediaops.antmedia.record",
                                              "mediaops-antmedia-record")])
def test_record_or_vods(given, full, name):
    checked = settings(playbook=given)
    assert checked["playbook"] == full and checked["name"] == name


def test_the_vault_password_file_goes_into_the_environment():
    checked = settings(vault_password_file="/etc/mediaops-antmedia/vault-pass")
    assert checked["environment"] == {"ANSIBLE_VAULT_PASSWORD_FILE": "/etc/mediaops-antmedia/vault-pass",
                                      "ANTMEDIA_JWT_SECRET": "s" * 40}


def test_a_string_interval_is_written_as_the_number_checked():
    assert settings(interval_minutes="15")["interval_minutes"] == 15


@pytest.mark.parametrize("changes,fragment", [
    ({"name": "rec\n"}, "antmedia_schedule_name 'rec\\n' must be"),
    ({"name": "rec\nExecStartPre=/bin/sh"}, "antmedia_schedule_name"),
    ({"name": "../etc"}, "antmedia_schedule_name '../etc'"),
    ({"user": "root\n"}, "antmedia_schedule_user 'root\\n' must be a user name"),
    ({"interval_minutes": "5\n"}, "antmedia_schedule_interval_minutes '5\\n' must be a whole number"),
    ({"interval_minutes": True}, "antmedia_schedule_interval_minutes True"),
    ({"interval_minutes": 0}, "antmedia_schedule_interval_minutes 0"),
    ({"interval_minutes": "1441"}, "antmedia_schedule_interval_minutes '1441'"),
    ({"environment": {"GOOD": "x", "BAD\n": "y", "1X": "z"}}, "invalid variable names 'BAD\\n', '1X'"),
    ({"inventory": "inventory.yml"}, "antmedia_schedule_inventory 'inventory.yml' must be an absolute path"),
    ({"inventory": "/etc/inv.yml\n"}, "antmedia_schedule_inventory '/etc/inv.yml\\n' must be an absolute path"),
    ({"inventory": ""}, "antmedia_schedule_inventory '' is required"),
    ({"playbook": "site.yml"}, "antmedia_schedule_playbook 'site.yml' must be record, vods"),
    ({"playbook": "record\n"}, "antmedia_schedule_playbook 'record\\n'"),
    ({"ansible_playbook": "ansible-playbook"}, "antmedia_schedule_ansible_playbook 'ansible-playbook' must be"),
    ({"vault_password_file": "vault.txt"}, "antmedia_schedule_vault_password_file 'vault.txt' must be an absolute"),
    ({"extra_args": "--diff"}, "antmedia_schedule_extra_args must be a list of strings, not text"),
    ({"environment": ["A=1"]}, "antmedia_schedule_environment must be a mapping of variable names to values, not a list"),
])
def test_whole_values_are_checked(changes, fragment):
    message = refused(**changes)
    assert fragment in message and message.startswith("Bad schedule settings, nothing was written: ")


def test_every_bad_variable_at_once_and_no_environment_value_shown():
    message = refused(name="a b", user="x y", interval_minutes=-1, inventory="rel.yml",
                      environment={"ANTMEDIA_JWT_SECRET": "top-secret-value", "9": "x"})
    for name in ("antmedia_schedule_name", "antmedia_schedule_user", "antmedia_schedule_interval_minutes",
                 "antmedia_schedule_inventory", "antmedia_schedule_environment"):
        assert name in message
    assert "top-secret-value" not in message and "\n" not in message


def test_absent_needs_no_inventory():
    assert settings(state="absent", inventory="")["name"] == "mediaops-antmedia-record"
