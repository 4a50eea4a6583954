# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module shares, and the glue from AnsibleModule to the client
(private API). Documented by the ``mediaops.antmedia.connection`` doc fragment."""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaClient
from ansible_collections.mediaops.antmedia.plugins.module_utils._secrets import REDACTED, strip_userinfo
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    ValidationError,
    check_http_url,
    check_id,
)

DEFAULT_URL = "http://127.0.0.1:5080"
MAX_TIMEOUT = 3600


def connection_argument_spec():
    """The argument spec of the connection options (a new dict on every call)."""
    return dict(
        url=dict(type="str", default=DEFAULT_URL, fallback=(env_fallback, ["ANTMEDIA_URL"])),
        # raw: an app YAML read as a number or boolean is refused by check_id, not turned into a name
        app=dict(type="raw", required=True, fallback=(env_fallback, ["ANTMEDIA_APP"])),
        jwt_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["ANTMEDIA_JWT_SECRET"])),
        jwt_token=dict(type="str", no_log=True, fallback=(env_fallback, ["ANTMEDIA_JWT_TOKEN"])),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=120),
    )


CONNECTION_MUTUALLY_EXCLUSIVE = [("jwt_secret", "jwt_token")]


def antmedia_module_kwargs(argument_spec, mutually_exclusive=None, **kwargs):
    """The AnsibleModule arguments of a module: its argument_spec plus the connection options."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    exclusive = list(CONNECTION_MUTUALLY_EXCLUSIVE) + list(mutually_exclusive or [])
    return dict(argument_spec=spec, mutually_exclusive=exclusive, **kwargs)


# The inventory variable behind each option (the connection_options lookup maps them): messages name both.
INVENTORY_VARIABLES = {"url": "antmedia_url", "app": "antmedia_app", "jwt_secret": "antmedia_jwt_secret",
                       "jwt_token": "antmedia_jwt_token", "timeout": "antmedia_timeout", "ca_path": "antmedia_ca_path",
                       "validate_certs": "antmedia_validate_certs", "server_jwt_secret": "antmedia_server_jwt_secret",
                       "console_user": "antmedia_console_user", "console_password": "antmedia_console_password"}


def option_name(option):
    """An option as a message names it: with the inventory variable a user sets, e.g. "url (antmedia_url)"."""
    variable = INVENTORY_VARIABLES.get(option)
    return "%s (%s)" % (variable, option) if variable else option


def check_connection(params):
    """Validate the connection options (raises ValidationError, JwtSecretError included); nothing is sent."""
    check_http_url(params["url"], option_name("url"), allow_query=False)
    check_id(params["app"], option_name("app"))
    if params["timeout"] is None or params["timeout"] <= 0 or params["timeout"] > MAX_TIMEOUT:
        raise ValidationError("%s %r must be from 1 to %d seconds" % (option_name("timeout"), params["timeout"],
                                                                      MAX_TIMEOUT))
    if params.get("jwt_secret") is not None:
        # only when a secret is given: a run without one never loads the JWT code
        from ansible_collections.mediaops.antmedia.plugins.module_utils._jwt import check_secret

        check_secret(params["jwt_secret"], option_name("jwt_secret"))
    token = params.get("jwt_token")
    # it goes into an HTTP header: visible ASCII (a JWT, perhaps after "Bearer "), never shown in the message
    if token is not None and (not token.strip() or any(not " " <= char <= "~" for char in token)):
        raise ValidationError("%s must be one non-empty line of printable ASCII characters (a JWT)"
                              % option_name("jwt_token"))


def connect(params, client_class=AntMediaClient):
    """Check the connection options and return (client, warnings); raises ValidationError before any request.

    A password in url never shows: the client keeps it as a secret, and params["url"] (what pages are built
    from, and the invocation Ansible returns) loses it."""
    url = params["url"]
    shown_url, userinfo = strip_userinfo(url) if isinstance(url, str) else (url, [])
    params["url"] = shown_url  # before anything can fail: the invocation Ansible returns shows no password
    try:
        check_connection(dict(params, url=url))
    except ValidationError as exc:
        message = str(exc)
        for secret in sorted(userinfo, key=len, reverse=True):
            message = message.replace(secret, REDACTED)
        raise ValidationError(message)
    warnings = []
    if params.get("jwt_secret"):
        from ansible_collections.mediaops.antmedia.plugins.module_utils._jwt import weak_secret_warning

        weak = weak_secret_warning(params["jwt_secret"], option_name("jwt_secret"))
        if weak:
            warnings.append(weak)
    if not params["validate_certs"]:
        warnings.append("validate_certs is false: the certificate of %s is not verified, so anyone in the path can "
                        "read the requests and their credentials" % shown_url)
    client = client_class(
        url, params["app"], jwt_secret=params.get("jwt_secret"), jwt_token=params.get("jwt_token"),
        validate_certs=params["validate_certs"], ca_path=params.get("ca_path"), timeout=params["timeout"],
    )
    return client, warnings


def subject(client, stream_id=None, room=None):
    """The start of every error line: server, app, and the stream/room concerned."""
    text = "%s app %s" % (client.base_url, client.app)
    if room and stream_id and stream_id != room:
        text += " room %s (stream %s)" % (room, stream_id)
    elif room or stream_id:
        text += " stream %s" % (stream_id or room)
    return text
