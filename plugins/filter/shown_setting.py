# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: shown_setting
short_description: An application setting's value as it may be shown in output and reports
version_added: 0.2.0
author: mediaops.antmedia contributors
description:
  - Returns the value of an Ant Media Server application setting with its secrets replaced by C(********), using the
    collection's one list of secret settings (the same one the modules use; read from the server's C(AppSettings.java));
    a key, password, token, secret or credential is hidden whole, and a URL setting loses its user and password,
    secret query values and token-like path segments.
  - Used by C(drift.yml) for the settings it writes into its reports.
options:
  _input:
    description: The value of the setting.
    type: raw
    required: true
  key:
    description: The name of the setting, for example V(jwtSecretKey) or V(listenerHookURL).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Show a setting without its secret
  ansible.builtin.debug:
    msg: "{{ settings.clusterCommunicationKey | mediaops.antmedia.shown_setting('clusterCommunicationKey') }}"
"""

RETURN = r"""
_value:
  description: The value with its secrets replaced.
  type: raw
"""

from ansible_collections.mediaops.antmedia.plugins.module_utils._secrets import shown


def shown_setting(value, key):
    return shown(str(key), value)


class FilterModule(object):
    def filters(self):
        return {"shown_setting": shown_setting}
