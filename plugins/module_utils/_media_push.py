# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Media Push of one room: page URLs, the pure decision, and its writes (private API)."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from ansible_collections.mediaops.antmedia.plugins.module_utils import _broadcast as bc
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError, OutcomeUnknownError
from ansible_collections.mediaops.antmedia.plugins.module_utils._jwt import JwtSecretError, mint_stream_token
from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import Action, Plan, ReconcileError
from ansible_collections.mediaops.antmedia.plugins.module_utils._recording import (
    RECORDING_PREPARE_SECONDS,
    UNKNOWN_VOD_SECONDS,
    BroadcastReconciler,
    unknown_warning,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._secrets import REDACTED
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    MAX_HEIGHT, MAX_WIDTH, ValidationError, check_chrome_switches, check_dimension, check_http_url, check_id,
    check_record_type, check_room, check_seconds,
)

PAGES = ("multitrack", "merge", "circle")
# merge_streams.html shows an idle form until its Start button is clicked; send-command runs
# inside the pushed page's frame.
MERGE_START_COMMAND = "document.getElementById('start_button').click()"
MERGED_SUFFIX = "_merged"
# After a start that got no answer, how long to look for the push's broadcast before giving up.
UNKNOWN_START_SECONDS = 30
# After a stop, how long to wait for the broadcast to stop broadcasting.
STOP_SETTLE_SECONDS = 10
# Recorded from the stream's first frame when asked for before the push starts: the server's muxer reads the
# stored per-stream setting (mp4Enabled 1) when the stream starts (MuxAdaptor.init, enableMp4Setting), so there is
# no recording request to re-ask while the new stream's muxer is prepared. MP4 only: every edition records MP4,
# while a WebM setting of 1 would read as recording on an edition without WebM.
ARMED_TYPES = ("mp4",)
# "Session ... already exists" while its stream is not broadcasting: a start may be in flight; poll this often.
IN_FLIGHT_POLL_SECONDS = 2
# The start of the plugin's message when its wait for the pushed page's stream (TIMEOUT_IN_SECONDS, 30 s) ran out:
# the server refused the page's publish (the id already being published, or a publish token it does not accept).
CONNECT_WAIT_FAILED = "return window.isConnected("
# From AMS 2.10.1 a PUT of a broadcast changes only the fields sent; before, it replaces the whole broadcast.
PARTIAL_UPDATE_VERSION = (2, 10, 1)
CIRCLE_FLAG = "isRecording"
# The writes that may finalise a recording into a VoD.
STOPS = ("stop_push", "stop_stale_push", "stop_recording")


def room_options(record_type_default=None):
    """The options that define one room's push: media_push's, and each item of room_recordings'."""
    return dict(
        room=dict(type="raw"),  # raw: a YAML number or boolean is refused, not turned into a name
        stream_id=dict(type="raw"),
        state=dict(type="str", default="started", choices=["started", "stopped"]),
        page=dict(type="str", choices=list(PAGES)),
        page_url=dict(type="str"),
        width=dict(type="int", default=1280),
        height=dict(type="int", default=720),
        record_type=dict(type="str", default=record_type_default, choices=["mp4", "webm"]),
        token=dict(type="str", no_log=True),
        publish_token=dict(type="str", no_log=True),
        stream_jwt_secret=dict(type="str", no_log=True),
        extra_chrome_switches=dict(type="list", elements="str", default=[]),
    )


def run_options(vod_timeout_default):
    """The options of a media_push or room_recordings run as a whole."""
    return dict(
        page_base_url=dict(type="str"),
        vod_timeout=dict(type="int", default=vod_timeout_default),
        stop_undeclared_formats=dict(type="bool", default=False),
    )


ROOM_MUTUALLY_EXCLUSIVE = [("page", "page_url"), ("publish_token", "stream_jwt_secret")]


# What a plan does, in one word, by its most telling write (room_recordings' rooms[].action).
ACTION_NAMES = (("stop_push", "stop"), ("stop_stale_push", "stop"), ("start_push", "start"),
                ("start_recording", "record"), ("stop_recording", "stop_undeclared"), ("flag_room", "flag"))
# The one-line summary's parts, in order, by action word.
SUMMARY_PARTS = (("start", "started"), ("record", "recording started"), ("stop", "stopped"),
                 ("stop_undeclared", "undeclared formats stopped"), ("flag", "Circle's flag written"))


def action_of(plan):
    """The word for what a plan does (or would do): none, start, record, stop, stop_undeclared or flag."""
    if plan is None or plan.failure is not None:
        return "none"
    kinds = [action.kind for action in plan.actions]
    for kind, name in ACTION_NAMES:
        if kind in kinds:
            return name
    return "none"


def summary_line(outcomes, check_mode=False):
    """One line saying what happened to each room, e.g.
    "started: a, b; stopped: c; unchanged: 4; outside their schedule: d"."""
    named = dict((word, []) for word, _label in SUMMARY_PARTS)
    failed, unchanged, outside, undeclared = [], 0, [], []
    for outcome in outcomes:
        desired = outcome.plan.desired if outcome.plan is not None else {}
        name = desired.get("room") or outcome.key
        formats = outcome.data.get("undeclared_formats") or []
        if formats:
            undeclared.append("%s (%s)" % (name, ", ".join(formats)))
        if outcome.failure:
            failed.append(name)
        elif action_of(outcome.plan) != "none" and (outcome.changed or check_mode):
            named[action_of(outcome.plan)].append(name)
        elif desired.get("outside_schedule"):
            outside.append(name)
        else:
            unchanged += 1
    parts = ["%s: %s" % (label, ", ".join(named[word])) for word, label in SUMMARY_PARTS if named[word]]
    if failed:
        parts.append("failed: %s" % ", ".join(failed))
    if undeclared:
        parts.append("recording undeclared formats (left running): %s" % ", ".join(undeclared))
    parts.append("unchanged: %d" % unchanged)
    if outside:
        parts.append("outside their schedule: %s" % ", ".join(outside))
    return ("check mode: " if check_mode else "") + "; ".join(parts)


def append_query(url, pairs, safe=""):
    """url with the (name, value) pairs added to its query, each encoded."""
    parts = urlsplit(url)
    extra = urlencode(pairs, quote_via=quote, safe=safe)
    query = parts.query + ("&" if parts.query and extra else "") + extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def build_page_url(base_url, app, room, page):
    """The URL of the page that merges a room, as the browser on the media server loads it."""
    base = "%s/%s" % (base_url.rstrip("/"), quote(app, safe=""))
    if page == "multitrack":
        # muted=false: the page's setting for conference recording (otherwise all audio is muted)
        return append_query(base + "/multitrack-play.html", [("id", room), ("muted", "false")])
    if page == "merge":
        return append_query(base + "/merge_streams.html", [("roomName", room), ("streamId", room + MERGED_SUFFIX)])
    if page == "circle":
        return append_query(base + "/" + quote(room, safe=""), [("playOnly", "true"), ("enterDirectly", "true")])
    raise ValidationError("page %r must be one of %s" % (page, ", ".join(PAGES)))


def desired_push(params):
    """Validated desired state of media_push (raises ValidationError before any request).

    ``page_url`` carries the play token; ``page_url_shown`` is the same URL with the token hidden.
    """
    room = params.get("room")
    look_alikes = params.get("look_alikes", True)  # False for a name the server holds (room_recordings)
    if room is not None:
        check_room(room, look_alikes=look_alikes)
    stream_id = params.get("stream_id")
    if stream_id is None:
        if room is None:
            raise ValidationError("one of room or stream_id is required")
        stream_id = bc.composite_stream_id(room)
    check_id(stream_id, "stream_id", look_alikes=look_alikes)
    desired = {
        "stream_id": stream_id,
        "room": room,
        "state": params.get("state") or "started",
        "record_type": check_record_type(params.get("record_type")),
        "width": check_dimension(params.get("width"), "width", MAX_WIDTH),
        "height": check_dimension(params.get("height"), "height", MAX_HEIGHT),
        "extra_chrome_switches": check_chrome_switches(params.get("extra_chrome_switches")) or [],
        "vod_timeout": check_seconds(params.get("vod_timeout", 30), "vod_timeout"),
        "stop_undeclared_formats": bool(params.get("stop_undeclared_formats")),
        "page": None,
        "page_url": None,
        "page_url_shown": None,
    }
    if params.get("page_base_url") is not None:
        check_http_url(params["page_base_url"], "page_base_url", allow_query=False)
    if params.get("page_url") is not None:
        check_http_url(params["page_url"], "page_url")
    if desired["state"] != "started":
        return desired
    if params.get("page_url") is not None:
        page_url = params["page_url"]
        desired["page"] = "url"
    else:
        if room is None:
            raise ValidationError("state=started with stream_id %r needs room (to build the page) or page_url"
                                  % stream_id)
        desired["page"] = params.get("page") or "multitrack"
        page_url = build_page_url(params.get("page_base_url") or params["url"], params["app"], room,
                                  desired["page"])
    token = params.get("token")
    if desired["page"] == "circle":
        # Circle always appends token=, empty when play tokens are off
        desired["page_url_shown"] = append_query(page_url, [("token", REDACTED if token else "")], safe="*")
        desired["page_url"] = append_query(page_url, [("token", token or "")])
    else:
        desired["page_url_shown"] = append_query(page_url, [("token", REDACTED)], safe="*") if token else page_url
        desired["page_url"] = append_query(page_url, [("token", token)]) if token else page_url
    if params.get("publish_token") is not None and params.get("stream_jwt_secret") is not None:
        raise ValidationError("publish_token and stream_jwt_secret are mutually exclusive")
    if params.get("publish_token") is not None and (not params["publish_token"].strip()
                                                    or "\n" in params["publish_token"]):
        raise ValidationError("publish_token must be one non-empty line")
    if params.get("stream_jwt_secret") is not None and not params["stream_jwt_secret"]:
        raise ValidationError("stream_jwt_secret must not be empty")
    desired["publish_token"] = params.get("publish_token")
    desired["stream_jwt_secret"] = params.get("stream_jwt_secret")
    return desired


def publish_token(desired):
    """The start body's token: the one given, or a 60 s publish JWT for the push's stream minted from the app's
    stream secret as Circle mints it (minted when the start is sent, so it is fresh)."""
    if desired.get("publish_token"):
        return desired["publish_token"]
    if desired.get("stream_jwt_secret"):
        try:
            return mint_stream_token(desired["stream_jwt_secret"], desired["stream_id"], "publish")
        except JwtSecretError as exc:
            raise ValidationError(str(exc))
    return None


def circle_flag(room_broadcast):
    """Circle's recording flag on the room: True, False, or None when the room has none."""
    value = bc.metadata_of(room_broadcast).get(CIRCLE_FLAG)
    return value if isinstance(value, bool) else None


def flagged_metadata(room_broadcast, recording):
    """The room's metaData with Circle's flag set, every other key kept."""
    metadata = dict(bc.metadata_of(room_broadcast))
    metadata[CIRCLE_FLAG] = recording
    return json.dumps(metadata, separators=(",", ":"))


def endpoint_body(desired):
    """The start request's body (plugin class Endpoint). No recordType: recording is asked for
    separately, which is dependable. No token: the body's token is a publish token."""
    body = {"url": desired["page_url"], "width": desired["width"] or 0, "height": desired["height"] or 0}
    if desired["extra_chrome_switches"]:
        body["extraChromeSwitches"] = ",".join(desired["extra_chrome_switches"])
    return body


def push_view(stream_id, broadcast, state, room_broadcast=None):
    """The diff view of a push: what can be read back from its broadcast (and Circle's flag on its room). A stopped
    push has no size and records nothing: a stored setting of 1 on its broadcast is what its next start records."""
    live = bc.is_broadcasting(broadcast)
    view = {
        "stream_id": stream_id,
        "state": "started" if live else "stopped",
        "status": bc.status_of(broadcast),
        "recording": bc.types_in(state, bc.ON) if live else [],
        "recording_unknown": bc.types_in(state, bc.UNKNOWN) if live else [],
    }
    for key in ("width", "height"):
        if live and broadcast.get(key):
            view[key] = broadcast.get(key)
    if circle_flag(room_broadcast) is not None:
        view["room_is_recording"] = circle_flag(room_broadcast)
    return view


def wants_circle_flag(desired):
    """Circle's page pushes the room: its users see whether the push records (and can stop it) through the room's
    flag, so the flag follows the push's recording, with or without record_type."""
    return desired.get("page") == "circle"


def flag_for(after):
    """Circle's flag after the run: whether the room's push records (True), records nothing (False), or None when the
    server cannot say (a format reads unknown): then the flag is left as it is."""
    if after.get("recording"):
        return True
    if after.get("recording_unknown"):
        return None
    return False


def taken_failure(desired, broadcast, session):
    """Why a broadcasting stream on the push's id is not this server's Media Push (None when it is): a push is ours
    only when the plugin holds a session for the id (``session`` True, read from the plugin). Its metaData's driverIp
    is the publisher's to write and proves nothing (and the Community edition's WebRTC path does not keep it).
    ``session`` is a message when the check failed, None when it was not made: never taken for ours."""
    stream_id = desired["stream_id"]
    name = "room %s: stream id %s" % (desired["room"], stream_id) if desired.get("room") else "stream id %s" % stream_id
    if session is True:
        return None
    if session is False:
        claim = " with a driverIp in its metaData" if bc.is_media_push(broadcast) else ""
        return ("%s taken by another publisher (it is broadcasting%s, but this server's Media Push plugin holds no "
                "session for it); not %s" % (name, claim, "recorded, choose another stream_id or stop that publisher"
                                             if desired["state"] == "started" else
                                             "stopped (a push driven by another cluster node is stopped there)"))
    return ("%s is broadcasting, and whether this server's Media Push plugin holds its session cannot be read (%s): "
            "not touched" % (name, session or "not checked"))


def decide_push(desired, broadcast, room_broadcast=None, session=None):
    """Pure: the plan that brings one push to the desired state. Never restarts a running push. ``session``: whether
    the plugin holds a session for the id (True/False, or a message when that could not be read); only a
    broadcasting stream with a session is taken for a push."""
    stream_id = desired["stream_id"]
    state = bc.recording_state(broadcast, room_broadcast)
    before = push_view(stream_id, broadcast, state, room_broadcast)
    actions, warnings, check_warnings, failure = [], [], [], None
    undeclared = []
    status = bc.status_of(broadcast)
    if desired["state"] == "started":
        after_state = dict(state)
        if bc.is_broadcasting(broadcast):
            failure = taken_failure(desired, broadcast, session)
            different = ["%s %s (asked %s)" % (key, broadcast.get(key), desired[key]) for key in ("width", "height")
                         if desired[key] and broadcast.get(key) and int(broadcast.get(key)) != desired[key]]
            if different:
                warnings.append("%s: the push is already running with %s; it is not restarted, the running push "
                                "keeps its parameters (stop it first to change them)" % (stream_id, ", ".join(different)))
            after = push_view(stream_id, broadcast, after_state)
        else:
            # a new stream records only what its stored setting (1) asks for
            after_state = dict((record_type, bc.ON if value == bc.ON else bc.OFF) for record_type, value in state.items())
            record_type = desired["record_type"]
            if record_type in ARMED_TYPES and after_state[record_type] != bc.ON:
                actions.append(Action("arm_recording", record_type=record_type, create=broadcast is None))
                after_state[record_type] = bc.ON
            actions.append(Action("start_push", body=endpoint_body(desired)))
            if desired["page"] == "merge":
                actions.append(Action("send_command", js_command=MERGE_START_COMMAND))
            after = {"stream_id": stream_id, "state": "started", "status": bc.BROADCASTING,
                     "page": desired["page_url_shown"]}
            for key in ("width", "height"):
                if desired[key]:
                    after[key] = desired[key]
        record_type = desired["record_type"]
        if record_type and failure is None and after_state[record_type] != bc.ON:
            uncertain = after_state[record_type] == bc.UNKNOWN
            actions.append(Action("start_recording", uncertain=uncertain, record_type=record_type))
            if uncertain:
                check_warnings.append(unknown_warning(stream_id, record_type))
            after_state[record_type] = bc.ON
        if record_type and failure is None:
            # a format nobody declared (WebM beside a declared mp4) is a running recording: stopped only on request
            undeclared = [other for other in bc.types_in(after_state, bc.ON) if other != record_type]
            if desired.get("stop_undeclared_formats"):
                for other in undeclared:
                    actions.append(Action("stop_recording", record_type=other, recording=[other]))
                    after_state[other] = bc.OFF
            elif undeclared:
                warnings.append("%s: recording undeclared formats (left running): %s; stop_undeclared_formats=true "
                                "stops them" % (stream_id, ", ".join(undeclared)))
        after["recording"] = bc.types_in(after_state, bc.ON)
        after["recording_unknown"] = bc.types_in(after_state, bc.UNKNOWN)
        wanted = flag_for(after)
        if failure is None and room_broadcast is not None and wants_circle_flag(desired) and wanted is not None:
            if circle_flag(room_broadcast) is not wanted:
                actions.append(Action("flag_room", recording=wanted, record_type=record_type))
            after["room_is_recording"] = wanted
        elif "room_is_recording" in before:
            after["room_is_recording"] = before["room_is_recording"]
    else:
        if status == bc.BROADCASTING:
            failure = taken_failure(desired, broadcast, session)
            if failure is None:
                actions.append(Action("stop_push", recording=bc.types_in(state, bc.ON),
                                      recording_unknown=bc.types_in(state, bc.UNKNOWN)))
        elif status == bc.TERMINATED_UNEXPECTEDLY and bc.is_media_push(broadcast):
            # no live session here: the plugin's stop would forward to driverIp with no timeout, so the
            # server ends the broadcast itself
            actions.append(Action("stop_stale_push", uncertain=True, recording=bc.types_in(state, bc.ON),
                                  recording_unknown=bc.types_in(state, bc.UNKNOWN)))
        after = {"stream_id": stream_id, "state": "stopped", "status": None if actions else status,
                 "recording": [], "recording_unknown": []}
        if failure is None and circle_flag(room_broadcast) is True:
            # the recording is (or will be) over: Circle's users must not see it as running
            actions.append(Action("flag_room", recording=False))
        if "room_is_recording" in before:
            after["room_is_recording"] = False
    return Plan(stream_id, desired, broadcast, before, after, actions, warnings, failure,
                context={"room_broadcast": room_broadcast, "undeclared_formats": undeclared},
                check_warnings=check_warnings)


class MediaPushReconciler(BroadcastReconciler):
    """media_push: one room's push (and its recording) to the desired state."""

    def wants_room(self, desired, broadcast):
        # Circle's flag: what says a push records, and what its users see
        return bc.needs_room_broadcast(broadcast) or wants_circle_flag(desired) or desired["state"] == "stopped"

    def read(self, desired):
        broadcast, room_broadcast = super(MediaPushReconciler, self).read(desired)
        return broadcast, room_broadcast, self.session_evidence(broadcast)

    def read_many(self, desired_items):
        current = super(MediaPushReconciler, self).read_many(desired_items)
        return dict((key, (broadcast, room_broadcast, self.session_evidence(broadcast)))
                    for key, (broadcast, room_broadcast) in current.items())

    def session_evidence(self, broadcast):
        """For a broadcasting stream on the push's id: whether the plugin holds its session, or the one-line reason
        it cannot be read (that room alone fails). None when nothing broadcasts."""
        if not bc.is_broadcasting(broadcast):
            return None
        try:
            return self.client.media_push_session_held(broadcast.get("streamId"))
        except AntMediaError as exc:
            return exc.message

    def decide(self, desired, current):
        broadcast, room_broadcast, session = current if current else (None, None, None)
        return decide_push(desired, broadcast, room_broadcast, session)

    def apply(self, plan, action, state):
        if action.kind in STOPS and (action.params.get("recording") or action.params.get("recording_unknown")):
            # a stop that may finalise a recording: the VoDs known before it, to find the new one after
            if "vods_before" not in state:
                state["vods_before"] = self.vod_ids(plan.key)
        if action.kind == "start_push":
            return self._start(plan, action, state)
        if action.kind == "send_command":
            result = self.client.media_push_command(plan.key, action.params["js_command"])
            if not result.success:
                state["warnings"].append("%s: the page's Start button could not be clicked: %s"
                                         % (plan.key, result.message or "no reason given"))
            return result.success
        if action.kind == "arm_recording":
            return self._arm(plan, action, state)
        if action.kind == "start_recording":
            return self.set_recording(plan.key, True, action.params["record_type"],
                                      wait_for_broadcast=state.get("fresh_push", False), state=state)
        if action.kind == "stop_recording":  # an undeclared format; its VoD is kept
            return self.set_recording(plan.key, False, action.params["record_type"], state=state)
        if action.kind == "stop_push":
            return self._stop(plan, action, state)
        if action.kind == "stop_stale_push":
            return self._stop_stale(plan, action, state)
        if action.kind == "flag_room":
            return self._flag_room(plan, action, state)
        raise ReconcileError("unknown action %s" % action.kind)

    def _flag_room(self, plan, action, state):
        """Circle's isRecording flag in the room's metaData, other keys kept; on servers before 2.10.1 (a PUT
        replaces the whole broadcast) the room's other fields are sent back as read."""
        recording = action.params["recording"]
        if recording is not self._push_records(plan, state, recording):
            return False  # the flag shows only what the server confirms about the push's recording
        room = bc.composite_room(plan.key)
        room_broadcast = self.client.get_broadcast(room)  # fresh: the PUT of old servers sends it back
        if room_broadcast is None or circle_flag(room_broadcast) is recording:
            return False
        if self.client.server_version_tuple() >= PARTIAL_UPDATE_VERSION:
            fields = {"metaData": flagged_metadata(room_broadcast, recording)}
        else:
            fields = dict(room_broadcast, metaData=flagged_metadata(room_broadcast, recording))
        result = self.client.update_broadcast(room, fields)
        if not result.success:
            raise ReconcileError("cannot write Circle's recording flag (isRecording %s) on room %s: %s"
                                 % ("true" if recording else "false", room, result.message or "no reason given"))
        return True

    def _push_records(self, plan, state, expected):
        """Whether the push records now, by the server: a confirmed recording request of this run, else the push's
        broadcast read again (a stored setting of 1 records from the new stream's first frame, so a push started on
        a broadcast armed earlier records without any request in this run). None when the server cannot say. A push
        just started may take a moment to show as broadcasting: waited for when a recording is expected."""
        if bc.ON in state.get("observed", {}).values():
            return True
        if plan.desired["state"] != "started":
            return False

        def read():
            recording = bc.recording_state(self.client.get_broadcast(plan.key))
            if bc.ON in recording.values():
                return True
            return None if bc.UNKNOWN in recording.values() else False

        if expected and state.get("fresh_push"):
            return self.poll(read, RECORDING_PREPARE_SECONDS) or False
        return read()

    def _stop_stale(self, plan, action, state):
        """A push broadcast with no live session here: the server ends it (POST broadcasts/{id}/stop)."""
        stream_id = plan.key
        try:
            result = self.client.stop_broadcast(stream_id)
        except OutcomeUnknownError as exc:
            if _ended(self.client.get_broadcast(stream_id)):
                return True
            raise ReconcileError("the stop of the stale push %s got no answer (%s); run the task again"
                                 % (stream_id, exc.message))
        if result.success:
            return True
        if _ended(self.client.get_broadcast(stream_id)):
            return False  # it ended meanwhile
        raise ReconcileError("the server did not end the stale push %s (no Media Push session, status %s): %s"
                             % (stream_id, bc.status_of(plan.current), result.message or "no reason given"))

    def _arm(self, plan, action, state):
        """The recording asked for before the push starts (ARMED_TYPES): a new broadcast is created with its
        setting at 1; an existing one that is not broadcasting gets its setting stored by recording/true."""
        stream_id = plan.key
        record_type = action.params["record_type"]
        lost = None
        if action.params["create"]:
            try:
                if self.client.create_broadcast(stream_id, {bc.RECORD_FIELDS[record_type]: 1}):
                    state.setdefault("observed", {})[record_type] = bc.ON
                    state["armed"] = record_type
                    return True
            except OutcomeUnknownError as exc:
                lost = exc.message  # created or not: recording/true below stores the setting, or finds no broadcast
            # refused (created meanwhile by another run or a publisher): the setting goes on what is there now
        try:
            stored = self.set_recording(stream_id, True, record_type, state=state)
            if stored:
                state["armed"] = record_type
            return stored
        except ReconcileError as exc:
            if lost:
                raise ReconcileError("the creation of broadcast %s got no answer (%s), then: %s; the push was not "
                                     "started, run the task again" % (stream_id, lost, exc.message))
            raise

    def _start(self, plan, action, state):
        stream_id = plan.key
        body = dict(action.params["body"])
        token = publish_token(plan.desired)
        if token:
            self.client.add_secret(token)
            body["token"] = token  # the publish token of the pushed stream
        try:
            result = self.client.start_media_push(stream_id, body)
        except OutcomeUnknownError as exc:
            # never re-sent: a second start could open a second browser; look at what the server did
            broadcast = self.poll(lambda: _broadcasting(self.client.get_broadcast(stream_id)),
                                  min(UNKNOWN_START_SECONDS, self.client.timeout))
            if broadcast:
                self._refuse_taken(plan, broadcast, state, "the Media Push start got no answer (" + exc.message
                                   + "), and %s")
                state["started"] = state["fresh_push"] = True
                return True
            raise ReconcileError("the Media Push start got no answer (%s) and %s is not broadcasting: the server may "
                                 "still be starting it; run the task again to see (the start is not re-sent "
                                 "automatically)" % (exc.message, stream_id))
        if result.success:
            state["started"] = state["fresh_push"] = True
            return True
        if "already exists" in result.message:
            # a start may still be in flight (a real one takes up to 90 s): wait for its stream
            seconds = self.client.timeout
            broadcast = self.poll(lambda: _broadcasting(self.client.get_broadcast(stream_id)), seconds,
                                  interval=IN_FLIGHT_POLL_SECONDS)
            if broadcast:
                state["fresh_push"] = True
                state["warnings"].append("%s: the push was started by someone else meanwhile; it keeps its "
                                         "parameters" % stream_id)
                return False
            raise ReconcileError("a Media Push session for %s already exists on the server, but its stream did not "
                                 "start broadcasting within %d s (timeout); a start can take up to 90 s and may still "
                                 "be in progress: not started again, run the task again later" % (stream_id, seconds))
        reason = (result.message or "no reason given").splitlines()[0]  # Selenium's message goes on with build lines
        if CONNECT_WAIT_FAILED in reason:
            broadcast = self.client.get_broadcast(stream_id)
            if bc.is_broadcasting(broadcast):
                self._refuse_taken(plan, broadcast, state, "%s; the plugin gave up after its 30 s wait for the "
                                                           "pushed page's stream")
            raise ReconcileError("the Media Push start failed: the pushed page's stream did not connect within the "
                                 "plugin's 30 s (the server refused its publish: a publish token it does not accept, "
                                 "or the stream id in use by another publisher meanwhile): %s" % reason)
        raise ReconcileError("the Media Push start failed: %s" % reason)

    def _refuse_taken(self, plan, broadcast, state, template):
        """Fail (template % the reason) when the broadcasting stream is not the plugin's session: another publisher
        took the id meanwhile. A recording setting this run stored on the id is withdrawn: never recorded."""
        failure = taken_failure(plan.desired, broadcast, self.session_evidence(broadcast))
        if failure is None:
            return
        if state.get("armed"):
            try:
                self.client.set_recording(plan.key, False, state["armed"])
                failure += "; the %s setting this run stored on it was withdrawn" % state["armed"]
            except AntMediaError as exc:
                failure += "; withdrawing the %s setting this run stored on it failed: %s" % (state["armed"],
                                                                                              exc.message)
        raise ReconcileError(template % failure)

    def _stop(self, plan, action, state):
        stream_id = plan.key
        try:
            result = self.client.stop_media_push(stream_id)
        except OutcomeUnknownError as exc:
            if not self.poll(lambda: not bc.is_broadcasting(self.client.get_broadcast(stream_id)),
                             STOP_SETTLE_SECONDS):
                raise ReconcileError("the Media Push stop got no answer (%s) and %s is still broadcasting; run the "
                                     "task again" % (exc.message, stream_id))
            return True
        if result.success:
            return True
        if result.message.startswith("Timeoutexception"):
            state["warnings"].append("%s: the page did not confirm the stop in time; the server closed its browser "
                                     "anyway" % stream_id)
            return True
        if "Driver does not exist" in result.message:
            if bc.is_broadcasting(self.client.get_broadcast(stream_id)):
                raise ReconcileError("%s is broadcasting, but this server has no Media Push session for it (it may "
                                     "run on another cluster node): not stopped" % stream_id)
            return False  # it ended meanwhile
        raise ReconcileError("the Media Push stop failed: %s" % (result.message or "no reason given"))

    def finish(self, plan, changed, state):
        desired = plan.desired
        data = {"stream_id": plan.key}
        if desired["state"] == "started" and desired["page_url_shown"]:
            data["page_url"] = desired["page_url_shown"]
        if self.check_mode or not plan.actions:
            after = plan.after
            data["broadcast"] = bc.redact_broadcast(plan.current)
        else:
            broadcast = self.client.get_broadcast(plan.key)
            if desired["state"] == "stopped" and bc.is_broadcasting(broadcast):
                settled = self.poll(lambda: _not_broadcasting(self.client.get_broadcast(plan.key)),
                                    STOP_SETTLE_SECONDS)
                if settled:
                    broadcast = None if settled is True else settled
            room_broadcast = plan.context.get("room_broadcast")
            if any(action.kind == "flag_room" for action in plan.actions):
                room_broadcast = self.client.get_broadcast(bc.composite_room(plan.key))
            recording = bc.recording_state(broadcast, room_broadcast)
            for record_type, value in state.get("observed", {}).items():
                if broadcast is not None and recording[record_type] == bc.UNKNOWN:
                    recording[record_type] = value
            after = push_view(plan.key, broadcast, recording, room_broadcast)
            if state.get("started") and desired["page_url_shown"]:
                after["page"] = desired["page_url_shown"]
            data["broadcast"] = bc.redact_broadcast(broadcast)
            if "vods_before" in state:
                was_recording = any(action.params.get("recording") for action in plan.actions if action.kind in STOPS)
                seconds = desired.get("vod_timeout", 30)
                if not was_recording:
                    seconds = min(UNKNOWN_VOD_SECONDS, seconds)
                data["vods"] = self.wait_for_new_vods(plan.key, state["vods_before"], seconds if changed else 0)
                if changed and was_recording and seconds and not data["vods"]:
                    state["warnings"].append("%s: no new VoD appeared within %d s of stopping the push; the server "
                                             "may still be finalising it" % (plan.key, seconds))
        data["state"] = after["state"]
        data["recording"] = after["recording"]
        data["recording_unknown"] = after["recording_unknown"]
        if "room_is_recording" in after:
            data["room_is_recording"] = after["room_is_recording"]
        data["undeclared_formats"] = [record_type for record_type in plan.context.get("undeclared_formats", [])
                                      if record_type in after["recording"]]
        data.setdefault("vods", [])
        return after, data


def _broadcasting(broadcast):
    """poll() probe: the broadcast once it broadcasts."""
    return broadcast if bc.is_broadcasting(broadcast) else None


def _ended(broadcast):
    """Gone, or no longer live (neither broadcasting nor stale)."""
    return bc.status_of(broadcast) not in (bc.BROADCASTING, bc.TERMINATED_UNEXPECTEDLY)


def _not_broadcasting(broadcast):
    """poll() probe: the broadcast once it stopped broadcasting (True when it is gone)."""
    if broadcast is None:
        return True
    return None if bc.is_broadcasting(broadcast) else broadcast
