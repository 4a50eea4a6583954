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
extends_documentation_fragment:
  - mediaops.antmedia.connection
  - mediaops.antmedia.attributes
  - mediaops.antmedia.attributes.actiongroup_antmedia
attributes:
  check_mode:
    support: full
    details:
      - Reads the settings and predicts the change; sends no write.
  diff_mode:
    support: full
    details:
      - The diff holds only the named settings; secret values are masked.
  idempotent:
    support: full
options:
  settings:
    description:
      - The application settings to enforce, by the server's names (for example V(mp4MuxingEnabled)).
      - A name the server does not have fails the task before any write, naming it.
    type: dict
    required: true
  server_jwt_secret:
    description:
      - The server's JWT secret (C(server.jwtServerSecretKey), with C(server.jwtServerControlEnabled=true)); the module
        signs a short-lived token with it for the management API. At least 32 bytes.
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

from ansible.module_utils.basic import env_fallback

from ansible_collections.mediaops.antmedia.plugins.module_utils._app_settings import (
    SettingsApi,
    plan_settings,
    secret_values,
    view,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaClient, AntMediaError
from ansible_collections.mediaops.antmedia.plugins.module_utils._connection import antmedia_module, client_for, fail
from ansible_collections.mediaops.antmedia.plugins.module_utils._jwt import JwtSecretError, check_secret
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError


def main():
    module = antmedia_module(
        argument_spec=dict(
            settings=dict(type="dict", required=True),
            server_jwt_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["ANTMEDIA_SERVER_JWT_SECRET"])),
            console_user=dict(type="str", fallback=(env_fallback, ["ANTMEDIA_CONSOLE_USER"])),
            console_password=dict(type="str", no_log=True, fallback=(env_fallback, ["ANTMEDIA_CONSOLE_PASSWORD"])),
        ),
        mutually_exclusive=[("server_jwt_secret", "console_user")],
        required_together=[("console_user", "console_password")],
        supports_check_mode=True,
    )
    params = module.params
    if not params["settings"]:
        module.fail_json(msg="settings must name at least one application setting")
    try:
        if params["server_jwt_secret"] is not None:
            check_secret(params["server_jwt_secret"])
    except (JwtSecretError, ValidationError) as exc:
        module.fail_json(msg="server_jwt_secret: %s" % exc)

    def server_client(url, app, **kwargs):
        kwargs.update(jwt_secret=params["server_jwt_secret"], jwt_token=None, auth_header="ProxyAuthorization")
        return AntMediaClient(url, app, **kwargs)

    client = client_for(module, client_class=server_client)
    client.add_secret(params["console_password"])

    def hide(settings):
        for key, value in settings.items():
            for secret in secret_values(key, value):
                client.add_secret(secret)
                module.no_log_values.add(secret)  # also hides it in the invocation Ansible returns

    hide(params["settings"])
    api = SettingsApi(client, params["console_user"], params["console_password"])
    changed_keys = []
    try:
        current = api.read()
        hide(current)  # the server's own secrets (old values) too
        try:
            new, changed_keys = plan_settings(params["settings"], current)
        except ValidationError as exc:
            module.fail_json(msg=str(exc))
        declared = sorted(params["settings"])
        after = new
        if changed_keys and not module.check_mode:
            api.write(new)
            try:
                after = api.read()
            except AntMediaError as exc:
                # the write took effect: say so, and what failed after it
                exc.changed = True
                exc.message = "changed %s, then reading the settings back failed: %s" % (
                    ", ".join(changed_keys), exc.message)
                raise
            hide(after)
            refused = [key for key in changed_keys if after.get(key) != new[key]]
            if refused:
                refusal = AntMediaError("the server accepted the change but kept its own value for: %s"
                                        % ", ".join(refused))
                refusal.changed = len(refused) < len(changed_keys)
                raise refusal
    except AntMediaError as exc:
        fail(module, client, exc)
    result = dict(changed=bool(changed_keys), settings=view(declared, after), changed_keys=changed_keys)
    if module._diff:
        result["diff"] = {"before": view(declared, current), "after": view(declared, after)}
    module.exit_json(**client.redact(result))


if __name__ == "__main__":
    main()
