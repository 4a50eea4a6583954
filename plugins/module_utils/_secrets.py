# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one list of Ant Media Server's secret settings, and how a value is shown without them (private API).

Read from ``src/main/java/io/antmedia/AppSettings.java`` (ant-media/Ant-Media-Server, 2026-06): every
field that holds a key, password, token, secret or credential, and every field that holds a URL (a
webhook or endpoint URL may carry a user and password, or a token in its query or path).
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit, urlunsplit

REDACTED = "********"

# AppSettings fields whose whole value is a secret.
SECRET_SETTINGS = frozenset((
    "jwtSecretKey",                 # app JWT filter
    "jwtStreamSecretKey",           # publish/play JWTs
    "tokenHashSecret",              # hash-based publish/play tokens
    "timeTokenSecretForPlay",       # TOTP play tokens
    "timeTokenSecretForPublish",    # TOTP publish tokens
    "subscriberAuthenticationKey",  # TOTP subscriber codes
    "clusterCommunicationKey",      # signs the cluster's internal calls
    "s3AccessKey",
    "s3SecretKey",
    "turnServerUsername",           # TURN credentials (the username is half of it)
    "turnServerCredential",
    "firebaseAccountKeyJSON",       # a service account with its private key
    "apnPrivateKey",
    "apnKeyId",
))

# AppSettings fields that hold a URL (or URI): shown with their user, password and tokens removed.
URL_SETTINGS = frozenset((
    "listenerHookURL",
    "dataChannelWebHookURL",
    "webhookAuthenticateURL",
    "webhookPlayAuthUrl",
    "jwksURL",
    "httpForwardingBaseURL",
    "stunServerURI",
    "hlsHttpEndpoint",
    "dashHttpEndpoint",
    "s3Endpoint",
    "warFileOriginServerAddress",
    "signalingAddress",
))

# A name not in the lists above (a newer server's setting, a key of customSettings) that looks like a secret.
SECRET_NAME = re.compile(r"(?i)(secret|passw|pwd|credential|token|private|apikey|api_key|accesskey|access_key)"
                         r"|(Key|KEY|_key)$")
# Query parameters whose value is a credential.
SECRET_PARAMETER = re.compile(r"(?i)(token|secret|key|pass|pwd|auth|sig|credential|session|code|jwt)")
# A path segment that looks like a generated token (Slack-style hook URLs carry their secret in the path).
TOKEN_SEGMENT = re.compile(r"^(?=.*[A-Za-z])(?=.*[0-9])[A-Za-z0-9_\-.~=]{16,}$|^[A-Za-z0-9_\-.~=]{32,}$")


def is_secret(key):
    """Whether the whole value of setting key is a secret."""
    return key in SECRET_SETTINGS or bool(SECRET_NAME.search(str(key)))


def _is_scalar_non_secret(value):
    # a boolean or a number is a switch or a size, never a credential
    return value is None or isinstance(value, (bool, int, float))


def redact_url(value):
    """The URL with its userinfo, secret query values, token-like path segments and fragment replaced."""
    return _split_url(value)[0]


def url_secrets(value):
    """The secret parts of a URL (to remove them from any other text)."""
    return _split_url(value)[1]


def _split_url(value):
    if not isinstance(value, str) or "://" not in value:
        return value, []
    try:
        parts = urlsplit(value)
    except ValueError:
        return REDACTED, [value]  # cannot tell its parts: hide it whole
    hidden = []
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        # the password (and the whole userinfo); a user name alone is not worth mangling other text for
        hidden.append(userinfo)
        hidden.extend(userinfo.split(":", 1)[1:])
        netloc = "%s@%s" % (REDACTED, host)
    segments = []
    for segment in parts.path.split("/"):
        if TOKEN_SEGMENT.match(segment):
            hidden.append(segment)
            segment = REDACTED
        segments.append(segment)
    query = []
    for pair in parts.query.split("&") if parts.query else []:
        name, sep, item = pair.partition("=")
        if sep and item and SECRET_PARAMETER.search(unquote(name)):
            hidden.append(item)
            item = REDACTED
        query.append(name + sep + item)
    fragment = parts.fragment
    if fragment:
        hidden.append(fragment)
        fragment = REDACTED
    shown_url = urlunsplit((parts.scheme, netloc, "/".join(segments), "&".join(query), fragment))
    hidden = [piece for piece in hidden if piece and piece != REDACTED]
    hidden += [unquote(piece) for piece in hidden if unquote(piece) != piece]
    return shown_url, hidden


def shown(key, value):
    """The value of setting key as it may appear in output."""
    if _is_scalar_non_secret(value) or value == "":
        return value
    if is_secret(key):
        return REDACTED
    if isinstance(value, dict):
        return dict((name, shown(name, item)) for name, item in value.items())
    if isinstance(value, list):
        return [shown(key, item) for item in value]
    if isinstance(value, str):
        # any string setting that holds a URL, listed or not
        return redact_url(value)
    return value


def secret_values(key, value):
    """Every string that must be removed from output because setting key holds value."""
    if _is_scalar_non_secret(value) or value == "":
        return []
    if is_secret(key):
        found = [value] if isinstance(value, str) else [json.dumps(value, sort_keys=True)]
        if isinstance(value, (dict, list)):
            found += _strings(value)
        return found
    if isinstance(value, dict):
        found = []
        for name, item in value.items():
            found += secret_values(name, item)
        return found
    if isinstance(value, list):
        found = []
        for item in value:
            found += secret_values(key, item)
        return found
    if isinstance(value, str):
        return url_secrets(value)
    return []


def _strings(value):
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def strip_userinfo(url):
    """(url without user and password, [the removed parts]) for the connection option url."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, []
    if "@" not in parts.netloc:
        return url, []
    userinfo, host = parts.netloc.rsplit("@", 1)
    removed = [userinfo] + userinfo.split(":", 1)[1:]
    removed = [piece for piece in removed if piece]
    removed += [unquote(piece) for piece in removed if unquote(piece) != piece]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)), removed
