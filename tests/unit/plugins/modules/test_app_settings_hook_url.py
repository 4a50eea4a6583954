# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""app_settings' hook_url: merged into the settings as listenerHookURL; bad values refused without showing them."""
from __future__ import annotations

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError
from ansible_collections.mediaops.antmedia.plugins.modules.app_settings import merge_hook_url, use_server_jwt

SECRET = "k1" + "0f3a" * 12
HOOK = "http://10.0.0.9:5001/ams/" + SECRET


def params(**given):
    return dict({"settings": {}, "hook_url": None, "server_jwt_secret": None}, **given)


def test_hook_url_is_merged_into_the_settings():
    merged = params(settings={"mp4MuxingEnabled": True}, hook_url=" %s " % HOOK)
    merge_hook_url(merged)
    assert merged["settings"] == {"mp4MuxingEnabled": True, "listenerHookURL": HOOK}
    same = params(settings={"listenerHookURL": HOOK}, hook_url=HOOK)
    merge_hook_url(same)
    assert same["settings"] == {"listenerHookURL": HOOK}
    alone = params(hook_url=HOOK)
    use_server_jwt(alone)
    assert alone["settings"] == {"listenerHookURL": HOOK}


@pytest.mark.parametrize("given, message", [
    (params(hook_url="ftp://10.0.0.9/ams/" + SECRET), "must be an http:// or https:// URL"),
    (params(hook_url="/ams/" + SECRET), "must be an http:// or https:// URL"),
    (params(hook_url=""), "must be an http:// or https:// URL"),
    (params(settings={"listenerHookURL": HOOK + "x"}, hook_url=HOOK), "differ"),
])
def test_a_bad_hook_url_is_refused_without_showing_it(given, message):
    with pytest.raises(ValidationError) as error:
        merge_hook_url(given)
    assert message in str(error.value) and "antmedia_hook_url" in str(error.value)
    assert SECRET not in str(error.value)


def test_neither_settings_nor_hook_url_is_refused():
    with pytest.raises(ValidationError, match="settings or hook_url"):
        use_server_jwt(params())
