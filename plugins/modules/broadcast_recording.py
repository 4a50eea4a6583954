#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: broadcast_recording
short_description: Start or stop the MP4 or WebM recording of a broadcast on Ant Media Server
version_added: 0.1.0
author: mediaops team (@mediaops)
description:
  - Makes sure one broadcast is recorded to MP4 or WebM, or is not.
  - On a broadcast that is broadcasting, the recording starts or stops now; stopping it finalises the file into a
    VoD of the application, which the module waits for (up to O(vod_timeout) seconds) and returns.
  - On a broadcast that exists but is not broadcasting, the server stores the setting and applies it when the
    stream starts.
  - A broadcast can record while its C(mp4Enabled)/C(webMEnabled) field says 0 (a Media Push started with a
    record type, for example by Circle). The module does not take that for "not recording"; Circle's
    C(isRecording) mark on the room settles it for C(ROOM_composite), otherwise the server is asked and
    decides.
attributes:
  check_mode:
    details:
      - Sends no write. When the recording state cannot be read (see the description), check mode predicts a
        change and warns.
extends_documentation_fragment:
  - mediaops.antmedia.connection
  - mediaops.antmedia.attributes
  - mediaops.antmedia.attributes.converge
options:
  stream_id:
    description:
      - The broadcast's stream id. At most 120 bytes in UTF-8; must not contain V(/), V(\\), V(..), V(?), V(#),
        V(%), V(&), quotes, V(<), V(>), whitespace, control or invisible characters.
    type: raw
    required: true
  state:
    description:
      - V(started) records the broadcast (the broadcast must exist), V(stopped) stops recording it.
    type: str
    choices: [started, stopped]
    default: started
  record_type:
    description:
      - The recording to start or stop.
    type: str
    choices: [mp4, webm]
    default: mp4
  resolution_height:
    description:
      - Record this rendition (height in pixels, 1 to 4320) of an adaptive stream instead of the original.
      - The state is compared per record type, not per rendition.
    type: int
  vod_timeout:
    description:
      - On O(state=stopped), seconds to wait for the server to finalise the recording into a VoD. V(0) does not
        wait.
    type: int
    default: 30
seealso:
  - module: mediaops.antmedia.media_push
  - module: mediaops.antmedia.vod_info
  - module: mediaops.antmedia.app_settings
    description: Records every stream of an application (C(mp4MuxingEnabled)) instead of one.
"""

EXAMPLES = r"""
- name: Record stream camera1 to MP4
  mediaops.antmedia.broadcast_recording:
    app: LiveApp
    stream_id: camera1

- name: Stop recording it and get the VoD
  mediaops.antmedia.broadcast_recording:
    app: LiveApp
    stream_id: camera1
    state: stopped
  register: recording

- name: Show where the file is
  ansible.builtin.debug:
    msg: "{{ recording.vods | map(attribute='filePath') | list }}"
"""

RETURN = r"""
stream_id:
  description: The broadcast's stream id.
  returned: always
  type: str
  sample: camera1
status:
  description: The broadcast's status (V(null) when there is no such broadcast).
  returned: always
  type: str
  sample: broadcasting
recording:
  description:
    - The record types that are on (or, in check mode, would be). For a broadcast that is not broadcasting, the
      types it will record when its stream starts.
  returned: always
  type: list
  elements: str
  sample: [mp4]
recording_unknown:
  description: Record types whose state the server's broadcast does not show.
  returned: always
  type: list
  elements: str
  sample: []
broadcast:
  description: The broadcast as the server reports it, with credentials removed; V(null) when there is none.
  returned: always
  type: dict
  sample: {"streamId": "camera1", "status": "broadcasting", "mp4Enabled": 1}
vods:
  description: On a stop, the VoDs the recording became (as the server reports them); empty otherwise.
  returned: always
  type: list
  elements: dict
  sample: [{"vodId": "Qw3rT...", "streamId": "camera1", "vodName": "camera1.mp4", "duration": 61000}]
"""

from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import run_module
from ansible_collections.mediaops.antmedia.plugins.module_utils._recording import (
    RecordingReconciler,
    desired_recording,
)


def converge_recording(params, client, check_mode):
    outcome = RecordingReconciler(client, check_mode=check_mode).run(desired_recording(params))
    return dict(outcome.data, changed=outcome.changed, diff=outcome.diff, warnings=outcome.warnings)


def main():
    run_module(
        dict(
            stream_id=dict(type="raw", required=True),  # raw: a YAML number or boolean is refused
            state=dict(type="str", default="started", choices=["started", "stopped"]),
            record_type=dict(type="str", default="mp4", choices=["mp4", "webm"]),
            resolution_height=dict(type="int"),
            vod_timeout=dict(type="int", default=30),
        ),
        converge_recording, supports_check_mode=True,
    )


if __name__ == "__main__":
    main()
