#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: media_push
short_description: Start or stop the Media Push (and its recording) of a conference room on Ant Media Server
version_added: 0.1.0
author: mediaops team (@mediaops)
description:
  - Makes sure a Media Push session records a conference room, or is stopped. The Media Push plugin runs a
    headless browser on the server that loads a page merging the room and publishes it back as a new
    broadcast, which the server records into the application's VoDs.
  - The state of a push is read from the broadcast with the push's stream id (the plugin has no status
    endpoint); the module only writes when that state differs from the requested one.
  - A push that is already running is never restarted, even if it was started with another page or size;
    the module then reports no change and warns that the running push keeps its parameters.
  - With O(record_type=mp4), the recording is set on the push's broadcast before the push starts (a new
    broadcast is created with C(mp4Enabled=1), an existing stopped one gets it stored), so the server records
    the stream from its first frame. The broadcast, created beforehand, then stays (status C(finished)) after the
    push stops, ready for the next start.
  - With O(record_type=webm), the push is started without a record type and recording is then requested for its
    broadcast (an edition without WebM would keep a stored setting and look as if it recorded).
  - A push that already records (for example one started by Circle, which marks the room's C(metaData) with
    C(isRecording)) is left alone.
  - Stopping a push ends its broadcast; a recording on it is finalised into a VoD, which the module waits for
    (up to O(vod_timeout) seconds) and returns.
  - A broadcasting stream on the push's id counts as the push only when the server's Media Push plugin holds a
    session for it (asked with C(send-command) and a script that returns a constant, which changes nothing); its
    C(metaData), C(driverIp) included, is the publisher's to write and proves nothing. Anything else fails the
    task in one line (room R, stream id ID taken by another publisher), and the stream is neither recorded,
    flagged nor stopped. If the id is taken while the start runs, the plugin waits its 30 s for the page's stream
    and fails; the module names the publisher the same way and withdraws the MP4 setting it stored on the id.
attributes:
  check_mode:
    details:
      - Sends no write. When the recording state of a running push cannot be read (a stream recording
        because its push was started with a record type, outside this module and not by Circle), check mode
        predicts a change and warns; the real run then asks the server, which may find it already recording.
extends_documentation_fragment:
  - mediaops.antmedia.connection
  - mediaops.antmedia.attributes
  - mediaops.antmedia.attributes.converge
options:
  room:
    description:
      - The conference room to record (the room's main-track stream id).
      - Used to build the page (see O(page)) and, when O(stream_id) is not given, the push's stream id.
      - At most 110 bytes in UTF-8 (so that V(ROOM_composite) fits the server's file names); must not contain
        V(/), V(\\), V(..), V(?), V(#), V(%), V(&), quotes, V(<), V(>), whitespace, control or invisible characters,
        nor Latin letters mixed with look-alike letters of another script.
    type: raw
  stream_id:
    description:
      - The stream id of the push (the broadcast it publishes and records).
      - Defaults to V(ROOM_composite), the id Circle uses, so recordings started by Circle and by this module are
        the same push and either can stop it.
      - Same character rules as O(room), at most 120 bytes in UTF-8.
      - One of O(room) or O(stream_id) is required; O(state=started) also needs O(room) or O(page_url).
    type: raw
  state:
    description:
      - V(started) starts the push if its broadcast is not broadcasting, then starts the recording if
        O(record_type) is given and it is not recording yet.
      - V(stopped) stops the push if its broadcast is broadcasting. A broadcast that is broadcasting without a
        Media Push session on this server (another publisher, or a push another cluster node drives) fails the task
        and is not touched.
      - A push broadcast whose stream stalled (status V(terminated_unexpectedly), no live session on this server) is
        ended by the server with C(POST /APP/rest/v2/broadcasts/ID/stop), never through the plugin's stop (which
        would forward the request to the C(driverIp) of the broadcast and can hang).
      - When the room of a V(ROOM_composite) push carries Circle's flag C(isRecording=true), stopping also sets it to
        false (other C(metaData) keys kept), as Circle's own Stop does.
    type: str
    choices: [started, stopped]
    default: started
  page:
    description:
      - The page the browser loads to merge the room, on the same server as O(url) (or O(page_base_url)).
        When neither O(page) nor O(page_url) is given, V(multitrack) is used.
      - V(multitrack) is C(/APP/multitrack-play.html?id=ROOM&muted=false), the dependable page for recording a
        room (C(muted=false) is the page's setting for conference recording; without it the room's audio is
        muted).
      - V(merge) is C(/APP/merge_streams.html?roomName=ROOM&streamId=ROOM_merged) (an Enterprise sample); the module
        clicks its Start button after the push starts. That page publishes a second stream, V(ROOM_merged).
      - V(circle) is Circle's own room page in play-only mode,
        C(/APP/ROOM?playOnly=true&enterDirectly=true&token=TOKEN), as Circle records it (C(token=) is always there,
        empty without O(token)). Use it in a Circle application, which has no C(multitrack-play.html).
      - With V(circle), the module keeps Circle's recording flag (C(isRecording) in the room broadcast's
        C(metaData), other keys kept) saying whether the push records, by the server, in the same run, C(true)
        once the recording is confirmed, on every recording of the room (also after Circle's Stop wrote
        C(false)), C(false) when the push runs and records nothing. Without O(record_type) only the flag is
        repaired; when the server cannot say (a push just started without O(record_type)) it is left as it is.
        See O(state).
      - Mutually exclusive with O(page_url).
    type: str
    choices: [multitrack, merge, circle]
  page_url:
    description:
      - The full http(s) URL of the page to push instead of one built from O(page).
      - Mutually exclusive with O(page).
    type: str
  page_base_url:
    description:
      - The base URL (V(scheme://host:port)) the browser on the server uses to load the built page, when it is not
        O(url); for example V(http://127.0.0.1:5080) while the module calls the server through another address.
    type: str
  width:
    description:
      - Width of the browser window, in pixels (1 to 7680). Only used when the push is started.
    type: int
    default: 1280
  height:
    description:
      - Height of the browser window, in pixels (1 to 4320). Only used when the push is started.
    type: int
    default: 720
  record_type:
    description:
      - Record the push to V(mp4) or V(webm). When omitted, the recording is left as it is (the application's
        default applies to a new push).
    type: str
    choices: [mp4, webm]
  token:
    description:
      - A play token the page needs to join the room (when the application requires play tokens); appended to the
        page URL as C(token=...). Never shown in output.
    type: str
  publish_token:
    description:
      - The publish token of the pushed stream (when the application requires publish tokens), sent as the
        C(token) of the start request. Never shown in output.
      - Mutually exclusive with O(stream_jwt_secret).
    type: str
  stream_jwt_secret:
    description:
      - The application's stream JWT secret (C(jwtStreamSecretKey)). The module mints the push's publish token from
        it when it starts the push, the way Circle does it (HS256, claims C(streamId) = the push's stream id,
        C(type=publish), valid 60 seconds). Never shown in output.
      - Mutually exclusive with O(publish_token).
    type: str
  extra_chrome_switches:
    description:
      - Extra command line switches for the server's browser, each starting with V(--) and without commas.
    type: list
    elements: str
    default: []
  stop_undeclared_formats:
    description:
      - With O(record_type), also stop a recording of the other record type on the push (for example WebM running
        beside a wanted V(mp4)). The push and the wanted recording go on; the stopped recording's VoD is kept and
        returned in RV(vods).
      - Off by default, because no running recording is stopped by surprise; such a recording is reported in
        RV(undeclared_formats) either way.
    type: bool
    default: false
  vod_timeout:
    description:
      - Seconds to wait for a stopped recording (the push's, on O(state=stopped), or an undeclared format's, see
        O(stop_undeclared_formats)) to be finalised into a VoD, returned in RV(vods). V(0) does not wait.
    type: int
    default: 30
notes:
  - The module must call the server the browser will load its publisher page from; with the default
    O(url) (V(http://127.0.0.1:5080)), run it on the media host.
  - The Media Push plugin must be loaded in the application (see the C(mediaops.antmedia.media_push_plugin)
    role); otherwise the task fails saying so.
  - A running push's page cannot be read back from the server; only its width and height are compared.
  - A recording counts as started only when the server says so and the broadcast's C(mp4Enabled)/C(webMEnabled)
    reads 1. Right after a push starts, the server answers C(webm recording couldn't be started) while the stream
    is being prepared; the module asks again for up to 10 seconds. If that answer stays, the record type is
    returned in RV(recording_unknown) with a warning, not as recording.
  - If the server answers that a session with the push's stream id already exists while its stream is not
    broadcasting, a start may still be in flight (a real start takes up to 90 s), so the module waits for the stream
    up to O(timeout) seconds, and never starts a second one.
  - A missing broadcast is told by the answer's content type, not its status code. A real server answers it with
    an HTML 404 page, and a Circle application with a 200 page; an application that does not answer the JSON
    probe C(GET /APP/rest/v2/broadcasts/count) does not exist, and the task says so.
seealso:
  - module: mediaops.antmedia.broadcast_recording
  - module: mediaops.antmedia.broadcast_info
  - module: mediaops.antmedia.vod_info
"""

EXAMPLES = r"""
- name: Room board-meeting is recorded to MP4 (Circle sees the same recording)
  mediaops.antmedia.media_push:
    app: LiveApp
    room: board-meeting
    record_type: mp4

- name: Record a room of a Circle app with Circle's own page (Circle's users see it recording)
  mediaops.antmedia.media_push:
    app: Conference
    room: weekly
    page: circle
    record_type: mp4
    jwt_secret: "{{ vault_antmedia_jwt_secret }}"
    stream_jwt_secret: "{{ vault_antmedia_stream_jwt_secret }}"

- name: Stop the recording of room board-meeting and show the VoD it made
  mediaops.antmedia.media_push:
    app: LiveApp
    room: board-meeting
    state: stopped
  register: stopped

- name: Show the recording
  ansible.builtin.debug:
    msg: "{{ stopped.vods | map(attribute='filePath') | list }}"

- name: Push any page under a stream id of your own
  mediaops.antmedia.media_push:
    app: LiveApp
    stream_id: lobby-screen
    page_url: https://signage.example.com/lobby
    width: 1920
    height: 1080
"""

RETURN = r"""
msg:
  description: One line saying what happened (in check mode, prefixed V(check mode:), what would happen).
  returned: always
  type: str
  sample: "started: board-meeting; unchanged: 0"
undeclared_formats:
  description: With O(record_type), the other record types recording on the push after the run.
  returned: always
  type: list
  elements: str
  sample: []
stream_id:
  description: The stream id of the push.
  returned: always
  type: str
  sample: board-meeting_composite
state:
  description: V(started) when the push's broadcast is broadcasting, V(stopped) otherwise (predicted in check mode).
  returned: always
  type: str
  sample: started
recording:
  description: The record types the push records (or, in check mode, would record).
  returned: always
  type: list
  elements: str
  sample: [mp4]
recording_unknown:
  description: Record types whose state the server's broadcast does not show (see the check mode details).
  returned: always
  type: list
  elements: str
  sample: []
page_url:
  description: The page the browser loads, with any token replaced by C(********).
  returned: when O(state=started)
  type: str
  sample: http://127.0.0.1:5080/LiveApp/multitrack-play.html?id=board-meeting&muted=false
room_is_recording:
  description:
    - Circle's recording flag on the room (C(isRecording) in the room broadcast's C(metaData)) after the run.
  returned: when the push is a V(ROOM_composite) push and its room carries the flag, or O(page=circle) sets it
  type: bool
  sample: true
broadcast:
  description:
    - The push's broadcast as the server reports it (after the change; before it in check mode), with
      credentials removed; V(null) when there is none.
  returned: always
  type: dict
  sample: {"streamId": "board-meeting_composite", "status": "broadcasting", "mp4Enabled": 1, "webMEnabled": 0,
           "metaData": "{\"driverIp\":\"10.0.0.5\"}"}
vods:
  description:
    - The VoDs the stop created (as the server reports them), once finalised; empty when nothing was recording
      or in check mode.
  returned: always
  type: list
  elements: dict
  sample: [{"vodId": "Qw3rT...", "streamId": "board-meeting_composite", "vodName": "board-meeting_composite.mp4",
            "filePath": "streams/board-meeting_composite.mp4", "duration": 61000, "fileSize": 5123456}]
"""

from ansible_collections.mediaops.antmedia.plugins.module_utils._media_push import (
    ROOM_MUTUALLY_EXCLUSIVE,
    MediaPushReconciler,
    desired_push,
    room_options,
    run_options,
    summary_line,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import run_module


def converge_push(params, client, check_mode):
    desired = desired_push(params)
    for secret in (params.get("token"), params.get("publish_token"), params.get("stream_jwt_secret")):
        client.add_secret(secret)
    outcome = MediaPushReconciler(client, check_mode=check_mode).run(desired)
    msg = summary_line([outcome], check_mode)
    return dict(outcome.data, changed=outcome.changed, diff=outcome.diff, warnings=outcome.warnings, msg=msg)


def main():
    argument_spec = room_options()
    argument_spec.update(run_options(vod_timeout_default=30))
    run_module(argument_spec, converge_push, mutually_exclusive=ROOM_MUTUALLY_EXCLUSIVE,
               required_one_of=[("room", "stream_id")], supports_check_mode=True)


if __name__ == "__main__":
    main()
