# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible.errors import AnsibleLookupError
from ansible_collections.mediaops.antmedia.plugins.lookup.connection_options import connection_options


def test_only_set_variables_are_returned_under_option_names():
    variables = {"antmedia_url": "https://ams:5443", "antmedia_app": "LiveApp", "antmedia_jwt_secret": "",
                 "antmedia_jwt_token": None, "antmedia_validate_certs": False, "antmedia_timeout": 30,
                 "antmedia_server_jwt_secret": "s" * 32, "unrelated": 1}
    assert connection_options(variables) == {"url": "https://ams:5443", "app": "LiveApp", "validate_certs": False,
                                             "timeout": 30}


def test_nothing_set_gives_an_empty_dict_so_play_module_defaults_apply():
    assert connection_options({}) == {}


def test_extra_options_for_app_settings():
    variables = {"antmedia_console_user": "admin", "antmedia_console_password": "pw", "antmedia_server_jwt_secret": ""}
    assert connection_options(variables, ["console_user", "console_password", "server_jwt_secret"]) == {
        "console_user": "admin", "console_password": "pw"}


def test_values_are_rendered_before_the_emptiness_check():
    rendered = {"{{ url }}": "http://10.0.0.5:5080", "{{ empty }}": ""}
    variables = {"antmedia_url": "{{ url }}", "antmedia_ca_path": "{{ empty }}"}
    assert connection_options(variables, template=rendered.get) == {"url": "http://10.0.0.5:5080"}


def test_unknown_extra_option_is_refused():
    with pytest.raises(AnsibleLookupError, match="unknown option"):
        connection_options({}, ["password"])
