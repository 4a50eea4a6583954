# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VoD retention (private API): the VoD calls, the rules that select what goes, and the reconciler that
deletes it.

``retention_rules`` checks the options; ``select_vods`` is the pure decision over the app's VoDs and the
states of their streams; ``VodReconciler`` deletes through the one reconcile base (one plan per VoD, so one
refused deletion costs only itself).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError, is_json
from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import Action, Plan, Reconciler
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError

VOD_TYPES = ("streamVod", "userVod", "uploadedVod")
DEFAULT_VOD_TYPES = ("streamVod",)
DAY_MS = 24 * 3600 * 1000
# A VoD's file is complete once its record exists (muxingFinished adds a recording's VoD after the trailer);
# an upload's script may still be working on the file while processStatus says so.
DONE_PROCESS_STATUSES = (None, "", "finished", "failed")
# A stream in these states writes no file: created (never started), finished, or gone (no broadcast at all).
# Every other state (broadcasting, preparing, terminated_unexpectedly, error, an unknown one) spares its VoDs.
IDLE_BROADCAST_STATUSES = ("created", "finished")
MAX_VOD_ID_LENGTH = 200


def _shown(value):
    return repr(value)


def _whole_number(value, option, minimum=0):
    if isinstance(value, str) and value.isdigit() and value.isascii():
        value = int(value)  # a templated number may arrive as its text
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError("%s %s must be a whole number, %d or more" % (option, _shown(value), minimum))
    return value


def _vod_id(value, option):
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise ValidationError("%s %s is a number, not a VoD id: quote it" % (option, _shown(value)))
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("%s %s must be a VoD id (the vodId of vod_info)" % (option, _shown(value)))
    if len(value) > MAX_VOD_ID_LENGTH or any(char in value for char in "/\\?#%") or value != value.strip() \
            or any(ord(char) < 32 or ord(char) == 127 for char in value) or value in (".", ".."):
        raise ValidationError("%s %s is not a VoD id (the vodId of vod_info: letters and digits)"
                              % (option, _shown(value[:60])))
    return value


def retention_rules(params, names=None):
    """The checked rules from the module's options; raises ValidationError (one line naming the option, or the
    inventory variable through ``names``, an option -> shown name mapping)."""
    names = dict(names or {})

    def name(option):
        return names.get(option, option)

    vod_ids = params.get("vod_id")
    if vod_ids is not None:
        vod_ids = [_vod_id(item, name("vod_id")) for item in (vod_ids if isinstance(vod_ids, list) else [vod_ids])]
        if not vod_ids:
            raise ValidationError("%s is an empty list: name at least one VoD id, or leave it out" % name("vod_id"))
    older_than_days = params.get("older_than_days")
    if older_than_days is not None:
        older_than_days = _whole_number(older_than_days, name("older_than_days"))
    keep_last = params.get("keep_last")
    if keep_last is not None:
        keep_last = _whole_number(keep_last, name("keep_last"))
    stream_pattern = params.get("stream_pattern")
    if stream_pattern is not None:
        if not isinstance(stream_pattern, str) or stream_pattern == "":
            raise ValidationError("%s %s must be a regular expression (a non-empty string)"
                                  % (name("stream_pattern"), _shown(stream_pattern)))
        try:
            stream_pattern = re.compile(stream_pattern)
        except re.error as exc:
            raise ValidationError("%s %s is not a regular expression: %s" % (name("stream_pattern"),
                                                                             _shown(stream_pattern), exc))
    vod_types = params.get("vod_types")
    vod_types = list(DEFAULT_VOD_TYPES) if vod_types is None else vod_types
    if not isinstance(vod_types, list) or not vod_types:
        raise ValidationError("%s %s must be a non-empty list of %s"
                              % (name("vod_types"), _shown(vod_types), ", ".join(VOD_TYPES)))
    for vod_type in vod_types:
        if vod_type not in VOD_TYPES:
            raise ValidationError("%s item %s is not a VoD type: use %s"
                                  % (name("vod_types"), _shown(vod_type), ", ".join(VOD_TYPES)))
    if vod_ids is None and older_than_days is None and keep_last is None and stream_pattern is None:
        raise ValidationError("nothing selects the VoDs to delete: give %s, or a rule (%s, %s, %s); refusing to "
                              "delete every VoD" % (name("vod_id"), name("older_than_days"), name("keep_last"),
                                                    name("stream_pattern")))
    return {"vod_ids": vod_ids, "older_than_days": older_than_days, "keep_last": keep_last,
            "stream_pattern": stream_pattern, "vod_types": list(vod_types)}


def _created(vod):
    created = vod.get("creationDate")
    return created if isinstance(created, int) and not isinstance(created, bool) and created > 0 else None


def _newest_first(vod):
    return (-(_created(vod) or 0), str(vod.get("vodId")))


def vod_line(vod):
    """One line naming a VoD for the diff and messages."""
    return "%s %s (stream %s, %s)" % (vod.get("vodId"), vod.get("vodName"), vod.get("streamId"), vod.get("type"))


def select_vods(vods, rules, now_ms, stream_statuses):
    """Decide which VoDs go: (doomed, spared), both lists of (vod, reason).

    A VoD goes when every rule given selects it: its id among ``vod_ids``, its stream id matching
    ``stream_pattern`` (whole match), created more than ``older_than_days`` ago, and beyond the newest
    ``keep_last`` VoDs of its stream. Only the ``vod_types`` are considered. A selected VoD is spared (with its
    reason) when it may still be written: its file is being processed, its stream is in any state but created or
    finished (``stream_statuses``: stream id -> status; a stream missing from it has no broadcast), or its age is
    unknown for an age rule. ``now_ms``: the time in ms since the epoch.
    """
    doomed, spared = [], []
    wanted_ids = set(rules["vod_ids"]) if rules["vod_ids"] is not None else None
    pattern = rules["stream_pattern"]
    in_scope = []
    for vod in vods:
        if not isinstance(vod, dict) or not isinstance(vod.get("vodId"), str) or not vod.get("vodId"):
            continue  # the server lists no VoD without an id; nothing could be deleted by it
        if wanted_ids is not None and vod["vodId"] not in wanted_ids:
            continue
        stream_id = vod.get("streamId")
        if pattern is not None and not (isinstance(stream_id, str) and pattern.fullmatch(stream_id)):
            continue
        if vod.get("type") not in rules["vod_types"]:
            if wanted_ids is not None:  # named by id, but of a type not asked for: say so
                spared.append((vod, "a VoD of type %s, which vod_types does not include" % vod.get("type")))
            continue
        in_scope.append(vod)
    kept_newest = set()
    if rules["keep_last"] is not None:
        by_stream = {}
        for vod in in_scope:
            by_stream.setdefault(vod.get("streamId"), []).append(vod)
        for stream_vods in by_stream.values():
            kept_newest.update(vod["vodId"] for vod in sorted(stream_vods, key=_newest_first)[:rules["keep_last"]])
    for vod in in_scope:
        if vod["vodId"] in kept_newest:
            continue
        created = _created(vod)
        if rules["older_than_days"] is not None or rules["keep_last"] is not None:
            if created is None:
                spared.append((vod, "its creation date is unknown (%s)" % _shown(vod.get("creationDate"))))
                continue
        if rules["older_than_days"] is not None and created > now_ms - rules["older_than_days"] * DAY_MS:
            continue
        reason = _still_written(vod, stream_statuses)
        if reason:
            spared.append((vod, reason))
            continue
        doomed.append((vod, _why(vod, rules)))
    return doomed, spared


def _still_written(vod, stream_statuses):
    """Why the VoD's file may still be written, or None."""
    process_status = vod.get("processStatus")
    if process_status not in DONE_PROCESS_STATUSES:
        return "its file is still being processed (processStatus %s)" % process_status
    stream_id = vod.get("streamId")
    status = stream_statuses.get(stream_id) if isinstance(stream_id, str) else None
    if isinstance(stream_id, str) and stream_id in stream_statuses and status not in IDLE_BROADCAST_STATUSES:
        return "its stream %s is %s, not finished" % (stream_id, status)
    return None


def _why(vod, rules):
    reasons = []
    if rules["vod_ids"] is not None:
        reasons.append("named by id")
    if rules["stream_pattern"] is not None:
        reasons.append("stream matches %s" % rules["stream_pattern"].pattern)
    if rules["older_than_days"] is not None:
        reasons.append("older than %d days" % rules["older_than_days"])
    if rules["keep_last"] is not None:
        reasons.append("beyond the newest %d of its stream" % rules["keep_last"])
    return ", ".join(reasons)


# ---- the VoD calls (through the one client) ----------------------------------------------------

def get_vod(client, vod_id):
    """GET v2/vods/{id}: the VoD, or None when there is none (AMS answers an empty VoD for a missing id)."""
    what = "VoD %s" % vod_id
    response = client.request("GET", "v2/vods/%s" % quote(vod_id, safe=""))
    if response.status == 404 or not is_json(response):
        client._not_found_is_app(response, what)  # pylint: disable=protected-access
        raise AntMediaError("the answer to %s is not JSON (HTTP %d)" % (what, response.status), kind="protocol")
    body = client._json(response, what)  # pylint: disable=protected-access
    if not isinstance(body, dict):
        raise AntMediaError("the answer to %s is not a VoD" % what, kind="protocol")
    return body if body.get("vodId") else None


def delete_vod(client, vod_id):
    """DELETE v2/vods/{id}: the server removes the file, its preview and the record; a ServerResult
    (``success: false`` with an empty message for a missing id)."""
    what = "the deletion of VoD %s" % vod_id
    response = client.request("DELETE", "v2/vods/%s" % quote(vod_id, safe=""))
    if response.status == 404 or not is_json(response):
        client._not_found_is_app(response, what)  # pylint: disable=protected-access
        raise AntMediaError("the answer to %s is not JSON (HTTP %d)" % (what, response.status), kind="protocol")
    return client._result(response, what)  # pylint: disable=protected-access


def stream_statuses(client):
    """Stream id -> status of every broadcast of the app (one paged list; an unreadable list fails)."""
    statuses = {}
    for broadcast in client.list_broadcasts():
        if isinstance(broadcast, dict) and isinstance(broadcast.get("streamId"), str):
            status = broadcast.get("status")
            statuses[broadcast["streamId"]] = status if isinstance(status, str) else "in an unknown state"
    return statuses


class VodReconciler(Reconciler):
    """Deletes the VoDs ``select_vods`` dooms; one plan per VoD."""

    def key(self, desired):
        return desired["vodId"]

    def plans(self, doomed):
        return [Plan(vod["vodId"], vod, vod, vod_line(vod), None, actions=[Action("delete_vod", vod_id=vod["vodId"])],
                     context={"reason": reason})
                for vod, reason in doomed]

    def apply(self, plan, action, state):
        try:
            answer = delete_vod(self.client, action.params["vod_id"])
            if answer.success:
                return True
            if get_vod(self.client, action.params["vod_id"]) is None:
                return False  # already gone (another run deleted it first)
            cause = "the server did not delete it (%s)" % (answer.message or "no message")
        except AntMediaError as exc:
            exc.message = "VoD %s: %s" % (vod_line(plan.current), exc.message)
            raise
        raise AntMediaError("VoD %s: %s" % (vod_line(plan.current), cause))

    def finish(self, plan, changed, state):
        return None, {}
