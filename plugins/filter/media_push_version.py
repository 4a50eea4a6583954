# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: media_push_version
short_description: The Media Push plugin release that belongs to an Ant Media Server release
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Ant Media builds the Media Push plugin (C(io.antmedia.plugin:media-push)) with each server release, so the plugin
    to install is the one of the server's own version (its C(versionName)).
  - Except where no jar of that version was built. AMS 3.0.2 has no C(media-push-3.0.2.jar); its plugin is 3.0.1
    (at the C(ams-v3.0.2) tag the plugin's pom parent is still 3.0.1, with the same code).
  - Used by the C(mediaops.antmedia.media_push_plugin) role to choose and check the jar, and by C(drift.yml).
options:
  _input:
    description: The server's version, for example V(3.0.1). Empty when unknown.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The plugin of a 3.0.2 server
  ansible.builtin.debug:
    msg: "{{ '3.0.2' | mediaops.antmedia.media_push_version }}"  # 3.0.1
"""

RETURN = r"""
_value:
  description: The plugin version to install; empty when the server's version is empty.
  type: str
"""

from ansible_collections.mediaops.antmedia.plugins.module_utils._plugin_release import media_push_version


class FilterModule(object):
    def filters(self):
        return {"media_push_version": media_push_version}
