# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Application settings through the server management API (private API).

The server takes the complete settings object on every change (keys left out go back to their
defaults), so a change is always: read the object, change the declared keys, post it back.
"""

from __future__ import annotations

import difflib
import hashlib
from urllib.parse import quote

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaError
from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import Action, Plan, Reconciler
from ansible_collections.mediaops.antmedia.plugins.module_utils._secrets import (
    REDACTED,
    is_secret,
    secret_values,
    shown,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError

__all__ = ["is_secret", "secret_values", "shown", "normalise", "plan_settings", "view", "SettingsApi",
           "AppSettingsReconciler"]

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")


def normalise(key, wanted, current):
    """The wanted value in the type the server keeps for key (inventory values often arrive as strings)."""
    label = shown(key, wanted)  # a secret, or a URL's credentials, never reach an error
    label = label if label == REDACTED else repr(label)
    if isinstance(current, bool):
        if isinstance(wanted, bool):
            return wanted
        if isinstance(wanted, (str, int)) and str(wanted).strip().lower() in TRUE_WORDS + FALSE_WORDS:
            return str(wanted).strip().lower() in TRUE_WORDS
        raise ValidationError("settings.%s: %s is not a boolean" % (key, label))
    if isinstance(current, int):
        if isinstance(wanted, bool):
            raise ValidationError("settings.%s: %s is a boolean; the server keeps a whole number" % (key, label))
        try:
            return int(str(wanted).strip()) if not isinstance(wanted, int) else wanted
        except ValueError:
            raise ValidationError("settings.%s: %s is not a whole number" % (key, label))
    if isinstance(current, float):
        try:
            return float(wanted) if not isinstance(wanted, bool) else _raise_type(key, label, "a number")
        except (TypeError, ValueError):
            raise ValidationError("settings.%s: %s is not a number" % (key, label))
    if isinstance(current, str) or current is None:
        if isinstance(wanted, (dict, list)):
            raise ValidationError("settings.%s: %s must be a string" % (key, label))
        if isinstance(wanted, bool):
            return "true" if wanted else "false"
        return None if wanted is None else str(wanted)
    if isinstance(current, list):
        if not isinstance(wanted, list):
            raise ValidationError("settings.%s: %s must be a list" % (key, label))
        return wanted
    if isinstance(current, dict):
        if not isinstance(wanted, dict):
            raise ValidationError("settings.%s: %s must be a dictionary" % (key, label))
        return wanted
    return wanted


def _raise_type(key, label, what):
    raise ValidationError("settings.%s: %s is not %s" % (key, label, what))


def plan_settings(wanted, current):
    """(new complete object, changed keys) for the declared keys; raises ValidationError naming a bad key."""
    if not isinstance(current, dict):
        raise AntMediaError("the application settings read from the server are not an object", kind="protocol")
    new = dict(current)
    changed = []
    for key in sorted(wanted):
        if key not in current:
            close = difflib.get_close_matches(key, list(current), n=1)
            raise ValidationError("settings.%s: the server has no such application setting%s"
                                  % (key, " (did you mean %s?)" % close[0] if close else ""))
        value = normalise(key, wanted[key], current[key])
        if value != current[key]:
            new[key] = value
            changed.append(key)
    return new, changed


def view(keys, settings):
    return dict((key, shown(key, settings.get(key))) for key in keys)


class SettingsApi(object):
    """Read and replace one application's settings; logs into the console when no server JWT is given."""

    def __init__(self, client, console_user=None, console_password=None):
        self.client = client
        self.console_user = console_user
        self.console_password = console_password
        self._logged_in = False

    def _login(self):
        if self._logged_in or not self.console_user:
            return
        # The web panel sends an MD5 of the password; so does this client.
        digest = hashlib.md5(self.console_password.encode("utf-8")).hexdigest()
        self.client.add_secret(digest)
        response = self.client.request("POST", "v2/users/authenticate", root=True,
                                       body={"email": self.console_user, "password": digest})
        result = self.client._result(response, "the console login")
        if not result.success:
            raise AntMediaError("the console login of user %s was refused%s" % (
                self.console_user, ": %s" % result.message if result.message else " (wrong user or password)"),
                kind="console")
        self._logged_in = True

    def _call(self, method, body=None):
        self._login()
        path = "v2/applications/settings/%s" % quote(self.client.app, safe="")
        try:
            return self.client.request(method, path, body=body, root=True)
        except AntMediaError as exc:
            raise self._explain(exc)

    def _explain(self, exc):
        if exc.kind == "console":
            exc.message = ("the server management API refused the request (Not authenticated user, HTTP 403): give "
                           "server_jwt_secret (the server's jwtServerSecretKey, with jwtServerControlEnabled) or "
                           "console_user and console_password")
        elif exc.kind == "server_jwt":
            exc.message = ("the server management API refused the server JWT (Invalid Server JWT Token, HTTP 403): "
                           "check server_jwt_secret against the server's jwtServerSecretKey")
        elif exc.kind == "ip":
            exc.message = ("the server management API refused this address (Not allowed IP, HTTP 403): run on the "
                           "media host, or add the controller's address to server.allowed_dashboard_CIDR")
        return exc

    def read(self):
        response = self._call("GET")
        if response.status == 204 or not (response.text or "").strip() or response.status == 404:
            raise AntMediaError("there is no application %s on this server" % self.client.app, kind="app")
        settings = self.client._json(response, "the application settings")
        if not isinstance(settings, dict):
            raise AntMediaError("the application settings read from the server are not an object", kind="protocol")
        return settings

    def write(self, settings):
        response = self._call("POST", body=settings)
        result = self.client._result(response, "the settings change")
        if not result.success:
            raise AntMediaError("the server refused the settings change%s"
                                % (": %s" % result.message if result.message else " (no reason given)"))


class AppSettingsReconciler(Reconciler):
    """app_settings: the declared keys of one application's settings; every secret read or declared is
    registered with the client, so it never shows."""

    def __init__(self, client, api, check_mode=False):
        super(AppSettingsReconciler, self).__init__(client, check_mode=check_mode)
        self.api = api

    def key(self, desired):
        return self.client.app

    def hide(self, settings):
        for name, value in settings.items():
            for secret in secret_values(name, value):
                self.client.add_secret(secret)

    def read(self, desired):
        current = self.api.read()
        self.hide(current)  # the server's own secrets (old values) too
        return current

    def decide(self, desired, current):
        new, changed_keys = plan_settings(desired, current)
        declared = sorted(desired)
        actions = [Action("write_settings", settings=new, keys=changed_keys)] if changed_keys else []
        return Plan(self.client.app, desired, current, view(declared, current), view(declared, new), actions,
                    context={"changed_keys": changed_keys})

    def apply(self, plan, action, state):
        changed_keys = action.params["keys"]
        self.api.write(action.params["settings"])
        try:
            after = self.api.read()
        except AntMediaError as exc:
            exc.changed = True  # the write took effect: say so, and what failed after it
            exc.message = "changed %s, then reading the settings back failed: %s" % (
                ", ".join(changed_keys), exc.message)
            raise
        self.hide(after)
        refused = [key for key in changed_keys if after.get(key) != action.params["settings"][key]]
        if refused:
            refusal = AntMediaError("the server accepted the change but kept its own value for: %s"
                                    % ", ".join(refused))
            refusal.changed = len(refused) < len(changed_keys)
            raise refusal
        state["after"] = view(sorted(plan.desired), after)
        return True

    def finish(self, plan, changed, state):
        after = state.get("after", plan.after)
        return after, {"settings": after, "changed_keys": plan.context["changed_keys"]}
