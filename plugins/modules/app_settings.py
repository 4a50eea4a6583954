#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: app_settings
short_description: Read and idempotently set the settings of an Ant Media Server application
version_added: 0.1.0
author: mediaops team (@mediaops)
description:
  - Makes the application settings named in O(settings) have the given values, for example C(mp4MuxingEnabled)
    (record every stream to MP4), C(hlsMuxingEnabled) with C(deleteHLSFilesOnEnded=false) (HLS recording), or
    C(remoteAllowedCIDR). Settings not named are left as they are.
  - Uses the server management API (C(/rest/v2/applications/settings/APP)), which takes the complete settings
    object; the module reads it, changes the named keys and posts the whole object back, only when a value differs.
  - Values are compared in the type the server keeps, so V("true") and V(true), or V("10") and V(10), are the same.
  - Secret settings are compared but never shown; they appear as C(********) in the diff, the return values,
    warnings and errors. They are the keys, passwords, tokens, secrets and credentials of the server's
    C(AppSettings) (for example C(jwtSecretKey), C(jwtStreamSecretKey), C(clusterCommunicationKey), C(s3AccessKey),
    C(s3SecretKey), C(turnServerCredential)), and any name containing C(secret), C(password), C(credential),
    C(token) or C(private) or ending in C(Key).
  - In settings that hold a URL (for example C(listenerHookURL)), the user and password, the values of query
    parameters named like a credential (C(token), C(key), C(secret), C(auth), C(sig), ...), path segments that
    look like generated tokens and the fragment are shown as C(********); the rest of the URL stays readable.
attributes:
  check_mode:
    details:
      - Reads the settings and predicts the change; sends no write.
  diff_mode:
    details:
      - The diff holds only the named settings; secret values are masked.
extends_documentation_fragment:
  - mediaops.antmedia.connection
  - mediaops.antmedia.attributes
  - mediaops.antmedia.attributes.converge
options:
  settings:
    description:
      - The application settings to enforce, by the server's names (for example V(mp4MuxingEnabled)).
      - A name the server does not have fails the task before any write, naming it.
      - Required unless O(hook_url) is given.
    type: dict
    default: {}
  hook_url:
    description:
      - The application's hook URL (the setting C(listenerHookURL)), for example the receiver of the
        C(mediaops.antmedia.auto_record) rulebook, C(http://RECEIVER:5001/ams/SECRET). Merged into O(settings); it may
        not differ from a C(listenerHookURL) given there.
      - A secret option, never shown whole. In the diff and the return values its secret path segment, user,
        password and secret query values are C(********).
      - AMS copies the application's hook URL into each broadcast it creates, so a changed hook URL reaches only
        broadcasts created afterwards (see the rotation in the auto_record guide).
      - The playbooks C(provision.yml) and C(drift.yml) pass the inventory variable C(antmedia_hook_url) here.
    type: str
  server_jwt_secret:
    description:
      - The server's JWT secret (C(server.jwtServerSecretKey), with C(server.jwtServerControlEnabled=true)); the module
        signs a short-lived token with it for the management API. A secret under 32 bytes works but is weak, and
        the task warns.
      - If not set, the value of the E(ANTMEDIA_SERVER_JWT_SECRET) environment variable is used.
      - Without it, O(console_user) and O(console_password) log into the management console.
    type: str
  console_user:
    description:
      - A management console user (its e-mail), used when O(server_jwt_secret) is not given.
      - If not set, the value of the E(ANTMEDIA_CONSOLE_USER) environment variable is used.
    type: str
  console_password:
    description:
      - The password of O(console_user).
      - If not set, the value of the E(ANTMEDIA_CONSOLE_PASSWORD) environment variable is used.
    type: str
notes:
  - The application options O(jwt_secret) and O(jwt_token) are not used by this API; it is guarded by the server's
    own login or server JWT, and by the server's C(allowed_dashboard_CIDR).
seealso:
  - module: mediaops.antmedia.room_recordings
"""

EXAMPLES = r"""
- name: Keep HLS files after a stream ends (HLS recording), record every stream to MP4
  mediaops.antmedia.app_settings:
    app: LiveApp
    server_jwt_secret: "{{ vault_antmedia_server_jwt_secret }}"
    settings:
      hlsMuxingEnabled: true
      deleteHLSFilesOnEnded: false
      mp4MuxingEnabled: true

- name: Point the application's hooks at the auto_record receiver (the URL holds its secret)
  mediaops.antmedia.app_settings:
    app: LiveApp
    server_jwt_secret: "{{ vault_antmedia_server_jwt_secret }}"
    hook_url: "{{ vault_antmedia_hook_url }}"

- name: Turn the JWT filter on with a secret from the vault
  mediaops.antmedia.app_settings:
    app: LiveApp
    console_user: admin@example.com
    console_password: "{{ vault_antmedia_console_password }}"
    settings:
      jwtControlEnabled: true
      jwtSecretKey: "{{ vault_antmedia_jwt_secret }}"
"""

RETURN = r"""
settings:
  description: The named settings as the server has them after the run (predicted in check mode), secrets masked.
  returned: always
  type: dict
  sample: {"hlsMuxingEnabled": true, "deleteHLSFilesOnEnded": false, "jwtSecretKey": "********"}
changed_keys:
  description: The named settings whose value changed (or would change).
  returned: always
  type: list
  elements: str
  sample: [deleteHLSFilesOnEnded]
"""

import functools
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.mediaops.antmedia.plugins.module_utils._app_settings import (
    AppSettingsReconciler,
    SettingsApi,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaClient
from ansible_collections.mediaops.antmedia.plugins.module_utils._connection import option_name
from ansible_collections.mediaops.antmedia.plugins.module_utils._jwt import JwtSecretError, check_secret
from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import run_module
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError


def merge_hook_url(params):
    """hook_url into settings as listenerHookURL; errors never show the URL (it holds the receiver's secret)."""
    settings = dict(params["settings"] or {})
    hook_url = params.get("hook_url")
    if hook_url is not None:
        hook_url = hook_url.strip()
        parts = urlsplit(hook_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError("hook_url (antmedia_hook_url) must be an http:// or https:// URL with a host")
        if "listenerHookURL" in settings and str(settings["listenerHookURL"]).strip() != hook_url:
            raise ValidationError("settings.listenerHookURL and hook_url (antmedia_hook_url) differ: give the hook URL "
                                  "once")
        settings["listenerHookURL"] = hook_url
    params["settings"] = settings


def use_server_jwt(params):
    """Check the options; the management API authenticates with the server JWT, never the application's."""
    merge_hook_url(params)
    if not params["settings"]:
        raise ValidationError("settings or hook_url must name at least one application setting")
    try:
        if params["server_jwt_secret"] is not None:
            check_secret(params["server_jwt_secret"], option_name("server_jwt_secret"))
    except (JwtSecretError, ValidationError) as exc:
        raise ValidationError(str(exc))
    params["jwt_secret"], params["jwt_token"] = params["server_jwt_secret"], None


def converge_settings(params, client, check_mode):
    client.add_secret(params["console_password"])
    api = SettingsApi(client, params["console_user"], params["console_password"])
    reconciler = AppSettingsReconciler(client, api, check_mode=check_mode)
    reconciler.hide(params["settings"])
    outcome = reconciler.run(params["settings"])
    return dict(outcome.data, changed=outcome.changed, diff=outcome.diff)


def main():
    run_module(
        dict(
            settings=dict(type="dict", default={}),
            hook_url=dict(type="str", no_log=True),
            server_jwt_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["ANTMEDIA_SERVER_JWT_SECRET"])),
            console_user=dict(type="str", fallback=(env_fallback, ["ANTMEDIA_CONSOLE_USER"])),
            console_password=dict(type="str", no_log=True, fallback=(env_fallback, ["ANTMEDIA_CONSOLE_PASSWORD"])),
        ),
        converge_settings, prepare=use_server_jwt,
        client_class=functools.partial(AntMediaClient, auth_header="ProxyAuthorization"),
        mutually_exclusive=[("server_jwt_secret", "console_user")],
        required_together=[("console_user", "console_password")],
        supports_check_mode=True,
    )


if __name__ == "__main__":
    main()
