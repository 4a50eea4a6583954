# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ssh_refusal
short_description: The one-line refusal of a playbook that needs SSH to the media host, on a host without it
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Returns an empty string when the host's connection reaches the media host (SSH or any remote connection), and
    otherwise one line saying that the playbook needs SSH to the media host and naming the playbook to use instead.
  - A host whose connection is V(local) is a REST-only host (its modules run on the controller and call the
    server's REST API); C(provision.yml) and C(restart.yml) work on the media host's own files and service, so on
    such a host they would inspect the controller instead.
options:
  _input:
    description: The host's connection (C(ansible_connection)); V(local) when it runs on the controller.
    type: str
    required: true
  playbook:
    description: The playbook asking, V(provision.yml) or V(restart.yml).
    type: str
    required: true
  host:
    description: The host's inventory name, shown in the line.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Refuse a host without SSH
  ansible.builtin.fail:
    msg: "{{ refusal }}"
  vars:
    refusal: "{{ ansible_connection | default('ssh') | mediaops.antmedia.ssh_refusal('restart.yml', inventory_hostname) }}"
  when: refusal | length > 0
"""

RETURN = r"""
_value:
  description: The refusal, or an empty string when the host is reached over SSH.
  type: str
"""

from ansible.errors import AnsibleFilterError

LOCAL_CONNECTIONS = ("local", "ansible.builtin.local", "ansible.legacy.local")
# What each playbook does on the media host, and what a REST-only host uses instead.
NEEDS = {
    "provision.yml": ("it installs the server, the Media Push plugin and its browser on the media host and restarts "
                      "the server there", "use settings.yml for application settings over the REST API"),
    "restart.yml": ("it restarts the server's service on the media host",
                    "use settings.yml to change application settings (no restart needed) or record.yml to stop and "
                    "start recordings, both over the REST API"),
}


def ssh_refusal(connection, playbook, host):
    if playbook not in NEEDS:
        raise AnsibleFilterError("ssh_refusal: unknown playbook %r (%s)" % (str(playbook), ", ".join(sorted(NEEDS))))
    if not isinstance(connection, str):
        connection = "%r" % (connection,)  # not a connection name: refused below, fail closed
    elif connection.strip() and connection.strip() not in LOCAL_CONNECTIONS:
        return ""
    what, instead = NEEDS[playbook]
    return ("%s: %s needs SSH to the media host (%s), but this host's connection is %s (a REST-only host): %s"
            % (host, playbook, what, " ".join(connection.split()) or "empty", instead))


class FilterModule(object):
    def filters(self):
        return {"ssh_refusal": ssh_refusal}
