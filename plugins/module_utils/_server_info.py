# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a server is ready, whether Media Push is loaded, what is live, and so whether a restart would cut
something (private API).

The restart guard is decided here and fails closed: an app whose state could not be read for any reason (no
answer, a timeout, a 403, HTML instead of JSON, a list that makes no sense) is listed in ``unreadable`` with
its reason, and never counts as idle.
"""

from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.module_utils._broadcast import (
    ON,
    is_broadcasting,
    is_media_push,
    recording_state,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError, is_json

# Errors after which the other apps are not asked: the server itself did not answer.
UNREACHABLE_KINDS = ("connection",)
PUBLISHER_PAGE = "media-push/media-push-publisher.html"
# The plugin's publisher page holds the frame the target page is loaded into; Circle's 200 page does not.
PUBLISHER_MARKER = "media-push-iframe"
# RestServiceBase.ENTERPRISE_EDITION / COMMUNITY_EDITION, the versionType of GET v2/version.
EDITIONS = {"Enterprise Edition": "Enterprise", "Community Edition": "Community"}


class UnreadableState(AntMediaError):
    """An answer that parsed but cannot be trusted to say what is live."""


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
    """Counts and stream ids of what a restart would end: live broadcasts, pushes and recordings.

    An item that is not a broadcast with a stream id makes the whole list unreadable (fail closed)."""
    for index, broadcast in enumerate(broadcasts):
        if not isinstance(broadcast, dict) or not isinstance(broadcast.get("streamId"), str) \
                or not broadcast["streamId"]:
            raise UnreadableState("item %d of the broadcast list is not a broadcast with a streamId" % index,
                                  kind="protocol")
    live = [broadcast for broadcast in broadcasts if is_broadcasting(broadcast)]
    pushes = sorted(broadcast["streamId"] for broadcast in live if is_media_push(broadcast))
    # A push may record without its fields saying so (started with a recordType): counted as recording.
    recordings = sorted(broadcast["streamId"] for broadcast in live
                        if is_media_push(broadcast) or ON in recording_state(broadcast).values())
    return dict(active_broadcasts=len(live), active_pushes=pushes, active_recordings=recordings)


def busy_items(apps_state):
    """What a restart would cut, one item per app and stream: {app, stream_id, media_push, recording}."""
    items = []
    for app, state in apps_state.items():
        pushes = set(state["active_pushes"])
        recordings = set(state["active_recordings"])
        for stream_id in sorted(pushes | recordings):
            items.append(dict(app=app, stream_id=stream_id, media_push=stream_id in pushes,
                              recording=stream_id in recordings))
    return items


def edition_of(version_type):
    """Enterprise or Community from GET v2/version's versionType; "" when the server says something else."""
    return EDITIONS.get(version_type, "") if isinstance(version_type, str) else ""


def _read_app(client, app):
    client.app = app
    state = live_state(client.list_broadcasts())
    state["media_push_loaded"] = media_push_loaded(client)
    state["media_push_ready"] = state["media_push_loaded"] and media_push_ready(client)
    return state


def _one_line(exc):
    return " ".join(str(getattr(exc, "message", None) or exc).split())


def read_server(client, apps):
    """The state of the client's server, app by app (the client's app is switched per app).

    ``ready``: every app was read; ``busy``: what a restart would cut; ``unreadable``: [{app, reason}] of the
    apps that could not be read (a restart may cut something there too). One app that cannot be read costs only
    itself, except when the server does not answer at all: then the apps not yet asked are not asked."""
    report = {}
    unreadable = []
    unreachable = None
    version_name = edition = ""
    for app in apps:
        if unreachable is not None:
            unreadable.append(dict(app=app, reason="not asked, the server did not answer (%s)" % unreachable))
            continue
        try:
            report[app] = _read_app(client, app)
            if not version_name:
                version_name = client.server_version()  # the server's, so read once
                edition = edition_of(client.server_version_field("versionType"))
        except AntMediaError as exc:
            report.pop(app, None)
            unreadable.append(dict(app=app, reason=_one_line(exc)))
            if exc.kind in UNREACHABLE_KINDS:
                unreachable = _one_line(exc)
    ready = not unreadable
    return dict(
        ready=ready,
        not_ready_reason="; ".join(item["reason"] if item["app"] in item["reason"] else
                                   "app %s: %s" % (item["app"], item["reason"]) for item in unreadable),
        version_name=version_name,
        edition=edition,
        media_push_ready=ready and bool(report) and all(state["media_push_ready"] for state in report.values()),
        media_push_not_loaded=[app for app in report if not report[app]["media_push_loaded"]],
        media_push_not_ready=[app for app in report if not report[app]["media_push_ready"]],
        apps=report,
        busy=busy_items(report),
        unreadable=unreadable,
    )
