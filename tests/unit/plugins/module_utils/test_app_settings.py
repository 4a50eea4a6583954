# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure part of app_settings: normalising inventory values and planning the complete object."""
from __future__ import annotations

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._app_settings import normalise, plan_settings, view
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError

CURRENT = {"mp4MuxingEnabled": False, "hlsListSize": "5", "maxResolution": 1080, "jwtSecretKey": "old-secret-value",
           "remoteAllowedCIDR": "127.0.0.1", "encoderSettings": [], "other": "kept"}


@pytest.mark.parametrize("key, wanted, expected", [
    ("mp4MuxingEnabled", "true", True), ("mp4MuxingEnabled", "no", False), ("mp4MuxingEnabled", 1, True),
    ("maxResolution", "720", 720), ("hlsListSize", 5, "5"), ("remoteAllowedCIDR", "10.0.0.0/8", "10.0.0.0/8"),
])
def test_values_take_the_servers_type(key, wanted, expected):
    assert normalise(key, wanted, CURRENT[key]) == expected


@pytest.mark.parametrize("key, wanted, message", [
    ("mp4MuxingEnabled", "maybe", "'maybe' is not a boolean"),
    ("maxResolution", "high", "'high' is not a whole number"),
    ("maxResolution", True, "is a boolean"),
    ("encoderSettings", "x", "must be a list"),
    ("jwtSecretKey", {"a": 1}, "settings.jwtSecretKey: ******** must be a string"),
])
def test_wrong_types_name_the_key(key, wanted, message):
    with pytest.raises(ValidationError) as error:
        normalise(key, wanted, CURRENT[key])
    assert message in str(error.value)


def test_plan_changes_only_declared_keys_and_keeps_the_rest():
    new, changed = plan_settings({"mp4MuxingEnabled": "yes", "hlsListSize": 5}, CURRENT)
    assert changed == ["mp4MuxingEnabled"]
    assert new == dict(CURRENT, mp4MuxingEnabled=True)


def test_unknown_key_suggests_the_close_one():
    with pytest.raises(ValidationError) as error:
        plan_settings({"mp4MuxingEnable": True}, CURRENT)
    assert "settings.mp4MuxingEnable" in str(error.value) and "did you mean mp4MuxingEnabled" in str(error.value)


def test_secrets_are_masked_in_views():
    new, changed = plan_settings({"jwtSecretKey": "new-secret-value"}, CURRENT)
    assert changed == ["jwtSecretKey"]
    assert view(["jwtSecretKey", "other"], new) == {"jwtSecretKey": "********", "other": "kept"}
    assert "new-secret-value" not in repr(view(["jwtSecretKey"], new))


class FakeSettingsApi(object):
    """The two calls the reconciler makes, recorded; the server keeps what it is sent."""

    def __init__(self, settings):
        self.settings = dict(settings)
        self.writes = []

    def read(self):
        return dict(self.settings)

    def write(self, settings):
        self.writes.append(dict(settings))
        self.settings = dict(settings)


class FakeClient(object):
    app = "live"

    def __init__(self):
        self.secrets = set()

    def add_secret(self, value):
        if value:
            self.secrets.add(value)


def test_the_reconciler_writes_nothing_in_check_mode_and_once_for_real():
    from ansible_collections.mediaops.antmedia.plugins.module_utils._app_settings import AppSettingsReconciler
    api, client = FakeSettingsApi(CURRENT), FakeClient()
    predicted = AppSettingsReconciler(client, api, check_mode=True).run({"mp4MuxingEnabled": "yes"})
    assert predicted.changed is True and api.writes == []
    assert predicted.diff == {"before": {"mp4MuxingEnabled": False}, "after": {"mp4MuxingEnabled": True}}
    assert "old-secret-value" in client.secrets  # the server's own secrets are hidden even when not declared
    done = AppSettingsReconciler(client, api).run({"mp4MuxingEnabled": "yes"})
    assert done.changed is True and len(api.writes) == 1 and api.writes[0]["other"] == "kept"
    assert done.data == {"settings": {"mp4MuxingEnabled": True}, "changed_keys": ["mp4MuxingEnabled"]}
    again = AppSettingsReconciler(client, api).run({"mp4MuxingEnabled": "yes"})
    assert again.changed is False and len(api.writes) == 1
