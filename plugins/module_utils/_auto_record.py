# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Automatic recording's decisions (private API, standard library only: the action plugin auto_record uses it, and
the rulebook's event filter auto_record_runs loads this file by its path, outside Ansible).

Events in, rooms out: which hooks concern a host, how long a stop waits, which rooms to start or stop (always from
the server's state read under the server's lock, never from what a hook says), the per-server lock, and the marks
a start run leaves so that the receiver asks for a new run only when no asked run has yet read the server."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import ipaddress
import os
import re
import stat
import time

MODES = ("start", "stop")
LOCK_POLL_SECONDS = 0.05
# A start run asked for but not seen reading the server by then is taken as lost (no host took it): ask again.
DEFAULT_PENDING_TIMEOUT = 120.0


class AutoRecordError(ValueError):
    """A variable or a lock that stops the run, in one line naming the variable or the holder."""


# --- which hooks concern a host ---------------------------------------------------------------------------------

def events_of(ansible_eda):
    """The events of one rulebook action: ``ansible_eda.event`` (one) or ``ansible_eda.events`` (a throttled match)."""
    if isinstance(ansible_eda, list):
        return [event for event in ansible_eda if isinstance(event, dict)]
    if not isinstance(ansible_eda, dict):
        return []
    if isinstance(ansible_eda.get("event"), dict):
        return [ansible_eda["event"]]
    events = ansible_eda.get("events")
    if isinstance(events, dict):
        events = list(events.values())
    return [event for event in events or [] if isinstance(event, dict)]


def sender_key(address):
    """How sender addresses compare: an IP address in its short form (an IPv4-mapped IPv6 one as IPv4), a name in
    lower case."""
    text = str(address).strip()
    try:
        parsed = ipaddress.ip_address(text.split("%", maxsplit=1)[0].strip("[]"))
    except ValueError:
        return text.lower()
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
        parsed = parsed.ipv4_mapped
    return str(parsed)


def compile_rooms(patterns, variable):
    """One regular expression matching a room when any pattern matches the whole name (compiled once per run)."""
    if patterns is None:
        return None
    if isinstance(patterns, str) or not isinstance(patterns, (list, tuple)):
        raise AutoRecordError("%s must be a list of regular expressions, not %r" % (variable, patterns))
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise AutoRecordError("%s: %r is not a regular expression (quote it)" % (variable, pattern))
        try:
            re.compile(pattern)
        except re.error as exc:
            raise AutoRecordError("%s: %r is not a valid regular expression: %s" % (variable, pattern, exc))
    return re.compile("|".join("(?:%s)" % pattern for pattern in patterns)) if patterns else re.compile("(?!)")


class RoomSelection:
    """include/exclude of the rooms, whole match, compiled once."""

    def __init__(self, include=None, exclude=None):
        self.include = compile_rooms(include, "auto_record_include")
        self.exclude = compile_rooms(exclude, "auto_record_exclude")

    def wants(self, room):
        if not isinstance(room, str) or room == "":
            return False
        if self.include is not None and not self.include.fullmatch(room):
            return False
        return not (self.exclude is not None and self.exclude.fullmatch(room))


def select_events(events, senders, app, selection, room_events):
    """The events of this host: an ``ams`` summary whose room_event is one of room_events, sent from one of
    senders, of the app (a hook without app, from AMS before 2.15, is taken as the app's), about a selected room."""
    keys = set(sender_key(sender) for sender in senders)
    selected = []
    for event in events:
        ams = event.get("ams") if isinstance(event, dict) else None
        if not isinstance(ams, dict) or ams.get("room_event") not in room_events:
            continue
        if sender_key(ams.get("sender")) not in keys or ams.get("app") not in (None, app):
            continue
        if selection.wants(ams.get("room")):
            selected.append(event)
    return selected


def unmatched_senders(events, senders_by_host):
    """The senders of room hooks that no host claims (sorted): they would be dropped in silence."""
    claimed = set(sender_key(sender) for senders in senders_by_host.values() for sender in senders)
    found = set()
    for event in events:
        ams = event.get("ams") if isinstance(event, dict) else None
        if isinstance(ams, dict) and ams.get("room_event") and ams.get("sender"):
            if sender_key(ams["sender"]) not in claimed:
                found.add(sender_key(ams["sender"]))
    return sorted(found)


def unmatched_line(sender):
    return ("auto_record: a hook from %s matches no inventory host: set auto_record_senders (the addresses its hooks "
            "come from) on the host of that server" % sender)


# --- when and what ----------------------------------------------------------------------------------------------

def stop_wait_seconds(events, grace, window, now_ms):
    """Seconds to wait until the latest leave of the batch is grace (+ window) seconds old; never more than that."""
    received = [event["ams"].get("received_ms") for event in events]
    received = [value for value in received if isinstance(value, int) and not isinstance(value, bool)]
    limit = float(grace + window)
    if not received:
        return limit  # nothing says when: the whole grace
    wait = (max(received) + limit * 1000 - now_ms) / 1000.0
    return min(max(wait, 0.0), limit)


def rooms_with_participants(broadcasts):
    """The rooms (exact stream ids: case twins are two rooms) that have a participant broadcasting now."""
    rooms = []
    for broadcast in broadcasts or []:
        if isinstance(broadcast, dict) and broadcast.get("active_participants"):
            room = broadcast.get("stream_id")
            if isinstance(room, str) and room not in rooms:
                rooms.append(room)
    return rooms


def _handleable(rooms, check_name):
    """(the rooms check_name accepts, [(room, why) skipped])."""
    kept, skipped = [], []
    for room in rooms:
        try:
            check_name(room)
        except ValueError as exc:
            skipped.append((room, str(exc)))
        else:
            kept.append(room)
    return kept, skipped


def rooms_to_start(broadcasts, selection, check_name):
    """Start: every selected room that has a participant on the server now (whatever the hooks said)."""
    return _handleable([room for room in rooms_with_participants(broadcasts) if selection.wants(room)], check_name)


def rooms_to_stop(events, broadcasts, check_name):
    """Stop: each room a selected hook said was left, that has no participant on the server now."""
    busy = set(rooms_with_participants(broadcasts))
    left = []
    for event in events:
        room = event["ams"]["room"]
        if room not in busy and room not in left:
            left.append(room)
    return _handleable(left, check_name)


def skipped_warning(room, why):
    return "auto_record: room %r is skipped, its name cannot be recorded: %s" % (room, why)


def recordings_items(mode, rooms, record_type, page):
    if mode == "start":
        return [{"room": room, "state": "started", "record_type": record_type, "page": page} for room in rooms]
    return [{"room": room, "state": "stopped"} for room in rooms]


# --- the lock, and the marks a start run leaves for the receiver -----------------------------------------------

def default_state_dir(environ=None):
    environ = os.environ if environ is None else environ
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "mediaops-antmedia", "auto-record")


def private_dir(path, variable="auto_record_lock_dir"):
    """The directory, created 0700 if missing; refused when another user owns it or others may write in it."""
    path = os.path.abspath(os.path.expanduser(path or default_state_dir()))
    try:
        if not os.path.lexists(path):
            os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError as exc:
        raise AutoRecordError("%s %s cannot be created: %s" % (variable, path, exc.strerror))
    if not stat.S_ISDIR(info.st_mode):
        raise AutoRecordError("%s %s is not a directory" % (variable, path))
    if info.st_uid != os.geteuid():
        raise AutoRecordError("%s %s belongs to uid %d, not to this user (uid %d): another user could hold or "
                              "remove its locks" % (variable, path, info.st_uid, os.geteuid()))
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise AutoRecordError("%s %s is writable by group or others (mode %04o): use a directory only this user "
                              "can write, for example chmod 700" % (variable, path, stat.S_IMODE(info.st_mode)))
    return path


def _key(*parts):
    return hashlib.sha256("\0".join(str(part) for part in parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class ServerLock:
    """An exclusive flock per server, released by the kernel when its holder dies; a bounded wait that fails
    naming the holder's pid (written into the file once taken)."""

    def __init__(self, directory, server, timeout, clock=time.monotonic, sleep=time.sleep):
        self.path = os.path.join(directory, "server-%s.lock" % _key(server))
        self.server = server
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.waited = 0.0
        self._fd = None

    def acquire(self):
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        started = self.clock()
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                if self.clock() - started >= self.timeout:
                    raise AutoRecordError(
                        "auto_record_lock_timeout (%s s) passed waiting for the lock of %s, held by pid %s (%s)"
                        % (self.timeout, self.server, self.holder() or "unknown", self.path))
                self.sleep(LOCK_POLL_SECONDS)
        except BaseException:
            os.close(fd)
            raise
        self.waited = self.clock() - started
        os.ftruncate(fd, 0)
        os.pwrite(fd, ("%d\n" % os.getpid()).encode("ascii"), 0)
        self._fd = fd
        return self

    def holder(self):
        try:
            with open(self.path, encoding="ascii", errors="replace") as handle:
                return handle.read(32).strip() or None
        except OSError:
            return None

    def release(self):
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the file stays, so no one races on its creation
            self._fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()


def _read_mark_path(directory, sender, app):
    return os.path.join(directory, "start-read-%s" % _key(sender_key(sender), app or ""))


def mark_start_read(directory, senders, app, now_ms):
    """A start run of these senders reads the server now (or gave up): joins received from now on need a new run.
    Marked for the app and for hooks without app."""
    for sender in senders:
        for app_key in set([app, None]):
            path = _read_mark_path(directory, sender, app_key)
            temporary = "%s.%d" % (path, os.getpid())
            with open(temporary, "w", encoding="ascii") as handle:
                handle.write("%d\n" % now_ms)
            os.replace(temporary, path)


def start_read_ms(directory, sender, app):
    try:
        with open(_read_mark_path(directory, sender, app), encoding="ascii") as handle:
            return int(handle.read(32).strip())
    except (OSError, ValueError):
        return None


class RunCoalescer:
    """The receiver's side: a join asks for a start run only when no run asked for earlier is still to read the
    server (that run will see this join's participant), so a server has at most one run waiting."""

    def __init__(self, directory, pending_timeout=DEFAULT_PENDING_TIMEOUT):
        self.directory = directory
        self.pending_timeout_ms = pending_timeout * 1000
        self.asked_ms = {}

    def wants_run(self, sender, app, now_ms):
        key = (sender_key(sender), app)
        asked = self.asked_ms.get(key)
        if asked is not None and now_ms - asked < self.pending_timeout_ms:
            read = start_read_ms(self.directory, sender, app)
            if read is None or read < asked:
                return False  # the asked run has not read the server yet: it will see this join too
        self.asked_ms[key] = now_ms
        return True
