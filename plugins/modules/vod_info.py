#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vod_info
short_description: List the VoDs (recordings and uploads) of an Ant Media Server application
version_added: 0.1.0
author: mediaops team (@mediaops)
description:
  - Returns the application's VoDs, read page by page until the server returns an empty page, optionally only
    those of one stream.
extends_documentation_fragment:
  - mediaops.antmedia.attributes.info_module
  - mediaops.antmedia.attributes
  - mediaops.antmedia.connection
options:
  stream_id:
    description: Return only the VoDs recorded from this stream (for a room's push, V(ROOM_composite)).
    type: raw
seealso:
  - module: mediaops.antmedia.media_push
  - module: mediaops.antmedia.broadcast_recording
"""

EXAMPLES = r"""
- name: Recordings of room board-meeting
  mediaops.antmedia.vod_info:
    app: LiveApp
    stream_id: board-meeting_composite
  register: recordings

- name: Total recorded minutes
  ansible.builtin.debug:
    msg: "{{ (recordings.vods | map(attribute='duration') | sum) / 60000 }}"
"""

RETURN = r"""
vods:
  description: The VoDs as the server reports them (the server's field names), in the server's order.
  returned: always
  type: list
  elements: dict
  contains:
    vodId:
      description: The VoD's id.
      type: str
    vodName:
      description: The file name.
      type: str
      sample: board-meeting_composite.mp4
    streamId:
      description: The stream it was recorded from.
      type: str
    filePath:
      description: The file's path, relative to the application's folder.
      type: str
      sample: streams/board-meeting_composite.mp4
    fileSize:
      description: Size in bytes.
      type: int
    duration:
      description: Duration in milliseconds.
      type: int
    creationDate:
      description: Creation time, in milliseconds since the epoch.
      type: int
    type:
      description: V(streamVod) for recordings, V(userVod) or V(uploadedVod) for others.
      type: str
count:
  description: The number of VoDs returned.
  returned: always
  type: int
  sample: 2
"""

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError
from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import about, run_module
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import check_id


def read_vods(params, client, check_mode):
    stream_id = params.get("stream_id")
    if stream_id is not None:
        check_id(stream_id, "stream_id")
    try:
        vods = client.list_vods(stream_id)
    except AntMediaError as exc:
        raise about(exc, stream_id=stream_id)
    return {"changed": False, "vods": vods, "count": len(vods)}


def main():
    run_module(dict(stream_id=dict(type="raw")),  # raw: a YAML number or boolean is refused
               read_vods, supports_check_mode=True)


if __name__ == "__main__":
    main()
