# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

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
