# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: schedule_settings
short_description: The checked settings of a recording schedule (a systemd timer), from the antmedia_schedule_* variables
version_added: 0.4.0
author: mediaops.antmedia contributors
description:
  - Checks every variable of the role C(mediaops.antmedia.antmedia_schedule) as a whole value (a name followed by a
    line break is refused, not cut), and returns the values the unit files are written with, exactly as checked.
  - Reports every bad variable of the schedule at once, in one line, each named as the inventory sets it.
  - C(antmedia_schedule_playbook) is V(record) or V(vods) (or their full names C(mediaops.antmedia.record),
    C(mediaops.antmedia.vods)), or the absolute path of a playbook; the returned C(playbook) is the full name or the path.
  - C(antmedia_schedule_inventory) must be an absolute path (the timer's run starts in C(/), where a relative path
    names another file), or several separated by commas.
  - C(antmedia_schedule_vault_password_file), when set, must be an absolute path; it is passed to the run as
    C(ANSIBLE_VAULT_PASSWORD_FILE) in the environment file (the run reads no C(ansible.cfg) of yours).
  - An empty C(antmedia_schedule_name) becomes C(mediaops-antmedia-record) or C(mediaops-antmedia-vods) after the
    playbook.
options:
  _input:
    description:
      - The role's variables without their C(antmedia_schedule_) prefix, as a dictionary (C(name), C(state),
        C(inventory), C(interval_minutes), C(ansible_playbook), C(playbook), C(user), C(extra_args), C(environment),
        C(vault_password_file)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check the schedule
  ansible.builtin.set_fact:
    schedule: >-
      {{ {'name': antmedia_schedule_name, 'state': antmedia_schedule_state, 'inventory': antmedia_schedule_inventory,
          'interval_minutes': antmedia_schedule_interval_minutes, 'ansible_playbook': antmedia_schedule_ansible_playbook,
          'playbook': antmedia_schedule_playbook, 'user': antmedia_schedule_user, 'extra_args': antmedia_schedule_extra_args,
          'environment': antmedia_schedule_environment} | mediaops.antmedia.schedule_settings }}
"""

RETURN = r"""
_value:
  description: The settings as checked, C(interval_minutes) a whole number, C(playbook) a full name or a path.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import kind_of

PREFIX = "antmedia_schedule_"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,80}")
USER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
ENVIRONMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DIGITS = re.compile(r"[0-9]{1,4}")
PLAYBOOKS = {"record": "mediaops.antmedia.record", "vods": "mediaops.antmedia.vods"}


def _shown(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _absolute_path(value):
    return isinstance(value, str) and value.startswith("/") and not any(
        char in value for char in "\n\r\t\0") and value.strip() == value


def _interval(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= 1440 else None


def _playbook(value):
    if isinstance(value, str):
        short = value[len("mediaops.antmedia."):] if value.startswith("mediaops.antmedia.") else value
        if short in PLAYBOOKS:
            return PLAYBOOKS[short]
        if _absolute_path(value) and value.endswith((".yml", ".yaml")):
            return value
    return None


def schedule_settings(variables):
    if not isinstance(variables, dict):
        raise AnsibleFilterError("schedule_settings takes a mapping of the schedule's variables, not %s"
                                 % kind_of(variables))
    errors = []

    def bad(name, value, wanted):
        errors.append("%s%s %s %s" % (PREFIX, name, _shown(value), wanted))

    settings = dict(variables)
    state = variables.get("state", "present")
    if state not in ("present", "absent"):
        bad("state", state, "must be present or absent")
    playbook = _playbook(variables.get("playbook", "record"))
    if playbook is None:
        bad("playbook", variables.get("playbook"), "must be record, vods, or the absolute path of a playbook (.yml)")
    settings["playbook"] = playbook
    name = variables.get("name") or ""
    if name == "" and playbook in PLAYBOOKS.values():
        name = "mediaops-antmedia-" + playbook.rsplit(".", 1)[1]
    if not (isinstance(name, str) and NAME.fullmatch(name)):
        bad("name", variables.get("name"), "must be 1 to 81 letters, digits, _ . @ - (starting with a letter or digit)")
    settings["name"] = name
    if state == "present":
        inventory = variables.get("inventory")
        if not isinstance(inventory, str) or inventory == "":
            bad("inventory", inventory, "is required: the absolute path of the inventory the run uses")
        elif not all(_absolute_path(part) for part in inventory.split(",")):
            bad("inventory", inventory, "must be an absolute path (the timer's run starts in /, where a relative path "
                "names another file), for example /etc/ansible/media/inventory.yml")
    interval = _interval(variables.get("interval_minutes", 5))
    if interval is None:
        bad("interval_minutes", variables.get("interval_minutes"), "must be a whole number of minutes from 1 to 1440")
    settings["interval_minutes"] = interval
    if not _absolute_path(variables.get("ansible_playbook")):
        bad("ansible_playbook", variables.get("ansible_playbook"), "must be an absolute path")
    user = variables.get("user", "root")
    if not (isinstance(user, str) and USER.fullmatch(user)):
        bad("user", user, "must be a user name (letters, digits, _ . -, starting with a letter or _)")
    extra_args = variables.get("extra_args") or []
    if not isinstance(extra_args, list) or not all(isinstance(arg, str) for arg in extra_args):
        errors.append("%sextra_args must be a list of strings, not %s" % (PREFIX, kind_of(extra_args)))
    environment = variables.get("environment") or {}
    if not isinstance(environment, dict):
        errors.append("%senvironment must be a mapping of variable names to values, not %s"
                      % (PREFIX, kind_of(environment)))
        environment = {}
    bad_names = [key for key in environment if not (isinstance(key, str) and ENVIRONMENT_NAME.fullmatch(key))]
    if bad_names:
        errors.append("%senvironment has invalid variable names %s: a name is letters, digits and _, not starting "
                      "with a digit" % (PREFIX, ", ".join(_shown(key) for key in bad_names)))
    vault_password_file = variables.get("vault_password_file") or ""
    if vault_password_file and not _absolute_path(vault_password_file):
        bad("vault_password_file", vault_password_file, "must be an absolute path on the host that runs the timer")
    if errors:
        raise AnsibleFilterError("Bad schedule settings, nothing was written: " + "; ".join(errors))
    run_environment = {}
    if vault_password_file:
        run_environment["ANSIBLE_VAULT_PASSWORD_FILE"] = vault_password_file
    run_environment.update(environment)
    settings["environment"] = run_environment
    settings["extra_args"] = list(extra_args)
    settings["vault_password_file"] = vault_password_file
    return settings


class FilterModule(object):
    def filters(self):
        return {"schedule_settings": schedule_settings}
