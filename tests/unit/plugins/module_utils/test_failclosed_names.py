# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15: names are what the user meant (YAML types, UTF-8 bytes, NFC, invisible and look-alike characters)."""
from __future__ import annotations

import unicodedata

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._room_recordings import plan_rooms
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    ValidationError,
    check_distinct,
    check_id,
    check_room,
)


@pytest.mark.parametrize("value, fragment", [
    (8, "room is the number 8, not a name"),        # room: 010
    (750, "'12:30'"),                               # room: 12:30
    (8, "'010'"),
    (True, "room is the boolean True, not a name"),  # room: yes
    (False, "quote it, for example room: 'no'"),
    (1.5, "room is the number 1.5"),
    (["a"], "room must be a string, not a list"),
])
def test_yaml_typed_names_are_refused_saying_to_quote_them(value, fragment):
    with pytest.raises(ValidationError) as error:
        check_id(value, "room")
    assert fragment in str(error.value)
    assert "quote" in str(error.value) or "string" in str(error.value)


def test_length_is_counted_in_utf8_bytes():
    check_id("\u4f1a" * 40, "stream_id")  # 120 bytes
    with pytest.raises(ValidationError, match="123 bytes in UTF-8 \\(41 characters\\); at most 120 bytes"):
        check_id("\u4f1a" * 41, "stream_id")
    # 85 CJK characters (255 bytes) passed before and then failed on the server every run
    with pytest.raises(ValidationError, match="255 bytes"):
        check_room("\u4f1a" * 85)
    # a room leaves room for its push id ROOM_composite
    check_room("r" * 110)
    with pytest.raises(ValidationError, match="at most 110 bytes"):
        check_room("r" * 111)


@pytest.mark.parametrize("char", ["\u3164", "\u115f", "\uffa0", "\u200b", "\u200d", "\u2060", "\ufeff", "\u202e",
                                  "\u2066", "\u00ad", "\u0085", "\u009b", "\u0000", "\u034f", "\ufe0f", "\u2800"])
def test_invisible_and_control_characters_are_refused(char):
    with pytest.raises(ValidationError) as error:
        check_id("board" + char + "room", "room")
    assert "U+%04X" % ord(char) in str(error.value)


def test_a_latin_name_with_a_cyrillic_look_alike_is_refused():
    with pytest.raises(ValidationError, match="cyrillic small letter o .*looks like Latin 'o'"):
        check_id("b\u043eard", "room")
    check_id("\u0441\u043e\u0432\u0435\u0442", "room")  # all Cyrillic: a real name
    check_id("\u0441\u043e\u0432\u0435\u0442_composite", "stream_id")  # its push: one script per word
    with pytest.raises(ValidationError, match="U\\+043E"):
        check_id("b\u043eard_composite", "stream_id")
    check_id("salle-r\u00e9union", "room")


def test_nfc_twins_in_one_list_are_refused_naming_both():
    composed = "caf\u00e9"
    decomposed = unicodedata.normalize("NFD", composed)
    with pytest.raises(ValidationError) as error:
        check_distinct([("recordings[0]", composed), ("recordings[1]", decomposed)], "room")
    message = str(error.value)
    assert message.startswith("recordings[1]:") and "recordings[0]" in message and "NFC" in message


@pytest.mark.parametrize("first, second", [("Board", "board"), ("\uff42oard", "board"), ("board", "b\u043eard")])
def test_look_alike_twins_in_one_list_are_refused_naming_both(first, second):
    with pytest.raises(ValidationError) as error:
        check_distinct([("a", first), ("b", second)], "room")
    assert "looks the same as room %r of a" % first in str(error.value)


def test_room_recordings_refuses_nfc_twins_naming_both_and_keeps_the_other_rooms():
    params = {"url": "http://127.0.0.1:5080", "app": "live", "page_base_url": None, "vod_timeout": 0,
              "recordings": [{"room": "caf\u00e9"}, {"room": "ok"}, {"room": "cafe\u0301"}, {"room": 8}]}
    entries, _warnings = plan_rooms(params)
    assert [entry.status for entry in entries] == ["refused", "ok", "refused", "refused"]
    assert "recordings[2]" in entries[0].reason and "recordings[0]" in entries[2].reason
    assert "NFC" in entries[0].reason
    assert entries[3].label == "recordings[3] (room 8)" and entries[3].reason.startswith("room is the number 8")
