# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions that read meaning out of broadcast objects as AMS reports them (private API).

Nothing here speaks HTTP: the single-stream modules and batch callers feed these functions with
broadcasts they read however they like (one GET, or one list for many rooms).
"""

from __future__ import annotations

import json
import re

from ansible_collections.mediaops.antmedia.plugins.module_utils._secrets import REDACTED
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import RECORD_TYPES

BROADCASTING = "broadcasting"
# A live stream not updated for 20 s: its Media Push session may still exist on the server.
TERMINATED_UNEXPECTEDLY = "terminated_unexpectedly"
COMPOSITE_SUFFIX = "_composite"
RECORD_FIELDS = {"mp4": "mp4Enabled", "webm": "webMEnabled"}
ON, OFF, UNKNOWN = "on", "off", "unknown"
# Broadcast fields that can hold credentials (IP camera logins, RTMP stream keys, hook URLs).
_SECRET_FIELDS = ("password",)
_URL_FIELDS = ("streamUrl", "rtmpURL", "listenerHookURL", "ipAddr")
_USERINFO = re.compile(r"(?i)^([a-z][a-z0-9+.-]*://)[^/@]*@")
_QUERY = re.compile(r"\?.*$")


def composite_stream_id(room):
    """The stream id of a room's push, as Circle names it, so both see the same recording."""
    return room + COMPOSITE_SUFFIX


def composite_room(stream_id):
    """The room a Circle-style push records, or None when the id is not ``ROOM_composite``."""
    if stream_id and stream_id.endswith(COMPOSITE_SUFFIX) and len(stream_id) > len(COMPOSITE_SUFFIX):
        return stream_id[:-len(COMPOSITE_SUFFIX)]
    return None


def status_of(broadcast):
    return (broadcast or {}).get("status") or None


def is_broadcasting(broadcast):
    return status_of(broadcast) == BROADCASTING


def metadata_of(broadcast):
    """The broadcast's metaData (a JSON string) as a dict; {} when absent or not a JSON object."""
    raw = (broadcast or {}).get("metaData")
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str) or not raw.strip() or raw.strip() == "null":
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def is_media_push(broadcast):
    """A Media Push page publishes with ``{"driverIp": ...}`` in its metaData; other publishers do not."""
    return bool(metadata_of(broadcast).get("driverIp"))


def _record_field(broadcast, record_type):
    try:
        return int((broadcast or {}).get(RECORD_FIELDS[record_type]) or 0)
    except (TypeError, ValueError):
        return 0


def recording_state(broadcast, room_broadcast=None):
    """Per record type: ON, OFF or UNKNOWN.

    - a field of 1 / -1 is what a recording request (ours or anyone's) last set: on / off;
    - a broadcast that is not broadcasting records nothing now: on only when set to 1 (it will
      record when its stream starts);
    - a broadcasting stream whose field is 0 may record anyway: a push started with a recordType
      (Circle does that) or the app's default. Circle marks the room's metaData with
      ``isRecording: true``, which settles MP4 for ``ROOM_composite``; otherwise it is UNKNOWN, never OFF.
    """
    state = {}
    for record_type in RECORD_TYPES:
        field = _record_field(broadcast, record_type)
        if broadcast is None:
            state[record_type] = OFF
        elif field == 1:
            state[record_type] = ON
        elif field == -1 or not is_broadcasting(broadcast):
            state[record_type] = OFF
        elif record_type == "mp4" and metadata_of(room_broadcast).get("isRecording") is True:
            state[record_type] = ON
        else:
            state[record_type] = UNKNOWN
    return state


def needs_room_broadcast(broadcast):
    """Whether the room's broadcast (Circle's isRecording mark) is needed to read this recording state."""
    if not is_broadcasting(broadcast) or composite_room(broadcast.get("streamId")) is None:
        return False
    return _record_field(broadcast, "mp4") == 0


def types_in(state, value=ON):
    return [record_type for record_type in RECORD_TYPES if state.get(record_type) == value]


def _clean_url(value):
    if not isinstance(value, str):
        return value
    return _QUERY.sub("?" + REDACTED, _USERINFO.sub(r"\1" + REDACTED + "@", value))


def redact_broadcast(broadcast):
    """The broadcast as the server reports it, minus what can carry credentials."""
    if broadcast is None:
        return None
    cleaned = dict(broadcast)
    for key in _SECRET_FIELDS:
        if cleaned.get(key):
            cleaned[key] = REDACTED
    for key in _URL_FIELDS:
        if cleaned.get(key):
            cleaned[key] = _clean_url(cleaned[key])
    endpoints = cleaned.get("endPointList")
    if isinstance(endpoints, list):
        cleaned["endPointList"] = [
            dict((key, REDACTED if key.lower().endswith("url") and value else value) for key, value in item.items())
            if isinstance(item, dict) else item
            for item in endpoints
        ]
    return cleaned


def participants_of(room, all_broadcasts=None, subtracks=None):
    """The participants of a room: (all ids, ids broadcasting now).

    From the room's subTrackStreamIds plus every broadcast whose mainTrackStreamId is the room
    (from the app's list, or from the room's subtracks endpoint).
    """
    room_id = room.get("streamId")
    ids = [sid for sid in (room.get("subTrackStreamIds") or []) if isinstance(sid, str)]
    statuses = {}
    for item in list(all_broadcasts or []) + list(subtracks or []):
        if isinstance(item, dict) and item.get("mainTrackStreamId") == room_id and item.get("streamId"):
            statuses[item["streamId"]] = item.get("status")
            if item["streamId"] not in ids:
                ids.append(item["streamId"])
    active = [sid for sid in ids if statuses.get(sid) == BROADCASTING]
    return ids, active


def summarize(broadcast, room_broadcast=None, all_broadcasts=None, subtracks=None):
    """What broadcast_info reports for one broadcast."""
    state = recording_state(broadcast, room_broadcast)
    participants, active = participants_of(broadcast, all_broadcasts, subtracks)
    return {
        "stream_id": broadcast.get("streamId"),
        "name": broadcast.get("name"),
        "status": status_of(broadcast),
        "type": broadcast.get("type"),
        "main_track_stream_id": broadcast.get("mainTrackStreamId") or None,
        "is_room": bool(participants),
        "participants": participants,
        "active_participants": active,
        "is_media_push": is_media_push(broadcast),
        "recording": types_in(state, ON),
        "recording_unknown": types_in(state, UNKNOWN),
        "broadcast": redact_broadcast(broadcast),
    }
