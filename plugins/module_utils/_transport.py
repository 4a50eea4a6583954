# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport of the collection's one HTTP client (private API): connections, TLS, cookies, keep-alive,
authentication, retries and the shaping of errors into one line. What the server's API means is in _client.py.

Policy:
- the standard library's http.client, one keep-alive connection per thread and server (a batch run may
  call from several threads); no third-party library, so a module process on a host starts fast (the JWT
  code is imported only when a secret is given; ssl comes with http.client whatever the URL);
- explicit (connect, read) timeouts on every request;
- GET requests are retried with jittered exponential backoff on connection failures, timeouts,
  HTTP 429/502/503/504 and "Application is getting initialized"; a Retry-After (seconds or an HTTP
  date) is waited for instead, and no wait goes past the timeout (a longer Retry-After fails at once);
- writes (POST, PUT, DELETE) are retried only when the connection failed before the request was
  sent; when a write may have reached the server (read timeout, connection lost afterwards)
  OutcomeUnknownError is raised and the caller re-reads the state instead of sending it again;
- secrets (JWT secret, tokens, the page's play token, a password in url) are removed from every
  message; a user and password in url are sent as Basic auth and the url is shown without them.
"""

from __future__ import annotations

import base64
import datetime
import email.utils
import http.client
import json
import os.path
import random
import re
import select
import socket
import ssl
import threading
import time
from urllib.parse import quote, unquote, urlencode, urlsplit

from ansible_collections.mediaops.antmedia.plugins.module_utils._secrets import REDACTED, strip_userinfo

READ_METHODS = ("GET", "HEAD")
RETRYABLE_STATUS = (502, 503, 504)
TOO_MANY_REQUESTS = 429  # a read answered so is retried, after Retry-After when the server gives one
GATEWAY_TIMEOUTS = (502, 504)
# A token lives this much longer than the run's request timeout; it is re-minted when it gets old.
TOKEN_EXTRA_LIFETIME = 300
TOKEN_RENEW_MARGIN = 60

FILTER_REASONS = (
    ("Not allowed IP", "ip"),
    ("Invalid App JWT Token", "jwt"),
    ("Invalid JWT Token", "jwt"),
    ("Invalid Server JWT Token", "server_jwt"),
    ("Not authenticated user", "console"),
    ("Application is getting initialized", "initializing"),
)


def _sleep(seconds):
    """time.sleep, looked up at call time (tests replace it)."""
    time.sleep(seconds)


def _clock():
    return time.time()


class AntMediaError(Exception):
    """A failure with a one-line cause, free of secrets."""

    def __init__(self, message, status=None, kind=None):
        super(AntMediaError, self).__init__(message)
        self.message = message
        self.status = status
        self.kind = kind
        self.changed = False  # set by the reconcile engine when writes happened before the failure


class OutcomeUnknownError(AntMediaError):
    """A write may or may not have reached the server: re-read the state, never re-send."""


class Response(object):
    """What the client keeps of an HTTP answer."""

    def __init__(self, status, text, content_type="", retry_after=None):
        self.status = status
        self.text = text or ""
        self.content_type = content_type or ""
        self.retry_after = retry_after  # the Retry-After header, as sent

    def json(self):
        return json.loads(self.text)


def is_json(response):
    """Whether an answer is JSON by its Content-Type: real servers answer "not found" with HTML pages
    (Tomcat's 404, or a 200 page in a Circle app), so the status code alone cannot tell."""
    return "json" in (response.content_type or "").lower()


def retry_after_seconds(value, now):
    """Seconds a Retry-After header asks for (delay-seconds or an HTTP date), or None when absent or unreadable."""
    if value is None:
        return None
    text = str(value).strip()
    if text.isdigit():
        return float(int(text))
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:  # HTTP dates are GMT
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, moment.timestamp() - now)


def _filter_reason(text):
    for marker, kind in FILTER_REASONS:
        if marker.lower() in text.lower():
            return marker, kind
    return None, None


class TransportError(Exception):
    """An exchange that got no HTTP answer. ``sent`` is False only when no byte of the request can have
    reached the server (the connection was never made), so a write may be sent again."""
    sent = True


class ConnectFailed(TransportError):
    """No connection (refused, unreachable, name unknown, connect timeout): the request was never sent."""
    sent = False


class ReadTimedOut(TransportError):
    """The request was sent; no answer came within the timeout."""


class ConnectionLost(TransportError):
    """The connection broke while the request was sent or before its answer was read."""


class TLSFailed(TransportError):
    """The TLS handshake failed (certificate not trusted, wrong name, protocol)."""
    sent = False


class Answer(object):
    """One HTTP answer as the transport read it."""

    def __init__(self, status_code, text, headers):
        self.status_code = status_code
        self.text = text
        self.headers = headers  # .get() is case-insensitive


def _tls_context(verify):
    """The TLS settings of verify: False (no check), a CA file or directory, or True (the system's CAs)."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    return ssl.create_default_context()


class Transport(object):
    """HTTP/1.1 exchanges of one thread: one keep-alive connection per server, no redirects followed.

    ``request`` takes the keywords that tests fake (the lowest level the client uses)."""

    def __init__(self):
        self._connections = {}
        self._cookies = {}  # server (scheme, host:port) -> {name: value}: the console's session after its login

    def request(self, method, url, params=None, headers=None, json=None, timeout=(10, 120), verify=True, auth=None):
        parts = urlsplit(url)
        target = parts.path or "/"
        query = urlencode(params) if params else ""
        if parts.query or query:
            target += "?" + "&".join(part for part in (parts.query, query) if part)
        headers = dict(headers or {})
        body = None
        if json is not None:
            body = _json_bytes(json)
            headers["Content-Type"] = "application/json"
        if auth is not None:  # Basic auth replaces any Authorization header, as browsers and requests do
            headers["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % auth).encode("utf-8")).decode("ascii")
        server = (parts.scheme, parts.netloc)
        if self._cookies.get(server):
            headers["Cookie"] = "; ".join("%s=%s" % item for item in sorted(self._cookies[server].items()))
        connect_timeout, read_timeout = timeout
        key = (parts.scheme, parts.netloc, verify if parts.scheme == "https" else None)
        connection = self._connections.pop(key, None)
        if connection is not None and _dropped(connection):
            connection.close()
            connection = None
        if connection is None:
            connection = self._connect(parts, connect_timeout, verify)
        try:
            connection.sock.settimeout(read_timeout)
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except socket.timeout:
            connection.close()
            raise ReadTimedOut("no answer within %s s (timeout)" % read_timeout)
        except (OSError, http.client.HTTPException):
            connection.close()
            raise ConnectionLost("the server closed the connection before answering")
        if response.will_close:
            connection.close()
        else:
            self._connections[key] = connection
        _keep_cookies(self._cookies.setdefault(server, {}), response.headers.get_all("Set-Cookie") or [])
        return Answer(response.status, _decode(data, response.headers.get("Content-Type", "")), response.headers)

    def _connect(self, parts, connect_timeout, verify):
        if parts.scheme == "https":
            try:
                context = _tls_context(verify)
            except (OSError, ssl.SSLError) as exc:  # ca_path unreadable or not PEM
                raise TLSFailed("cannot load ca_path %s: %s" % (verify, exc))
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=connect_timeout,
                                                     context=context)
        elif parts.scheme == "http":
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=connect_timeout)
        else:
            raise ConnectFailed("unsupported URL scheme %r (http or https)" % parts.scheme)
        try:
            connection.connect()
        except socket.timeout:
            connection.close()
            raise ConnectFailed("connection timed out")
        except ssl.SSLError as exc:  # the handshake (an OSError too)
            connection.close()
            raise TLSFailed(str(exc))
        except OSError as exc:
            connection.close()
            raise ConnectFailed(str(exc) or type(exc).__name__)
        return connection

    def close(self):
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()


def _keep_cookies(jar, set_cookies):
    """Keep the name=value of each Set-Cookie (one server per jar, so domain and path are not needed); an empty
    value or Max-Age=0 removes it."""
    for header in set_cookies:
        pair, attributes = (header.split(";", 1) + [""])[:2]
        name, value = (pair.strip().split("=", 1) + [""])[:2]
        if not name:
            continue
        if not value.strip() or re.search(r"(^|;)\s*max-age\s*=\s*0\s*(;|$)", attributes, re.IGNORECASE):
            jar.pop(name.strip(), None)
        else:
            jar[name.strip()] = value.strip()


def _json_bytes(value):
    return json.dumps(value, allow_nan=False).encode("utf-8")


def _dropped(connection):
    """Whether a kept connection was closed by the server meanwhile (readable while idle means EOF)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable = select.select([sock], [], [], 0)[0]
    except (OSError, ValueError):
        return True
    return bool(readable)


def _decode(data, content_type):
    charset = re.search(r"charset=\s*\"?([\w.:-]+)", content_type or "", re.IGNORECASE)
    try:
        return data.decode(charset.group(1) if charset else "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", errors="replace")


class Session(object):
    """The HTTP side of a client of one server: credentials, secrets, the retry policy and one-line errors.

    ``exchange`` sends one request to a full URL; the API (AntMediaClient in _client.py) says which URL and
    what the answer means."""

    def __init__(self, url, app=None, jwt_secret=None, jwt_token=None, validate_certs=True, ca_path=None,
                 timeout=120, retries=3, backoff=1.0, backoff_cap=10.0, sleep=None, clock=None,
                 auth_header="Authorization"):
        # a user and password in url go to the server as Basic auth but never into a message
        url, userinfo = strip_userinfo(url)
        self._basic_auth = tuple(unquote(part) for part in userinfo[0].split(":", 1)) if userinfo else None
        if self._basic_auth is not None and len(self._basic_auth) == 1:
            self._basic_auth += ("",)
        self.base_url = url.rstrip("/")
        # Applications read "Authorization"; the server management API reads its JWT from "ProxyAuthorization".
        self.auth_header = auth_header
        self.app = app
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        # looked up at call time, so tests can replace time.sleep / time.time
        self._sleep = sleep or _sleep
        self._clock = clock or _clock
        self._jwt_secret = jwt_secret
        self._jwt_token = jwt_token
        self._minted_token = None
        self._minted_expiry = 0
        self._verify = (ca_path or True) if validate_certs else False
        self._local = threading.local()
        self._lock = threading.Lock()
        self._secrets = set()
        for secret in [jwt_secret, jwt_token] + userinfo:
            self.add_secret(secret)

    # ---- secrets -------------------------------------------------------------------------
    def add_secret(self, value):
        """Register a value that must never appear in a message (also URL-encoded)."""
        if value:
            with self._lock:
                self._secrets.add(value)
                self._secrets.add(quote(value, safe=""))

    def secrets(self):
        """The registered secrets (for scrubbing what the client never sees, such as a task's invocation)."""
        with self._lock:
            return set(self._secrets)

    def redact(self, value):
        """Return value (str, list or dict, recursively) with every registered secret replaced."""
        if isinstance(value, str):
            with self._lock:  # another thread may be minting a token
                secrets = sorted(self._secrets, key=len, reverse=True)
            for secret in secrets:
                value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return dict((key, self.redact(item)) for key, item in value.items())
        if isinstance(value, (list, tuple)):
            return [self.redact(item) for item in value]
        return value

    # ---- transport -----------------------------------------------------------------------
    def _transport(self):
        transport = getattr(self._local, "transport", None)
        if transport is None:
            transport = self._local.transport = Transport()
        return transport

    def _authorization(self):
        if self._jwt_token:
            return self._jwt_token
        if self._jwt_secret:
            with self._lock:
                now = self._clock()
                if self._minted_token is None or self._minted_expiry - now < TOKEN_RENEW_MARGIN:
                    lifetime = int(self.timeout) + TOKEN_EXTRA_LIFETIME
                    # only when a secret is given: a run without one never loads the JWT code
                    from ansible_collections.mediaops.antmedia.plugins.module_utils._jwt import mint_hs256

                    self._minted_token = mint_hs256(self._jwt_secret, lifetime, now=now)
                    self._minted_expiry = int(now) + lifetime
                    self._secrets.add(self._minted_token)
                return self._minted_token
        return None

    def _send(self, method, url, params=None, body=None):
        """One HTTP exchange. Unit tests replace Transport.request, the level below."""
        headers = {"Accept": "application/json", "User-Agent": "mediaops.antmedia"}
        token = self._authorization()
        if token:
            headers[self.auth_header] = token
        kwargs = dict(params=params, headers=headers, verify=self._verify,
                      timeout=(min(10, self.timeout), self.timeout))
        if body is not None:
            kwargs["json"] = body
        if self._basic_auth is not None:
            kwargs["auth"] = self._basic_auth
        answer = self._transport().request(method, url, **kwargs)
        return Response(answer.status_code, answer.text, answer.headers.get("Content-Type", ""),
                        answer.headers.get("Retry-After"))

    def _delay(self, attempt):
        """Full-jitter exponential backoff: a random delay up to backoff * 2**attempt, capped."""
        return random.uniform(0, min(self.backoff_cap, self.backoff * (2 ** attempt)))

    def exchange(self, method, url, path, params=None, body=None):
        """Send one request to url under the retry policy; return a Response with status < 400, or 404 (the
        caller knows what a missing thing means); raise AntMediaError (one line, no secret) otherwise. path is
        what messages name."""
        method = method.upper()
        read = method in READ_METHODS
        attempt = 0
        # every wait of this request (backoff or Retry-After) ends within the task's timeout
        deadline = self._clock() + self.timeout
        while True:
            retry_reason = None
            try:
                response = self._send(method, url, params=params, body=body)
            except TransportError as exc:
                if isinstance(exc, TLSFailed):
                    raise AntMediaError(
                        "TLS failure talking to %s: %s (give ca_path, the CA that signed the server's "
                        "certificate, or set validate_certs to false)" % (self.base_url, self._describe(exc)),
                        kind="tls")
                if read or not exc.sent:
                    retry_reason = exc
                else:
                    raise OutcomeUnknownError(
                        "%s %s got no answer (%s); it may have reached the server"
                        % (method, path, self._describe(exc)), kind="unknown")
            else:
                if response.status < 400 or response.status == 404:
                    return response
                marker, kind = _filter_reason(response.text) if response.status == 403 else (None, None)
                if read and (response.status in RETRYABLE_STATUS + (TOO_MANY_REQUESTS,) or kind == "initializing"):
                    retry_reason = response
                elif not read and response.status in GATEWAY_TIMEOUTS:
                    # a proxy gave up waiting: the server may still be doing it
                    raise OutcomeUnknownError("%s %s got HTTP %d from a proxy in front of the server; it may have "
                                              "reached the server" % (method, path.split("?")[0], response.status),
                                              status=response.status, kind="unknown")
                else:
                    raise self._http_error(method, path, response, marker, kind)
            if attempt >= self.retries:
                if isinstance(retry_reason, Response):
                    marker, kind = _filter_reason(retry_reason.text)
                    raise self._http_error(method, path, retry_reason, marker, kind, attempts=attempt + 1)
                raise AntMediaError("cannot reach %s: %s (after %d attempts)"
                                    % (self.base_url, self._describe(retry_reason), attempt + 1), kind="connection")
            self._sleep(self._wait(method, path, retry_reason, attempt, deadline))
            attempt += 1

    def _wait(self, method, path, retry_reason, attempt, deadline):
        """Seconds to wait before the next attempt: the server's Retry-After, else the backoff; never past
        the deadline (a Retry-After beyond it fails now, with one line)."""
        left = max(0.0, deadline - self._clock())
        asked = retry_after_seconds(getattr(retry_reason, "retry_after", None), self._clock())
        if asked is None:
            return min(self._delay(attempt), left)
        if asked > left:
            raise AntMediaError(
                "%s %s answered HTTP %d with Retry-After %s: waiting %d s would pass the timeout of %s s "
                "(%d s left); try again later or raise timeout"
                % (method, path.split("?")[0], retry_reason.status,
                   " ".join(str(retry_reason.retry_after).split())[:40], int(asked + 0.999), self.timeout, int(left)),
                status=retry_reason.status, kind="busy")
        return asked

    def _describe(self, exc):
        """One line for a transport failure."""
        return self.redact(" ".join(str(exc).split()))[:300]

    def _http_error(self, method, path, response, marker, kind, attempts=1):
        if kind == "ip":
            cause = ("refused by the IP filter of app %s (Not allowed IP, HTTP 403): run the module on the media "
                     "host against http://127.0.0.1:5080 (delegate_to the media host), or add the controller's "
                     "address to the app's remoteAllowedCIDR" % self.app)
        elif kind == "jwt":
            if self._jwt_secret or self._jwt_token:
                hint = "the token was not accepted: check jwt_secret or jwt_token against the app's jwtSecretKey"
            else:
                hint = "the app has JWT control on and no jwt_secret or jwt_token was given"
            cause = "refused by the JWT filter of app %s (Invalid App JWT Token, HTTP 403): %s" % (self.app, hint)
        elif kind == "initializing":
            cause = ("app %s is still starting (Application is getting initialized, HTTP 403): not ready, "
                     "try again once the server is up" % self.app)
        elif response.status == 403:
            cause = "refused with HTTP 403 (%s)" % self._page_reason(response)
        else:
            cause = "%s %s answered HTTP %d (%s)" % (
                method, path.split("?")[0], response.status, self._page_reason(response))
        if attempts > 1:
            cause += " (%d attempts)" % attempts
        return AntMediaError(cause, status=response.status, kind=kind or "http")

    def _page_reason(self, response):
        """A short reason from an error body: the JSON message, or the text of an HTML page."""
        text = response.text or ""
        try:
            body = json.loads(text)
            if isinstance(body, dict) and body.get("message"):
                return self.redact(str(body["message"]))[:200]
        except ValueError:
            pass
        if "<" in text:
            text = re.sub(r"(?s)<(script|style).*?</\1>", " ", text)
            text = re.sub(r"<[^>]+>", " ", text)
        text = " ".join(text.split())
        return self.redact(text)[:200] or "empty body"
