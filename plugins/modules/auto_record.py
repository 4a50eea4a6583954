#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: auto_record
short_description: Record the rooms Ant Media Server hooks are about, stop the rooms left empty (automatic recording)
version_added: 0.2.0
author: mediaops team (@mediaops)
description:
  - The action of the playbook C(mediaops.antmedia.auto_record), which the rulebook C(mediaops.antmedia.auto_record)
    runs on the events of the event source C(mediaops.antmedia.ams_webhook); an action plugin, it runs on the
    controller.
  - "Selects this host's events: an C(ams) summary from one of the host's senders, of its application (a hook
    without application counts as the host's); for a stop, about a room that C(auto_record_include) matches and
    C(auto_record_exclude) does not (regular expressions, whole name). A start applies them to the server's rooms."
  - "Takes the server's lock on the controller (one per C(antmedia_url), held from reading the server to the end of
    the converge, so two runs of one server never overlap), reads the server with M(mediaops.antmedia.broadcast_info)
    and converges with M(mediaops.antmedia.room_recordings): O(mode=start) records every selected room that has a
    participant on the server now (whatever the hooks said); O(mode=stop) first waits until the latest leave of its
    events is C(auto_record_grace) (+ O(window)) seconds old, then stops each room its events name that has no
    participant then. Late, repeated or reordered hooks therefore change nothing wrong."
  - "Room names come from the server: two names that differ only in case are two rooms, never refused as
    look-alikes. A name the collection cannot handle (too long, a forbidden character) is skipped with a warning
    naming it; the other rooms go on. A room that fails is named in the task's message; every other room is still converged,
    and the task fails."
  - "On a local connection both modules run in the controller's task worker; for a host reached over SSH they run
    on the target, while the lock is held on the controller."
  - "Host variables: C(auto_record_senders) (the addresses this server's hooks come from; default the host's
    C(ansible_host) or inventory name and, on a local connection, the addresses C(antmedia_url)'s host name
    resolves to), C(auto_record_include), C(auto_record_exclude), C(auto_record_grace) (60),
    C(auto_record_record_type) (mp4), C(auto_record_page) (multitrack), C(auto_record_start_concurrency) (32),
    C(auto_record_lock_dir) and C(auto_record_lock_timeout) (600)."
  - "The lock is an C(flock) on a file in C(auto_record_lock_dir) (default
    C($XDG_CACHE_HOME/mediaops-antmedia/auto-record) or C(~/.cache/mediaops-antmedia/auto-record)), a directory
    created with mode 0700 and refused when it belongs to another user or others may write in it. The kernel
    releases it when its holder dies; a wait longer than C(auto_record_lock_timeout) seconds fails naming the
    holder's pid."
  - A hook that no host of the play claims is named in one warning, by the play's first host, with the variable to
    set (C(auto_record_senders)).
options:
  mode:
    description: V(start) records the rooms with participants, V(stop) stops the rooms its events say were left.
    type: str
    required: true
    choices: [start, stop]
  events:
    description: The rulebook's C(ansible_eda) (its C(event) or C(events)), or a list of events.
    type: raw
  window:
    description: Seconds added to the grace (the stop rule's batching window, when its events carry the first leave
      of the window).
    type: int
    default: 0
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the work can be done on the
      controller.
    support: full
  check_mode:
    support: full
    details:
      - Reads the server and reports what it would start or stop; sends no write.
  diff_mode:
    support: full
  idempotent:
    support: full
extends_documentation_fragment:
  - mediaops.antmedia.connection
  - mediaops.antmedia.attributes
seealso:
  - module: mediaops.antmedia.room_recordings
  - module: mediaops.antmedia.broadcast_info
"""

EXAMPLES = r"""
- name: Record the rooms that have participants
  mediaops.antmedia.auto_record:
    mode: start
    events: "{{ ansible_eda | default({}) }}"
    url: "{{ antmedia_url }}"
    app: "{{ antmedia_app }}"
"""

RETURN = r"""
mode:
  description: The mode of the run.
  returned: always
  type: str
senders:
  description: The sender addresses this host's hooks were matched by.
  returned: always
  type: list
  elements: str
started:
  description: Push stream ids started.
  returned: always
  type: list
  elements: str
stopped:
  description: Push stream ids stopped.
  returned: always
  type: list
  elements: str
skipped_rooms:
  description: The rooms skipped because their name cannot be recorded, each with why.
  returned: always
  type: list
  elements: dict
rooms:
  description: What happened to each room (see M(mediaops.antmedia.room_recordings)).
  returned: when rooms were converged
  type: list
  elements: dict
lock_waited:
  description: Seconds spent waiting for the server's lock.
  returned: when the server was read
  type: float
"""
