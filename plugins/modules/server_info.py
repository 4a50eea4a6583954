#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: server_info
short_description: Read whether an Ant Media Server is ready, and its live pushes and recordings per application
version_added: 0.1.0
author: mediaops team (@mediaops)
description:
  - Reads, for each application in O(apps), whether the REST API answers, whether the Media Push plugin is loaded
    and ready to push, and which media pushes and recordings are live; and the server's version.
  - I(Loaded) is not I(ready). The plugin's REST routes exist as soon as its jar is loaded, but its setup
    (ChromeDriver, writing its publisher page) runs after the application starts and may fail. A push can start
    only once the publisher page C(/APP/media-push/media-push-publisher.html) answers 200 (RV(apps.media_push_ready)).
  - Used before a restart (a restart ends every push and loses the recording in progress) and after it (wait
    until the server is ready, then check that the plugin is loaded).
  - Says what a restart would cut (RV(busy)) and what could not be read (RV(unreadable)). It fails closed. An
    application whose state could not be read for any reason (no answer, a timeout, a 403 of a security filter, an
    HTML page instead of JSON, an application that is not there, a list that makes no sense) is listed in
    RV(unreadable) with its reason and never counts as idle. A restart is safe only when both are empty.
  - One application that cannot be read costs only itself; the others are still read. When the server does not
    answer at all (refused, or no answer within O(timeout)), the applications not yet asked are listed as unreadable
    without asking them.
  - The task does not fail for what the server answers, only for bad input, so it can be retried with C(until).
extends_documentation_fragment:
  - mediaops.antmedia.connection
  - mediaops.antmedia.attributes
  - mediaops.antmedia.attributes.info_module
options:
  app:
    description:
      - Not used by this module (see O(apps)); accepted so that the C(antmedia) action group can set it.
    type: raw
    required: false
  apps:
    description:
      - The applications to read, for example V(LiveApp) and V(WebRTCAppEE).
      - Defaults to O(app) when that is set.
    type: list
    elements: raw
notes:
  - The Media Push plugin has no read route. The module sends a C(GET) to its start route, which only accepts
    C(POST); the server answers 405 when the plugin is loaded and 404 when it is not (a 200 page, not JSON, in a
    Circle application). Nothing is started.
  - A Circle application answers a missing page with its own 200 page, so the publisher page counts as there only
    when it is the plugin's page (it holds the plugin's C(media-push-iframe)).
  - A media push may record although its broadcast's recording fields are 0 (a push started with a record
    type), so every live media push is listed in RV(apps.active_recordings) too, so a restart guard errs on the safe
    side. Streams recorded only because of the application's record-every-stream setting are not listed.
seealso:
  - module: mediaops.antmedia.broadcast_info
"""

EXAMPLES = r"""
- name: Wait until the server answers after a restart
  mediaops.antmedia.server_info:
    apps: [LiveApp, WebRTCAppEE]
  register: antmedia
  until: antmedia.ready
  retries: 30
  delay: 2

- name: Wait until Media Push can start pushes (its publisher page is there)
  mediaops.antmedia.server_info:
    apps: [LiveApp]
  register: antmedia
  until: antmedia.ready and antmedia.media_push_ready
  retries: 30
  delay: 2

- name: Refuse to go on while a restart would cut something, or the server could not be read
  ansible.builtin.assert:
    that:
      - antmedia.busy | length == 0
      - antmedia.unreadable | length == 0
    fail_msg: "busy: {{ antmedia.busy | map(attribute='stream_id') | join(', ') }}; unreadable: {{ antmedia.not_ready_reason }}"
"""

RETURN = r"""
ready:
  description: Whether every application of O(apps) was read (RV(unreadable) is empty).
  returned: always
  type: bool
  sample: true
not_ready_reason:
  description: Why the server is not ready, one reason per unreadable application (empty when it is ready).
  returned: always
  type: str
  sample: app LiveApp is still starting (Application is getting initialized, HTTP 403)
busy:
  description:
    - What a restart would cut, one item per application and live stream that is a media push or records
      (see the notes about recordings). Empty when nothing is live in the applications that were read.
    - Read together with RV(unreadable), since an application that could not be read lists nothing here.
  returned: always
  type: list
  elements: dict
  contains:
    app:
      description: The application.
      type: str
    stream_id:
      description: The stream id.
      type: str
    media_push:
      description: Whether it is a media push.
      type: bool
    recording:
      description: Whether it records (every live media push counts as recording).
      type: bool
  sample: [{app: LiveApp, stream_id: board-meeting_composite, media_push: true, recording: true}]
unreadable:
  description:
    - The applications that could not be read, each as C(app) and C(reason) (why, in one line); a restart may cut
      something there.
  returned: always
  type: list
  elements: dict
  sample: [{app: LiveApp, reason: "cannot reach http://127.0.0.1:5080: no answer within 10 s (timeout) (after 1 attempts)"}]
edition:
  description:
    - V(Enterprise) or V(Community), from the C(versionType) of C(GET /APP/rest/v2/version) (C(Enterprise Edition) or
      C(Community Edition)); empty when the server was not read or says something else.
  returned: always
  type: str
  sample: Enterprise
media_push_not_loaded:
  description: The applications read where the Media Push plugin is not loaded.
  returned: always
  type: list
  elements: str
  sample: []
media_push_not_ready:
  description: The applications read where Media Push cannot push yet (not loaded, or its publisher page is missing).
  returned: always
  type: list
  elements: str
  sample: [LiveApp]
version_name:
  description:
    - The server's version, the C(versionName) of C(GET /APP/rest/v2/version) (read once, from the first application).
    - Empty when no application could be read.
  returned: always
  type: str
  sample: 3.0.1
media_push_ready:
  description: Whether RV(apps.media_push_ready) is true in every application of O(apps) (false when not ready).
  returned: always
  type: bool
  sample: true
apps:
  description: Per application that was read (those in RV(unreadable) are left out).
  returned: always
  type: dict
  contains:
    media_push_loaded:
      description: Whether the Media Push routes exist in the application (the plugin's jar was loaded).
      type: bool
      sample: true
    media_push_ready:
      description:
        - Whether a push can start in the application, that is the plugin is loaded and its publisher page
          C(/APP/media-push/media-push-publisher.html) answers 200. False while the plugin's setup is still running,
          or when it failed.
      type: bool
      sample: true
    active_broadcasts:
      description: How many broadcasts are broadcasting.
      type: int
      sample: 3
    active_pushes:
      description: Stream ids of the broadcasting media pushes (broadcasts whose C(metaData) holds C(driverIp)).
      type: list
      elements: str
      sample: [board-meeting_composite]
    active_recordings:
      description: Stream ids of broadcasting streams with recording on, and of every live media push (see the notes).
      type: list
      elements: str
      sample: [board-meeting_composite]
  sample:
    LiveApp:
      media_push_loaded: true
      media_push_ready: true
      active_broadcasts: 3
      active_pushes: [board-meeting_composite]
      active_recordings: [board-meeting_composite]
"""

from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import run_module
from ansible_collections.mediaops.antmedia.plugins.module_utils._server_info import read_server
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError, check_id


def choose_apps(params):
    """apps, or app alone; the first one is the client's app."""
    apps = params["apps"] or ([params["app"]] if params["app"] else [])
    if not apps:
        raise ValidationError("apps is required: the applications to read, for example [LiveApp]")
    for index, app in enumerate(apps):
        check_id(app, "apps[%d]" % index)
    params["apps"] = apps
    params["app"] = apps[0]


def read(params, client, check_mode):
    client.retries = 0  # one quick attempt per call: callers that wait for readiness retry the task with until
    return dict(read_server(client, params["apps"]), changed=False)


def main():
    run_module(dict(app=dict(type="raw", required=False),  # raw: a YAML number or boolean is refused
                    apps=dict(type="list", elements="raw")),
               read, prepare=choose_apps, supports_check_mode=True)


if __name__ == "__main__":
    main()
