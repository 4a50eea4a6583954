# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many rooms of one app in one run: one list read, the same per-room decision as media_push, starts in
parallel (private API). The module and its action plugin both call ``converge_room_recordings``."""

from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.module_utils import _broadcast as bc
from ansible_collections.mediaops.antmedia.plugins.module_utils._media_push import (
    MediaPushReconciler,
    action_of,
    desired_push,
    room_options,
    run_options,
    summary_line,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    ValidationError,
    check_distinct,
    check_seconds,
)

MAX_CONCURRENCY = 64
SECRET_KEYS = ("token", "publish_token", "stream_jwt_secret")


def room_recordings_argument_spec():
    """room_recordings' own options (the module and its action plugin add the connection options)."""
    item_spec = room_options(record_type_default="mp4")
    item_spec["room"]["required"] = True
    item_spec["outside_schedule"] = dict(type="bool", default=False)
    argument_spec = dict(
        recordings=dict(type="list", elements="dict", required=True, options=item_spec),
        stop_unlisted=dict(type="bool", default=False),
        start_concurrency=dict(type="int", default=10),
    )
    argument_spec.update(run_options(vod_timeout_default=0))
    return argument_spec


def converge_room_recordings(params, client, check_mode):
    """The result of converging every listed room (and, when asked, the unlisted pushes) of one app."""
    check_seconds(params["vod_timeout"], "vod_timeout")
    if not 1 <= params["start_concurrency"] <= MAX_CONCURRENCY:
        raise ValidationError("start_concurrency %r must be from 1 to %d" % (params["start_concurrency"],
                                                                             MAX_CONCURRENCY))
    desired_items = desired_rooms(params)
    for item in params["recordings"]:
        for key in SECRET_KEYS:
            client.add_secret(item.get(key))
    reconciler = RoomRecordingsReconciler(client, check_mode=check_mode, stop_unlisted=params["stop_unlisted"],
                                          vod_timeout=params["vod_timeout"])
    outcomes = reconciler.run_many(desired_items, params["start_concurrency"])
    rooms = [room_report(outcome) for outcome in outcomes]
    failures = ["%s: %s" % (outcome.plan.desired["label"], outcome.failure) for outcome in outcomes
                if outcome.failure]
    result = dict(
        changed=any(report["changed"] for report in rooms),
        msg=summary_line(outcomes, check_mode),
        rooms=rooms,
        started=[report["stream_id"] for report in rooms if report["action"] == "start" and not report.get("failed")],
        stopped=[report["stream_id"] for report in rooms if report["action"] == "stop" and not report.get("failed")],
        vods=[vod for outcome in outcomes for vod in outcome.data.get("vods") or []],
        warnings=[warning for outcome in outcomes for warning in outcome.warnings],
        diff={"before": {"rooms": dict((o.key, _view(o.before)) for o in outcomes)},
              "after": {"rooms": dict((o.key, _view(o.after)) for o in outcomes)}},
    )
    if failures:
        result.update(failed=True, msg="%s app %s: %d of %d rooms failed: %s" % (
            client.base_url, client.app, len(failures), len(rooms), "; ".join(failures)))
    return result


def _view(view):
    view = view or {}
    return {"state": view.get("state"), "recording": list(view.get("recording") or [])}


def item_label(index, item):
    room = item.get("room") if isinstance(item, dict) else None
    return "recordings[%d] (room %r)" % (index, room) if room else "recordings[%d]" % index


def desired_rooms(params):
    """Validated desired state of every item, in list order (raises ValidationError naming the item)."""
    desired_items, seen = [], {}
    for index, item in enumerate(params["recordings"]):
        label = item_label(index, item)
        if item.get("page") and item.get("page_url"):
            raise ValidationError("%s: page and page_url are mutually exclusive" % label)
        if item.get("publish_token") is not None and item.get("stream_jwt_secret") is not None:
            raise ValidationError("%s: publish_token and stream_jwt_secret are mutually exclusive" % label)
        if item.get("room") is None:
            raise ValidationError("%s: room is required" % label)
        item_params = dict(item, url=params["url"], app=params["app"], page_base_url=params.get("page_base_url"),
                           vod_timeout=params["vod_timeout"],
                           stop_undeclared_formats=params.get("stop_undeclared_formats"))
        try:
            desired = desired_push(item_params)
        except ValidationError as exc:
            raise ValidationError("%s: %s" % (label, exc))
        if desired["stream_id"] in seen:
            raise ValidationError("%s: stream id %r is already used by %s" % (label, desired["stream_id"],
                                                                              seen[desired["stream_id"]]))
        seen[desired["stream_id"]] = label
        desired["label"] = label
        desired["outside_schedule"] = bool(item.get("outside_schedule"))
        desired_items.append(desired)
    # twins that differ only in Unicode composition, case or look-alike letters are one room to a person
    check_distinct([(desired["label"], desired["room"]) for desired in desired_items], "room")
    check_distinct([(desired["label"], desired["stream_id"]) for desired in desired_items], "stream id")
    return desired_items


class RoomRecordingsReconciler(MediaPushReconciler):
    """media_push for a list of rooms (one list read); the unlisted live pushes are stopped when asked."""

    def __init__(self, client, check_mode=False, stop_unlisted=False, vod_timeout=0, **kwargs):
        super(RoomRecordingsReconciler, self).__init__(client, check_mode=check_mode, **kwargs)
        self.stop_unlisted = stop_unlisted
        self.vod_timeout = vod_timeout

    def extra_items(self, desired_items):
        if not self.stop_unlisted:
            return []
        listed = set(desired["stream_id"] for desired in desired_items)
        unlisted = sorted(stream_id for stream_id, broadcast in self.broadcasts_by_id().items()
                          if stream_id not in listed and bc.is_broadcasting(broadcast) and bc.is_media_push(broadcast))
        return [unlisted_stop(stream_id, self.vod_timeout) for stream_id in unlisted]


def unlisted_stop(stream_id, vod_timeout):
    """The desired state of a push nobody listed, when the user opted into stopping those."""
    room = bc.composite_room(stream_id)
    return {"stream_id": stream_id, "room": room, "state": "stopped", "record_type": None, "width": None,
            "height": None, "extra_chrome_switches": [], "vod_timeout": vod_timeout, "page": None, "page_url": None,
            "page_url_shown": None, "publish_token": None, "stream_jwt_secret": None,
            "stop_undeclared_formats": False, "label": "unlisted push %r" % stream_id}


def room_report(outcome):
    """One line of the module's ``rooms`` return value."""
    desired = outcome.plan.desired
    after = outcome.after or {}
    report = {
        "room": desired["room"],
        "stream_id": desired["stream_id"],
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
