#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: broadcast_info
short_description: Read the broadcasts of an Ant Media Server application, with rooms' participants and recordings
version_added: 0.1.0
author: mediaops team (@mediaops)
description:
  - Returns one broadcast (O(stream_id)) or every broadcast of the application, each with its status, whether it is
    a Media Push, which recordings are on and, for a conference room, its participants.
  - The whole list is read page by page until the server returns an empty page (the server may return fewer
    items per page than asked).
  - A room's participants are read the way the server's version offers them (the version is read once, with
    C(GET /APP/rest/v2/version)) when O(stream_id) is given; AMS 2.x lists them in the room's C(subTrackStreamIds),
    AMS 3.x only through its C(subtracks) endpoint. Without O(stream_id), they come from the application's list
    (each participant names its room in C(mainTrackStreamId)) on every version.
  - A stream that does not exist is an empty list, also in a Circle application (which answers "not found" with a
    200 page); an application that does not exist fails the task.
extends_documentation_fragment:
  - mediaops.antmedia.connection
  - mediaops.antmedia.attributes
  - mediaops.antmedia.attributes.info_module
options:
  stream_id:
    description:
      - Return only this broadcast (and its participants, when it is a room). An empty list when it does not exist.
    type: raw
seealso:
  - module: mediaops.antmedia.media_push
  - module: mediaops.antmedia.server_info
  - module: mediaops.antmedia.vod_info
"""

EXAMPLES = r"""
- name: Read every broadcast of LiveApp
  mediaops.antmedia.broadcast_info:
    app: LiveApp
  register: live

- name: Pushes that are recording now
  ansible.builtin.debug:
    msg: "{{ live.broadcasts | selectattr('is_media_push') | selectattr('recording') | map(attribute='stream_id') | list }}"

- name: Read one room
  mediaops.antmedia.broadcast_info:
    app: LiveApp
    stream_id: board-meeting
"""

RETURN = r"""
broadcasts:
  description: The broadcasts, in the server's order.
  returned: always
  type: list
  elements: dict
  contains:
    stream_id:
      description: The stream id.
      type: str
      sample: board-meeting
    name:
      description: The broadcast's name.
      type: str
    status:
      description: V(created), V(broadcasting), V(finished), V(terminated_unexpectedly) or an error state.
      type: str
      sample: broadcasting
    type:
      description: The broadcast type, for example V(liveStream).
      type: str
    main_track_stream_id:
      description: For a participant of a room, the room's stream id.
      type: str
    is_room:
      description: Whether the broadcast has participants (subtracks).
      type: bool
    participants:
      description: Stream ids of the room's participants.
      type: list
      elements: str
      sample: [alice, bob]
    active_participants:
      description: The participants that are broadcasting now.
      type: list
      elements: str
      sample: [alice]
    is_media_push:
      description: Whether the broadcast is published by a Media Push session.
      type: bool
    recording:
      description: Record types that are on (for a broadcast that is not broadcasting, the types it will record
        when it starts).
      type: list
      elements: str
      sample: [mp4]
    recording_unknown:
      description: Record types whose state the broadcast does not show (a push started with a record type).
      type: list
      elements: str
    broadcast:
      description: The broadcast as the server reports it, with credentials removed.
      type: dict
"""

from ansible_collections.mediaops.antmedia.plugins.module_utils import _broadcast as bc
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError
from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import about, run_module
from ansible_collections.mediaops.antmedia.plugins.module_utils._participants import summarize_one
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import check_id


def read_one(client, stream_id):
    broadcast = client.get_broadcast(stream_id)
    if broadcast is None:
        return []
    return [summarize_one(client, broadcast)]


def read_all(client):
    broadcasts = client.list_broadcasts()
    by_id = dict((item.get("streamId"), item) for item in broadcasts)
    summaries = []
    for broadcast in broadcasts:
        room = bc.composite_room(broadcast.get("streamId"))
        summaries.append(bc.summarize(broadcast, by_id.get(room) if room else None, all_broadcasts=broadcasts))
    return summaries


def read_broadcasts(params, client, check_mode):
    stream_id = params.get("stream_id")
    if stream_id is None:
        return {"changed": False, "broadcasts": read_all(client)}
    check_id(stream_id, "stream_id")
    try:
        return {"changed": False, "broadcasts": read_one(client, stream_id)}
    except AntMediaError as exc:
        raise about(exc, stream_id=stream_id)


def main():
    run_module(dict(stream_id=dict(type="raw")),  # raw: a YAML number or boolean is refused
               read_broadcasts, supports_check_mode=True)


if __name__ == "__main__":
    main()
