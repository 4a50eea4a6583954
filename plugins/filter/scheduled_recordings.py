# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: scheduled_recordings
short_description: Resolve recording schedules into the state each room should be in now
version_added: 0.1.0
author: mediaops.antmedia contributors
description:
  - Takes a list of recordings as declared in inventory (C(antmedia_recordings)) and returns the same
    list where every item that has a O(_input[].schedule) gets the O(_input[].state) it should have at
    O(now), which is V(started) inside one of its windows and V(stopped) outside all of them.
  - Items without a schedule keep their state (default V(started)); an item with a schedule and
    O(_input[].state=stopped) stays V(stopped), so a schedule can be switched off without deleting it.
  - A window starts on each of its O(_input[].schedule[].days) at O(_input[].schedule[].start) and ends
    at O(_input[].schedule[].end) in its O(_input[].schedule[].timezone); an end at or before the start
    means the window runs past midnight into the next day.
  - The O(_input[].schedule) key is dropped from every item, and an item stopped because it is outside all of its
    windows carries C(outside_schedule=true), so the list can be given as it is to the
    O(mediaops.antmedia.room_recordings#module:recordings) option.
  - Runs on the controller. Every item is checked with the one definition of a recordings item that
    M(mediaops.antmedia.room_recordings) uses, and its schedule; a bad item is named with its index, its room and
    every error of it, in one line. The schedule of an item with O(_input[].state=stopped) is checked too. A
    O(_input[].room) or C(stream_id) that is not text (YAML read an unquoted V(010), V(yes) or V(12:30) as a number
    or a boolean) is refused, saying to quote it.
  - With O(bad_items=fail) (the default) a bad item fails the filter, naming every bad item; with O(bad_items=refuse)
    (the C(mediaops.antmedia.conference_recording) role) each bad item is returned as a refused item (its room, its
    stream id and the reason, no other value) that M(mediaops.antmedia.room_recordings) reports while it converges
    the other rooms.
options:
  _input:
    description: The recordings, as in C(antmedia_recordings).
    type: list
    elements: dict
    required: true
    suboptions:
      room:
        description: The room; only used to name the item in errors.
        type: str
      state:
        description: The state of an item without a schedule.
        type: str
        choices: [started, stopped]
        default: started
      schedule:
        description: Windows in which the room is recorded.
        type: list
        elements: dict
        suboptions:
          days:
            description: Days on which the window starts.
            type: list
            elements: str
            choices: [mon, tue, wed, thu, fri, sat, sun]
            required: true
          start:
            description:
              - Start time, C(HH:MM), 24-hour clock. Quote it; YAML reads an unquoted V(9:30) or V(10:00) as a
                base-60 number (570, 600), which is refused with that explanation.
            type: str
            required: true
          end:
            description: End time, C(HH:MM) (C(24:00) allowed); at or before O(_input[].schedule[].start) means the next day.
            type: str
            required: true
          timezone:
            description:
              - IANA time zone name of the window, present in the controller's zone database
                (C(zoneinfo.available_timezones())). V(localtime), V(Factory), V(posixrules) and the C(right/) and
                C(posix/) copies are refused.
            type: str
            default: UTC
  now:
    description:
      - The moment to evaluate, as an ISO 8601 date and time with an offset (for example C(2026-11-23T09:30:00+01:00)).
      - Omitted or empty means the current time. Meant for tests and for replaying a run.
    type: str
  bad_items:
    description:
      - What a bad item does. V(fail), the filter fails naming every bad item. V(refuse), the item is returned as
        C({room, stream_id, refused}), C(refused) holding the reason, so that it costs only itself.
    type: str
    choices: [fail, refuse]
    default: fail
"""

EXAMPLES = r"""
- name: Work out which rooms are due for recording now
  ansible.builtin.set_fact:
    wanted_recordings: "{{ antmedia_recordings | mediaops.antmedia.scheduled_recordings }}"

- name: The same, as it would be on a Monday morning in Berlin
  ansible.builtin.set_fact:
    wanted_recordings: "{{ antmedia_recordings | mediaops.antmedia.scheduled_recordings(now='2026-11-23T09:30:00+01:00') }}"
"""

RETURN = r"""
_value:
  description:
    - The recordings, each with its O(_input[].state) resolved for O(now), without their O(_input[].schedule), and with
      C(outside_schedule=true) on those stopped by their schedule; with O(bad_items=refuse), a bad item as a refused
      item. One item per input item, in order.
  type: list
  elements: dict
"""

import datetime
import re

try:
    import zoneinfo
except ImportError:  # pragma: no cover - Python < 3.9 has no zoneinfo; ansible-core 2.19 needs 3.11
    zoneinfo = None

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import kind_of
from ansible_collections.mediaops.antmedia.plugins.module_utils._recordings_item import (
    check_item,
    item_label,
    refused_item,
    secret_values,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BAD_ITEMS = ("fail", "refuse")
TIME_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def _item_name(index, item):
    return item_label(index, item, "antmedia_recordings")


def _parse_minutes(value, where, allow_end_of_day=False):
    """Minutes since midnight of an HH:MM string."""
    if allow_end_of_day and value == "24:00":
        return 24 * 60
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 24 * 60:
        # YAML 1.1 reads an unquoted 9:30 or 10:00 as a base-60 number (570, 600); 09:30 stays text
        hours, minutes = divmod(value, 60)
        raise AnsibleFilterError("%s: %d is how YAML reads an unquoted %d:%02d (a base-60 number); quote it: "
                                 "'%02d:%02d'" % (where, value, hours, minutes, hours, minutes))
    match = TIME_PATTERN.match(value) if isinstance(value, str) else None
    if not match:
        raise AnsibleFilterError("%s: %r is not a time of day in HH:MM form" % (where, value))
    return int(match.group(1)) * 60 + int(match.group(2))


def _parse_now(now):
    if now in (None, ""):
        return datetime.datetime.now(datetime.timezone.utc)
    try:
        moment = datetime.datetime.fromisoformat(str(now))
    except ValueError:
        raise AnsibleFilterError("now: %r is not an ISO 8601 date and time" % (now,))
    if moment.tzinfo is None:
        raise AnsibleFilterError("now: %r has no UTC offset; write it like 2026-11-23T09:30:00+01:00" % (now,))
    return moment


# Names in the zone database that are not time zones: the host's own setting, a placeholder, and the
# leap-second ("right/") and POSIX ("posix/") copies of the real names.
NOT_IANA_ZONES = ("localtime", "Factory", "posixrules")
NOT_IANA_PREFIXES = ("right/", "posix/")


def _timezone(name, where):
    if zoneinfo is None:
        raise AnsibleFilterError("%s: schedules need Python 3.9 or later on the controller" % where)
    if (not isinstance(name, str) or not name or name in NOT_IANA_ZONES or name.startswith(NOT_IANA_PREFIXES)
            or name not in zoneinfo.available_timezones()):
        raise AnsibleFilterError("%s: timezone %r is not an IANA time zone name in the controller's zone database "
                                 "(for example Europe/Berlin or UTC)" % (where, name))
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise AnsibleFilterError("%s: timezone %r is unknown on the controller" % (where, name))


def _collect(errors, check, *args, **kwargs):
    """check(*args) or None, its AnsibleFilterError added to errors (so that every problem is reported at once)."""
    try:
        return check(*args, **kwargs)
    except AnsibleFilterError as exc:
        errors.append(str(exc))
        return None


def _check_days(days, where):
    if not isinstance(days, list) or not days:
        raise AnsibleFilterError("%s: days must be a non-empty list of %s, not %r" % (where, ", ".join(WEEKDAYS), days))
    bad = [day for day in days if day not in WEEKDAYS]
    if bad:
        raise AnsibleFilterError("%s: day%s %s %s not one of %s" % (where, "s" if len(bad) > 1 else "", ", ".join(
            repr(day) for day in bad), "are" if len(bad) > 1 else "is", ", ".join(WEEKDAYS)))
    return days


def window_errors(window, where):
    """Every problem of one schedule window, each in one line naming it; empty when it is valid."""
    if not isinstance(window, dict):
        return ["%s: %r is not a mapping with days, start and end" % (where, window)]
    errors = []
    unknown = set(window) - {"days", "start", "end", "timezone"}
    if unknown:
        errors.append("%s: unknown key(s) %s" % (where, ", ".join(sorted(map(str, unknown)))))
    _collect(errors, _check_days, window.get("days"), where)
    _collect(errors, _parse_minutes, window.get("start"), where + ".start")
    _collect(errors, _parse_minutes, window.get("end"), where + ".end", allow_end_of_day=True)
    _collect(errors, _timezone, window.get("timezone", "UTC"), where + ".timezone")
    return errors


def window_is_open(window, moment, where):
    """True when moment (an aware datetime) lies inside the schedule window (raises naming all its problems)."""
    errors = window_errors(window, where)
    if errors:
        raise AnsibleFilterError("; ".join(errors))
    days = window["days"]
    start = _parse_minutes(window.get("start"), where + ".start")
    end = _parse_minutes(window.get("end"), where + ".end", allow_end_of_day=True)
    local = moment.astimezone(_timezone(window.get("timezone", "UTC"), where + ".timezone"))
    minute_of_day = local.hour * 60 + local.minute
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local.weekday() - 1) % 7]
    if start < end:
        return today in days and start <= minute_of_day < end
    # The window runs past midnight: it is open from its start today, or until its end if it began yesterday.
    return (today in days and minute_of_day >= start) or (yesterday in days and minute_of_day < end)


def _item_errors(item, moment):
    """Every error of one item (its options as the one item definition checks them, and its schedule), or []."""
    if not isinstance(item, dict):
        return check_item(item).all_errors
    wanted = dict((key, value) for key, value in item.items() if key != "schedule")
    errors = check_item(wanted).all_errors
    schedule = item.get("schedule")
    if schedule in (None, []):
        return errors
    if not isinstance(schedule, list):
        return errors + ["schedule: %r is not a list of windows" % (schedule,)]
    for window_index, window in enumerate(schedule):
        # every window is checked, also of a stopped item: it fails now, not on the day it is switched back on
        try:
            window_is_open(window, moment, "schedule[%d]" % window_index)
        except AnsibleFilterError as exc:
            errors.append(str(exc.message))
    return errors


def scheduled_recordings(recordings, now=None, bad_items="fail"):
    if not isinstance(recordings, list):
        raise AnsibleFilterError("antmedia_recordings must be a list of rooms, not %s" % kind_of(recordings))
    if bad_items not in BAD_ITEMS:
        raise AnsibleFilterError("bad_items %r must be one of %s" % (bad_items, ", ".join(BAD_ITEMS)))
    moment = _parse_now(now)
    resolved, refused = [], []
    for index, item in enumerate(recordings):
        errors = _item_errors(item, moment)
        if errors:
            reason = remove_values("; ".join(errors), secret_values(item))
            refused.append("%s: %s" % (_item_name(index, item), reason))
            resolved.append(refused_item(item, reason))
            continue
        wanted = dict((key, value) for key, value in item.items() if key != "schedule")
        if item.get("schedule") and item.get("state") != "stopped":
            is_open = any(window_is_open(window, moment, "") for window in item["schedule"])
            wanted["state"] = "started" if is_open else "stopped"
            if not is_open:
                wanted["outside_schedule"] = True
        resolved.append(wanted)
    if refused and bad_items == "fail":
        raise AnsibleFilterError("; ".join(refused))
    return resolved


class FilterModule(object):
    def filters(self):
        return {"scheduled_recordings": scheduled_recordings}
