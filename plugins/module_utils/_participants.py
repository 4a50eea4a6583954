# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A room's participants, read the way the server's version offers them (private API).

AMS 2.x lists them in the room broadcast's ``subTrackStreamIds`` and has no subtrack endpoints
(those paths are unknown there: an HTML 404, or a 200 page in a Circle app). AMS 3.0 removed
``subTrackStreamIds`` and added ``GET /{id}/subtracks/{offset}/{size}``.
"""

from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.module_utils import _broadcast as bc

# On 2.x each participant's status is one GET; a room bigger than this is read from the app's list instead.
MAX_SINGLE_READS = 50


def has_subtrack_endpoints(client):
    """AMS 3.0 and later list a room's participants through endpoints (the version is read once per run)."""
    return client.server_version_tuple()[0] >= 3


def room_participants(client, room):
    """(every participant's broadcast we could read, by stream id) for one room broadcast."""
    room_id = room.get("streamId")
    if has_subtrack_endpoints(client):
        subtracks = client.list_subtracks(room_id) or []
        return [item for item in subtracks if isinstance(item, dict) and item.get("streamId")]
    ids = [sid for sid in (room.get("subTrackStreamIds") or []) if isinstance(sid, str)]
    if not ids:
        return []
    if len(ids) > MAX_SINGLE_READS:
        listed = dict((item.get("streamId"), item) for item in client.list_broadcasts() if isinstance(item, dict))
        return [listed.get(sid) or {"streamId": sid, "mainTrackStreamId": room_id} for sid in ids]
    participants = []
    for sid in ids:
        # a participant that finished and was removed is still named by the room: no status
        participants.append(client.get_broadcast(sid) or {"streamId": sid, "mainTrackStreamId": room_id})
    return participants


def summarize_one(client, broadcast):
    """broadcast_info's summary of one broadcast, its participants read by version."""
    room = bc.composite_room(broadcast.get("streamId"))
    room_broadcast = client.get_broadcast(room) if room and bc.needs_room_broadcast(broadcast) else None
    participants = room_participants(client, broadcast)
    # each participant counts as one of this room's, whatever its own mainTrackStreamId says (2.x names them)
    subtracks = [dict(item, mainTrackStreamId=broadcast.get("streamId")) for item in participants]
    return bc.summarize(broadcast, room_broadcast, subtracks=subtracks)
