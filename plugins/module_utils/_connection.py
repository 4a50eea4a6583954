# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module shares, and the glue from AnsibleModule to the client
(private API). Documented by the ``mediaops.antmedia.connection`` doc fragment."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    AntMediaClient,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._jwt import JwtSecretError, check_secret
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


def antmedia_module(argument_spec, mutually_exclusive=None, **kwargs):
    """An AnsibleModule with the connection options added to argument_spec."""
    return AnsibleModule(**antmedia_module_kwargs(argument_spec, mutually_exclusive, **kwargs))


def check_connection(params):
    """Validate the connection options (raises ValidationError or JwtSecretError); nothing is sent."""
    check_http_url(params["url"], "url", allow_query=False)
    check_id(params["app"], "app")
    if params["timeout"] is None or params["timeout"] <= 0 or params["timeout"] > MAX_TIMEOUT:
        raise ValidationError("timeout %r must be from 1 to %d seconds" % (params["timeout"], MAX_TIMEOUT))
    if params.get("jwt_secret") is not None:
        check_secret(params["jwt_secret"])
    if params.get("jwt_token") is not None and (not params["jwt_token"].strip() or "\n" in params["jwt_token"]):
        raise ValidationError("jwt_token must be one non-empty line")


def client_for(module, client_class=AntMediaClient):
    """Check the connection options and return a client; fails the module before any request."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    params = module.params
    # a password in url never shows: not in errors, warnings, nor the invocation Ansible returns
    shown_url, userinfo = strip_userinfo(params["url"]) if isinstance(params["url"], str) else (params["url"], [])
    for secret in userinfo:
        module.no_log_values.add(secret)
    try:
        check_connection(params)
    except (ValidationError, JwtSecretError) as exc:
        message = str(exc)
        for secret in sorted(userinfo, key=len, reverse=True):
            message = message.replace(secret, REDACTED)
        module.fail_json(msg=message)
    if not params["validate_certs"]:
        module.warn("validate_certs is false: the certificate of %s is not verified, so anyone in the path can "
                    "read the requests and their credentials" % shown_url)
    client = client_class(
        params["url"], params["app"], jwt_secret=params.get("jwt_secret"), jwt_token=params.get("jwt_token"),
        validate_certs=params["validate_certs"], ca_path=params.get("ca_path"), timeout=params["timeout"],
    )
    # only the client keeps the credentials; pages built from url and the returned invocation get none
    params["url"] = shown_url
    return client


def subject(client, stream_id=None, room=None):
    """The start of every error line: server, app, and the stream/room concerned."""
    text = "%s app %s" % (client.base_url, client.app)
    if room and stream_id and stream_id != room:
        text += " room %s (stream %s)" % (room, stream_id)
    elif room or stream_id:
        text += " stream %s" % (stream_id or room)
    return text


def fail(module, client, exc, stream_id=None, room=None, **extra):
    """Fail the task with ONE line naming the server, app, stream/room and cause, free of secrets."""
    cause = getattr(exc, "message", None) or str(exc)
    message = " ".join(("%s: %s" % (subject(client, stream_id, room), cause)).split())
    module.fail_json(msg=client.redact(message), changed=getattr(exc, "changed", False), **client.redact(extra))


def warn_all(module, client, warnings):
    for warning in warnings:
        module.warn(client.redact(warning))
