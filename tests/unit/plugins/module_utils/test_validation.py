# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import re

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    MAX_ID_LENGTH,
    ValidationError,
    check_chrome_switches,
    check_dimension,
    check_http_url,
    check_id,
    check_record_type,
    check_seconds,
)


@pytest.mark.parametrize("value", ["room1", "board-meeting", "Room_2_composite", "a" * MAX_ID_LENGTH, "salle-réunion", "a.b"])
def test_good_ids_pass(value):
    assert check_id(value, "room") == value


@pytest.mark.parametrize("value, fragment", [
    ("", "room must not be empty"),
    ("a" * (MAX_ID_LENGTH + 1), "121 bytes in UTF-8"),
    ("a/b", "'/'"),
    ("..", "'..'"),
    ("a..b", "'..'"),
    ("a?b", "'?'"),
    ("a#b", "'#'"),
    ("a%2F", "'%'"),
    ("a b", "whitespace"),
    ("a\tb", "whitespace"),
    ("a\x00b", "control characters"),
    ("a\x7fb", "control characters"),
    ("a\u200bb", "control characters"),
    ("a'b", "\"'\""),
    ("a\\b", "'\\\\'"),
    ("a&b", "'&'"),
])
def test_bad_ids_fail_naming_the_option_and_value(value, fragment):
    with pytest.raises(ValidationError) as error:
        check_id(value, "room")
    message = str(error.value)
    assert message.startswith("room")
    assert fragment in message
    assert "\n" not in message
    if value and len(value) <= MAX_ID_LENGTH:
        assert repr(value) in message


@pytest.mark.parametrize("value", [0, -1, 7681, True, "1280"])
def test_bad_width(value):
    with pytest.raises(ValidationError, match=r"^width %s must be a whole number from 1 to 7680$" % re.escape(repr(value))):
        check_dimension(value, "width", 7680)


def test_dimension_bounds_and_none():
    assert check_dimension(None, "height", 4320) is None
    assert check_dimension(1, "height", 4320) == 1
    assert check_dimension(4320, "height", 4320) == 4320
    with pytest.raises(ValidationError, match="height 4321"):
        check_dimension(4321, "height", 4320)


def test_record_type():
    assert check_record_type("webm") == "webm"
    assert check_record_type(None) is None
    with pytest.raises(ValidationError, match="record_type 'flv' must be one of mp4, webm"):
        check_record_type("flv")


@pytest.mark.parametrize("value", ["http://127.0.0.1:5080", "https://media.example.com:5443/", "http://[::1]:5080/x?y=1"])
def test_good_urls(value):
    assert check_http_url(value, "page_url") == value


@pytest.mark.parametrize("value, fragment", [
    ("ftp://host/x", "must be an http:// or https:// URL"),
    ("javascript:alert(1)", "must be an http:// or https:// URL"),
    ("file:///etc/passwd", "must be an http:// or https:// URL"),
    ("http://", "has no host"),
    ("http://host:99999/", "not a valid URL"),
    ("http://host/a b", "spaces"),
    ("", "must not be empty"),
])
def test_bad_urls(value, fragment):
    with pytest.raises(ValidationError) as error:
        check_http_url(value, "page_base_url")
    assert str(error.value).startswith("page_base_url")
    assert fragment in str(error.value)


def test_base_url_without_query():
    with pytest.raises(ValidationError, match="must not have a query"):
        check_http_url("http://host/?a=1", "url", allow_query=False)


def test_chrome_switches():
    assert check_chrome_switches(["--mute-audio", "--window-size=1280x720"]) == ["--mute-audio", "--window-size=1280x720"]
    with pytest.raises(ValidationError, match="must not contain ','"):
        check_chrome_switches(["--a=1,2"])
    with pytest.raises(ValidationError, match="must start with '--'"):
        check_chrome_switches(["mute"])


def test_seconds():
    assert check_seconds(0, "vod_timeout") == 0
    with pytest.raises(ValidationError, match="vod_timeout -1"):
        check_seconds(-1, "vod_timeout")
