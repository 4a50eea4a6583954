# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many rooms of one app in one run: one list read, the same per-room decision as media_push, starts in
parallel (private API). The module and its action plugin both call ``converge_room_recordings``."""

from __future__ import annotations

import re

from ansible_collections.mediaops.antmedia.plugins.module_utils import _broadcast as bc
from ansible_collections.mediaops.antmedia.plugins.module_utils._media_push import (
    MediaPushReconciler,
    action_of,
    desired_push,
    run_options,
    summary_line,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._recordings_item import (
    LIST_NAME,
    ROOM_SOURCES,
    check_item,
    item_label,
    item_options,
    push_id,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    ValidationError,
    check_http_url,
    check_id,
    check_seconds,
    name_key,
    skeleton,
)

MAX_CONCURRENCY = 64
SECRET_KEYS = ("token", "publish_token", "stream_jwt_secret")
LIST_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def room_recordings_argument_spec():
    """room_recordings' own options (the module and its action plugin add the connection options); the items'
    options are the one definition in _recordings_item."""
    argument_spec = dict(
        recordings=dict(type="list", elements="dict", required=True, options=item_options()),
        room_source=dict(type="str", default="inventory", choices=list(ROOM_SOURCES)),
        list_name=dict(type="str", default=LIST_NAME),
        stop_unlisted=dict(type="bool", default=False),
        start_concurrency=dict(type="int", default=10),
    )
    argument_spec.update(run_options(vod_timeout_default=0))
    return argument_spec


def check_run_options(params):
    """The options of the run as a whole: a bad one fails the task before any request."""
    check_seconds(params["vod_timeout"], "vod_timeout")
    if not 1 <= params["start_concurrency"] <= MAX_CONCURRENCY:
        raise ValidationError("start_concurrency %r must be from 1 to %d" % (params["start_concurrency"],
                                                                             MAX_CONCURRENCY))
    if not LIST_NAME_PATTERN.match(params.get("list_name") or ""):
        raise ValidationError("list_name %r must be a variable name (letters, digits and _)" % params.get("list_name"))
    if params.get("page_base_url") is not None:
        check_http_url(params["page_base_url"], "page_base_url", allow_query=False)


class RoomEntry(object):
    """One item of the list: its label, what became of it (ok, refused or skipped) and why, its desired state."""

    def __init__(self, index, item, label):
        self.index = index
        self.item = item
        self.label = label
        self.status = "ok"
        self.reason = None
        self.desired = None
        self.duplicate_of = None  # the item standing for this one (the same server room sent twice)

    def refuse(self, reason):
        """Refused: nothing is done for the item (a second reason is added to the first)."""
        if self.status == "refused":
            reason = "%s; %s" % (self.reason, reason)
        self.status, self.reason, self.desired = "refused", reason, None

    @property
    def room(self):
        room = self.item.get("room") if isinstance(self.item, dict) else None
        return room if isinstance(room, str) else None


def plan_rooms(params):
    """Every item's entry (in list order) and the warnings about them. An item that is refused (bad) or skipped (a
    name from the server the module cannot handle) costs only itself."""
    source, list_name = params.get("room_source") or "inventory", params.get("list_name") or LIST_NAME
    entries, warnings = [], []
    for index, item in enumerate(params["recordings"]):
        entry = RoomEntry(index, item, item_label(index, item, list_name))
        found = check_item(item, source)
        refusal, skip = found.refusal(source), found.skip_reason(source)
        if refusal is not None:
            entry.refuse(refusal)
        elif skip is not None:
            entry.status, entry.reason = "skipped", skip
        else:
            item_params = dict(found.values, url=params["url"], app=params["app"],
                               page_base_url=params.get("page_base_url"), vod_timeout=params["vod_timeout"],
                               stop_undeclared_formats=params.get("stop_undeclared_formats"),
                               look_alikes=source != "server")
            try:
                entry.desired = desired_push(item_params)
            except ValidationError as exc:  # pragma: no cover - check_item refuses what desired_push would
                entry.refuse(str(exc))
            else:
                entry.desired["label"] = entry.label
                entry.desired["outside_schedule"] = bool(found.values.get("outside_schedule"))
        entries.append(entry)
    refuse_duplicates(entries, source)
    warnings.extend("%s: skipped, the server's name cannot be handled: %s" % (entry.label, entry.reason)
                    for entry in entries if entry.status == "skipped" and entry.duplicate_of is None)
    if source != "server":
        warnings.extend(look_alike_warnings(entries))
    return entries, warnings


def refuse_duplicates(entries, source):
    """Two items about one room or one push: which one is meant is unknown, so every item of the group is refused,
    each naming the others. Inventory names are compared after Unicode NFC; the server's names exactly (two names
    the server holds are two rooms), and the same room sent twice with the same options is converged once."""
    compare = name_key if source != "server" else (lambda name: name)
    groups = {}
    for entry in entries:
        keys = set()
        stream_id = push_id(entry.item)
        if stream_id is not None:
            keys.add(("stream id", compare(stream_id)))
        if source != "server" and entry.room:
            keys.add(("room", compare(entry.room)))
        for key in keys:
            groups.setdefault(key, []).append(entry)
    handled = set()
    # rooms first: a room twice has its push id twice too, one reason is enough
    for (what, _key), group in sorted(groups.items(), key=lambda pair: (pair[0][0] != "room", pair[1][0].index)):
        indexes = frozenset(entry.index for entry in group)
        if len(group) < 2 or indexes in handled:
            continue
        handled.add(indexes)
        if source == "server" and all(entry.item == group[0].item for entry in group):
            for entry in group[1:]:  # the same hook twice: the first item stands for both
                entry.status, entry.reason, entry.desired = "skipped", "the same room as %s" % group[0].label, None
                entry.duplicate_of = group[0].label
            continue
        for entry in group:
            others = ", ".join(other.label for other in group if other is not entry)
            what_shown = "room" if what == "room" else "push (stream id %r)" % push_id(entry.item)
            names = set(other.room if what == "room" else push_id(other.item) for other in group)
            entry.refuse("the same %s as %s%s; declare each room once" % (
                what_shown, others, " after Unicode normalisation (NFC)" if len(names) > 1 else ""))


def look_alike_warnings(entries):
    """Rooms declared in inventory that differ only in case, compatibility forms or look-alike letters (team0 and
    teamo): two rooms on the server (stream ids are exact), both recorded; the warning says they look the same."""
    warnings, by_shape = [], {}
    for entry in entries:
        if entry.room is None or entry.status == "refused":
            continue
        shape = skeleton(entry.room)
        first = by_shape.setdefault(shape, entry)
        if first is not entry and name_key(first.room) != name_key(entry.room):
            warnings.append("%s: looks like %s (only case, compatibility forms or look-alike letters differ); both are "
                            "recorded, as two rooms" % (entry.label, first.label))
    return warnings


def converge_room_recordings(params, client, check_mode):
    """The result of converging every listed room (and, when asked, the unlisted pushes) of one app."""
    check_run_options(params)
    entries, warnings = plan_rooms(params)
    for item in params["recordings"]:
        for key in SECRET_KEYS:
            if isinstance(item, dict) and isinstance(item.get(key), str):
                client.add_secret(item.get(key))
    desired_items = [entry.desired for entry in entries if entry.status == "ok"]
    kept, unknown = set(), []
    for entry in entries:
        if entry.status != "ok":
            stream_id = push_id(entry.item)
            if stream_id is None:
                unknown.append(entry.label)
            else:
                kept.add(stream_id)
    reconciler = RoomRecordingsReconciler(client, check_mode=check_mode, stop_unlisted=params["stop_unlisted"],
                                          vod_timeout=params["vod_timeout"], kept=kept, unknown=unknown)
    outcomes = []
    if desired_items or params["stop_unlisted"] and not unknown:
        outcomes = reconciler.run_many(desired_items, params["start_concurrency"])
    warnings += [line for _name, line in reconciler.skipped]
    return room_recordings_result(client, check_mode, entries, outcomes, warnings, reconciler.held_reason(),
                                  reconciler.skipped)


def room_recordings_result(client, check_mode, entries, outcomes, warnings, held, skipped_unlisted):
    """The task result: a line per room, what was done, what was not and why."""
    listed = iter(outcomes[:len([entry for entry in entries if entry.status == "ok"])])
    extra = outcomes[len([entry for entry in entries if entry.status == "ok"]):]
    rooms, not_done = [], []
    for entry in entries:
        if entry.status == "ok":
            outcome = next(listed)
            report = room_report(outcome, check_mode, entry.index)
            if outcome.failure:
                not_done.append("%s: %s" % (entry.label, outcome.failure))
        else:
            report = {"index": entry.index, "room": entry.room, "stream_id": push_id(entry.item),
                      "status": entry.status, "state": None, "recording": [], "undeclared_formats": [],
                      "action": "none", "changed": False, "msg": entry.reason}
            if entry.status == "refused":
                report["failed"] = True
                not_done.append("%s: %s" % (entry.label, entry.reason))
        rooms.append(report)
    for outcome in extra:
        rooms.append(room_report(outcome, check_mode, None))
        if outcome.failure:
            not_done.append("%s: %s" % (outcome.plan.desired["label"], outcome.failure))
    summary = summary_line([outcome for outcome in outcomes if not outcome.failure], check_mode)
    skipped_names = [repr(report["room"] if report["room"] is not None else report["stream_id"])
                     for report in rooms if report["status"] == "skipped"]
    skipped_names += ["unlisted push %r" % name for name, _line in skipped_unlisted]
    if skipped_names:
        summary += "; skipped: %s" % ", ".join(skipped_names)
    skipped = ["%s: %s" % (entry.label, entry.reason) for entry in entries if entry.status == "skipped"]
    skipped += [line for _name, line in skipped_unlisted]
    result = dict(
        changed=any(report["changed"] for report in rooms),
        msg=summary,
        rooms=rooms,
        started=[report["stream_id"] for report in rooms if report["action"] == "start" and not report.get("failed")],
        stopped=[report["stream_id"] for report in rooms if report["action"] == "stop" and not report.get("failed")],
        failed_rooms=["%s: %s" % (outcome.plan.desired["label"], outcome.failure) for outcome in outcomes
                      if outcome.failure],
        refused=["%s: %s" % (entry.label, entry.reason) for entry in entries if entry.status == "refused"],
        skipped=skipped,
        vods=[vod for outcome in outcomes for vod in outcome.data.get("vods") or []],
        warnings=warnings + [warning for outcome in outcomes for warning in outcome.warnings],
        diff={"before": {"rooms": dict((o.key, _view(o.before)) for o in outcomes)},
              "after": {"rooms": dict((o.key, _view(o.after)) for o in outcomes)}},
    )
    if held:
        not_done.append(held)
    if not_done:
        others = "; the others: %s" % summary if outcomes or skipped else ""
        result.update(failed=True, msg="%s app %s: %d of %d rooms not converged: %s%s" % (
            client.base_url, client.app, len(not_done) - (1 if held else 0), len(rooms), "; ".join(not_done), others))
    return result


def _view(view):
    view = view or {}
    return {"state": view.get("state"), "recording": list(view.get("recording") or [])}


class RoomRecordingsReconciler(MediaPushReconciler):
    """media_push for a list of rooms (one list read); the unlisted live pushes are stopped when asked, except the
    pushes of refused or skipped items (``kept``), and none at all while a refused item names no push (``unknown``):
    the rooms to keep are then not known."""

    def __init__(self, client, check_mode=False, stop_unlisted=False, vod_timeout=0, kept=(), unknown=(), **kwargs):
        super(RoomRecordingsReconciler, self).__init__(client, check_mode=check_mode, **kwargs)
        self.stop_unlisted = stop_unlisted
        self.vod_timeout = vod_timeout
        self.kept = set(kept)
        self.unknown = list(unknown)
        self.skipped = []  # (the server's name, why it is not stopped) of the unlisted pushes left alone

    def held_reason(self):
        """Why no unlisted push was stopped though stop_unlisted asked for it, or None."""
        if self.stop_unlisted and self.unknown:
            return ("stop_unlisted: no unlisted push was stopped, as %s (refused) names no push that could be kept"
                    % ", ".join(self.unknown))
        return None

    def extra_items(self, desired_items):
        if not self.stop_unlisted or self.unknown:
            return []
        listed = set(desired["stream_id"] for desired in desired_items) | self.kept
        unlisted = []
        for stream_id, broadcast in self.broadcasts_by_id().items():
            if stream_id in listed or not (bc.is_broadcasting(broadcast) and bc.is_media_push(broadcast)):
                continue
            try:  # the server's name: only what a URL, the page and a file name cannot carry is skipped
                check_id(stream_id, "stream id", look_alikes=False)
            except ValidationError as exc:
                line = "unlisted push %r: not stopped, the server's name cannot be handled: %s" % (stream_id, exc)
                self.skipped.append((stream_id, line))
                continue
            unlisted.append(stream_id)
        return [unlisted_stop(stream_id, self.vod_timeout) for stream_id in sorted(unlisted)]


def unlisted_stop(stream_id, vod_timeout):
    """The desired state of a push nobody listed, when the user opted into stopping those."""
    room = bc.composite_room(stream_id)
    return {"stream_id": stream_id, "room": room, "state": "stopped", "record_type": None, "width": None,
            "height": None, "extra_chrome_switches": [], "vod_timeout": vod_timeout, "page": None, "page_url": None,
            "page_url_shown": None, "publish_token": None, "stream_jwt_secret": None,
            "stop_undeclared_formats": False, "label": "unlisted push %r" % stream_id}


def room_report(outcome, check_mode=False, index=None):
    """One line of the module's ``rooms`` return value."""
    desired = outcome.plan.desired
    after = outcome.after or {}
    report = {
        "index": index,
        "room": desired["room"],
        "stream_id": desired["stream_id"],
        "status": "failed" if outcome.failure else ("changed" if outcome.changed else "unchanged"),
        "state": after.get("state"),
        "recording": list(after.get("recording") or []),
        "undeclared_formats": list(outcome.data.get("undeclared_formats") or []),
        "action": action_of(outcome.plan),
        "changed": bool(outcome.changed),
    }
    if outcome.failure:
        report["failed"] = True
        report["msg"] = outcome.failure
    return report
