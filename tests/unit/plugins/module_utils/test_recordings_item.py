# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one definition of a recordings item: every error of an item at once, one line each, no Python type name, no
secret; names from the server checked only for what the module cannot carry."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.mediaops.antmedia.plugins.module_utils._recordings_item import (
    check_item,
    item_label,
    item_options,
    push_id,
    refused_item,
    screen_items,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._room_recordings import room_recordings_argument_spec
from ansible_collections.mediaops.antmedia.plugins.modules import room_recordings as module

ROLE = Path(__file__).resolve().parents[4] / "roles" / "conference_recording" / "meta" / "argument_specs.yml"
PYTHON_TYPE_NAMES = re.compile(r"\b(str|int|bool|dict|NoneType|float)\b")


def test_the_module_spec_and_its_documentation_are_the_one_definition():
    assert room_recordings_argument_spec()["recordings"]["options"] == item_options()
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]["recordings"]["suboptions"]
    assert sorted(documented) == sorted(item_options())
    for key, spec in item_options().items():
        assert documented[key]["type"] == spec["type"], key
        assert documented[key].get("default") == spec.get("default"), key
        assert documented[key].get("choices") == spec.get("choices"), key


def test_the_roles_argument_spec_names_every_key_of_an_item_and_no_other():
    """The role's spec stays minimal (a list of mappings) and the one Python check does the work; its description
    lists the keys an inventory item may have: those of the definition (less what the filter sets) and schedule."""
    spec = yaml.safe_load(ROLE.read_text())["argument_specs"]["main"]["options"]["antmedia_recordings"]
    assert (spec["type"], spec["elements"]) == ("list", "dict") and "options" not in spec
    described = set(re.findall(r"C\(([a-z_]+)\)", " ".join(spec["description"]))) - {"days", "start", "end", "timezone"}
    assert described == set(item_options()) - {"outside_schedule", "refused"} | {"schedule"}


def test_every_error_of_one_item_at_once():
    found = check_item({"room": "a b", "width": "wide", "height": 0, "record_type": "avi", "colour": "red",
                        "page": "merge", "page_url": "ftp://x/", "extra_chrome_switches": ["kiosk"]})
    assert found.all_errors == [
        "room 'a b' must not contain spaces or other whitespace (U+0020)",
        "unknown key colour (known: room, stream_id, state, page, page_url, width, height, record_type, token, "
        "publish_token, stream_jwt_secret, extra_chrome_switches, outside_schedule)",
        "width 'wide' is not a whole number",
        "record_type 'avi' must be one of mp4, webm",
        "height 0 must be a whole number from 1 to 4320",
        "page_url 'ftp://x/' must be an http:// or https:// URL",
        "extra_chrome_switches item 'kiosk' must start with '--'",
        "page and page_url are mutually exclusive",
    ]
    for error in found.all_errors:
        assert "\n" not in error and not PYTHON_TYPE_NAMES.search(error), error


@pytest.mark.parametrize("item, error", [
    ({}, "room is required"),
    ({"room": "a", "state": ["started"]}, "state must be text, not a list"),
    ({"room": "a", "page": {"x": 1}}, "page must be text, not a mapping"),
    ({"room": "a", "width": True}, "width True is not a whole number"),
    ({"room": "a", "outside_schedule": "maybe"}, "outside_schedule 'maybe' is not a boolean: use true or false"),
    ({"room": "a", "extra_chrome_switches": [5]}, "extra_chrome_switches item 5 must be text"),
    ({"room": "a", "publish_token": "x", "stream_jwt_secret": "y"}, "publish_token and stream_jwt_secret are mutually"),
    ({"room": "a", "publish_token": " "}, "publish_token must be one non-empty line"),
    ({"room": "a", "stream_jwt_secret": ""}, "stream_jwt_secret must not be empty"),
    ({"room": "a", "page": 5}, "page is the number 5, not a name"),
    ("board", "'board' is not a mapping of options (write it as: - room: NAME)"),
    (["board"], "a list is not a mapping of options"),
])
def test_one_line_errors_without_python_type_names(item, error):
    errors = check_item(item).all_errors
    assert any(found.startswith(error) for found in errors), errors
    assert not any(PYTHON_TYPE_NAMES.search(found) for found in errors), errors


def test_a_secret_is_never_shown():
    found = check_item({"room": "a", "token": ["tok-1234"], "publish_token": 77, "stream_jwt_secret": {"k": "v"}})
    assert found.all_errors == ["token must be text (its value is not shown)",
                                "publish_token must be text (its value is not shown)",
                                "stream_jwt_secret must be text (its value is not shown)"]


def test_values_are_typed_as_ansible_core_types_them_and_defaults_filled():
    found = check_item({"room": "a", "width": "640", "outside_schedule": "yes", "extra_chrome_switches": "--a"})
    assert found.all_errors == []
    assert found.values["width"] == 640 and found.values["outside_schedule"] is True
    assert found.values["extra_chrome_switches"] == ["--a"] and found.values["height"] == 720
    assert found.values["record_type"] == "mp4" and found.values["state"] == "started"


@pytest.mark.parametrize("name", ["b\u043eard", "board\u3164", "x" * 110])
def test_a_look_alike_name_is_refused_from_inventory_and_a_real_name_from_the_server(name):
    """Mixed-script and invisible letters are a typo in inventory; on the server they are the room's real name."""
    assert check_item({"room": name}, "server").all_errors == []
    refused = check_item({"room": name}, "inventory")
    assert (refused.refusal("inventory") is not None) is (name != "x" * 110)


@pytest.mark.parametrize("name, error", [
    ("a/b", "must not contain '/'"), ("x" * 111, "at most 110 bytes"), ("a'b", "must not contain \"'\""),
    ("a\u202eb", "control characters (U+202E)"), ("a\nb", "whitespace"), ("..", "'..'"),
])
def test_a_server_name_the_module_cannot_carry_is_skipped_not_refused(name, error):
    found = check_item({"room": name}, "server")
    assert found.refusal("server") is None and error in found.skip_reason("server")
    assert error in check_item({"room": name}).refusal("inventory")


def test_a_bad_option_beside_a_server_name_is_refused():
    """The options come from the operator (auto_record_* variables), not from the server: refused, not skipped."""
    found = check_item({"room": "a/b", "width": 0}, "server")
    assert found.skip_reason("server") is None and "width 0" in found.refusal("server")
    assert check_item({"room": 5}, "server").refusal("server").startswith("room is the number 5")


def test_refused_items_keep_their_room_and_stream_id_and_no_other_value():
    assert refused_item({"room": "a", "token": "t", "width": "x"}, "why") == {"room": "a", "stream_id": None,
                                                                              "refused": "why"}
    assert refused_item({"room": 750, "stream_id": ["s"]}, "why") == {"room": 750, "stream_id": None, "refused": "why"}
    assert refused_item("board", "why") == {"room": None, "stream_id": None, "refused": "why"}


@pytest.mark.parametrize("item, stream_id", [
    ({"room": "a"}, "a_composite"), ({"room": "a", "stream_id": "s"}, "s"), ({"room": 750, "stream_id": "s"}, "s"),
    ({"room": 750}, None), ({"room": "a", "stream_id": 5}, None), ({}, None), ("a", None),
    ({"room": "a", "stream_id": None}, "a_composite"),
])
def test_the_push_an_item_is_about_only_when_it_is_certain(item, stream_id):
    """A refused item's push is kept by stop_unlisted; a push that cannot be known exactly holds every unlisted stop."""
    assert push_id(item) == stream_id
    assert push_id(refused_item(item, "why")) == stream_id


def test_a_refused_item_stays_refused():
    assert check_item({"room": "a", "refused": "why"}).refusal() == "why"
    assert check_item({"room": "a", "refused": ""}).refusal() == "refused"


def test_screening_is_stable():
    """The action plugin and the filter screen; the module screens again: the same items come out."""
    items = [{"room": "a", "width": "640"}, {"room": "a b"}, "c", {"room": "d", "refused": "schedule[0]: bad"}]
    once = screen_items(items)
    assert screen_items(once) == once
    assert [item.get("refused") for item in once] == [
        None, "room 'a b' must not contain spaces or other whitespace (U+0020)",
        "'c' is not a mapping of options (write it as: - room: NAME)", "schedule[0]: bad"]


def test_labels_name_the_list_the_index_and_the_room():
    assert item_label(2, {"room": "x"}, "antmedia_recordings") == "antmedia_recordings[2] (room 'x')"
    assert item_label(0, {"room": 750}) == "recordings[0] (room 750)"
    assert item_label(1, "x") == item_label(1, {}) == "recordings[1]"


def test_a_long_bad_value_is_cut_in_the_message():
    errors = check_item({"room": "a", "width": "w" * 5000, "state": "s" * 5000}).all_errors
    assert all(len(error) < 160 for error in errors) and errors[0].startswith("state 'sss")
