# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-rulebook event source: the webhooks of Ant Media Server (standard library only)."""

from __future__ import annotations

import asyncio
import collections
import datetime
import hmac
import ipaddress
import itertools
import json
import logging
import math
import os
import re
import socket
import ssl
import time
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

DOCUMENTATION = r"""
---
short_description: Receive the webhooks of Ant Media Server.
description:
  - An ansible-rulebook event source that listens for the hooks Ant Media Server POSTs to an application's
    C(listenerHookURL) (JSON, or form encoding when the server's C(webhookContentType) says so) and puts one
    event per accepted hook on the queue.
  - "Every hook action of AMS 2.8 to 3.x is answered 200: C(liveStreamStarted), C(liveStreamEnded), C(vodReady),
    C(publishTimeoutError), C(encoderNotOpenedError), C(endpointFailed) (2.8), C(playStarted), C(playStopped),
    C(subtrackAddedInTheMainTrack), C(subtrackLeftTheMainTrack), C(firstActiveTrackAddedInMainTrack),
    C(noActiveSubtracksLeftInMainTrack) (2.10), C(liveStreamStatus) (2.12, periodic) and C(idleTimeIsExpired) (2.15),
    plus O(extra_actions). A hook with another action is answered 200 too, with no event."
  - "Each event holds the server's own fields of the hook (C(id), C(action), C(app), C(timestamp), C(streamName),
    C(category), C(vodName), C(vodId), C(mainTrackId), C(roomId), C(metadata), C(subscriberId), and the stream
    figures of C(liveStreamStatus)) plus a key C(ams) with C(action), C(app), C(room) (the conference room the hook
    is about, or null), C(stream_id) (the hook's C(id)), C(timestamp) (milliseconds, an integer; the receive time
    when the server sent none or an implausible one), C(sender) (the server's address), C(received_ms) (when the
    receiver got it, milliseconds, the controller's clock) and C(room_event): C(joined) (a participant started in a
    room: C(firstActiveTrackAddedInMainTrack), C(subtrackAddedInTheMainTrack), or C(liveStreamStarted) with a
    room), C(left) (C(liveStreamEnded) with a room, C(subtrackLeftTheMainTrack)), C(empty)
    (C(noActiveSubtracksLeftInMainTrack)), or null (every other action). A stream without a room, such as a room's
    own C(ROOM_composite) recording push, is never a participant."
  - "Only the server's fields: from AMS 2.15 the server adds every parameter of the publish URL to the hook
    (a publisher's C(token), C(subscriberCode), anything it likes); every key that is not one of the server's is
    dropped before the event is made and never logged. A publisher can still overwrite the server's own keys with
    publish parameters of the same name (C(id), C(action), C(roomId), C(mainTrackId), C(app), C(timestamp), ...): the
    secret proves the sender is the server, not that every field is true. Act on the server's state (read it back),
    never on a hook's word, as the auto_record playbook does."
  - "Publisher content is neutralised, never a reason to refuse the hook (the room's join or leave would be lost):
    Jinja openers (C({{), C({%), C({#)) in any value or key get a space after the brace (events reach playbooks as
    extra vars from a file, which Ansible trusts and renders), integers beyond 2**53 become their digits as a
    string, NaN and infinities become null, and containers nested deeper than 16 levels become null."
  - The server gives a hook 2 seconds and retries it on anything but 200, so the source answers at once and never
    waits for the rules to consume the event.
  - "Authentication: the hook URL carries a secret as its last path segment, C(http://RECEIVER:PORT/PATH/SECRET),
    compared in constant time (during a rotation the previous secret too, until O(previous_secret_until));
    optionally the sender must be in O(allowed_senders). A wrong secret (403), a wrong path (404) or method (405), a
    body over O(max_body_bytes) (413), a body that does not parse (400) or a hook without an C(id) (400) is refused
    with a log line that never holds the secret nor a field of the hook, and no event."
  - "Starvation: a connection from outside O(allowed_senders) is closed as it is accepted, before anything is read
    from it. At most O(max_connections) requests are being received at once (a new connection closes the oldest
    incomplete one) and each must arrive whole within O(request_timeout) seconds."
options:
  host:
    description: The address to listen on.
    type: str
    default: "0.0.0.0"
  port:
    description: The TCP port to listen on.
    type: int
    required: true
  path:
    description: The URL path before the secret segment.
    type: str
    default: "/ams"
  secret:
    description:
      - The secret the hook URL must end with, at least 16 URL-safe characters (letters, digits, C(-_.~)) with both
        letters and digits, for example C(openssl rand -hex 24). Prefer O(secret_env), which keeps the secret out
        of the rulebook and out of ansible-rulebook's log of its arguments.
    type: str
  secret_env:
    description: The name of an environment variable that holds the secret (used when O(secret) is not set).
    type: str
    default: AMS_HOOK_SECRET
  allowed_senders:
    description: Networks (CIDR) the server may send from; empty allows every address.
    type: list
    elements: str
    default: []
  max_body_bytes:
    description: The largest hook body accepted.
    type: int
    default: 65536
  max_connections:
    description: How many connections may be receiving their request at once; past that, each new connection closes
      the oldest one whose request has not arrived whole.
    type: int
    default: 256
  request_timeout:
    description: Seconds a connection has to deliver its whole request (TLS handshake included); the server itself
      gives up on a hook after 2 seconds.
    type: float
    default: 2.0
  previous_secret:
    description:
      - During a rotation, the secret of the previous hook URL, accepted besides the current one until
        O(previous_secret_until). Broadcasts keep the hook URL of their creation, so hooks of existing rooms keep
        using it until their broadcasts are given the new URL. Prefer O(previous_secret_env).
    type: str
  previous_secret_env:
    description: The name of an environment variable that holds the previous secret (used when O(previous_secret) is
      not set).
    type: str
  previous_secret_until:
    description: When the previous secret stops working, an ISO 8601 date and time with its offset (for example
      V(2027-01-31T12:00:00+00:00)) or epoch seconds. Required with a previous secret.
    type: str
  max_pending_events:
    description: How many accepted events may wait for the rules; past that a hook is refused with 503 (the server
      retries it when its C(webhookRetryCount) allows).
    type: int
    default: 10000
  extra_actions:
    description: Hook actions accepted besides the documented ones of Ant Media Server.
    type: list
    elements: str
    default: []
  certfile:
    description: A certificate (PEM) to serve HTTPS; needs O(keyfile).
    type: str
  keyfile:
    description: The key of O(certfile).
    type: str
  password:
    description: The password of O(keyfile), if it has one.
    type: str
"""

EXAMPLES = r"""
- mediaops.antmedia.ams_webhook:
    host: 0.0.0.0
    port: 5001
    secret_env: AMS_HOOK_SECRET
    allowed_senders:
      - 10.77.0.0/24

# During a rotation: the new secret in AMS_HOOK_SECRET, the old one accepted for a month
- mediaops.antmedia.ams_webhook:
    port: 5001
    secret_env: AMS_HOOK_SECRET
    previous_secret_env: AMS_HOOK_PREVIOUS_SECRET
    previous_secret_until: "2027-01-31T12:00:00+00:00"
"""

LOG = logging.getLogger(__name__)

# Every hook action of AMS 2.8 to 3.x (AntMediaApplicationAdapter's HOOK_* constants).
ACTIONS = frozenset([
    # 2.8.0
    "liveStreamStarted", "liveStreamEnded", "vodReady", "publishTimeoutError", "encoderNotOpenedError",
    "endpointFailed",
    # 2.10.0
    "playStarted", "playStopped", "subtrackAddedInTheMainTrack", "subtrackLeftTheMainTrack",
    "firstActiveTrackAddedInMainTrack", "noActiveSubtracksLeftInMainTrack",
    # 2.12.0 (periodic, when webhookStreamStatusUpdatePeriodMs is set) and 2.15.0
    "liveStreamStatus", "idleTimeIsExpired",
])
JOINED_ACTIONS = ("firstActiveTrackAddedInMainTrack", "subtrackAddedInTheMainTrack")
LEFT_ACTIONS = ("subtrackLeftTheMainTrack",)
EMPTY_ACTION = "noActiveSubtracksLeftInMainTrack"
# The keys the server itself writes (notifyHook, notifyWebhookForStreamStatus). From 2.15 every publish parameter
# is added after them (a publisher's token, subscriberCode, ...): any other key is the publisher's and is dropped.
SERVER_FIELDS = frozenset([
    "id", "action", "app", "timestamp", "streamName", "category", "vodName", "vodId", "mainTrackId", "roomId",
    "metadata", "subscriberId",
    "width", "height", "totalByteReceived", "inputQueueSize", "speed", "encodingQueueSize",
    "dropFrameCountInEncoding", "dropPacketCountInIngestion",
])
MIN_SECRET_LENGTH = 16
# URL-safe, and shaped like a token, so that app_settings and drift reports redact it in listenerHookURL
SECRET_FORM = re.compile(r"^(?=.*[A-Za-z])(?=.*[0-9])[A-Za-z0-9_.~-]{%d,}$" % MIN_SECRET_LENGTH)
HEADER_LIMIT = 16384
DRAIN_LIMIT = 4 * 1024 * 1024
MAX_DEPTH = 16               # nesting kept in a hook's metadata; deeper containers become null
LARGEST_INTEGER = 2 ** 53    # larger integers are kept as their digits (a string): the rules engine loses them
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           411: "Length Required", 413: "Payload Too Large", 500: "Internal Server Error",
           503: "Service Unavailable"}
_TEMPLATE_START = re.compile(r"\{(?=[{%#])")
_JSON_STRUCTURE = re.compile(r'["\\\[\]{}]')


class HookRefused(Exception):
    """A request that gets no event: its HTTP status and a reason for the log (never the secret)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


# ---- what a hook may carry into an event ----------------------------------------------------------------------

def neutral_text(text: str) -> str:
    """The text with Jinja's openers ({{, {%, {#) broken by a space. Events reach playbooks as extra vars from a
    file, which Ansible trusts and renders: a room named "{{ lookup('pipe', ...) }}" would run on the controller."""
    return _TEMPLATE_START.sub("{ ", text)


def _json_integer(digits: str) -> int | str:
    # Long digit strings stay text: no int() on them (Python caps its digits), and nothing the rules engine loses.
    if len(digits.lstrip("-")) > 16:
        return digits
    number = int(digits)
    return number if abs(number) <= LARGEST_INTEGER else digits


def _json_float(text: str) -> float | None:
    number = float(text)
    return number if math.isfinite(number) else None


def _json_constant(_name: str) -> None:
    return None  # NaN, Infinity, -Infinity


def flatten_deep(text: str, max_depth: int = MAX_DEPTH) -> str:
    """The JSON text with every container nested deeper than max_depth replaced by null, found by one scan of its
    brackets and strings (deep nesting would otherwise exhaust the parser's recursion)."""
    pieces, depth, cut_at, in_string, skip_to, last = [], 0, None, False, -1, 0
    for match in _JSON_STRUCTURE.finditer(text):
        position, char = match.start(), match.group()
        if position < skip_to:
            continue
        if in_string:
            if char == "\\":
                skip_to = position + 2
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth == max_depth + 1 and cut_at is None:
                cut_at = position
        elif char in "]}":
            if depth == max_depth + 1 and cut_at is not None:
                pieces.append(text[last:cut_at] + "null")
                last, cut_at = position + 1, None
            depth -= 1
    pieces.append(text[last:] if cut_at is None else text[last:cut_at] + "null")
    return "".join(pieces)


def load_json(text: str) -> Any:
    """JSON as a hook may hold it: huge integers kept as digits, NaN and infinities as null, no deeper than
    MAX_DEPTH. ValueError when it does not parse."""
    if text.count("[") + text.count("{") > MAX_DEPTH:
        text = flatten_deep(text)
    return json.loads(text, parse_int=_json_integer, parse_float=_json_float, parse_constant=_json_constant)


def clean_value(value: Any, depth: int = 0) -> Any:
    """A value safe to hand to the rules and to a playbook: template openers broken, nesting capped."""
    if isinstance(value, str):
        return neutral_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if abs(value) <= LARGEST_INTEGER else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth >= MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {neutral_text(str(key)): clean_value(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_value(item, depth + 1) for item in value]
    return None


def parse_body(body: bytes, content_type: str) -> dict:
    """The hook's fields from a JSON object or a form-encoded body (AMS 2.8 and 2.9 post only forms)."""
    media_type = content_type.split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HookRefused(400, "body is not UTF-8") from None
    if media_type == "application/x-www-form-urlencoded":
        try:
            fields: Any = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
        except ValueError:
            raise HookRefused(400, "form body does not parse") from None
        metadata = fields.get("metadata")
        if isinstance(metadata, str) and metadata.startswith("{"):
            try:
                fields["metadata"] = load_json(metadata)
            except (ValueError, RecursionError):
                pass  # the server sends a metadata that is not JSON as it is
    else:
        try:
            fields = load_json(text)
        except (ValueError, RecursionError):
            raise HookRefused(400, "JSON body does not parse") from None
    if not isinstance(fields, dict):
        raise HookRefused(400, "body is not an object")
    return fields


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _timestamp(value: Any) -> int | None:
    """The hook's time in ms: a string of digits (notifyHook) or a number (liveStreamStatus), if plausible."""
    if isinstance(value, str) and value.isdigit() and len(value) <= 16:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= LARGEST_INTEGER:
        return value
    return None


def hook_event(fields: dict, sender: str, actions: frozenset, received_ms: int) -> dict | None:
    """The event for one hook: the server's fields (cleaned) plus the ``ams`` summary; None for an action that
    gets no event."""
    action = fields.get("action")
    if not isinstance(action, str) or action not in actions:
        return None
    stream_id = _text(fields.get("id"))
    if stream_id is None:
        raise HookRefused(400, "hook %s without an id" % action)
    event = {key: clean_value(value) for key, value in fields.items() if key in SERVER_FIELDS}
    stream_id = event["id"]
    room = _text(event.get("roomId")) or _text(event.get("mainTrackId"))
    room_event = None
    if action == EMPTY_ACTION:
        room, room_event = stream_id, "empty"
    elif room is not None and (action in JOINED_ACTIONS or action == "liveStreamStarted"):
        room_event = "joined"
    elif room is not None and (action in LEFT_ACTIONS or action == "liveStreamEnded"):
        room_event = "left"
    timestamp = _timestamp(fields.get("timestamp"))
    event["ams"] = {"action": action, "app": _text(event.get("app")), "room": room, "stream_id": stream_id,
                    "timestamp": received_ms if timestamp is None else timestamp,  # AMS 2.8 sends none
                    "sender": sender, "room_event": room_event, "received_ms": received_ms}
    return event


def secret_deadline(value: Any) -> float:
    """previous_secret_until as epoch seconds: an ISO 8601 date and time with its offset, or epoch seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value or "").strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError("ams_webhook: previous_secret_until must be a date and time with its offset, for example "
                         "2027-01-31T12:00:00+00:00, or epoch seconds: %r" % text[:40])
    return moment.timestamp()


def _secret_from(args: dict, value_key: str, env_key: str, default_env: str | None) -> str:
    env_name = args.get(env_key) or default_env
    return str(args.get(value_key) or (os.environ.get(str(env_name)) if env_name else None) or "")


class HookReceiver:
    """The HTTP side: one request per connection, as the server's HTTP client sends them. The sender's network is
    checked as the connection is accepted, before anything is read; at most max_connections requests are being
    received at once (a new connection closes the oldest one still incomplete), and each must arrive whole within
    request_timeout seconds."""

    def __init__(self, queue: asyncio.Queue, args: dict):
        self.queue = queue
        self.path = "/" + str(args.get("path") or "/ams").strip("/")
        secret = _secret_from(args, "secret", "secret_env", "AMS_HOOK_SECRET")
        if not SECRET_FORM.match(secret):
            raise ValueError("ams_webhook: the secret (secret or secret_env) must be at least %d URL-safe characters "
                             "(letters, digits, - _ . ~) with both letters and digits" % MIN_SECRET_LENGTH)
        self._secret = secret.encode("utf-8")
        self._previous: bytes | None = None
        self.previous_until = 0.0
        previous = _secret_from(args, "previous_secret", "previous_secret_env", None)
        if not previous and args.get("previous_secret_env") and not args.get("previous_secret"):
            raise ValueError("ams_webhook: previous_secret_env names %s, which is not set (the rotation would refuse "
                             "the hooks of existing broadcasts)" % str(args["previous_secret_env"])[:64])
        if previous:
            if not SECRET_FORM.match(previous):
                raise ValueError("ams_webhook: the previous secret (previous_secret or previous_secret_env) must have "
                                 "the form of a secret too")
            if args.get("previous_secret_until") in (None, ""):
                raise ValueError("ams_webhook: a previous secret needs previous_secret_until (when it stops working)")
            self.previous_until = secret_deadline(args.get("previous_secret_until"))
            self._previous = previous.encode("utf-8")
        self.networks = [ipaddress.ip_network(str(cidr), strict=False) for cidr in args.get("allowed_senders") or []]
        self.max_body = int(args.get("max_body_bytes") or 65536)
        self.max_connections = max(1, int(args.get("max_connections") or 256))
        self.request_timeout = float(args.get("request_timeout") or 2.0)
        self.actions = ACTIONS | frozenset(str(action) for action in args.get("extra_actions") or [])
        self.ssl_context: ssl.SSLContext | None = None
        # The hook is answered once its event is here; forward() hands events to the rules at their pace.
        self.pending: asyncio.Queue = asyncio.Queue(int(args.get("max_pending_events") or 10000))
        self.incomplete: collections.OrderedDict[int, asyncio.Task] = collections.OrderedDict()
        self.tasks: set[asyncio.Task] = set()
        self._ids = itertools.count()
        self.accepted = self.ignored = self.refused = self.evicted = self.refused_senders = 0
        self._senders_logged = 0
        self._senders_logged_at = -math.inf

    async def forward(self) -> None:
        while True:
            event = await self.pending.get()
            await self.queue.put(event)

    def sender_allowed(self, sender: str) -> bool:
        if not self.networks:
            return True
        try:
            address = ipaddress.ip_address(sender.split("%")[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

    def check_target(self, target: str) -> None:
        path = urlsplit(target).path
        prefix = self.path.rstrip("/") + "/"
        if not path.startswith(prefix):
            raise HookRefused(404, "unknown path")
        given = unquote(path[len(prefix):]).encode("utf-8")
        current = hmac.compare_digest(given, self._secret)
        previous = self._previous is not None and hmac.compare_digest(given, self._previous)
        if current:
            return
        if previous and time.time() < self.previous_until:
            LOG.info("ams_webhook: a hook with the previous secret (accepted until %s): its broadcast keeps the hook "
                     "URL it was created with", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.previous_until)))
            return
        raise HookRefused(403, "expired previous secret" if previous else "wrong secret")

    # ---- connections ------------------------------------------------------------------------------------------
    def accept(self, connection: socket.socket, sender: str) -> None:
        """A new connection, before anything is read from it."""
        if not self.sender_allowed(sender):
            connection.close()
            self.refused_senders += 1
            now = time.monotonic()
            if now - self._senders_logged_at >= 1.0:  # one line a second, however many connections
                LOG.warning("ams_webhook: closed %d connection(s) from networks not allowed (the latest from %s)",
                            self.refused_senders - self._senders_logged, sender)
                self._senders_logged, self._senders_logged_at = self.refused_senders, now
            return
        if len(self.incomplete) >= self.max_connections:
            oldest = self.incomplete.popitem(last=False)[1]
            oldest.cancel()
            self.evicted += 1
        key = next(self._ids)
        task = asyncio.ensure_future(self.serve(connection, sender, key))
        self.incomplete[key] = task
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        # a task closed for a newer connection may not have started: its socket is closed here, at once
        task.add_done_callback(lambda done: connection.close() if done.cancelled() else None)

    async def accept_forever(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                connection, address = await loop.sock_accept(listener)
            except OSError as error:  # out of file descriptors: the incomplete requests free theirs
                LOG.warning("ams_webhook: accepting a connection failed: %s", error.strerror or error)
                await asyncio.sleep(0.05)
                continue
            connection.setblocking(False)
            self.accept(connection, str(address[0]))
            await asyncio.sleep(0)  # let a connection closed for this one go before the next accept

    async def serve(self, connection: socket.socket, sender: str, key: int) -> None:
        loop = asyncio.get_running_loop()
        writer: asyncio.StreamWriter | None = None
        status, action = 200, None
        try:
            reader = asyncio.StreamReader(limit=HEADER_LIMIT)
            protocol = asyncio.StreamReaderProtocol(reader)
            try:
                transport = (await asyncio.wait_for(loop.connect_accepted_socket(
                    lambda: protocol, sock=connection, ssl=self.ssl_context,
                    ssl_handshake_timeout=self.request_timeout if self.ssl_context else None), self.request_timeout))[0]
                writer = asyncio.StreamWriter(transport, protocol, reader, loop)
                started = loop.time()
                request = await asyncio.wait_for(self._receive(reader),
                                                 max(0.001, self.request_timeout - (loop.time() - started)))
                self.incomplete.pop(key, None)
                action = self._decide(*request, sender)
            except HookRefused as refused:
                status = refused.status
                self.refused += 1
                LOG.warning("ams_webhook: refused a hook from %s: %d %s", sender, status, refused.reason)
            except asyncio.IncompleteReadError as error:
                if error.partial:
                    self.refused += 1
                    LOG.warning("ams_webhook: incomplete request from %s", sender)
                return
            except (asyncio.TimeoutError, asyncio.LimitOverrunError, ConnectionError, ssl.SSLError):
                self.refused += 1
                LOG.warning("ams_webhook: incomplete, slow or oversized request from %s", sender)
                return
            except Exception as error:  # pylint: disable=broad-except  # any request gets an answer
                status = 500
                self.refused += 1
                LOG.warning("ams_webhook: a request from %s failed: %s", sender, type(error).__name__)
            if writer is None:
                return
            reason = REASONS.get(status, "Error")
            writer.write(("HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n"
                          "\r\n%s" % (status, reason, len(reason), reason)).encode("ascii"))
            await asyncio.wait_for(writer.drain(), self.request_timeout)
        except asyncio.CancelledError:
            if writer is not None:
                writer.transport.abort()
                writer = None
            raise
        except (ConnectionError, OSError, asyncio.TimeoutError):
            pass
        finally:
            self.incomplete.pop(key, None)
            if writer is not None:
                writer.close()
            else:
                connection.close()
        if action:
            LOG.debug("ams_webhook: %s from %s", action, sender)

    async def _receive(self, reader: asyncio.StreamReader) -> tuple[str, str, dict, bytes]:
        """The whole request: method, target, headers, body. The body is read only for the right path and secret."""
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            raise HookRefused(400, "bad request line")
        method, target = parts[0], parts[1]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        self.check_target(target)
        if method != "POST":
            raise HookRefused(405, "method %s" % method[:16])
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise HookRefused(411, "chunked body")
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            raise HookRefused(411, "no Content-Length") from None
        if length < 0 or length > self.max_body:
            if 0 < length <= DRAIN_LIMIT:  # read it, so the sender gets the answer rather than a reset
                await reader.readexactly(length)
            raise HookRefused(413, "body of %d bytes" % length)
        body = await reader.readexactly(length)
        return method, target, headers, body

    def _decide(self, _method: str, _target: str, headers: dict, body: bytes, sender: str) -> str | None:
        fields = parse_body(body, headers.get("content-type", "application/json"))
        event = hook_event(fields, sender, self.actions, int(time.time() * 1000))
        if event is None:
            self.ignored += 1
            # the value is not shown: a publisher may have put anything there
            LOG.info("ams_webhook: no event for a hook from %s with an action no server sends", sender)
            return None
        try:
            self.pending.put_nowait(event)
        except asyncio.QueueFull:
            raise HookRefused(503, "too many events waiting for the rules") from None
        self.accepted += 1
        return event["ams"]["action"]

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=5)


def listeners(host: str, port: int, backlog: int) -> list[socket.socket]:
    """The listening sockets for host (every address it resolves to) and port."""
    sockets: list[socket.socket] = []
    seen = set()
    try:
        found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _name, address in found:
            if (family, address) in seen:
                continue
            seen.add((family, address))
            listener = socket.socket(family, kind, proto)
            sockets.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
            listener.listen(backlog)
            listener.setblocking(False)
    except OSError:
        for listener in sockets:
            listener.close()
        raise
    return sockets


def _ssl_context(args: dict) -> ssl.SSLContext | None:
    if not args.get("certfile"):
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args["certfile"], args.get("keyfile"), args.get("password"))
    return context


async def main(queue: asyncio.Queue, args: dict[str, Any]) -> None:
    """Serve until cancelled (ansible-rulebook cancels the source when it stops)."""
    receiver = HookReceiver(queue, args)
    receiver.ssl_context = _ssl_context(args)
    host = args.get("host") or "0.0.0.0"
    sockets = listeners(host, int(args["port"]), max(128, receiver.max_connections))
    LOG.info("ams_webhook: listening on %s port %s", host, args["port"])
    if receiver._previous is not None:
        LOG.info("ams_webhook: the previous secret is accepted until %s",
                 time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(receiver.previous_until)))
    tasks = [asyncio.ensure_future(receiver.forward())]
    tasks += [asyncio.ensure_future(receiver.accept_forever(listener)) for listener in sockets]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        for listener in sockets:
            listener.close()
        await receiver.close()
        LOG.info("ams_webhook: stopped (%d hooks accepted, %d without an event, %d refused, %d connections from "
                 "networks not allowed, %d incomplete requests closed for newer ones)", receiver.accepted,
                 receiver.ignored, receiver.refused, receiver.refused_senders, receiver.evicted)


if __name__ == "__main__":
    # Only called when running this file directly, for a manual try: prints each event.

    class _PrintQueue(asyncio.Queue):
        def put_nowait(self, item: Any) -> None:
            print(json.dumps(item))  # noqa: T201

    asyncio.run(main(_PrintQueue(), {"port": int(os.environ.get("PORT", "5001")),
                                     "secret": os.environ.get("AMS_HOOK_SECRET", "")}))
