# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: require_hosts
short_description: Fail closed when a playbook's host pattern matches no host
version_added: 0.2.0
author: mediaops.antmedia contributors
description:
  - Returns the host pattern unchanged when it matches at least one host (after C(--limit)); otherwise fails with one
    line naming the pattern and the variable C(antmedia_hosts) that sets it. A syntax check (C(--syntax-check)) is not
    refused, since it runs nothing.
  - Used in the C(hosts) keyword of the collection's playbooks (C(drift.yml), C(record.yml)), so that a pattern that
    matches nothing is an error, never a silent "no hosts matched" that exits 0.
options:
  _input:
    description: The host pattern.
    type: str
    required: true
  matched:
    description:
      - The hosts the pattern matches in the inventory (C(query('ansible.builtin.inventory_hostnames', PATTERN))).
    type: list
    elements: str
    required: true
  limit:
    description: The C(--limit) in force (C(ansible_limit)); empty when none.
    type: str
    default: ""
  limited:
    description:
      - The hosts the limit matches, when it was given as a pattern; V(None) when it was not (no limit, or C(@FILE)).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Check the fleet
  hosts: >-
    {{ antmedia_hosts | default('media_servers') | mediaops.antmedia.require_hosts(
         query('ansible.builtin.inventory_hostnames', antmedia_hosts | default('media_servers'))) }}
  tasks: []
"""

RETURN = r"""
_value:
  description: The host pattern, unchanged.
  type: str
"""

from ansible import context
from ansible.errors import AnsibleFilterError


def require_hosts(pattern, matched, limit="", limited=None):
    if context.CLIARGS.get("syntax"):
        return pattern  # ansible-playbook --syntax-check runs nothing, with whatever inventory it was given
    hosts = list(matched or [])
    if not hosts:
        raise AnsibleFilterError(
            "the host pattern %r (antmedia_hosts) matches no host in the inventory: set antmedia_hosts to the group or "
            "pattern of your media servers (default media_servers), or put them in group media_servers" % str(pattern))
    if limited is not None and not set(hosts) & set(limited):
        raise AnsibleFilterError(
            "the host pattern %r (antmedia_hosts) matches no host within --limit %r: nothing would be checked"
            % (str(pattern), str(limit)))
    return pattern


class FilterModule(object):
    def filters(self):
        return {"require_hosts": require_hosts}
