# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: restart_blockers
short_description: Why a restart of Ant Media Server is not safe now, one line per reason
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Takes the registered result of M(mediaops.antmedia.server_info) and returns the reasons not to restart the
    server, one line each; an empty list means a restart cuts nothing that could be seen.
  - Per application, the live media pushes and recordings (RV(mediaops.antmedia.server_info#module:busy)), and every
    application that could not be read (RV(mediaops.antmedia.server_info#module:unreadable)) with its reason.
  - Fails closed. A result that is not a C(server_info) result (the task failed, was skipped or never ran), an empty
    list of applications, or an application of O(apps) that the result does not account for, is a reason too.
  - Used by the C(mediaops.antmedia.antmedia_service) role's guard, whose retry loop checks this one value.
options:
  _input:
    description: The registered result of M(mediaops.antmedia.server_info), or anything else (fails closed).
    type: raw
    required: true
  apps:
    description: The applications that had to be read.
    type: list
    elements: str
    required: true
  install_dir:
    description: The install folder whose C(webapps/) lists the applications, named when O(apps) is empty.
    type: str
    default: /usr/local/antmedia
"""

EXAMPLES = r"""
- name: Refuse while something records
  ansible.builtin.fail:
    msg: "Not restarting: {{ blockers | join('; ') }}"
  vars:
    blockers: "{{ server | mediaops.antmedia.restart_blockers(['LiveApp']) }}"
  when: blockers | length > 0
"""

RETURN = r"""
_value:
  description:
    - "One line per reason, for example C(app LiveApp: media pushes [room1_composite], recordings [room1_composite])
      or C(app live could not be read: ... (a recording may be running)). Empty when a restart is safe."
  type: list
  elements: str
"""

from collections.abc import Mapping

MAY_RECORD = " (a recording may be running)"


def _text(value):
    return " ".join(str(value).split())


def restart_blockers(state, apps, install_dir="/usr/local/antmedia"):
    apps = [_text(app) for app in (apps or [])]
    if not apps:
        return ["no application found in %s/webapps (set antmedia_service_apps)%s"
                % (_text(install_dir).rstrip("/"), MAY_RECORD)]
    if not isinstance(state, Mapping) or not isinstance(state.get("busy"), list) \
            or not isinstance(state.get("unreadable"), list):
        cause = state.get("msg") if isinstance(state, Mapping) else None
        if isinstance(state, Mapping) and state.get("skipped"):
            cause = "the read was skipped"
        return ["the server could not be read: %s%s" % (_text(cause or "no result"), MAY_RECORD)]
    blockers = []
    live = {}
    for item in state["busy"]:
        item = item if isinstance(item, Mapping) else {}
        pushes, recordings = live.setdefault(_text(item.get("app", "?")), ([], []))
        if item.get("media_push") or not item.get("recording"):  # an item that says neither is counted anyway
            pushes.append(_text(item.get("stream_id", "?")))
        if item.get("recording"):
            recordings.append(_text(item.get("stream_id", "?")))
    for app, (pushes, recordings) in live.items():
        blockers.append("app %s: media pushes [%s], recordings [%s]" % (app, ", ".join(pushes), ", ".join(recordings)))
    accounted = set(live) | set(_text(app) for app in (state.get("apps") or {}))
    for item in state["unreadable"]:
        item = item if isinstance(item, Mapping) else {}
        app = _text(item.get("app", "?"))
        accounted.add(app)
        reason = _text(item.get("reason") or "no reason given")
        blockers.append("app %s could not be read: %s%s" % (app, reason, MAY_RECORD))
    for app in apps:
        if app not in accounted:
            blockers.append("app %s could not be read: the result does not mention it%s" % (app, MAY_RECORD))
    return blockers


class FilterModule(object):
    def filters(self):
        return {"restart_blockers": restart_blockers}
