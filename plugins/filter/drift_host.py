# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: drift_host
short_description: One host's drift findings, per concern, from what drift.yml's checks returned
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Turns what the checks of C(drift.yml) returned on one host into its findings, one per concern (C(plugin),
    C(browser), C(settings), C(recordings)), each with C(drift), C(expected) and C(found), and the reasons the host
    or a concern could not be checked.
  - The C(plugin) and C(browser) concerns come from the fact C(media_push_plugin_state) of the role
    C(mediaops.antmedia.media_push_plugin) (the installed jar against the wanted one and the server's version, loaded
    or not by the running server, the browser installed). On a host with C(ansible_connection=local) (REST from the
    controller) the role would read the controller's own files, so these two concerns are V(not checked) there,
    neither drift nor a host not checked.
  - The C(settings) concern comes from the result of M(mediaops.antmedia.app_settings) in check mode, its values
    shown without secrets (the filter P(mediaops.antmedia.shown_setting#filter)).
  - The C(recordings) concern comes from the result of M(mediaops.antmedia.room_recordings) in check mode; a room
    that records a format the inventory does not declare (its C(undeclared_formats)) is drift even when nothing
    would change.
  - A concern whose check did not run (skipped, failed or not asked for) has no finding.
  - Used by C(drift.yml) once per host, then P(mediaops.antmedia.drift_summary#filter) on the controller.
options:
  _input:
    description:
      - What the checks returned, a dictionary with the keys C(reach) (the registered result of C(ansible.builtin.ping)),
        C(connection) (C(ansible_connection)), C(plugin_wanted) (whether the plugin and browser are checked),
        C(errors) (reasons a check failed, such as V(settings) followed by the error), C(plugin)
        (C(media_push_plugin_state)), C(settings) and C(recordings) (the registered results); any may be missing.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Note the findings of this host
  ansible.builtin.set_fact:
    antmedia_drift_host: >-
      {{ {'reach': antmedia_drift_reach, 'connection': ansible_connection | default('ssh'),
          'plugin': media_push_plugin_state | default(none), 'settings': antmedia_drift_settings | default(none),
          'recordings': conference_recording_result | default(none)} | mediaops.antmedia.drift_host }}
"""

RETURN = r"""
_value:
  description: The host's findings.
  type: dict
  contains:
    found:
      description:
        - One entry per concern checked, C(plugin), C(browser), C(settings) or C(recordings), each with C(drift)
          (bool), C(expected) and C(found) (text for the report), and C(not_checked) (why it was not checked, for
          example V(connection local); then C(drift) is false), with C(failed=true) when its check failed (an error
          noted as C(CONCERN) followed by the reason in C(errors)); the other concerns keep their findings.
      type: dict
    not_checked:
      description: Why the host, or one of its concerns, could not be checked (unreachable, an error); empty when none.
      type: list
      elements: str
"""

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.mediaops.antmedia.plugins.module_utils._plugin_release import media_push_version
from ansible_collections.mediaops.antmedia.plugins.module_utils._secrets import shown

LOCAL_CONNECTIONS = ("local", "ansible.builtin.local")


def _flag(value):
    return boolean(value, strict=False) if value is not None else False


def _text(value):
    return "" if value is None else str(value).strip()


def _reach_problem(reach):
    if not reach:
        return None
    if reach.get("unreachable"):
        prefix = "unreachable: "
    elif "ping" not in reach:
        prefix = "error: "
    else:
        return None
    lines = _text(reach.get("msg") or "no answer").splitlines()
    return prefix + (lines[0] if lines else "")


def plugin_findings(state):
    """The plugin and browser findings from the role's media_push_plugin_state."""
    version_found = _text(state.get("jar_version_found"))
    server_version = _text(state.get("server_version"))
    sha1_found = _text(state.get("jar_sha1_found"))
    not_loaded_in = list(state.get("not_loaded_in") or [])
    problems = []
    if _flag(state.get("jar_changed")):
        problems.append("media-push " + (version_found or "missing") + ((", sha1 " + sha1_found[:12]) if sha1_found else ""))
    if version_found and server_version and version_found != media_push_version(server_version):
        problems.append("media-push %s does not match the server version %s" % (version_found, server_version))
    if not_loaded_in and sha1_found:
        problems.append("installed, not loaded (no Media Push routes in %s)" % ", ".join(str(app) for app in not_loaded_in))
    browser_missing = _flag(state.get("browser_changed"))
    return {
        "plugin": {"drift": bool(problems),
                   "expected": "media-push %s (the server is %s), sha1 %s, loaded" % (
                       _text(state.get("jar_version_wanted")), server_version or "?",
                       (_text(state.get("jar_sha1_wanted")) or "?")[:12]),
                   "found": "; ".join(problems) if problems else "as expected"},
        "browser": {"drift": browser_missing,
                    "expected": "%s installed" % _text(state.get("browser_package")),
                    "found": "missing" if browser_missing else "as expected"},
    }


# The hook URL's secret is its path: two redacted URLs can look the same, so the finding only says they differ.
HOOK_URL_DIFFERS = "hook URL differs"


def settings_finding(result):
    """The settings finding from app_settings in check mode with diff, values shown without secrets."""
    changed = _flag(result.get("changed"))
    diff = result.get("diff") or {}
    keys = list(result.get("changed_keys") or [])

    def shown_values(side):
        values = diff.get(side) or {}
        return ", ".join(HOOK_URL_DIFFERS if key == "listenerHookURL" and side == "before" else
                         "%s=%s" % (key, shown(str(key), values.get(key))) for key in keys)

    return {"drift": changed,
            "expected": shown_values("after") if changed else "as declared",
            "found": shown_values("before") if changed else "as declared"}


def recordings_finding(result):
    """The recordings finding from room_recordings in check mode; an undeclared format recording is drift."""
    rooms = [room for room in result.get("rooms") or [] if isinstance(room, dict)]
    changes = ["%s needs %s" % (room.get("stream_id"), room.get("action")) for room in rooms
               if room.get("action") not in (None, "none")]
    undeclared = ["%s records %s (not declared)" % (room.get("stream_id"), ", ".join(str(kind) for kind in formats))
                  for room in rooms for formats in [room.get("undeclared_formats") or []] if formats]
    found = changes + undeclared
    return {"drift": _flag(result.get("changed")) or bool(undeclared),
            "expected": "%d rooms as declared" % len(rooms),
            "found": ", ".join(found) if found else "as expected"}


def concern_error(error):
    """(concern, reason) of an error noted as "CONCERN: reason"; (None, error) when it names no concern."""
    concern, sep, reason = _text(error).partition(": ")
    if sep and concern.isidentifier():
        return concern, reason.strip() or "failed"
    return None, _text(error)


def _ran(result):
    return isinstance(result, dict) and not result.get("skipped") and not result.get("failed")


def drift_host(checks):
    checks = checks or {}
    not_checked = []
    reach_problem = _reach_problem(checks.get("reach"))
    if reach_problem:
        not_checked.append(reach_problem)
    not_checked.extend(str(error) for error in checks.get("errors") or [])
    found = {}
    if reach_problem is None:
        # a check that failed still has its column: "not checked" with its reason, the other concerns as found
        for concern, reason in (concern_error(error) for error in checks.get("errors") or []):
            for name in (("plugin", "browser") if concern == "plugin" else (concern,) if concern else ()):
                found[name] = {"drift": False, "not_checked": reason, "failed": True, "expected": "", "found": ""}
        if _flag(checks.get("plugin_wanted")) and _text(checks.get("connection")) in LOCAL_CONNECTIONS:
            for concern in ("plugin", "browser"):
                found[concern] = {"drift": False, "not_checked": "connection local", "expected": "", "found": ""}
        elif isinstance(checks.get("plugin"), dict) and "plugin" not in found:
            found.update(plugin_findings(checks["plugin"]))
        if _ran(checks.get("settings")) and "settings" not in found:
            found["settings"] = settings_finding(checks["settings"])
        if _ran(checks.get("recordings")) and "recordings" not in found:
            found["recordings"] = recordings_finding(checks["recordings"])
    return {"found": found, "not_checked": not_checked}


class FilterModule(object):
    def filters(self):
        return {"drift_host": drift_host}
