# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: connection_options
short_description: The connection options a role passes to the collection's modules, from the antmedia_* variables
version_added: 0.2.0
author: mediaops team (@mediaops)
description:
  - Reads the C(antmedia_*) connection variables of the host and returns a dictionary of only those that are
    defined, under the modules' option names. The roles feed it to C(module_defaults), so that an undefined variable
    is not passed at all and a play's own C(module_defaults) for C(group/mediaops.antmedia.antmedia) still apply.
  - A variable that is defined but null or empty (a key with no value, or an empty environment lookup) is
    refused with an error naming it, rather than read as unset, since the modules would otherwise call another server
    (the play's or V(http://127.0.0.1:5080)) than the one the inventory meant.
  - C(antmedia_url) becomes C(url), C(antmedia_app) C(app), C(antmedia_jwt_secret) C(jwt_secret),
    C(antmedia_jwt_token) C(jwt_token), C(antmedia_validate_certs) C(validate_certs), C(antmedia_ca_path) C(ca_path)
    and C(antmedia_timeout) C(timeout).
options:
  _terms:
    description:
      - Extra options to return besides the connection options, among V(server_jwt_secret) (from
        C(antmedia_server_jwt_secret)), V(console_user) (from C(antmedia_console_user)) and V(console_password) (from
        C(antmedia_console_password)), which only M(mediaops.antmedia.app_settings) takes.
    type: list
    elements: str
    required: false
"""

EXAMPLES = r"""
- name: Read the server through the inventory's connection variables, or else the play's module_defaults
  module_defaults:
    mediaops.antmedia.server_info: "{{ lookup('mediaops.antmedia.connection_options') }}"
  block:
    - name: Read the server
      mediaops.antmedia.server_info:
        apps: [live]

- name: The same for app_settings, with its console credentials
  module_defaults:
    mediaops.antmedia.app_settings: "{{ lookup('mediaops.antmedia.connection_options', 'console_user', 'console_password') }}"
  block:
    - name: Turn on MP4 recording
      mediaops.antmedia.app_settings:
        settings:
          mp4MuxingEnabled: true
"""

RETURN = r"""
_raw:
  description: One dictionary of module option names to the values of the variables that are set.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

CONNECTION_VARIABLES = (
    ("url", "antmedia_url"),
    ("app", "antmedia_app"),
    ("jwt_secret", "antmedia_jwt_secret"),
    ("jwt_token", "antmedia_jwt_token"),
    ("validate_certs", "antmedia_validate_certs"),
    ("ca_path", "antmedia_ca_path"),
    ("timeout", "antmedia_timeout"),
)
EXTRA_VARIABLES = {
    "server_jwt_secret": "antmedia_server_jwt_secret",
    "console_user": "antmedia_console_user",
    "console_password": "antmedia_console_password",
}


def connection_options(variables, extra=(), template=None):
    """The set antmedia_* variables, under the modules' option names (template renders a raw variable value)."""
    unknown = [name for name in extra if name not in EXTRA_VARIABLES]
    if unknown:
        raise AnsibleLookupError("connection_options: unknown option(s) %s; known: %s"
                                 % (", ".join(map(str, unknown)), ", ".join(sorted(EXTRA_VARIABLES))))
    wanted = list(CONNECTION_VARIABLES) + [(name, EXTRA_VARIABLES[name]) for name in extra]
    options = {}
    for option, variable in wanted:
        if variable not in variables:
            continue
        value = variables[variable]
        if template is not None:
            value = template(value)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            # fail closed: an empty value is a mistake, and skipping it would send the task to another server
            raise AnsibleLookupError("%s is defined but %s: give it a value, or leave it undefined so that the play's"
                                     " module_defaults (else the modules' defaults) apply"
                                     % (variable, "null" if value is None else "empty"))
        options[option] = value
    return options


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        return [connection_options(variables or {}, [str(term) for term in terms], self._templar.template)]
