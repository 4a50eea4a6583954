# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: service_down
short_description: Whether a systemd unit is known to be down, so that nothing can be live on it
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Takes the registered result of C(ansible.builtin.systemd_service) without a state (a read) and returns true only
    when systemd reports the unit C(loaded) and C(inactive) or C(failed).
  - Fails closed. A unit that could not be read, is not loaded, or is starting, stopping or active is not down.
  - Used by the C(mediaops.antmedia.antmedia_service) role's guard, which restarts a down server without reading it.
options:
  _input:
    description: The registered result of C(ansible.builtin.systemd_service).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Start the server without a read when it is down
  ansible.builtin.debug:
    msg: nothing can be live
  when: unit | mediaops.antmedia.service_down
"""

RETURN = r"""
_value:
  description: True when the unit is loaded and inactive or failed.
  type: bool
"""

from collections.abc import Mapping


def service_down(unit):
    status = unit.get("status") if isinstance(unit, Mapping) else None
    if not isinstance(status, Mapping) or unit.get("failed"):
        return False
    return status.get("LoadState") == "loaded" and status.get("ActiveState") in ("inactive", "failed")


class FilterModule(object):
    def filters(self):
        return {"service_down": service_down}
