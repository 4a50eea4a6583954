"""The server management REST API on the root context, `/rest/v2/...` (console RestServiceV2 and
CommonRestService): console login and application settings. Console users are system-scope admins."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import TYPE_CHECKING

from .filters import root_auth_filter
from .settings import settings_from_post
from .web import HttpError, Request, Response, Router, empty, error_page, json_response, result

if TYPE_CHECKING:
    from .node import AmsNode

SESSION_COOKIE = "JSESSIONID"
ALLOWED_LOGIN_ATTEMPTS = 2          # CommonRestService: more failures than this block the user
BLOCKED_LOGIN_TIMEOUT_SECONDS = 300

routes = Router()


def handle(node: "AmsNode", request: Request) -> Response:
    refused = root_auth_filter(request, node.server_settings, _session_user(node, request) is not None)
    if refused is not None:
        return refused
    response = routes.dispatch(request.method, request.path, node, request)
    return response if response is not None else error_page(404, "Not Found")


def _session_user(node: "AmsNode", request: Request) -> str | None:
    session_id = request.cookie(SESSION_COOKIE)
    return node.console_sessions.get(session_id) if session_id else None


def _md5(text: str | None) -> str:
    return hashlib.md5((text or "").encode()).hexdigest()


@routes.post("/rest/v2/users/initial")
def add_initial_user(node: "AmsNode", request: Request) -> Response:
    """The first admin of a fresh install; refused once any user exists."""
    user = request.json_object() or {}
    with node.console_users.lock:
        created = not node.console_users.value and bool(user.get("email"))
        if created:
            node.console_users.value[user["email"]] = {"password": _md5(user.get("password")),
                                                      "scope": "system", "userType": "ADMIN"}
    if created:
        node.console_users.changed()
    answer = result(created)
    answer["errorId"] = -1
    return json_response(answer)


@routes.get("/rest/v2/first-login-status")
def first_login_status(node: "AmsNode", request: Request) -> Response:
    return json_response(result(not node.console_users.value))


@routes.get("/rest/v2/authentication-status")
def authentication_status(node: "AmsNode", request: Request) -> Response:
    return json_response(result(_session_user(node, request) is not None))


@routes.post("/rest/v2/users/authenticate")
def authenticate(node: "AmsNode", request: Request) -> Response:
    """A console login: the answer sets the session cookie the other calls need."""
    user = request.json_object() or {}
    email, password = user.get("email"), user.get("password")
    if email is None:
        return json_response(result(False, ""))
    with node.lock:
        failures = node.failed_logins.setdefault(email, [0, 0.0])
        if failures[0] > ALLOWED_LOGIN_ATTEMPTS:
            if time.time() - failures[1] <= BLOCKED_LOGIN_TIMEOUT_SECONDS:
                return json_response(result(False, "Too many login attempts. User is blocked for %d secs"
                                            % BLOCKED_LOGIN_TIMEOUT_SECONDS))
            failures[:] = [0, 0.0]
        stored = node.console_users.value.get(email)
        # The panel sends an MD5 of the password; either form is accepted.
        if stored is None or stored["password"] not in (_md5(password), _md5(_md5(password))):
            failures[0] += 1
            if failures[0] > ALLOWED_LOGIN_ATTEMPTS:
                failures[1] = time.time()
            return json_response(result(False, ""))
        failures[:] = [0, 0.0]
        session_id = secrets.token_hex(16).upper()
        node.console_sessions[session_id] = email
    response = json_response(result(True, "%s/%s" % (stored["scope"], stored["userType"])))
    response.headers.append(("Set-Cookie", "%s=%s; Path=/; HttpOnly" % (SESSION_COOKIE, session_id)))
    return response


@routes.delete("/rest/v2/users/logout")
def logout(node: "AmsNode", request: Request) -> Response:
    with node.lock:
        node.console_sessions.pop(request.cookie(SESSION_COOKIE) or "", None)
    return json_response(result(True))


@routes.get("/rest/v2/applications")
def applications(node: "AmsNode", request: Request) -> Response:
    return json_response({"applications": list(node.apps)})


@routes.get("/rest/v2/applications/settings/{app_name}")
def get_settings(node: "AmsNode", request: Request, app_name: str) -> Response:
    app = node.apps.get(app_name)
    return json_response(app.settings) if app is not None else empty(204)  # a null entity


@routes.post("/rest/v2/applications/settings/{app_name}")
def change_settings(node: "AmsNode", request: Request, app_name: str) -> Response:
    """The body is the complete settings object: whatever it leaves out goes back to its default."""
    app = node.apps.get(app_name)
    posted = request.json_object()
    if app is None or posted is None:
        raise HttpError(error_page(500, "java.lang.NullPointerException"))
    settings = settings_from_post(posted, app.settings)
    if settings is not None:
        app.replace_settings(settings)
    return json_response(result(settings is not None))
