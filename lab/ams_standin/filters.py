"""The servlet filters in front of AMS's REST APIs, and the HS256 JWTs they check.

Application REST (`/{APP}/rest/*`, StreamApp's web.xml maps them in this order):
  JWTFilter: "Application is getting initialized" while the app starts, then the app JWT check
  IPFilter: the remote address against remoteAllowedCIDR
Root REST (`/rest/*`): IPFilterDashboard (server.allowed_dashboard_CIDR) then AuthenticationFilter
(a server JWT in ProxyAuthorization, or a console login session).
A request from another cluster node passes the app filters with a JWT signed with the app's
clusterCommunicationKey in the ClusterAuthorization header."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import time
from typing import Any

from .web import Request, Response, error_page

CLUSTER_AUTHORIZATION_HEADER = "ClusterAuthorization"
SERVER_JWT_HEADER = "ProxyAuthorization"

# java-jwt's HMACAlgorithm rejects only a null secret, and an empty key cannot build an HMAC key (SecretKeySpec):
# a secret of any other length verifies tokens (docs/server-contract.md, "Security filters").


def cidr_allows(cidr_list: str | None, remote: str) -> bool:
    """AbstractFilter.checkCIDRList over a comma-separated list; malformed entries are skipped, as
    AppSettings.fillFromInput does, and an entry without a prefix is a single address."""
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    for entry in (cidr_list or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if address.version == network.version and address in network:
            return True
    return False


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_sign(claims: dict[str, Any], secret: str) -> str:
    """An HS256 JWS, as JWTFilter.generateJwtToken makes for node-to-node calls."""
    header = _b64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), ("%s.%s" % (header, payload)).encode(), hashlib.sha256).digest()
    return "%s.%s.%s" % (header, payload, _b64url_encode(signature))


def jwt_claims(token: str | None, secret: str | None, now: float | None = None) -> dict | None:
    """The claims of a token that java-jwt's JWT.require(Algorithm.HMAC256(secret)).build().verify
    accepts, else None: the header must say HS256, the signature must match, and the time claims must
    hold (exp not passed, nbf and iat not in the future, to the second). No claim is required."""
    if not token or not secret:
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
        signature = _b64url_decode(parts[2])
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        return None
    expected = hmac.new(secret.encode(), ("%s.%s" % (parts[0], parts[1])).encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        return None
    now_seconds = int(now if now is not None else time.time())
    try:
        if "exp" in claims and now_seconds > int(claims["exp"]):
            return None
        if "nbf" in claims and now_seconds < int(claims["nbf"]):
            return None
        if "iat" in claims and now_seconds < int(claims["iat"]):
            return None
    except (TypeError, ValueError):
        return None
    return claims


def jwt_valid(token: str | None, secret: str | None) -> bool:
    return jwt_claims(token, secret) is not None


def _from_cluster_node(request: Request, settings: dict) -> bool:
    """RestProxyFilter.isNodeCommunicationTokenValid."""
    return jwt_valid(request.header(CLUSTER_AUTHORIZATION_HEADER), settings.get("clusterCommunicationKey"))


def app_filters(request: Request, settings: dict, initializing: bool) -> Response | None:
    """JWTFilter then IPFilter for /{APP}/rest/*: the refusal page, or None to go on."""
    if initializing:
        return error_page(403, "Application is getting initialized")

    token = request.header("Authorization")
    if token is not None and token.lower().startswith("bearer"):
        token = token[len("bearer"):].strip()
    jwt_passes = (not settings.get("jwtControlEnabled")
                  or jwt_valid(token, settings.get("jwtSecretKey"))
                  or _from_cluster_node(request, settings))
    if not jwt_passes:
        return error_page(403, "Invalid App JWT Token")

    ip_passes = (not settings.get("ipFilterEnabled")
                 or cidr_allows(settings.get("remoteAllowedCIDR"), request.remote)
                 or _from_cluster_node(request, settings)
                 or "rest/v2/acm" in request.path)
    if not ip_passes:
        return error_page(403, "Not allowed IP")
    return None


# AuthenticationFilter lets these through without a login (the login page's own calls).
_OPEN_ROOT_PATHS = {
    "/rest/isAuthenticated", "/rest/authenticateUser", "/rest/addInitialUser", "/rest/isFirstLogin",
    "/rest/v2/authentication-status", "/rest/v2/users/initial", "/rest/v2/first-login-status",
    "/rest/v2/users/authenticate", "/rest/v2/liveness",
}


def dashboard_filter(request: Request, server_settings: dict) -> Response | None:
    """IPFilterDashboard, in front of everything the root context serves."""
    if cidr_allows(server_settings.get("allowedDashboardCIDR"), request.remote):
        return None
    return error_page(403, "Not allowed IP")


def root_auth_filter(request: Request, server_settings: dict, logged_in: bool) -> Response | None:
    """AuthenticationFilter for /rest/*, for console users who are all system-scope admins here."""
    token = request.header(SERVER_JWT_HEADER)
    if server_settings.get("jwtServerControlEnabled") and token and token.strip():
        if jwt_valid(token, server_settings.get("jwtServerSecretKey")):
            return None
        return error_page(403, "Invalid Server JWT Token")
    if request.path in _OPEN_ROOT_PATHS or (request.path.startswith("/rest/v2/users/")
                                            and request.path.endswith("/blocked")):
        return None
    if logged_in:
        return None
    return error_page(403, "Not authenticated user")
