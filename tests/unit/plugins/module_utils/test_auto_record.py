# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Automatic recording's decisions: events in, rooms out (plugins/module_utils/_auto_record.py)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils import _auto_record as ar
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError, check_room

SERVER = "10.77.0.11"
OTHER = "10.77.0.12"


def hook(room_event, room, sender=SERVER, app="live", received_ms=1000):
    return {"id": "p", "ams": {"room_event": room_event, "room": room, "sender": sender, "app": app,
                               "received_ms": received_ms}}


def check(room):
    try:
        check_room(room)
    except ValidationError as exc:
        raise ValueError(str(exc))


def room(name, active=("p",)):
    return {"stream_id": name, "active_participants": list(active)}


ALL = ar.RoomSelection()


# --- events ------------------------------------------------------------------------------------------------------

def test_events_of_one_event_a_throttled_match_and_nothing():
    one = hook("joined", "a")
    assert ar.events_of({"event": one}) == [one]
    assert ar.events_of({"events": {"m_0": one, "m_1": hook("left", "b")}}) == [one, hook("left", "b")]
    assert ar.events_of({}) == [] and ar.events_of(None) == [] and ar.events_of("x") == []
    assert ar.events_of([one, "junk"]) == [one]


def test_selection_by_sender_app_room_event_and_patterns():
    selection = ar.RoomSelection(include=["team-.*", "board"], exclude=["team-secret.*"])
    events = [hook("joined", "team-a"), hook("joined", "team-a", sender=OTHER), hook("joined", "board"),
              hook("joined", "boardroom"), hook("joined", "team-secret-1"), hook("joined", "team-b", app="other"),
              hook("joined", "team-c", app=None), hook("left", "team-d"), hook("joined", None),
              {"no": "ams"}, {"ams": "text"}]
    selected = ar.select_events(events, [SERVER], "live", selection, ("joined",))
    # whole match: "boardroom" is not "board"; a hook without app is the host's app's (AMS before 2.15)
    assert [event["ams"]["room"] for event in selected] == ["team-a", "board", "team-c"]


def test_senders_compare_as_addresses():
    events = [hook("joined", "a", sender="::ffff:10.77.0.11"), hook("joined", "b", sender="MEDIA1.lan")]
    assert len(ar.select_events(events, ["10.77.0.11", "media1.LAN"], "live", ALL, ("joined",))) == 2
    assert ar.sender_key("fe80::1%eth0") == "fe80::1"


def test_an_empty_include_selects_nothing_and_no_exclude_refuses_nothing():
    assert ar.RoomSelection(include=[]).wants("a") is False
    assert ar.RoomSelection(exclude=[]).wants("a") is True
    assert ar.RoomSelection().wants("") is False and ar.RoomSelection().wants(12345) is False


@pytest.mark.parametrize("patterns, says", [
    ("team-.*", "must be a list"), (["(unclosed"], "not a valid regular expression"), ([12], "quote it")])
def test_bad_patterns_are_refused_naming_the_variable(patterns, says):
    with pytest.raises(ar.AutoRecordError) as error:
        ar.RoomSelection(include=patterns)
    assert str(error.value).startswith("auto_record_include") and says in str(error.value)


def test_unmatched_senders_are_named():
    events = [hook("joined", "a"), hook("joined", "b", sender="10.9.9.9"), hook("left", "c", sender="10.9.9.9"),
              {"ams": {"room_event": None, "sender": "10.8.8.8"}}]
    assert ar.unmatched_senders(events, {"m1": [SERVER]}) == ["10.9.9.9"]
    assert ar.unmatched_senders(events, {"m1": [SERVER], "m2": ["10.9.9.9"]}) == []
    line = ar.unmatched_line("10.9.9.9")
    assert "10.9.9.9" in line and "auto_record_senders" in line and "\n" not in line


# --- the grace wait ------------------------------------------------------------------------------------------------

def test_stop_waits_for_the_latest_leave_of_the_batch():
    events = [hook("left", "a", received_ms=10000), hook("left", "b", received_ms=14000),
              hook("empty", "a", received_ms=12000)]
    assert ar.stop_wait_seconds(events, 60, 5, now_ms=20000) == pytest.approx(59.0)  # 14 s + 65 s - 20 s


def test_a_late_batch_does_not_wait_and_a_clock_ahead_never_waits_past_the_grace():
    assert ar.stop_wait_seconds([hook("left", "a", received_ms=0)], 60, 5, now_ms=10 ** 9) == 0
    assert ar.stop_wait_seconds([hook("left", "a", received_ms=10 ** 12)], 60, 5, now_ms=0) == 65
    assert ar.stop_wait_seconds([hook("left", "a", received_ms="soon")], 60, 0, now_ms=0) == 60


# --- rooms to start and to stop ------------------------------------------------------------------------------------

def test_start_takes_every_room_with_participants_from_the_server_not_from_the_hooks():
    broadcasts = [room("Standup"), room("standup"), room("ok"), room("idle", active=()), room("bad room"),
                  room("x" * 200), {"stream_id": "p1"}]
    rooms, skipped = ar.rooms_to_start(broadcasts, ALL, check)
    assert rooms == ["Standup", "standup", "ok"]  # case twins are two rooms
    assert [name for name, _why in skipped] == ["bad room", "x" * 200]
    assert "whitespace" in skipped[0][1] and "bytes" in skipped[1][1]
    warning = ar.skipped_warning(*skipped[0])
    assert "'bad room'" in warning and "\n" not in warning


def test_start_applies_include_and_exclude_to_the_servers_rooms():
    selection = ar.RoomSelection(exclude=["private-.*"])
    assert ar.rooms_to_start([room("a"), room("private-1")], selection, check) == (["a"], [])


def test_stop_takes_only_rooms_left_that_are_empty_now():
    events = [hook("left", "gone"), hook("empty", "gone"), hook("left", "back"), hook("left", "bad room"),
              hook("left", "Gone")]
    rooms, skipped = ar.rooms_to_stop(events, [room("back"), room("other")], check)
    # "back" got a participant again (a late or reordered leave): kept; a duplicated leave is one stop
    assert rooms == ["gone", "Gone"] and [name for name, _why in skipped] == ["bad room"]


def test_late_duplicated_and_reordered_hooks_decide_nothing_the_server_contradicts():
    # an old leave delivered after the join that followed it: the server shows a participant, nothing stops
    events = [hook("joined", "r", received_ms=3000), hook("left", "r", received_ms=1000), hook("left", "r")]
    assert ar.rooms_to_stop(ar.select_events(events, [SERVER], "live", ALL, ("left", "empty")), [room("r")],
                            check) == ([], [])
    # a join whose participant left before the run read: nothing to start
    assert ar.rooms_to_start([room("r", active=())], ALL, check) == ([], [])


def test_items_keep_case_twins_apart():
    items = ar.recordings_items("start", ["Standup", "standup", "ok", "STANDUP"], "mp4", "multitrack")
    assert items[0] == {"room": "Standup", "state": "started", "record_type": "mp4", "page": "multitrack"}
    assert [item["room"] for item in items] == ["Standup", "standup", "ok", "STANDUP"]
    assert ar.recordings_items("stop", ["a"], "mp4", "multitrack") == [{"room": "a", "state": "stopped"}]


# --- the lock ----------------------------------------------------------------------------------------------------

def test_private_dir_is_made_0700_and_others_dirs_are_refused(tmp_path):
    made = ar.private_dir(str(tmp_path / "a" / "b"))
    assert stat.S_IMODE(os.stat(made).st_mode) == 0o700
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    with pytest.raises(ar.AutoRecordError) as error:
        ar.private_dir(str(shared))
    assert "auto_record_lock_dir" in str(error.value) and "writable by group or others" in str(error.value)
    afile = tmp_path / "file"
    afile.write_text("")
    with pytest.raises(ar.AutoRecordError, match="not a directory"):
        ar.private_dir(str(afile))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs to chown a directory to another user")
def test_a_dir_of_another_user_is_refused(tmp_path):
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    os.chown(other, 65534, 65534)
    with pytest.raises(ar.AutoRecordError, match="belongs to uid 65534"):
        ar.private_dir(str(other))


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_the_lock_waits_a_bounded_time_and_names_its_holder(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX); "
        "os.write(fd, b'%d' % os.getpid()); print('held', flush=True); sys.stdin.read()"),
        str(tmp_path / ("server-%s.lock" % ar._key("http://a")))], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"held\n"
        clock = FakeClock()
        lock = ar.ServerLock(str(tmp_path), "http://a", 5, clock=clock.monotonic, sleep=clock.sleep)
        with pytest.raises(ar.AutoRecordError) as error:
            lock.acquire()
        assert "held by pid %d" % holder.pid in str(error.value)
        assert "auto_record_lock_timeout (5 s)" in str(error.value)
        assert 5 <= clock.now < 5.2
        holder.kill()  # the kernel drops a dead holder's flock at once
        holder.wait()
        with ar.ServerLock(str(tmp_path), "http://a", 5, clock=clock.monotonic, sleep=clock.sleep) as taken:
            assert taken.holder() == str(os.getpid()) and taken.waited == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_a_pid_written_by_a_live_process_that_holds_no_flock_does_not_block(tmp_path):
    lock_path = tmp_path / ("server-%s.lock" % ar._key("http://a"))
    lock_path.write_text("1\n")  # pid 1 is alive, and holds no lock on this file
    with ar.ServerLock(str(tmp_path), "http://a", 0.01) as lock:
        assert lock.waited < 0.01 and lock_path.read_text() == "%d\n" % os.getpid()
    with ar.ServerLock(str(tmp_path), "http://a", 0.01):  # released on exit
        pass


def test_one_lock_per_server(tmp_path):
    with ar.ServerLock(str(tmp_path), "http://a", 0.01):
        with ar.ServerLock(str(tmp_path), "http://b", 0.01):
            with pytest.raises(ar.AutoRecordError):
                ar.ServerLock(str(tmp_path), "http://a", 0.01, sleep=lambda s: None).acquire()


# --- coalescing of start runs -------------------------------------------------------------------------------------

def test_a_join_asks_for_a_run_only_when_no_asked_run_is_still_to_read(tmp_path):
    directory = str(tmp_path)
    coalescer = ar.RunCoalescer(directory, pending_timeout=120)
    assert coalescer.wants_run(SERVER, "live", 1000) is True     # first join: a run
    assert coalescer.wants_run(SERVER, "live", 1500) is False    # that run has not read yet: it will see this one
    assert coalescer.wants_run(OTHER, "live", 1600) is True      # another server is apart
    assert coalescer.wants_run(SERVER, "other", 1600) is True    # and another application
    ar.mark_start_read(directory, [SERVER], "live", 2000)        # the run reads the server
    assert coalescer.wants_run(SERVER, "live", 2100) is True     # a join after that read: the next run
    assert coalescer.wants_run(SERVER, "live", 2200) is False    # at most one waiting
    assert coalescer.wants_run(SERVER, None, 2200) is True       # a hook without app is its own key
    ar.mark_start_read(directory, [SERVER], "live", 2300)
    assert coalescer.wants_run(SERVER, None, 2400) is True and coalescer.wants_run(SERVER, "live", 2400) is True


def test_a_run_never_seen_reading_is_asked_again_after_the_pending_timeout(tmp_path):
    coalescer = ar.RunCoalescer(str(tmp_path), pending_timeout=120)
    assert coalescer.wants_run("10.9.9.9", "live", 0) is True
    assert coalescer.wants_run("10.9.9.9", "live", 119999) is False
    assert coalescer.wants_run("10.9.9.9", "live", 120000) is True


def test_marks_survive_a_garbled_file(tmp_path):
    ar.mark_start_read(str(tmp_path), [SERVER], "live", 5)
    assert ar.start_read_ms(str(tmp_path), "::ffff:" + SERVER, "live") == 5
    path = ar._read_mark_path(str(tmp_path), SERVER, "live")
    with open(path, "w") as handle:
        handle.write("garbage")
    assert ar.start_read_ms(str(tmp_path), SERVER, "live") is None
