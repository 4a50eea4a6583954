# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible.errors import AnsibleLookupError
from ansible_collections.mediaops.antmedia.plugins.lookup.connection_options import connection_options


def test_only_set_variables_are_returned_under_option_names():
    variables = {"antmedia_url": "https://ams:5443", "antmedia_app": "LiveApp", "antmedia_validate_certs": False,
                 "antmedia_timeout": 30, "antmedia_server_jwt_secret": "s" * 32, "unrelated": 1}
    assert connection_options(variables) == {"url": "https://ams:5443", "app": "LiveApp", "validate_certs": False,
                                             "timeout": 30}


def test_nothing_set_gives_an_empty_dict_so_play_module_defaults_apply():
    assert connection_options({}) == {}


def test_extra_options_for_app_settings():
    variables = {"antmedia_console_user": "admin", "antmedia_console_password": "pw"}
    assert connection_options(variables, ["console_user", "console_password", "server_jwt_secret"]) == {
        "console_user": "admin", "console_password": "pw"}


def test_values_are_rendered_before_the_emptiness_check():
    rendered = {"{{ url }}": "http://10.0.0.5:5080", "{{ empty }}": " "}
    assert connection_options({"antmedia_url": "{{ url }}"}, template=rendered.get) == {"url": "http://10.0.0.5:5080"}
    with pytest.raises(AnsibleLookupError, match="^antmedia_ca_path is defined but empty"):
        connection_options({"antmedia_url": "{{ url }}", "antmedia_ca_path": "{{ empty }}"}, template=rendered.get)


@pytest.mark.parametrize("variable, value, word", [
    ("antmedia_url", "", "empty"), ("antmedia_app", None, "null"), ("antmedia_jwt_secret", "", "empty"),
    ("antmedia_console_password", None, "null")])
def test_a_defined_but_empty_variable_is_refused_by_name_not_skipped(variable, value, word):
    # skipping it would send the task to the play's server or 127.0.0.1 instead of the one inventory meant
    with pytest.raises(AnsibleLookupError, match="^%s is defined but %s: " % (variable, word)) as refused:
        connection_options({variable: value}, ["console_password"])
    assert "leave it undefined" in str(refused.value)


def test_unknown_extra_option_is_refused():
    with pytest.raises(AnsibleLookupError, match="unknown option"):
        connection_options({}, ["password"])
