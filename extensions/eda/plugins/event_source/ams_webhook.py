# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-rulebook event source: the webhooks of Ant Media Server (standard library only)."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import os
import re
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
  - "Each event is the hook's fields as sent (C(id), C(action), C(app), C(timestamp), C(roomId), ...) plus a key
    C(ams) with C(action), C(app), C(room) (the conference room the hook is about, or null), C(stream_id) (the
    hook's C(id)), C(timestamp) (milliseconds, an integer; the receive time when the server sent none),
    C(sender) (the server's address), C(received_ms) (when the receiver got it, milliseconds, the controller's
    clock) and C(room_event): C(joined) (a participant started in a room:
    C(firstActiveTrackAddedInMainTrack), C(subtrackAddedInTheMainTrack), or C(liveStreamStarted) with a room),
    C(left) (C(liveStreamEnded) with a room, C(subtrackLeftTheMainTrack)), C(empty)
    (C(noActiveSubtracksLeftInMainTrack)), or null. A stream without a room, such as a room's own
    C(ROOM_composite) recording push, is never a participant."
  - The server gives a hook 2 seconds and retries it on anything but 200, so the source answers at once and never
    waits for the rules to consume the event.
  - "Authentication: the hook URL carries a secret as its last path segment, C(http://RECEIVER:PORT/PATH/SECRET),
    compared in constant time; optionally the sender must be in O(allowed_senders). A wrong secret or sender (403),
    a wrong path (404) or method (405), a body over O(max_body_bytes) (413), a body that does not parse (400) and
    an unknown action or a field holding template syntax (422: events reach playbooks as trusted extra vars, where
    C({{ }}) in a room name would run) are refused with a log line that never holds the secret, and no event."
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
"""

LOG = logging.getLogger(__name__)

ACTIONS = frozenset([
    "liveStreamStarted", "liveStreamEnded", "vodReady", "publishTimeoutError", "encoderNotOpenedError",
    "endpointFailed", "playStarted", "playStopped", "subtrackAddedInTheMainTrack", "subtrackLeftTheMainTrack",
    "firstActiveTrackAddedInMainTrack", "noActiveSubtracksLeftInMainTrack",
])
JOINED_ACTIONS = ("firstActiveTrackAddedInMainTrack", "subtrackAddedInTheMainTrack")
LEFT_ACTIONS = ("subtrackLeftTheMainTrack",)
EMPTY_ACTION = "noActiveSubtracksLeftInMainTrack"
MIN_SECRET_LENGTH = 16
# URL-safe, and shaped like a token, so that app_settings and drift reports redact it in listenerHookURL
SECRET_FORM = re.compile(r"^(?=.*[A-Za-z])(?=.*[0-9])[A-Za-z0-9_.~-]{%d,}$" % MIN_SECRET_LENGTH)
HEADER_LIMIT = 16384
READ_TIMEOUT = 10.0
DRAIN_LIMIT = 4 * 1024 * 1024
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           411: "Length Required", 413: "Payload Too Large", 422: "Unprocessable Content",
           503: "Service Unavailable"}


class HookRefused(Exception):
    """A request that gets no event: its HTTP status and a reason for the log (never the secret)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_body(body: bytes, content_type: str) -> dict:
    """The hook's fields from a JSON object or a form-encoded body."""
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
                fields["metadata"] = json.loads(metadata)
            except ValueError:
                pass
    else:
        try:
            fields = json.loads(text)
        except ValueError:
            raise HookRefused(400, "JSON body does not parse") from None
    if not isinstance(fields, dict):
        raise HookRefused(400, "body is not an object")
    return fields


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


TEMPLATE_MARKERS = ("{{", "{%", "{#")


def template_field(value: Any, name: str = "") -> str | None:
    """The name of the first field (or key) holding Jinja syntax, if any. Events reach the playbook as extra vars
    from a file, which Ansible trusts: a room named "{{ lookup('pipe', ...) }}" would run on the controller."""
    if isinstance(value, str):
        return name or "?" if any(marker in value for marker in TEMPLATE_MARKERS) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = template_field(str(key), str(key)[:64]) or template_field(item, str(key)[:64])
            if found:
                return found
    if isinstance(value, list):
        for item in value:
            found = template_field(item, name)
            if found:
                return found
    return None


def hook_event(fields: dict, sender: str, actions: frozenset, received_ms: int) -> dict:
    """The event for one hook: its raw fields plus the ``ams`` summary."""
    suspect = template_field(fields)
    if suspect:
        raise HookRefused(422, "template syntax in field %r" % suspect)
    action = fields.get("action")
    if not isinstance(action, str) or action not in actions:
        raise HookRefused(422, "unknown action %r" % (str(action)[:64],))
    stream_id = _text(fields.get("id"))
    if stream_id is None:
        raise HookRefused(400, "hook %s without an id" % action)
    room = _text(fields.get("roomId")) or _text(fields.get("mainTrackId"))
    room_event = None
    if action == EMPTY_ACTION:
        room, room_event = stream_id, "empty"
    elif room is not None and (action in JOINED_ACTIONS or action == "liveStreamStarted"):
        room_event = "joined"
    elif room is not None and (action in LEFT_ACTIONS or action == "liveStreamEnded"):
        room_event = "left"
    try:
        timestamp = int(fields.get("timestamp"))
    except (TypeError, ValueError):
        timestamp = received_ms  # AMS 2.8 sends none
    event = dict(fields)
    event["ams"] = {"action": action, "app": _text(fields.get("app")), "room": room, "stream_id": stream_id,
                    "timestamp": timestamp, "sender": sender, "room_event": room_event, "received_ms": received_ms}
    return event


class HookReceiver:
    """The HTTP side: one request per connection, as the server's HTTP client sends them."""

    def __init__(self, queue: asyncio.Queue, args: dict):
        self.queue = queue
        self.path = "/" + str(args.get("path") or "/ams").strip("/")
        secret = args.get("secret") or os.environ.get(str(args.get("secret_env") or "AMS_HOOK_SECRET")) or ""
        if not SECRET_FORM.match(secret):
            raise ValueError("ams_webhook: the secret (secret or secret_env) must be at least %d URL-safe characters "
                             "(letters, digits, - _ . ~) with both letters and digits" % MIN_SECRET_LENGTH)
        self._secret = secret.encode("utf-8")
        self.networks = [ipaddress.ip_network(str(cidr), strict=False) for cidr in args.get("allowed_senders") or []]
        self.max_body = int(args.get("max_body_bytes") or 65536)
        self.actions = ACTIONS | frozenset(str(action) for action in args.get("extra_actions") or [])
        # The hook is answered once its event is here; forward() hands events to the rules at their pace.
        self.pending: asyncio.Queue = asyncio.Queue(int(args.get("max_pending_events") or 10000))
        self.accepted = 0
        self.refused = 0

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
        if not hmac.compare_digest(given, self._secret):
            raise HookRefused(403, "wrong secret")

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or ("?", 0)
        sender = str(peer[0])
        status, action = 200, None
        try:
            try:
                action = await asyncio.wait_for(self._receive(reader, sender), READ_TIMEOUT)
            except HookRefused as refused:
                status = refused.status
                self.refused += 1
                LOG.warning("ams_webhook: refused a hook from %s: %d %s", sender, status, refused.reason)
            except asyncio.IncompleteReadError as error:
                if error.partial:
                    self.refused += 1
                    LOG.warning("ams_webhook: incomplete request from %s", sender)
                return
            except (asyncio.TimeoutError, asyncio.LimitOverrunError, ConnectionError):
                self.refused += 1
                LOG.warning("ams_webhook: incomplete or oversized request from %s", sender)
                return
            reason = REASONS.get(status, "Error")
            writer.write(("HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n"
                          "\r\n%s" % (status, reason, len(reason), reason)).encode("ascii"))
            await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
        if action:
            LOG.debug("ams_webhook: %s from %s", action, sender)

    async def _receive(self, reader: asyncio.StreamReader, sender: str) -> str:
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
        if not self.sender_allowed(sender):
            raise HookRefused(403, "sender not allowed")
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
        event = hook_event(parse_body(body, headers.get("content-type", "application/json")), sender,
                           self.actions, int(time.time() * 1000))
        try:
            self.pending.put_nowait(event)
        except asyncio.QueueFull:
            raise HookRefused(503, "too many events waiting for the rules") from None
        self.accepted += 1
        return event["ams"]["action"]


def _ssl_context(args: dict) -> ssl.SSLContext | None:
    if not args.get("certfile"):
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args["certfile"], args.get("keyfile"), args.get("password"))
    return context


async def main(queue: asyncio.Queue, args: dict[str, Any]) -> None:
    """Serve until cancelled (ansible-rulebook cancels the source when it stops)."""
    receiver = HookReceiver(queue, args)
    server = await asyncio.start_server(receiver.handle, args.get("host") or "0.0.0.0", int(args["port"]),
                                        ssl=_ssl_context(args), limit=HEADER_LIMIT, reuse_address=True)
    LOG.info("ams_webhook: listening on %s port %s", args.get("host") or "0.0.0.0", args["port"])
    forwarder = asyncio.ensure_future(receiver.forward())
    try:
        async with server:
            await server.serve_forever()
    finally:
        forwarder.cancel()
        LOG.info("ams_webhook: stopped (%d hooks accepted, %d refused)", receiver.accepted, receiver.refused)


if __name__ == "__main__":
    # Only called when running this file directly, for a manual try: prints each event.

    class _PrintQueue(asyncio.Queue):
        def put_nowait(self, item: Any) -> None:
            print(json.dumps(item))  # noqa: T201

    asyncio.run(main(_PrintQueue(), {"port": int(os.environ.get("PORT", "5001")),
                                     "secret": os.environ.get("AMS_HOOK_SECRET", "")}))
