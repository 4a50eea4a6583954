# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15: schedules of stopped items are checked; only IANA zones; an unquoted 09:30 is explained."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible.parsing.yaml.loader import AnsibleLoader
from ansible_collections.mediaops.antmedia.plugins.filter.scheduled_recordings import scheduled_recordings


def window(**fields):
    return dict({"days": ["mon"], "start": "09:00", "end": "10:00"}, **fields)


def test_a_stopped_items_bad_schedule_fails_now():
    with pytest.raises(AnsibleFilterError) as error:
        scheduled_recordings([{"room": "r1", "state": "stopped", "schedule": [window(start="25:00")]}])
    assert "antmedia_recordings[0] (room 'r1'): schedule[0].start: '25:00'" in str(error.value)
    kept = scheduled_recordings([{"room": "r1", "state": "stopped", "schedule": [window()]}],
                                now="2026-11-23T09:30:00+00:00")
    assert kept[0]["state"] == "stopped"  # a valid schedule still does not switch it on


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules", "right/UTC", "posix/Europe/Berlin", "", 5])
def test_only_iana_zone_names_pass(zone):
    with pytest.raises(AnsibleFilterError) as error:
        scheduled_recordings([{"room": "r1", "schedule": [window(timezone=zone)]}], now="2026-11-23T09:30:00+00:00")
    assert "timezone %r is not an IANA time zone name" % (zone,) in str(error.value)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT-14"])
def test_iana_zone_names_pass(zone):
    scheduled_recordings([{"room": "r1", "schedule": [window(timezone=zone)]}], now="2026-11-23T09:30:00+00:00")


def test_an_unquoted_time_is_explained_as_yaml_base_60():
    # what YAML 1.1 (Ansible's loader) makes of the unquoted text
    text = "room: r1\nschedule:\n  - {days: [mon], start: 9:30, end: 10:00}\n"
    item = AnsibleLoader(text).get_single_data()["schedule"][0]
    assert item["start"] == 570 and item["end"] == 600
    with pytest.raises(AnsibleFilterError) as error:
        scheduled_recordings([{"room": "r1", "schedule": [item]}], now="2026-11-23T09:30:00+00:00")
    # both times at once, not the first alone
    assert str(error.value) == ("antmedia_recordings[0] (room 'r1'): schedule[0].start: 570 is how YAML reads an "
                                "unquoted 9:30 (a base-60 number); quote it: '09:30'; "
                                "schedule[0].end: 600 is how YAML reads an "
                                "unquoted 10:00 (a base-60 number); quote it: '10:00'")


def test_every_problem_of_one_schedule_is_reported_at_once():
    schedule = [window(days=["monday"], start="9h", timezone="Mars/Olympus"), window(end="25:00"),
                window(days=["mon", "funday", "someday"])]
    with pytest.raises(AnsibleFilterError) as error:
        scheduled_recordings([{"room": "r1", "schedule": schedule}], now="2026-11-23T09:30:00+00:00")
    message = str(error.value)
    for fragment in ("antmedia_recordings[0] (room 'r1'): schedule[0]: day 'monday' is not one of",
                     "schedule[0].start: '9h' is not a time of day",
                     "schedule[0].timezone: timezone 'Mars/Olympus' is not an IANA time zone name",
                     "schedule[1].end: '25:00' is not a time of day",
                     "schedule[2]: days 'funday', 'someday' are not one of"):
        assert fragment in message, message
    assert "\n" not in message


def test_a_mapping_for_the_list_is_named_in_the_users_words():
    with pytest.raises(AnsibleFilterError) as error:
        scheduled_recordings({"room": "r1"})
    assert str(error.value) == "antmedia_recordings must be a list of rooms, not a mapping"
