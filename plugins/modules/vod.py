#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vod
short_description: Delete the VoDs (recordings) of an Ant Media Server application by id or by retention rules
version_added: 0.3.0
author: mediaops team (@mediaops)
description:
  - Deletes VoDs of one application, each with its file (the server removes the record, the file and its
    preview), named by O(vod_id) or selected by retention rules (O(older_than_days), O(keep_last),
    O(stream_pattern)). A VoD is deleted only when every option given selects it.
  - Reads the whole VoD list, page by page until the server returns an empty page.
  - Only recordings of live streams (type V(streamVod)) are considered unless O(vod_types) says otherwise; uploaded
    and user VoDs are never deleted by default, not even when named by id.
  - Never deletes a VoD whose file may still be written, that is one whose C(processStatus) says the server is still
    processing it, or whose stream has a broadcast in any state but V(created) or V(finished) (broadcasting,
    preparing, stalled, failed, or a state the module does not know). Such a VoD is spared, returned in RV(spared)
    with its reason and named in a warning.
  - Refuses to run when neither O(vod_id) nor a rule is given, rather than delete every VoD.
  - A VoD that cannot be deleted fails the task with one line naming it, after the others were deleted.
attributes:
  check_mode:
    details:
      - Sends no write; RV(deleted) lists what would be deleted.
  diff_mode:
    details:
      - The diff lists one line per VoD that goes (its id, file name, stream and type).
extends_documentation_fragment:
  - mediaops.antmedia.connection
  - mediaops.antmedia.attributes
  - mediaops.antmedia.attributes.converge
options:
  state:
    description:
      - V(absent) deletes the selected VoDs.
    type: str
    choices: [absent]
    default: absent
  vod_id:
    description:
      - The id (C(vodId), see M(mediaops.antmedia.vod_info)) of a VoD to delete, or a list of them. A VoD that does
        not exist is already absent and is not an error.
      - With rules, only the named VoDs the rules select are deleted.
    type: raw
  older_than_days:
    description:
      - Delete only VoDs created this many days ago or earlier (their C(creationDate)). V(0) means any age.
      - A VoD without a creation date is spared.
    type: raw
  keep_last:
    description:
      - Keep the newest this many VoDs of each stream (by C(creationDate)); delete only older ones.
      - With O(older_than_days), a VoD goes only when it is both old enough and not among the newest of its stream.
    type: raw
  stream_pattern:
    description:
      - Delete only VoDs whose stream id (C(streamId)) matches this Python regular expression as a whole, for example
        V(.*_composite) for the recordings of conference rooms.
    type: str
  vod_types:
    description:
      - The types of VoD that may be deleted. V(streamVod) is a recording of a live stream, V(uploadedVod) a file
        uploaded through the REST API, V(userVod) a file placed in the application's folder.
    type: list
    elements: str
    choices: [streamVod, uploadedVod, userVod]
    default: [streamVod]
notes:
  - The selection is made from one reading of the VoD list and of the application's broadcasts; a VoD added
    after that reading waits for the next run.
seealso:
  - module: mediaops.antmedia.vod_info
  - module: mediaops.antmedia.broadcast_recording
"""

EXAMPLES = r"""
- name: Delete one VoD
  mediaops.antmedia.vod:
    app: LiveApp
    vod_id: 5f2f3e0b7c9d1a2b3c4d5e6f
    state: absent

- name: Keep 30 days of room recordings, and at least the last 5 of each room
  mediaops.antmedia.vod:
    app: LiveApp
    stream_pattern: ".*_composite"
    older_than_days: 30
    keep_last: 5
    state: absent
  register: retention

- name: Say what went
  ansible.builtin.debug:
    msg: "{{ retention.deleted | map(attribute='vodName') | list }}"
"""

RETURN = r"""
deleted:
  description:
    - The VoDs deleted (in check mode, those that would be), in the server's order.
    - Each has the fields of a VoD as M(mediaops.antmedia.vod_info) returns them (C(vodId), C(vodName), C(streamId),
      C(type), C(creationDate), C(fileSize), ...), and C(reason), which options selected it.
  returned: always
  type: list
  elements: dict
  sample: [{"vodId": "Qw3rT...", "vodName": "board-meeting_composite.mp4", "streamId": "board-meeting_composite",
            "type": "streamVod", "reason": "older than 30 days, beyond the newest 5 of its stream"}]
spared:
  description: VoDs the options selected but that were kept, each with the reason (still written, unknown age, a type
    not in O(vod_types)).
  returned: always
  type: list
  elements: dict
  sample: [{"vodId": "Qw3rT...", "vodName": "room_composite.mp4", "streamId": "room_composite",
            "reason": "its stream room_composite is broadcasting, not finished"}]
failed_vods:
  description: VoDs whose deletion failed, each with the one-line reason.
  returned: always
  type: list
  elements: dict
  sample: []
"""

import time

from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import about, run_module
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError
from ansible_collections.mediaops.antmedia.plugins.module_utils._vod import (
    VodReconciler,
    retention_rules,
    select_vods,
    stream_statuses,
    vod_line,
)

SHOWN_FIELDS = ("vodId", "vodName", "streamId", "type", "creationDate", "fileSize")


def _shown(vod, **extra):
    return dict(dict((key, vod.get(key)) for key in SHOWN_FIELDS), **extra)


def converge_retention(params, client, check_mode, now_ms=None):
    rules = retention_rules(params)
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    try:
        vods = client.list_vods()
        doomed, spared = select_vods(vods, rules, now_ms, {})
        if doomed:  # the streams' states are read only when something would go
            doomed, spared = select_vods(vods, rules, now_ms, stream_statuses(client))
    except AntMediaError as exc:
        raise about(exc)
    reconciler = VodReconciler(client, check_mode=check_mode)
    outcomes = reconciler.converge_all(reconciler.plans(doomed))
    reasons = dict((vod["vodId"], reason) for vod, reason in doomed)
    deleted = [_shown(outcome.plan.current, reason=reasons[outcome.key]) for outcome in outcomes
               if not outcome.failure and (outcome.changed or check_mode)]
    failed = [dict(_shown(outcome.plan.current), reason=outcome.failure) for outcome in outcomes if outcome.failure]
    result = {
        "changed": any(outcome.changed for outcome in outcomes),
        "deleted": deleted,
        "spared": [dict(_shown(vod), reason=reason) for vod, reason in spared],
        "failed_vods": failed,
        "diff": {"before_header": "VoDs of app %s" % client.app, "after_header": "VoDs of app %s" % client.app,
                 "before": "".join(vod_line(vod) + "\n" for vod, _reason in doomed),
                 "after": "".join(vod_line(item) + "\n" for item in failed)},
        "warnings": ["VoD %s spared: %s" % (vod_line(vod), reason) for vod, reason in spared],
    }
    verb = "would delete" if check_mode else "deleted"
    result["msg"] = "%s %d VoD%s, spared %d" % (verb, len(deleted), "" if len(deleted) == 1 else "s", len(spared))
    if failed:
        result["failed"] = True
        result["msg"] = "%d of %d VoDs could not be deleted (%s); %s" % (
            len(failed), len(doomed), "; ".join(item["reason"] for item in failed), result["msg"])
    return result


def main():
    run_module(dict(state=dict(type="str", choices=["absent"], default="absent"),
                    vod_id=dict(type="raw"),  # raw: one id or a list, a YAML number refused by name
                    older_than_days=dict(type="raw"),  # raw: the module's own one-line message for a bad number
                    keep_last=dict(type="raw"),
                    stream_pattern=dict(type="str"),
                    vod_types=dict(type="list", elements="str", choices=["streamVod", "uploadedVod", "userVod"],
                                   default=["streamVod"])),
               converge_retention, supports_check_mode=True)


if __name__ == "__main__":
    main()
