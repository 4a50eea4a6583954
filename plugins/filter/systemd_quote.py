# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: systemd_quote
short_description: Quote a value for a systemd unit or environment file
version_added: 0.2.0
author: mediaops.antmedia contributors
description:
  - Returns the value as one double-quoted word that systemd reads back as exactly the same text.
  - O(style=exec), for a word of a command line in a unit file (C(ExecStart=)), follows C(systemd.syntax) and
    C(systemd.service) "Command lines"; a backslash and a double quote are escaped with a backslash, line breaks and
    other control characters are written as C escapes (C(\n), C(\xNN)), C(%) is doubled (no specifier is expanded),
    and C($) is doubled (no variable is expanded).
  - O(style=env), for the value of a C(NAME=VALUE) line of an C(EnvironmentFile=), follows C(systemd.exec); inside
    double quotes a backslash escapes only C(" \ ` $), a line break is kept as it is, and nothing else is interpreted
    (an environment file expands no specifier).
  - A NUL character cannot be passed by either and is refused.
options:
  _input:
    description: The value (any scalar is turned into text first).
    type: raw
    required: true
  style:
    description: Where the value goes.
    type: str
    choices: [exec, env]
    default: exec
"""

EXAMPLES = r"""
- name: An environment file line
  ansible.builtin.debug:
    msg: "ANSIBLE_CONFIG={{ '/etc/ansible/a b.cfg' | mediaops.antmedia.systemd_quote('env') }}"

- name: A command line word
  ansible.builtin.debug:
    msg: "ExecStart=/usr/bin/ansible-playbook -i {{ inventory_path | mediaops.antmedia.systemd_quote }}"
"""

RETURN = r"""
_value:
  description: The quoted value, with its surrounding double quotes.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import kind_of

_C_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}


def systemd_quote(value, style="exec"):
    if isinstance(value, (dict, list)):
        raise AnsibleFilterError("systemd_quote takes a single value, not %s" % kind_of(value))
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise AnsibleFilterError("a NUL character cannot be passed to systemd")
    if style == "env":
        return '"%s"' % "".join("\\" + char if char in '"\\`$' else char for char in text)
    if style != "exec":
        raise AnsibleFilterError("systemd_quote style must be exec or env, not %r" % (style,))
    quoted = []
    for char in text:
        if char in '"\\':
            quoted.append("\\" + char)
        elif char in "%$":
            quoted.append(char * 2)
        elif char in _C_ESCAPES:
            quoted.append(_C_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7f:
            quoted.append("\\x%02x" % ord(char))
        else:
            quoted.append(char)
    return '"%s"' % "".join(quoted)


class FilterModule(object):
    def filters(self):
        return {"systemd_quote": systemd_quote}
