# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""require_type: a role variable's type checked where it is used, the error naming the variable."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mediaops.antmedia.plugins.filter.require_type import require_type


@pytest.mark.parametrize("value, kind, expected", [
    (True, "bool", True), ("yes", "bool", True), (" False ", "bool", False), (0, "bool", False), (1, "bool", True),
    (10, "int", 10), ("12", "int", 12), (0, "int", 0),
    ("https://pages.example.com/", "str", "https://pages.example.com/"), ("", "str", ""),
])
def test_values_of_the_type_are_returned_converted(value, kind, expected):
    result = require_type(value, kind, "some_variable")
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("value, kind, message", [
    ("perhaps", "bool", "antmedia_stop_unlisted 'perhaps' is not a boolean: use true or false"),
    (2, "bool", "antmedia_stop_unlisted 2 is not a boolean"),
    (None, "bool", "antmedia_stop_unlisted None is not a boolean"),
    ("ten", "int", "antmedia_stop_unlisted 'ten' is not a whole number"),
    (True, "int", "antmedia_stop_unlisted True is not a whole number"),
    ("-1", "int", "antmedia_stop_unlisted '-1' is not a whole number"),
    (1.5, "int", "antmedia_stop_unlisted 1.5 is not a whole number"),
    (8080, "str", "antmedia_stop_unlisted 8080 is not a string: quote it"),
    (["a"], "str", "antmedia_stop_unlisted \"['a']\" is not a string"),
])
def test_other_values_fail_naming_the_variable_and_the_value(value, kind, message):
    with pytest.raises(AnsibleFilterError) as failure:
        require_type(value, kind, "antmedia_stop_unlisted")
    assert message in str(failure.value) and "\n" not in str(failure.value)


def test_an_unknown_type_is_refused():
    with pytest.raises(AnsibleFilterError, match="unknown type 'float'"):
        require_type(1.0, "float", "x")
