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
  - A server that refuses connections or answers C(Application is getting initialized) is reported with
    RV(ready=false); the task does not fail, so it can be retried with C(until).
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

- name: Refuse to go on while something records
  ansible.builtin.assert:
    that: antmedia.apps.LiveApp.active_recordings | length == 0
"""

RETURN = r"""
ready:
  description: Whether the REST API of every application answered.
  returned: always
  type: bool
  sample: true
not_ready_reason:
  description: Why the server is not ready (empty when it is).
  returned: always
  type: str
  sample: app LiveApp is still starting (Application is getting initialized, HTTP 403)
version_name:
  description:
    - The server's version, the C(versionName) of C(GET /APP/rest/v2/version) (read once, from the first application).
    - Empty when the server is not ready.
  returned: always
  type: str
  sample: 3.0.1
media_push_ready:
  description: Whether RV(apps.media_push_ready) is true in every application of O(apps) (false when not ready).
  returned: always
  type: bool
  sample: true
apps:
  description: Per application (only when RV(ready) is true; empty otherwise).
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
