#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: room_recordings
short_description: Converge the recordings of many conference rooms of one Ant Media Server application at once
version_added: 0.1.0
author: mediaops team (@mediaops)
description:
  - The batch form of M(mediaops.antmedia.media_push) for fleets, where one task per room would cost one module
    run per room. For each item of O(recordings), makes sure a Media Push session records the room, or is stopped,
    with the same decisions as M(mediaops.antmedia.media_push).
  - Reads the application's broadcast list once (paged) and decides every room from it; a second run with
    nothing to change sends no write. Besides the list, it asks the Media Push plugin once per live push whether
    it holds that push's session (a script that returns a constant, which changes nothing); a stream the plugin
    does not hold is another publisher's, whatever its C(metaData) says.
  - Starts run in parallel (see O(start_concurrency)), because a start blocks on the server for as long as its
    browser takes, 30 to 90 seconds on a real server.
  - A push that is already running is never restarted; a push the list does not name is left alone unless
    O(stop_unlisted=true).
  - No room is held back by another. An item that is refused (a bad value, every error of it named on its line)
    or whose room fails on the server costs only itself; the other rooms are still converged. The task then fails
    with one line naming each refused or failed item and its cause, and RV(rooms) (a RV(rooms[].status) per item),
    RV(refused), RV(failed_rooms), RV(started) and RV(stopped) tell what was done and what was not.
  - Names declared in inventory (O(room_source=inventory)) that are the same after Unicode NFC normalisation (the
    same room or push twice) are refused, every item of the pair naming the other. Names that only look alike
    (V(Standup) and V(standup), V(team0) and V(teamo), V(room1) and V(rooml), a Cyrillic twin of a Latin name) are
    two rooms on the server, whose stream ids are exact and case-sensitive; both are recorded, with a warning.
  - Names from the server (O(room_source=server)) are never compared with each other; a name the module cannot
    handle (over the byte limit, or with characters a URL, the server's page or a file name cannot carry) is skipped
    with a warning naming it, the task does not fail for it, and the other rooms go on.
  - A recording of a format an item does not declare (WebM beside a declared mp4) is always reported, in
    RV(rooms[].undeclared_formats) and RV(msg), and stopped only with O(stop_undeclared_formats=true).
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the work can be done on the
      controller.
    support: full
    details:
      - On a local connection (C(connection=local), or C(delegate_to=localhost)) without C(become),
        C(environment) or C(async), the module's code runs in the controller's task worker instead of a module
        process, with the same options, checks and results, at a fraction of the cost per host. Set the variable
        C(antmedia_run_in_controller=false) to run it as a module process there too.
  check_mode:
    details:
      - Sends no write; reads the broadcast list once.
extends_documentation_fragment:
  - mediaops.antmedia.connection
  - mediaops.antmedia.attributes
  - mediaops.antmedia.attributes.converge
options:
  recordings:
    description:
      - The rooms and the wanted state of their recording. Each item takes the options of
        M(mediaops.antmedia.media_push) that concern one room.
    type: list
    elements: dict
    required: true
    suboptions:
      room:
        description:
          - The conference room (its main-track stream id); required (an item without one is refused). Same character
            rules as in M(mediaops.antmedia.media_push) for names from inventory; see O(room_source).
          - Two items whose rooms or stream ids are the same in Unicode NFC are refused, naming each other; names that
            only look the same (case, compatibility forms, look-alike letters) are both recorded, with a warning.
        type: raw
      state:
        description: V(started) records the room, V(stopped) stops its push (the recording becomes a VoD).
        type: str
        choices: [started, stopped]
        default: started
      record_type:
        description: The recording format.
        type: str
        choices: [mp4, webm]
        default: mp4
      page:
        description:
          - The page that merges the room, as in M(mediaops.antmedia.media_push) (default V(multitrack)).
          - V(circle) records Circle's room page and keeps Circle's C(isRecording) flag on the room saying whether the
            push records, in the same run, on every recording, as in M(mediaops.antmedia.media_push).
          - Mutually exclusive with O(recordings[].page_url).
        type: str
        choices: [multitrack, merge, circle]
      page_url:
        description: A full http(s) URL of the page to push instead of a built one.
        type: str
      stream_id:
        description: The push's stream id; defaults to V(ROOM_composite), as Circle names it.
        type: raw
      width:
        description: Browser width in pixels (1 to 7680), used when the push starts.
        type: int
        default: 1280
      height:
        description: Browser height in pixels (1 to 4320), used when the push starts.
        type: int
        default: 720
      token:
        description: A play token for the page, appended to its URL. Never shown in output.
        type: str
      publish_token:
        description:
          - The publish token of the pushed stream, sent with the start, as in M(mediaops.antmedia.media_push).
            Never shown in output. Mutually exclusive with O(recordings[].stream_jwt_secret).
        type: str
      stream_jwt_secret:
        description:
          - The application's stream JWT secret; the push's 60 s publish token is minted from it as Circle does, as
            in M(mediaops.antmedia.media_push). Never shown in output.
            Mutually exclusive with O(recordings[].publish_token).
        type: str
      extra_chrome_switches:
        description: Extra browser switches, each starting with V(--) and without commas.
        type: list
        elements: str
        default: []
      outside_schedule:
        description:
          - Marks an item whose schedule has no window now (the C(mediaops.antmedia.conference_recording) role sets
            it); it changes nothing but RV(msg), which lists such rooms apart from the unchanged ones.
        type: bool
        default: false
      refused:
        description:
          - Refuses the item with this reason (one line); it is reported in RV(refused) and nothing is done for it;
            its push, when it names one, is left as it is, also by O(stop_unlisted).
          - Set by the module's action plugin and by the C(mediaops.antmedia.scheduled_recordings) filter for a bad
            item, so that it costs only itself; not meant to be set by hand.
        type: str
  room_source:
    description:
      - Where the names of O(recordings) come from.
      - V(inventory), names an operator declared; they are checked as in M(mediaops.antmedia.media_push) (no invisible
        or mixed-script look-alike letters), duplicates after NFC are refused and look-alike pairs warned about.
      - V(server), names the server holds (automatic recording passes the rooms its hooks name); they are the rooms'
        real names, never refused as look-alikes of each other nor warned about, and V(Standup) and V(standup) are two
        rooms. A name the module cannot handle is skipped with a warning; the same room twice with the same options
        is converged once.
    type: str
    choices: [inventory, server]
    default: inventory
  list_name:
    description:
      - How the messages name the list and its items, for example V(antmedia_recordings) names the third item
        C(antmedia_recordings[2]). The C(mediaops.antmedia.conference_recording) role sets V(antmedia_recordings), the
        inventory variable the items come from.
    type: str
    default: recordings
  stop_unlisted:
    description:
      - Also stop every live media push of the application that no item of O(recordings) names.
      - In a Circle application this includes the recordings that Circle's users started with Circle's Record button
        (every push is a live media push, whoever started it); their room's C(isRecording) flag is set to false.
      - The push of a refused or skipped item is not stopped. While a refused item names no push (no room, or a room
        that is not text), no unlisted push is stopped at all and the task fails saying so. An unlisted push whose
        name the module cannot handle is left running, with a warning.
    type: bool
    default: false
  page_base_url:
    description:
      - The base URL (V(scheme://host:port)) the server's browser loads the built pages from, when it is not O(url).
    type: str
  vod_timeout:
    description:
      - On a stop, seconds to wait for the recording to be finalised into a VoD before returning it in RV(vods).
        V(0) does not wait (the VoD appears on the server anyway).
    type: int
    default: 0
  start_concurrency:
    description: How many rooms (1 to 64) are started (or stopped) at the same time.
    type: int
    default: 10
  stop_undeclared_formats:
    description:
      - Also stop a recording of a record type the item does not declare (for example WebM running beside a
        declared V(mp4)), as M(mediaops.antmedia.media_push) does. The push and its declared recording go on;
        the stopped recording's VoD is kept and returned in RV(vods).
      - Off by default, because no running recording is stopped by surprise; such a recording is reported in
        RV(rooms[].undeclared_formats) either way.
    type: bool
    default: false
notes:
  - Run it on the media host (the default O(url) is V(http://127.0.0.1:5080)); see M(mediaops.antmedia.media_push).
seealso:
  - module: mediaops.antmedia.media_push
"""

EXAMPLES = r"""
- name: Record two rooms, stop a third
  mediaops.antmedia.room_recordings:
    app: LiveApp
    recordings:
      - room: board-meeting
      - room: town-hall
        page: circle
        record_type: webm
      - room: standup
        state: stopped

- name: Record the rooms the server holds (automatic recording); names are the server's own
  mediaops.antmedia.room_recordings:
    app: LiveApp
    room_source: server
    recordings:
      - room: Standup
      - room: standup

- name: Only the listed rooms may be recorded in this app
  mediaops.antmedia.room_recordings:
    app: LiveApp
    stop_unlisted: true
    recordings:
      - room: board-meeting
"""

RETURN = r"""
msg:
  description:
    - One line saying what happened (in check mode, prefixed V(check mode:), what would happen), or, when some rooms
      were refused or failed, which ones and why, then what happened to the others.
  returned: always
  type: str
  sample: "started: board-meeting, town-hall; stopped: standup; unchanged: 4; outside their schedule: retro"
rooms:
  description: One entry per item of O(recordings) (in order, refused ones too), then one per unlisted push that was
    stopped.
  returned: always
  type: list
  elements: dict
  contains:
    index:
      description: The item's index in O(recordings) (V(null) for an unlisted push).
      type: int
    status:
      description:
        - What became of the item. V(changed) (converged, something was or in check mode would be written),
          V(unchanged), V(failed) (the server step failed, see RV(rooms[].msg)), V(refused) (a bad item, nothing
          sent for it) or V(skipped) (a name from the server the module cannot handle).
      type: str
    room:
      description: The room (V(null) for an unlisted push that is not named V(ROOM_composite)).
      type: str
    stream_id:
      description: The push's stream id.
      type: str
    state:
      description: V(started) or V(stopped) after the run (predicted in check mode).
      type: str
    recording:
      description: The record types on after the run.
      type: list
      elements: str
    undeclared_formats:
      description:
        - Record types recording on the push after the run that the item does not declare (see
          O(stop_undeclared_formats)).
      type: list
      elements: str
    action:
      description:
        - What was (or in check mode would be) done, V(none), V(start), V(record), V(stop), V(stop_undeclared) (a
          recording of an undeclared format stopped) or V(flag) (only Circle's C(isRecording) flag on the room was
          written).
      type: str
    changed:
      description: Whether this room changed.
      type: bool
    failed:
      description: Present and true when this room failed or was refused; RV(rooms[].msg) says why.
      type: bool
    msg:
      description: Why this room failed, was refused or skipped.
      type: str
  sample:
    - {room: board-meeting, stream_id: board-meeting_composite, state: started, recording: [mp4], action: start,
       changed: true}
started:
  description: Stream ids of the pushes started (or that would be).
  returned: always
  type: list
  elements: str
  sample: [board-meeting_composite]
stopped:
  description: Stream ids of the pushes stopped (or that would be).
  returned: always
  type: list
  elements: str
  sample: [standup_composite]
failed_rooms:
  description: One line per room that failed on the server, naming its item and the cause.
  returned: always
  type: list
  elements: str
  sample: ["recordings[1] (room 'hotel'): stream hotel_composite is broadcasting, but not from a Media Push session"]
refused:
  description: One line per refused item, naming its index, its room and every error of it.
  returned: always
  type: list
  elements: str
  sample: ["antmedia_recordings[2] (room 'x'): width 'wide' is not a whole number"]
skipped:
  description:
    - One line per name from the server that the module cannot handle (with O(room_source=server), and unlisted
      pushes with O(stop_unlisted)), left alone; each is also a warning.
  returned: always
  type: list
  elements: str
  sample: []
vods:
  description: VoDs created by the stops (also of undeclared formats), when O(vod_timeout) is above 0.
  returned: always
  type: list
  elements: dict
  sample: []
"""

from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import run_module
from ansible_collections.mediaops.antmedia.plugins.module_utils._room_recordings import (
    converge_room_recordings,
    room_recordings_argument_spec,
)


def main():
    run_module(room_recordings_argument_spec(), converge_room_recordings, supports_check_mode=True)


if __name__ == "__main__":
    main()
