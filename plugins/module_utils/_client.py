# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of the collection: the only code that speaks to Ant Media Server (private API).

This module is the AMS API (broadcasts, recording, Media Push, VoDs, the version, what a "not found" means);
the HTTP side (connections, TLS, cookies, credentials, retries, one-line errors) is _transport.py, whose public
names are re-exported here for the modules that import them from the client.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

# re-exported: the modules and other module_utils import these names from the client
from ansible_collections.mediaops.antmedia.plugins.module_utils._transport import (  # noqa: F401 pylint: disable=unused-import
    READ_METHODS,
    AntMediaError,
    Answer,
    ConnectFailed,
    ConnectionLost,
    OutcomeUnknownError,
    ReadTimedOut,
    Response,
    Session,
    TLSFailed,
    Transport,
    TransportError,
    is_json,
    retry_after_seconds,
)

# The list endpoints cap a page (50 in old servers, 250 in current ones); we ask for this many.
PAGE_SIZE = 50
MAX_PAGES = 10000

# A script that returns a constant: run in a Media Push session's page, it changes nothing.
SESSION_PROBE_SCRIPT = "return 0"


class PluginMissingError(AntMediaError):
    """The Media Push REST routes are not there: the plugin is not loaded in this app."""


class ServerResult(object):
    """A Result body: ``{"success": bool, "message": str, "dataId": str, "errorId": int}``."""

    def __init__(self, body):
        body = body if isinstance(body, dict) else {}
        self.success = body.get("success") is True
        # AMS < 2.9 sends null, later versions "": the same thing.
        self.message = body.get("message") or ""
        self.data_id = body.get("dataId") or ""
        self.body = body

    def __repr__(self):
        return "ServerResult(success=%r, message=%r, data_id=%r)" % (self.success, self.message, self.data_id)


def version_tuple(version_name):
    """(major, minor, patch) of a versionName such as "2.10.1" or "3.0.1-SNAPSHOT"; None when unreadable."""
    numbers = re.match(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?", version_name or "")
    if not numbers:
        return None
    return tuple(int(part or 0) for part in numbers.groups())


class AntMediaClient(Session):
    """REST client for one application of one Ant Media Server."""

    def __init__(self, url, app, **kwargs):
        super(AntMediaClient, self).__init__(url, app, **kwargs)
        self._apps_known = {}  # app -> whether it answered the JSON probe
        self._version = None  # the body of GET v2/version, read once per client (one run)

    def app_url(self, path):
        return "%s/%s/rest/%s" % (self.base_url, quote(self.app, safe=""), path.lstrip("/"))

    def page_url(self, path):
        """A page of the application itself (outside its REST root)."""
        return "%s/%s/%s" % (self.base_url, quote(self.app, safe=""), path.lstrip("/"))

    def request(self, method, path, params=None, body=None, media_push=False, root=False, page=False):
        """Send one request under the retry policy; return a Response with status < 400.

        404 answers are returned to the caller (who knows what a missing thing means) except on
        Media Push routes, where a 404 or a non-JSON answer (Circle's 200 page) means the plugin
        is not loaded.
        """
        # root: the server management API (/rest/...), outside every application; page: the app's own pages
        if root:
            url = "%s/rest/%s" % (self.base_url, path.lstrip("/"))
        else:
            url = self.page_url(path) if page else self.app_url(path)
        response = self.exchange(method, url, path, params=params, body=body)
        if media_push and (response.status == 404 or not is_json(response)):
            raise self._plugin_missing(path, response)
        return response

    def _plugin_missing(self, path, response):
        """The error for a Media Push route that is not there (HTML 404, or a 200 page in a Circle app)."""
        if not self.app_exists():
            return self._no_app_error(response, path.split("?")[0])
        return PluginMissingError(
            "the Media Push plugin is not loaded in app %s on this server (HTTP %d%s on %s): install it with the "
            "mediaops.antmedia.media_push_plugin role, then restart the server"
            % (self.app, response.status, "" if response.status == 404 else ", a page instead of JSON,",
               path.split("?")[0]), status=404, kind="plugin")

    # ---- JSON helpers --------------------------------------------------------------------
    def _json(self, response, what):
        try:
            return response.json()
        except ValueError:
            raise AntMediaError("the answer to %s is not JSON (HTTP %d, %s)"
                                % (what, response.status, self._page_reason(response)), kind="protocol")

    def _result(self, response, what):
        body = self._json(response, what)
        if not isinstance(body, dict) or "success" not in body:
            raise AntMediaError("the answer to %s is not a Result object" % what, kind="protocol")
        result = ServerResult(body)
        result.message = self.redact(result.message)
        return result

    def app_exists(self):
        """Whether the client's app exists: one JSON probe per app and run (GET v2/broadcasts/count
        answers {"number": N} in every application; an unknown one gets Tomcat's HTML 404)."""
        known = self._apps_known.get(self.app)
        if known is None:
            response = self.request("GET", "v2/broadcasts/count")
            known = False
            if response.status < 400 and is_json(response):
                try:
                    known = isinstance(response.json(), dict) and "number" in response.json()
                except ValueError:
                    known = False
            self._apps_known[self.app] = known
        return known

    def _no_app_error(self, response, what):
        return AntMediaError("there is no application %s on this server (HTTP %d for %s, and no JSON answer to "
                             "v2/broadcasts/count)" % (self.app, response.status, what), status=404, kind="app")

    def _not_found_is_app(self, response, what):
        """A non-JSON answer (HTML 404, or Circle's 200 page) is "not found": of the thing asked for when
        the app answers the JSON probe, else of the application itself (raised)."""
        if not is_json(response) and not self.app_exists():
            raise self._no_app_error(response, what)

    def _paged(self, path_template, params=None, what="list"):
        """Every item of a list endpoint, or None when it answers 404.

        The offset advances by the length of each page (the server may cap a page shorter than
        asked) until an empty page comes back.
        """
        items = []
        seen = set()
        offset = 0
        for _page in range(MAX_PAGES):
            response = self.request("GET", path_template % (offset, PAGE_SIZE), params=params)
            if response.status == 404 or not is_json(response):
                self._not_found_is_app(response, what)
                return None
            page = self._json(response, what)
            if not isinstance(page, list):
                raise AntMediaError("the answer to %s is not a list" % what, kind="protocol")
            if not page:
                return items
            keys = [_item_key(item) for item in page]
            if all(key in seen for key in keys):
                raise AntMediaError("%s repeats itself at offset %d instead of advancing" % (what, offset),
                                    kind="protocol")
            seen.update(keys)
            items.extend(page)
            offset += len(page)
        raise AntMediaError("%s has more than %d pages" % (what, MAX_PAGES), kind="protocol")

    # ---- reads ---------------------------------------------------------------------------
    def get_broadcast(self, stream_id):
        """The broadcast as the server reports it, or None when there is none."""
        what = "broadcast %s" % stream_id
        response = self.request("GET", "v2/broadcasts/%s" % quote(stream_id, safe=""))
        if response.status == 404 or not is_json(response):
            self._not_found_is_app(response, what)  # a 200 page (Circle) means absent too
            return None
        body = self._json(response, what)
        if not isinstance(body, dict) or not body.get("streamId"):
            return None
        return body

    def list_broadcasts(self):
        """Every broadcast of the app: paged until an empty page (a page may be capped short)."""
        return self._required(self._paged("v2/broadcasts/list/%d/%d", what="the broadcast list"), "the broadcast list")

    def list_subtracks(self, stream_id):
        """The participant broadcasts of a room (AMS 3.x), or None when the room does not exist there
        (or the server has no such endpoint: AMS 2.x, see server_version)."""
        return self._paged("v2/broadcasts/" + quote(stream_id, safe="").replace("%", "%%") + "/subtracks/%d/%d",
                           what="the participants of %s" % stream_id)

    def list_vods(self, stream_id=None):
        """The app's VoDs (only those of stream_id when given)."""
        params = {"streamId": stream_id} if stream_id else None
        vods = self._required(self._paged("v2/vods/list/%d/%d", params=params, what="the VoD list"), "the VoD list")
        if stream_id:
            vods = [vod for vod in vods if isinstance(vod, dict) and vod.get("streamId") == stream_id]
        return vods

    def _required(self, items, what):
        """A list endpoint every application has must answer (fail closed, never an empty list)."""
        if items is None:
            raise AntMediaError("%s of app %s answered \"not found\"" % (what, self.app), status=404, kind="protocol")
        return items

    def server_version(self):
        """The server's versionName (GET v2/version), read once per client."""
        if self._version is None:
            response = self.request("GET", "v2/version")
            if response.status == 404 or not is_json(response):
                self._not_found_is_app(response, "v2/version")
                raise AntMediaError("the server does not say its version (GET v2/version answered HTTP %d without "
                                    "JSON)" % response.status, status=response.status, kind="protocol")
            body = self._json(response, "v2/version")
            name = body.get("versionName") if isinstance(body, dict) else None
            if not isinstance(name, str) or version_tuple(name) is None:
                raise AntMediaError("the server's version %r (GET v2/version) is not a version number" % (name,),
                                    kind="protocol")
            self._version = body
        return self._version["versionName"]

    def server_version_field(self, name):
        """Another field of GET v2/version (for example versionType, the edition), or None."""
        self.server_version()
        return self._version.get(name)

    def server_version_tuple(self):
        return version_tuple(self.server_version())

    def get_page(self, path):
        """GET a page of the app itself (not its REST API); the Response, whatever its status."""
        return self.request("GET", path, page=True)

    # ---- writes --------------------------------------------------------------------------
    def set_recording(self, stream_id, enabled, record_type, resolution_height=None):
        params = {"recordType": record_type}
        if resolution_height:
            params["resolutionHeight"] = str(resolution_height)
        path = "v2/broadcasts/%s/recording/%s" % (quote(stream_id, safe=""), "true" if enabled else "false")
        response = self.request("PUT", path, params=params)
        if response.status == 404:
            self._not_found_is_app(response, "recording of %s" % stream_id)
            return ServerResult({"success": False, "message": ""})
        return self._result(response, "the recording request")

    def create_broadcast(self, stream_id, fields):
        """POST v2/broadcasts/create with the stream id and fields: True when the server created it. A refusal (the
        id is taken, or invalid) answers 400 with a Result: False, and the caller reads what is there."""
        what = "the creation of broadcast %s" % stream_id
        try:
            response = self.request("POST", "v2/broadcasts/create", body=dict(fields, streamId=stream_id))
        except AntMediaError as exc:
            if exc.status == 400:
                return False
            raise
        if response.status == 404 or not is_json(response):
            self._not_found_is_app(response, what)
        body = self._json(response, what)
        if isinstance(body, dict) and body.get("streamId") == stream_id:
            return True
        raise AntMediaError("the answer to %s is not that broadcast" % what, kind="protocol")

    def update_broadcast(self, stream_id, fields):
        """PUT v2/broadcasts/{id} with a JSON body (a BroadcastUpdate from AMS 2.10.1, a whole Broadcast before)."""
        response = self.request("PUT", "v2/broadcasts/%s" % quote(stream_id, safe=""), body=fields)
        if response.status == 404:
            self._not_found_is_app(response, "the update of %s" % stream_id)
            return ServerResult({"success": False, "message": ""})
        return self._result(response, "the broadcast update")

    def stop_broadcast(self, stream_id):
        """POST v2/broadcasts/{id}/stop: the server ends the stream (no Media Push involved)."""
        response = self.request("POST", "v2/broadcasts/%s/stop" % quote(stream_id, safe=""))
        if response.status == 404:
            self._not_found_is_app(response, "the stop of %s" % stream_id)
            return ServerResult({"success": False, "message": ""})
        return self._result(response, "the broadcast stop")

    def start_media_push(self, stream_id, endpoint):
        """POST /v1/media-push/start; endpoint is the Endpoint body (url, width, height, ...)."""
        response = self.request("POST", "v1/media-push/start", params={"streamId": stream_id}, body=endpoint,
                                media_push=True)
        return self._result(response, "the Media Push start")

    def stop_media_push(self, stream_id):
        response = self.request("POST", "v1/media-push/stop/%s" % quote(stream_id, safe=""), body={},
                                media_push=True)
        return self._result(response, "the Media Push stop")

    def media_push_command(self, stream_id, js_command):
        response = self.request("POST", "v1/media-push/send-command", params={"streamId": stream_id},
                                body={"jsCommand": js_command}, media_push=True)
        return self._result(response, "the Media Push command")

    def media_push_session_held(self, stream_id):
        """Whether this server's Media Push plugin holds a browser session for stream_id: its own session map, which
        no publisher can write (a stream's metaData is the publisher's). send-command answers "Driver does not exist
        for stream id: ID" without one, and runs the script with one (a constant: nothing changes); anything else
        is an error (fail closed)."""
        result = self.media_push_command(stream_id, SESSION_PROBE_SCRIPT)
        if result.success or result.message.startswith("Command cannot be executed"):
            return True  # a session exists (its page may have failed to run the script)
        if result.message.startswith("Driver does not exist"):
            return False
        raise AntMediaError("the Media Push plugin's answer to the session check of %s is neither a session nor "
                            "\"Driver does not exist\": %s" % (stream_id, result.message or "no reason given"),
                            kind="protocol")


def _item_key(item):
    if isinstance(item, dict):
        for key in ("vodId", "streamId"):  # a VoD also has the streamId it was recorded from
            if item.get(key):
                return "%s=%s" % (key, item[key])
    return json.dumps(item, sort_keys=True)
