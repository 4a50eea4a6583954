# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a server is ready, whether Media Push is loaded, and what is live (private API)."""

from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.module_utils._broadcast import (
    ON,
    is_broadcasting,
    is_media_push,
    recording_state,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError, is_json

NOT_READY_KINDS = ("connection", "initializing")
PUBLISHER_PAGE = "media-push/media-push-publisher.html"
# The plugin's publisher page holds the frame the target page is loaded into; Circle's 200 page does not.
PUBLISHER_MARKER = "media-push-iframe"


def media_push_loaded(client):
    """The plugin has no read route: a GET on its POST-only start route is 405 when loaded; 404 when not
    (a 200 page, not JSON, in a Circle application)."""
    try:
        response = client.request("GET", "v1/media-push/start")
    except AntMediaError as exc:
        if exc.status == 405:
            return True
        raise
    if response.status == 404 or not is_json(response):
        return False
    raise AntMediaError("GET v1/media-push/start answered HTTP %d; expected 405 (plugin loaded) or 404 (not loaded)"
                        % response.status, status=response.status, kind="protocol")


def media_push_ready(client):
    """Ready to push: the plugin's setup (run after the app starts) wrote its publisher page, which answers 200.
    A Circle app answers every missing page with its own 200 page, so the page's content is checked too."""
    response = client.get_page(PUBLISHER_PAGE)
    return response.status == 200 and PUBLISHER_MARKER in response.text


def live_state(broadcasts):
    """Counts and stream ids of what a restart would end: live broadcasts, pushes and recordings."""
    live = [broadcast for broadcast in broadcasts if isinstance(broadcast, dict) and is_broadcasting(broadcast)]
    pushes = sorted(broadcast["streamId"] for broadcast in live if is_media_push(broadcast))
    # A push may record without its fields saying so (started with a recordType): counted as recording.
    recordings = sorted(broadcast["streamId"] for broadcast in live
                        if is_media_push(broadcast) or ON in recording_state(broadcast).values())
    return dict(active_broadcasts=len(live), active_pushes=pushes, active_recordings=recordings)


def read_server(client, apps):
    """{ready, not_ready_reason, version_name, apps: {APP: {...}}} for the client's server; the client's app is
    switched per app."""
    report = {}
    version_name = ""
    for app in apps:
        client.app = app
        try:
            app_state = live_state(client.list_broadcasts())
            if not version_name:
                version_name = client.server_version()  # the server's, so read once
            app_state["media_push_loaded"] = media_push_loaded(client)
            app_state["media_push_ready"] = app_state["media_push_loaded"] and media_push_ready(client)
        except AntMediaError as exc:
            if exc.kind in NOT_READY_KINDS:
                return dict(ready=False, not_ready_reason=exc.message if app in exc.message else "app %s: %s" % (app, exc.message),
                            version_name=version_name, media_push_ready=False, apps={})
            raise
        report[app] = app_state
    return dict(ready=True, not_ready_reason="", version_name=version_name,
                media_push_ready=bool(report) and all(state["media_push_ready"] for state in report.values()), apps=report)
