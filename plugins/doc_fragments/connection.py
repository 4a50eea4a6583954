# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """The connection options shared by every module of the collection."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Ant Media Server, without the application, for example V(http://127.0.0.1:5080) or
        V(https://media1.example.com:5443).
      - The default calls the server on the host the task runs on; the server's IP filter admits
        V(127.0.0.1) without any credential, so run the task on the media host (for example with
        C(delegate_to) or as a normal task on the media hosts).
      - If not set, the value of the E(ANTMEDIA_URL) environment variable is used.
    type: str
    default: http://127.0.0.1:5080
  app:
    description:
      - The application (web app) whose REST API is used, for example V(LiveApp), V(WebRTCAppEE) or V(live).
      - If not set, the value of the E(ANTMEDIA_APP) environment variable is used.
      - Quote names YAML would read as a number or a boolean, such as V('010'), V('12:30') or V('yes'); such a
        value is refused, not converted.
    type: raw
    required: true
  jwt_secret:
    description:
      - The application's JWT secret (C(jwtSecretKey)) when its JWT filter is on. The module signs a short-lived
        HS256 token with it for this run; the secret itself is never sent.
      - The server accepts a secret of any length but empty; one under 32 bytes is weak (an HS256 key shorter than
        its hash), so the task warns, and goes on.
      - If not set, the value of the E(ANTMEDIA_JWT_SECRET) environment variable is used.
      - Mutually exclusive with O(jwt_token).
    type: str
  jwt_token:
    description:
      - A ready JWT accepted by the application's JWT filter, sent as it is in the C(Authorization) header.
      - If not set, the value of the E(ANTMEDIA_JWT_TOKEN) environment variable is used.
      - Mutually exclusive with O(jwt_secret).
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate when O(url) is V(https://...). V(false) is for tests only and emits
        a warning.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file (or a directory prepared with C(c_rehash)) of the certificate authorities that may sign the
        server's certificate, instead of the system's.
    type: path
  timeout:
    description:
      - Seconds to wait for an answer to one request. A real Media Push start blocks while the server starts a
        browser and waits for the page, up to about 90 seconds.
      - Also bounds the waits between the attempts of a read (backoff, or the server's C(Retry-After) on HTTP 429 or
        503); a C(Retry-After) longer than what is left fails the task at once, saying so.
    type: int
    default: 120
notes:
  - Names (the app, rooms, stream ids) must be YAML strings. Quote names YAML would read as a number or a boolean,
    such as V('010'), V('12:30') or V('yes'); such a value is refused, not converted.
  - The JWT filter and the IP filter are both in front of the application's REST API. A controller that
    calls a remote server needs its address in the application's C(remoteAllowedCIDR) as well as a JWT.
  - Reads are retried with a jittered backoff on connection failures, timeouts and while the application is
    starting. Writes are sent once; when the answer to a write is lost, the module reads the state back and
    decides from what it finds, and never sends a start twice.
  - Secrets (O(jwt_secret), O(jwt_token), the token minted from the secret, and play tokens) never appear in
    messages, diffs or return values.
"""
