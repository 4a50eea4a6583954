# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many rooms of one app in one module run: one list read, the same per-room decision as
media_push, starts in parallel (private API)."""

from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.module_utils import _broadcast as bc
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError
from ansible_collections.mediaops.antmedia.plugins.module_utils._connection import (
    antmedia_module_kwargs,
    client_for,
    fail,
    warn_all,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._media_push import (
    PAGES,
    MediaPushReconciler,
    desired_push,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    ValidationError,
    check_distinct,
    check_seconds,
)

# What one item of ``recordings`` may hold (the module's suboptions; defaults applied there).
ITEM_KEYS = ("room", "state", "record_type", "page", "page_url", "stream_id", "width", "height", "token",
             "publish_token", "stream_jwt_secret", "extra_chrome_switches")
ACTION_NAMES = (("stop_push", "stop"), ("stop_stale_push", "stop"), ("start_push", "start"),
                ("start_recording", "record"), ("flag_room", "flag"))
MAX_CONCURRENCY = 64


def room_recordings_module_kwargs():
    """The AnsibleModule arguments of room_recordings (shared by the module and its action plugin)."""
    item_spec = dict(
        room=dict(type="raw", required=True),  # raw: a YAML number or boolean is refused, not turned into a name
        state=dict(type="str", default="started", choices=["started", "stopped"]),
        record_type=dict(type="str", default="mp4", choices=["mp4", "webm"]),
        page=dict(type="str", choices=list(PAGES)),
        page_url=dict(type="str"),
        stream_id=dict(type="raw"),
        width=dict(type="int", default=1280),
        height=dict(type="int", default=720),
        token=dict(type="str", no_log=True),
        publish_token=dict(type="str", no_log=True),
        stream_jwt_secret=dict(type="str", no_log=True),
        extra_chrome_switches=dict(type="list", elements="str", default=[]),
    )
    return antmedia_module_kwargs(
        argument_spec=dict(
            recordings=dict(type="list", elements="dict", required=True, options=item_spec),
            stop_unlisted=dict(type="bool", default=False),
            page_base_url=dict(type="str"),
            vod_timeout=dict(type="int", default=0),
            start_concurrency=dict(type="int", default=8),
        ),
        supports_check_mode=True,
    )


def run_room_recordings(module):
    """The whole module run: module is an AnsibleModule, or the action plugin's in-controller stand-in for one
    (params, check_mode, _diff, warn, fail_json, exit_json); ends with exit_json or fail_json."""
    params = module.params
    client = client_for(module)
    try:
        check_seconds(params["vod_timeout"], "vod_timeout")
        if not 1 <= params["start_concurrency"] <= MAX_CONCURRENCY:
            raise ValidationError("start_concurrency %r must be from 1 to %d"
                                  % (params["start_concurrency"], MAX_CONCURRENCY))
        desired_items = desired_rooms(params)
    except ValidationError as exc:
        module.fail_json(msg=str(exc))
    for item in params["recordings"]:
        for key in ("token", "publish_token", "stream_jwt_secret"):
            client.add_secret(item.get(key))

    reconciler = RoomRecordingsReconciler(client, check_mode=module.check_mode)
    try:
        items, plans, outcomes = reconciler.run_rooms(desired_items, params["stop_unlisted"],
                                                      params["start_concurrency"])
    except AntMediaError as exc:  # the list read failed: nothing was written
        fail(module, client, exc)

    rooms, vods, warnings, failures = [], [], [], []
    for desired, plan, outcome in zip(items, plans, outcomes):
        report = room_report(desired, plan, outcome)
        rooms.append(report)
        vods.extend(outcome.data.get("vods") or [])
        warnings.extend(outcome.warnings)
        if outcome.failure:
            failures.append("%s: %s" % (desired["label"], outcome.failure))
    result = dict(
        changed=any(report["changed"] for report in rooms),
        rooms=rooms,
        started=[report["stream_id"] for report in rooms if report["action"] == "start" and not report.get("failed")],
        stopped=[report["stream_id"] for report in rooms if report["action"] == "stop" and not report.get("failed")],
        vods=vods,
    )
    if module._diff:
        result["diff"] = {
            "before": {"rooms": dict((o.key, _view(o.before)) for o in outcomes)},
            "after": {"rooms": dict((o.key, _view(o.after)) for o in outcomes)},
        }
    warn_all(module, client, warnings)
    result = client.redact(result)
    if failures:
        module.fail_json(msg=client.redact("%s app %s: %d of %d rooms failed: %s" % (
            client.base_url, client.app, len(failures), len(rooms), "; ".join(failures))), **result)
    module.exit_json(**result)


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
                           vod_timeout=params["vod_timeout"])
        try:
            desired = desired_push(item_params)
        except ValidationError as exc:
            raise ValidationError("%s: %s" % (label, exc))
        if desired["stream_id"] in seen:
            raise ValidationError("%s: stream id %r is already used by %s" % (label, desired["stream_id"],
                                                                              seen[desired["stream_id"]]))
        seen[desired["stream_id"]] = label
        desired["label"] = label
        desired_items.append(desired)
    # twins that differ only in Unicode composition, case or look-alike letters are one room to a person
    check_distinct([(desired["label"], desired["room"]) for desired in desired_items], "room")
    check_distinct([(desired["label"], desired["stream_id"]) for desired in desired_items], "stream id")
    return desired_items


def unlisted_stop(stream_id, vod_timeout):
    """The desired state of a push nobody listed, when the user opted into stopping those."""
    room = bc.composite_room(stream_id)
    return {"stream_id": stream_id, "room": room, "state": "stopped", "record_type": None, "width": None,
            "height": None, "extra_chrome_switches": [], "vod_timeout": vod_timeout, "page": None, "page_url": None,
            "page_url_shown": None, "publish_token": None, "stream_jwt_secret": None,
            "label": "unlisted push %r" % stream_id}


def action_of(outcome_plan_actions):
    kinds = [action.kind for action in outcome_plan_actions]
    for kind, name in ACTION_NAMES:
        if kind in kinds:
            return name
    return "none"


class RoomRecordingsReconciler(MediaPushReconciler):
    """media_push for a list of rooms: the broadcast list is read once and shared by every room."""

    def __init__(self, client, check_mode=False, **kwargs):
        super(RoomRecordingsReconciler, self).__init__(client, check_mode=check_mode, **kwargs)
        self._by_id = None

    def broadcasts_by_id(self):
        if self._by_id is None:
            self._by_id = dict((item.get("streamId"), item) for item in self.client.list_broadcasts()
                               if isinstance(item, dict) and item.get("streamId"))
        return self._by_id

    def read_many(self, desired_items):
        by_id = self.broadcasts_by_id()
        current = {}
        for desired in desired_items:
            room = bc.composite_room(desired["stream_id"])
            current[desired["stream_id"]] = (by_id.get(desired["stream_id"]), by_id.get(room) if room else None)
        return current

    def unlisted_pushes(self, desired_items):
        """Stream ids of live media pushes of the app that no item names."""
        listed = set(desired["stream_id"] for desired in desired_items)
        return sorted(stream_id for stream_id, broadcast in self.broadcasts_by_id().items()
                      if stream_id not in listed and bc.is_broadcasting(broadcast) and bc.is_media_push(broadcast))

    def run_rooms(self, desired_items, stop_unlisted=False, workers=8):
        """Converge every item (and, when asked, stop unlisted pushes); return (items, plans, outcomes)."""
        desired_items = list(desired_items)
        if stop_unlisted:
            vod_timeout = desired_items[0]["vod_timeout"] if desired_items else 0
            desired_items += [unlisted_stop(stream_id, vod_timeout) for stream_id in self.unlisted_pushes(desired_items)]
        current = self.read_many(desired_items)
        plans = [self.decide(desired, current.get(desired["stream_id"])) for desired in desired_items]
        outcomes = self.converge_all(plans, workers)
        return desired_items, plans, outcomes


def room_report(desired, plan, outcome):
    """One line of the module's ``rooms`` return value."""
    after = outcome.after or {}
    report = {
        "room": desired["room"],
        "stream_id": desired["stream_id"],
        "state": after.get("state"),
        "recording": list(after.get("recording") or []),
        "action": action_of(plan.actions) if (plan.failure is None) else "none",
        "changed": bool(outcome.changed),
    }
    if outcome.failure:
        report["failed"] = True
        report["msg"] = outcome.failure
    return report
