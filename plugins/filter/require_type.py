# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: require_type
short_description: Check a role variable's type where it is used, failing with one line that names the variable
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Returns the value converted to O(type) (a boolean given as V(yes) or V('true') becomes V(true), an integer given
    as V('10') becomes V(10)); a value that is not of that type fails with one line naming the variable and the value.
  - The collection's roles use it in a module task's arguments, so a role entry point that skips the argument-spec
    validation task (C(conference_recording)'s C(converge), imported by C(record.yml)) still names the inventory
    variable, not the module option, and costs no task per host.
options:
  _input:
    description: The variable's value.
    type: raw
    required: true
  type:
    description: The type the value must have.
    type: str
    choices: [bool, int, str]
    required: true
  name:
    description: The variable's name, shown in the error.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Converge the recordings
  mediaops.antmedia.room_recordings:
    stop_unlisted: "{{ antmedia_stop_unlisted | mediaops.antmedia.require_type('bool', 'antmedia_stop_unlisted') }}"
    recordings: []
"""

RETURN = r"""
_value:
  description: The value, as O(type).
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mediaops.antmedia.plugins.module_utils._recordings_item import as_bool, as_int
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError


def _shown(value):
    text = repr(value if isinstance(value, (bool, int, float, type(None))) else str(value))
    return text if len(text) <= 80 else text[:77] + "..."


# "type" is the documented option name
def require_type(value, type, name):  # pylint: disable=redefined-builtin
    try:  # bool and int read as a recordings item's options are read, with the same messages
        if type == "bool":
            return as_bool(value, name)
        if type == "int":
            return as_int(value, name)
    except ValidationError as exc:
        raise AnsibleFilterError(str(exc))
    if type == "str":
        if isinstance(value, str):
            return value
        raise AnsibleFilterError("%s %s is not a string: quote it" % (name, _shown(value)))
    raise AnsibleFilterError("require_type: unknown type %s (bool, int or str)" % _shown(type))


class FilterModule(object):
    def filters(self):
        return {"require_type": require_type}
