# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-memory Ant Media Server answering at requests.Session.request, the lowest level the
client uses. It follows the contract (shared/ams-contract.md) closely enough for unit tests of
decisions and the request policy; the integration tests use the real stand-in process."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit


WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")


class FakeResponse(object):
    def __init__(self, status, body=None, text=None, content_type="application/json"):
        self.status_code = status
        if text is None:
            text = "" if body is None else json.dumps(body)
        self.text = text
        self.headers = {"Content-Type": content_type}


def error_page(status, reason):
    return FakeResponse(status, text="<html><head><title>Error</title></head><body><h1>HTTP Status %d - %s</h1>"
                                     "<p>%s</p></body></html>" % (status, reason, reason), content_type="text/html")


class Call(object):
    def __init__(self, method, path, params, body, headers, timeout, verify):
        self.method = method
        self.path = path
        self.params = dict(params or {})
        self.body = body
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.verify = verify

    @property
    def is_write(self):
        return self.method in WRITE_METHODS

    def __repr__(self):
        return "%s %s %s" % (self.method, self.path, self.params)


class FakeAMS(object):
    """One application of one server."""

    def __init__(self, app="live", page_cap=50):
        self.app = app
        self.page_cap = page_cap
        self.broadcasts = {}
        self.sessions = {}
        self.recorders = {}  # stream id -> set of record types actually recording
        self.vods = []
        self.calls = []
        self.injected = []
        self.plugin_loaded = True
        self.vod_counter = 0

    # ---- test set-up -------------------------------------------------------------------
    def add_broadcast(self, stream_id, status="broadcasting", recording=(), **fields):
        broadcast = {"streamId": stream_id, "name": stream_id, "status": status, "type": "liveStream",
                     "mp4Enabled": 0, "webMEnabled": 0, "metaData": None}
        broadcast.update(fields)
        self.broadcasts[stream_id] = broadcast
        self.recorders[stream_id] = set(recording)
        return broadcast

    def add_push(self, stream_id, width=1280, height=720, record_type=None, **fields):
        """A push started by someone else (with recordType: recording while the fields say 0)."""
        self.sessions[stream_id] = {"width": width, "height": height}
        return self.add_broadcast(stream_id, width=width, height=height, recording=[record_type] if record_type else [],
                                  metaData=json.dumps({"driverIp": "10.0.0.5"}), zombi=True, **fields)

    def inject(self, method, path_pattern, outcome):
        """The next matching request gets outcome: an exception to raise, a FakeResponse, or a
        function called instead of the route (it may change the server, then raise)."""
        self.injected.append((method, re.compile(path_pattern), outcome))

    @property
    def writes(self):
        return [call for call in self.calls if call.is_write]

    # ---- the server --------------------------------------------------------------------
    def __call__(self, session, method, url, params=None, headers=None, json=None, timeout=None, verify=None,
                 **kwargs):
        path = urlsplit(url).path
        self.calls.append(Call(method, path, params, json, headers, timeout, verify))
        for index, (inj_method, pattern, outcome) in enumerate(self.injected):
            if inj_method == method and pattern.search(path):
                del self.injected[index]
                if isinstance(outcome, BaseException):
                    raise outcome
                if callable(outcome):  # a side effect on the server, which may then raise
                    return outcome()
                return outcome
        prefix = "/%s/rest/" % self.app
        if not path.startswith(prefix):
            return error_page(404, "Not Found")
        parts = [unquote(part) for part in path[len(prefix):].split("/")]
        params = dict(params or {})
        if parts[0] == "v1" and parts[1] == "media-push":
            if not self.plugin_loaded:
                return error_page(404, "Not Found")
            return self.media_push(method, parts[2:], params, json or {})
        if parts[:2] == ["v2", "broadcasts"]:
            return self.broadcast_routes(method, parts[2:], params)
        if parts[:3] == ["v2", "vods", "list"] and method == "GET":
            items = [vod for vod in self.vods if not params.get("streamId") or vod["streamId"] == params["streamId"]]
            return self.page(items, parts[3], parts[4])
        return error_page(404, "Not Found")

    def page(self, items, offset, size):
        offset, size = int(offset), min(int(size), self.page_cap)
        return FakeResponse(200, items[offset:offset + size])

    def broadcast_routes(self, method, parts, params):
        if parts[0] == "list" and method == "GET":
            return self.page(list(self.broadcasts.values()), parts[1], parts[2])
        stream_id = parts[0]
        broadcast = self.broadcasts.get(stream_id)
        if len(parts) == 1 and method == "GET":
            return FakeResponse(200, broadcast) if broadcast else FakeResponse(404)
        if len(parts) == 4 and parts[1] == "subtracks" and method == "GET":
            if broadcast is None:
                return FakeResponse(404, {"success": False, "message": "Broadcast not found with id: " + stream_id})
            items = [item for item in self.broadcasts.values() if item.get("mainTrackStreamId") == stream_id]
            return self.page(items, parts[2], parts[3])
        if len(parts) == 3 and parts[1] == "recording" and method == "PUT":
            return FakeResponse(200, self.recording(stream_id, parts[2] == "true", params.get("recordType", "mp4")))
        return error_page(405, "Method Not Allowed")

    def recording(self, stream_id, enable, record_type):
        if record_type not in ("mp4", "webm"):
            return {"success": False, "message": "No stream for this id: %s or unexpected record type. Record type is null"
                    % stream_id, "dataId": "", "errorId": 0}
        broadcast = self.broadcasts.get(stream_id)
        field = "mp4Enabled" if record_type == "mp4" else "webMEnabled"
        if broadcast is None:
            return {"success": False, "message": "", "dataId": "", "errorId": 0}
        if broadcast["status"] != "broadcasting":
            broadcast[field] = 1 if enable else -1
            return {"success": True, "message": "", "dataId": "", "errorId": 0}
        recording = self.recorders.setdefault(stream_id, set())
        if enable == (record_type in recording):
            return {"success": False, "message": "%s recording couldn't be %s" % (record_type, "started" if enable else "stopped"),
                    "dataId": "", "errorId": 0}
        broadcast[field] = 1 if enable else -1
        if enable:
            recording.add(record_type)
            return {"success": True, "message": "1234", "dataId": "v" * 24, "errorId": 0}
        recording.discard(record_type)
        return {"success": True, "message": "1234", "dataId": self.finalise(stream_id, record_type), "errorId": 0}

    def finalise(self, stream_id, record_type):
        self.vod_counter += 1
        vod_id = "vod%021d" % self.vod_counter
        self.vods.append({"vodId": vod_id, "streamId": stream_id, "vodName": "%s.%s" % (stream_id, record_type),
                          "filePath": "streams/%s.%s" % (stream_id, record_type), "duration": 5000,
                          "fileSize": 1000, "type": "streamVod"})
        return vod_id

    def media_push(self, method, parts, params, body):
        if method != "POST":
            return error_page(405, "Method Not Allowed")
        if parts[0] == "start":
            stream_id = params.get("streamId")
            if not str(body.get("url", "")).startswith(("http://", "https://")):
                return FakeResponse(200, {"success": False, "message": "Incoming url: %s is not a valid url" % body.get("url")})
            if stream_id in self.sessions:
                return FakeResponse(200, {"success": False, "message": "Session with the same streamId: %s already exists. "
                                                                       "Please stop it first" % stream_id})
            self.sessions[stream_id] = dict(body)
            self.add_broadcast(stream_id, width=body.get("width"), height=body.get("height"),
                               recording=[body["recordType"]] if body.get("recordType") else [],
                               metaData=json.dumps({"driverIp": "10.0.0.5"}), zombi=True)
            return FakeResponse(200, {"success": True, "message": "", "dataId": stream_id, "errorId": 0})
        if parts[0] == "stop":
            stream_id = parts[1]
            if stream_id not in self.sessions:
                return FakeResponse(200, {"success": False, "message": "Driver does not exist for stream id: " + stream_id})
            del self.sessions[stream_id]
            for record_type in sorted(self.recorders.pop(stream_id, set())):
                self.finalise(stream_id, record_type)
            self.broadcasts.pop(stream_id, None)
            return FakeResponse(200, {"success": True, "message": "", "dataId": "", "errorId": 0})
        if parts[0] == "send-command":
            ok = params.get("streamId") in self.sessions
            return FakeResponse(200, {"success": ok, "message": "" if ok else "Driver does not exist for stream id: x"})
        return error_page(404, "Not Found")


class FakeClock(object):
    """time.sleep and time.monotonic for tests: sleeping advances the clock at once."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now
