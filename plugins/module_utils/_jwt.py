# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HS256 JSON Web Tokens for the Ant Media Server JWT filter (stdlib only, private API)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

# raised here; defined with the other input errors so that a run without a secret never loads this module
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import JwtSecretError  # noqa: F401

# HS256 keys shorter than the hash (256 bits) are weak (RFC 7518, 3.2); AMS's java-jwt accepts them anyway
# (HMACAlgorithm rejects only a null secret), so a shorter secret is warned about, never refused.
MIN_SECRET_BYTES = 32


def weak_secret_warning(secret, name="jwt_secret"):
    """A warning when the secret is shorter than 32 bytes (it works on the server, but is weak); None otherwise.
    Says only the length, never the secret."""
    length = len((secret or "").encode("utf-8"))
    if not secret or length >= MIN_SECRET_BYTES:
        return None
    return ("%s is %d bytes long: Ant Media Server accepts it, but an HS256 secret under %d bytes is weak (easier to "
            "guess); use a longer random one" % (name, length, MIN_SECRET_BYTES))


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def check_secret(secret, name="jwt_secret"):
    """Raise JwtSecretError when AMS could never verify a token signed with this secret: an empty one (Java's
    SecretKeySpec refuses an empty key). A short one works (see weak_secret_warning)."""
    if not secret:
        raise JwtSecretError("%s must not be empty" % name)


def mint_hs256(secret, lifetime, now=None):
    """Return a compact HS256 JWS whose only claim is ``exp`` (``now + lifetime`` seconds).

    No ``iat``/``nbf`` claim: the server's verifier rejects those when the controller's clock is
    ahead of the media host's, and AMS requires no claim at all.
    """
    check_secret(secret)
    issued = int(time.time() if now is None else now)
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {"exp": issued + int(lifetime)}
    signing_input = "%s.%s" % (
        _b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")),
        _b64url(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")),
    )
    signature = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()
    return "%s.%s" % (signing_input, _b64url(signature))


# Circle signs its push's publish token for 60 s (WebSocketApplicationHandler.generateJwtToken).
STREAM_TOKEN_LIFETIME = 60


def mint_stream_token(secret, stream_id, token_type="publish", lifetime=STREAM_TOKEN_LIFETIME, now=None):
    """A stream JWT as Circle mints it: HS256 with the app's jwtStreamSecretKey, claims streamId, type, exp."""
    if not secret:
        raise JwtSecretError("stream_jwt_secret must not be empty")
    issued = int(time.time() if now is None else now)
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {"streamId": stream_id, "type": token_type, "exp": issued + int(lifetime)}
    signing_input = "%s.%s" % (
        _b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")),
        _b64url(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")),
    )
    signature = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()
    return "%s.%s" % (signing_input, _b64url(signature))
