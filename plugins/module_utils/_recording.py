# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Recording of one broadcast: the pure decision, and the reconciler base of every broadcast (its read and
the recording writes media_push, room_recordings and broadcast_recording share) (private API)."""

from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.module_utils import _broadcast as bc
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import OutcomeUnknownError
from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import (
    Action,
    Plan,
    ReconcileError,
    Reconciler,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    MAX_HEIGHT,
    check_dimension,
    check_id,
    check_record_type,
    check_seconds,
)

# How long to wait for a newly started push's broadcast before a recording request can find it.
BROADCAST_APPEAR_SECONDS = 15
# When it is unknown whether a stopped stream was recording, how long to look for a new VoD.
UNKNOWN_VOD_SECONDS = 5
# Right after a push starts, its muxer is still being prepared and a recording start answers
# "couldn't be started": re-asked for this long (a few seconds on a real server).
RECORDING_PREPARE_SECONDS = 10


def unknown_warning(stream_id, record_type):
    return ("%s: whether %s recording is on cannot be read (%s is 0 while broadcasting: the stream may record "
            "because its push was started with a recordType, or by the app's default); the server is asked and "
            "decides, so check mode reports a change it cannot confirm"
            % (stream_id, record_type, bc.RECORD_FIELDS[record_type]))


def recording_view(stream_id, broadcast, state):
    """The diff view of a broadcast's recording."""
    return {
        "stream_id": stream_id,
        "exists": broadcast is not None,
        "status": bc.status_of(broadcast),
        "recording": bc.types_in(state, bc.ON),
        "recording_unknown": bc.types_in(state, bc.UNKNOWN),
    }


def desired_recording(params):
    """Validated desired state of broadcast_recording (raises ValidationError)."""
    return {
        "stream_id": check_id(params["stream_id"], "stream_id"),
        "state": params["state"],
        "record_type": check_record_type(params.get("record_type") or "mp4"),
        "resolution_height": check_dimension(params.get("resolution_height"), "resolution_height", MAX_HEIGHT),
        "vod_timeout": check_seconds(params.get("vod_timeout", 30), "vod_timeout"),
    }


def decide_recording(desired, broadcast, room_broadcast=None):
    """Pure: the plan that brings one broadcast's recording of one type to the desired state."""
    stream_id = desired["stream_id"]
    record_type = desired["record_type"]
    state = bc.recording_state(broadcast, room_broadcast)
    before = recording_view(stream_id, broadcast, state)
    after_state = dict(state)
    actions, warnings, check_warnings, failure = [], [], [], None
    current = state[record_type]
    if desired["state"] == "started":
        if broadcast is None:
            failure = ("there is no broadcast %s: start its stream (or its Media Push) first, then its recording"
                       % stream_id)
        elif current != bc.ON:
            actions.append(Action("start_recording", uncertain=current == bc.UNKNOWN, record_type=record_type,
                                  resolution_height=desired.get("resolution_height")))
            after_state[record_type] = bc.ON
    elif broadcast is not None and current != bc.OFF:
        actions.append(Action("stop_recording", uncertain=current == bc.UNKNOWN, record_type=record_type,
                              resolution_height=desired.get("resolution_height")))
        after_state[record_type] = bc.OFF
    if actions and actions[0].uncertain:
        check_warnings.append(unknown_warning(stream_id, record_type))
    after = recording_view(stream_id, broadcast, after_state)
    return Plan(stream_id, desired, broadcast, before, after, actions, warnings, failure,
                context={"room_broadcast": room_broadcast}, check_warnings=check_warnings)


def _field_reads(client, stream_id, record_type, expected):
    broadcast = client.get_broadcast(stream_id)
    return broadcast is not None and broadcast.get(bc.RECORD_FIELDS[record_type]) == expected


class BroadcastReconciler(Reconciler):
    """Base of the reconcilers of a broadcast (media_push, broadcast_recording, room_recordings): the read of a
    broadcast and of its room, and the recording writes they share."""

    def __init__(self, client, check_mode=False, **kwargs):
        super(BroadcastReconciler, self).__init__(client, check_mode=check_mode, **kwargs)
        self._by_id = None

    def wants_room(self, desired, broadcast):
        """Whether the decision needs the room's broadcast (recording flags kept on the room, Circle's flag)."""
        return bc.needs_room_broadcast(broadcast)

    def read(self, desired):
        broadcast = self.client.get_broadcast(desired["stream_id"])
        room = bc.composite_room(desired["stream_id"])
        room_broadcast = None
        if room is not None and self.wants_room(desired, broadcast):
            room_broadcast = self.client.get_broadcast(room)
        return broadcast, room_broadcast

    def broadcasts_by_id(self):
        """The app's broadcasts by stream id, from one list read per reconciler."""
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

    def set_recording(self, stream_id, enabled, record_type, resolution_height=None, wait_for_broadcast=False,
                      state=None):
        """Ask the server to start or stop one recording; return True when it changed something.

        A start counts only when the server says so (its field then reads 1); ``state["observed"]``
        gets the record type's ON/OFF when the server confirmed it, and nothing when it is uncertain.
        "couldn't be started" is ambiguous (already recording, or the stream's muxer still being
        prepared right after its push started): after a push start (wait_for_broadcast) it is re-asked
        for a few seconds; otherwise, and when it persists, it is no change with the state left
        unknown unless the field reads 1. "couldn't be stopped" means nothing records. An empty failure
        message means the broadcast does not exist (a just-started push's broadcast may take a moment:
        wait for it once when wait_for_broadcast). A lost answer is settled by re-reading the field.
        """
        client = self.client
        verb = "start" if enabled else "stop"
        observed = state.setdefault("observed", {}) if state is not None else {}
        try:
            result = client.set_recording(stream_id, enabled, record_type, resolution_height)
            if not result.success and not result.message and wait_for_broadcast:
                if self.poll(lambda: client.get_broadcast(stream_id), BROADCAST_APPEAR_SECONDS, probe_first=False):
                    result = client.set_recording(stream_id, enabled, record_type, resolution_height)
            if enabled and wait_for_broadcast and not result.success and "couldn't be" in result.message:
                def again():
                    answer = client.set_recording(stream_id, enabled, record_type, resolution_height)
                    return answer if (answer.success or "couldn't be" not in answer.message) else None
                result = self.poll(again, RECORDING_PREPARE_SECONDS, probe_first=False) or result
        except OutcomeUnknownError as exc:
            if _field_reads(client, stream_id, record_type, 1 if enabled else -1):
                observed[record_type] = bc.ON if enabled else bc.OFF
                return True
            raise ReconcileError("the request to %s %s recording got no answer (%s) and the broadcast does not show "
                                 "it %s; run the task again" % (verb, record_type, exc.message,
                                                                "started" if enabled else "stopped"))
        if result.success:
            observed[record_type] = bc.ON if enabled else bc.OFF
            return True
        message = result.message
        if "couldn't be" in message:
            if not enabled:
                observed[record_type] = bc.OFF
            elif _field_reads(client, stream_id, record_type, 1):
                observed[record_type] = bc.ON
            elif state is not None:
                state["warnings"].append(
                    "%s: the server answers \"%s\"%s and %s does not read 1: it may already record (a push started "
                    "with a record type, or the application's record-every-stream setting), so %s is reported in "
                    "recording_unknown" % (stream_id, message, " for %d s after the push started"
                                           % RECORDING_PREPARE_SECONDS if wait_for_broadcast else "",
                                           bc.RECORD_FIELDS[record_type], record_type))
            return False
        if not message:
            raise ReconcileError("cannot %s %s recording: there is no broadcast %s (anymore)"
                                 % (verb, record_type, stream_id))
        raise ReconcileError("the server refused to %s %s recording: %s" % (verb, record_type, message))

    def vod_ids(self, stream_id):
        return set(vod.get("vodId") for vod in self.client.list_vods(stream_id))

    def wait_for_new_vods(self, stream_id, known_ids, seconds, data_id=None):
        """The VoDs of stream_id that were not in known_ids, waiting up to seconds for at least one."""
        found = []

        def probe():
            found[:] = [vod for vod in self.client.list_vods(stream_id)
                        if vod.get("vodId") not in known_ids or (data_id and vod.get("vodId") == data_id)]
            return found

        if seconds > 0:
            self.poll(probe, seconds, interval=1.0)
        else:
            probe()
        return list(found)


class RecordingReconciler(BroadcastReconciler):
    """broadcast_recording: start or stop one recording of one broadcast."""

    def decide(self, desired, current):
        broadcast, room_broadcast = current if current else (None, None)
        return decide_recording(desired, broadcast, room_broadcast)

    def apply(self, plan, action, state):
        stream_id = plan.key
        enabled = action.kind == "start_recording"
        if not enabled and bc.is_broadcasting(plan.current):
            state["vods_before"] = self.vod_ids(stream_id)
        changed = self.set_recording(stream_id, enabled, action.params["record_type"],
                                     action.params.get("resolution_height"), state=state)
        state["stop_changed"] = changed and not enabled
        return changed

    def finish(self, plan, changed, state):
        record_type = plan.desired["record_type"]
        data = {"stream_id": plan.key}
        if self.check_mode or not plan.actions:
            after = plan.after
            data["broadcast"] = bc.redact_broadcast(plan.current)
        else:
            broadcast = self.client.get_broadcast(plan.key)
            recording = bc.recording_state(broadcast, plan.context.get("room_broadcast"))
            observed = state.get("observed", {}).get(record_type)
            if broadcast is not None and recording[record_type] == bc.UNKNOWN and observed:
                recording[record_type] = observed
            after = recording_view(plan.key, broadcast, recording)
            data["broadcast"] = bc.redact_broadcast(broadcast)
            if "vods_before" in state:
                seconds = plan.desired.get("vod_timeout", 30) if state.get("stop_changed") else 0
                data["vods"] = self.wait_for_new_vods(plan.key, state["vods_before"], seconds)
                if seconds and not data["vods"]:
                    state["warnings"].append("%s: no new VoD appeared within %d s of stopping the recording; the "
                                             "server may still be finalising it" % (plan.key, seconds))
        data["recording"] = after["recording"]
        data["recording_unknown"] = after["recording_unknown"]
        data["status"] = after["status"]
        data.setdefault("vods", [])
        return after, data
