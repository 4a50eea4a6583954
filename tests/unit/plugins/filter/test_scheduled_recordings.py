# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mediaops.antmedia.plugins.filter.scheduled_recordings import scheduled_recordings

WEEKDAY_MORNING = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "10:30", "timezone": "Europe/Berlin"}]
NIGHT_SHIFT = [{"days": ["fri"], "start": "22:00", "end": "02:00", "timezone": "UTC"}]


def state_at(schedule, now, **item):
    return scheduled_recordings([dict(room="r1", schedule=schedule, **item)], now=now)[0]["state"]


@pytest.mark.parametrize("now, expected", [
    ("2026-11-23T09:00:00+01:00", "started"),   # Monday, window opens
    ("2026-11-23T10:29:59+01:00", "started"),
    ("2026-11-23T10:30:00+01:00", "stopped"),   # end is exclusive
    ("2026-11-23T08:59:00+01:00", "stopped"),
    ("2026-11-22T09:30:00+01:00", "stopped"),   # Sunday
    ("2026-11-23T08:30:00+00:00", "started"),   # 09:30 in Berlin, given in UTC
    ("2026-11-23T10:30:00+05:00", "stopped"),   # 10:30 in UTC+5 is 06:30 in Berlin
])
def test_window_in_its_own_timezone(now, expected):
    assert state_at(WEEKDAY_MORNING, now) == expected


def test_daylight_saving_time_is_followed():
    # In July Berlin is UTC+2: 07:30 UTC is 09:30 local.
    assert state_at(WEEKDAY_MORNING, "2026-07-06T07:30:00+00:00") == "started"
    assert state_at(WEEKDAY_MORNING, "2026-07-06T08:45:00+00:00") == "stopped"


@pytest.mark.parametrize("now, expected", [
    ("2026-11-27T23:00:00+00:00", "started"),   # Friday night
    ("2026-11-28T01:59:00+00:00", "started"),   # early Saturday, window began Friday
    ("2026-11-28T02:00:00+00:00", "stopped"),
    ("2026-11-28T23:00:00+00:00", "stopped"),   # Saturday night: no window starts on Saturday
    ("2026-11-27T01:00:00+00:00", "stopped"),   # early Friday: Thursday has no window
])
def test_window_across_midnight(now, expected):
    assert state_at(NIGHT_SHIFT, now) == expected


def test_items_without_schedule_keep_their_state_and_explicit_stop_wins():
    items = [{"room": "a"}, {"room": "b", "state": "stopped"},
             {"room": "c", "state": "stopped", "schedule": NIGHT_SHIFT}]
    result = scheduled_recordings(items, now="2026-11-27T23:00:00+00:00")
    assert [item.get("state") for item in result] == [None, "stopped", "stopped"]
    assert items[0] == {"room": "a"}, "the input is not modified"


def test_any_open_window_starts_the_recording():
    schedule = WEEKDAY_MORNING + NIGHT_SHIFT
    assert state_at(schedule, "2026-11-27T23:00:00+00:00") == "started"
    assert state_at(schedule, "2026-11-27T12:00:00+00:00") == "stopped"


def test_now_defaults_to_the_current_time():
    always = [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "24:00"}]
    assert state_at(always, None) == "started"


@pytest.mark.parametrize("schedule, now, message", [
    ([{"days": ["monday"], "start": "09:00", "end": "10:00"}], None, "day 'monday'"),
    ([{"days": [], "start": "09:00", "end": "10:00"}], None, "days must be a non-empty list"),
    ([{"days": ["mon"], "start": "9am", "end": "10:00"}], None, "'9am' is not a time of day"),
    ([{"days": ["mon"], "start": "09:00", "end": "25:00"}], None, "'25:00' is not a time of day"),
    ([{"days": ["mon"], "start": "09:00", "end": "10:00", "timezone": "Mars/Olympus"}], None, "timezone 'Mars/Olympus'"),
    ([{"days": ["mon"], "start": "09:00", "end": "10:00", "timezone": "../../etc/passwd"}], None, "timezone '../../etc/passwd'"),
    ([{"days": ["mon"], "start": "09:00", "end": "10:00", "tz": "UTC"}], None, "unknown key(s) tz"),
    ("mon 09:00", None, "is not a list of windows"),
    (NIGHT_SHIFT, "yesterday", "now: 'yesterday'"),
    (NIGHT_SHIFT, "2026-11-27T23:00:00", "has no UTC offset"),
])
def test_bad_input_names_the_item_and_value(schedule, now, message):
    with pytest.raises(AnsibleFilterError) as error:
        scheduled_recordings([{"room": "board"}, {"room": "r1", "schedule": schedule}], now=now)
    assert message in str(error.value)
    if now is None:
        assert "antmedia_recordings[1] (room 'r1')" in str(error.value)


def test_input_that_is_not_a_list_of_mappings():
    with pytest.raises(AnsibleFilterError, match="must be a list"):
        scheduled_recordings("room1")
    with pytest.raises(AnsibleFilterError, match=r"antmedia_recordings\[0\]: 'room1' is not a mapping of options"):
        scheduled_recordings(["room1"])


def test_schedule_is_dropped_and_items_stopped_by_it_are_marked_outside_schedule():
    items = [{"room": "in", "schedule": WEEKDAY_MORNING}, {"room": "out", "schedule": NIGHT_SHIFT},
             {"room": "off", "state": "stopped", "schedule": NIGHT_SHIFT}, {"room": "plain"}]
    resolved = scheduled_recordings(items, now="2026-11-23T09:30:00+01:00")
    assert resolved == [{"room": "in", "state": "started"},
                        {"room": "out", "state": "stopped", "outside_schedule": True},
                        {"room": "off", "state": "stopped"}, {"room": "plain"}]
    assert "schedule" in items[0]  # the input is not changed


@pytest.mark.parametrize("item, named", [({"room": 8}, "antmedia_recordings[0] (room 8): room is the number 8"),
                                         ({"room": True}, "antmedia_recordings[0] (room True): room is the boolean"),
                                         ({"room": "r1", "stream_id": 31},
                                          "antmedia_recordings[0] (room 'r1'): stream_id is the number 31")])
def test_room_or_stream_id_that_is_not_text_is_refused_saying_to_quote_it(item, named):
    with pytest.raises(AnsibleFilterError, match="quote it") as error:
        scheduled_recordings([item])
    assert named in str(error.value)


def test_a_bad_item_fails_in_one_line_naming_its_index_room_and_value():
    with pytest.raises(AnsibleFilterError) as error:
        scheduled_recordings([{"room": "a"}, {"room": "b"}, {"room": "c"}, {"room": "board", "width": "abc"}])
    message = str(error.value)
    assert message.startswith("antmedia_recordings[3] (room 'board'): ") and "abc" in message and "\n" not in message


def test_every_bad_item_and_every_error_of_it_in_one_line():
    with pytest.raises(AnsibleFilterError) as error:
        scheduled_recordings([{"room": "a", "width": "wide", "record_type": "avi"}, {"room": "b"},
                              {"room": "c/d", "schedule": [{"days": ["funday"], "start": "09:00", "end": "10:00"}]}])
    assert str(error.value) == (
        "antmedia_recordings[0] (room 'a'): width 'wide' is not a whole number; record_type 'avi' must be one of "
        "mp4, webm; antmedia_recordings[2] (room 'c/d'): room 'c/d' must not contain '/'; schedule[0]: day 'funday' "
        "is not one of mon, tue, wed, thu, fri, sat, sun")


def test_the_role_refuses_bad_items_one_by_one_and_keeps_the_others():
    """bad_items=refuse (the conference_recording role): a bad item becomes a refused item (its room and the reason,
    no secret), which room_recordings reports while it converges the others; indexes are kept."""
    resolved = scheduled_recordings([
        {"room": "a", "schedule": [{"days": ["mon"], "start": "09:00", "end": "10:00"}]},
        {"room": "b", "token": "tok-1234", "schedule": [{"days": ["mon"], "start": "25:00", "end": "10:00"}]},
        "c", {"room": "d"}], now="2026-11-23T09:30:00+00:00", bad_items="refuse")
    assert resolved == [
        {"room": "a", "state": "started"},
        {"room": "b", "stream_id": None, "refused": "schedule[0].start: '25:00' is not a time of day in HH:MM form"},
        {"room": None, "stream_id": None, "refused": "'c' is not a mapping of options (write it as: - room: NAME)"},
        {"room": "d"}]
    with pytest.raises(AnsibleFilterError, match="bad_items 'skip' must be one of fail, refuse"):
        scheduled_recordings([], bad_items="skip")
