# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Automatic recording through the real rulebook on stand-in servers: rooms that cost only themselves, the
per-server lock (left by another process, overlapping runs, a killed run), and hooks that find their host."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from eda_harness import Rulebook, Standin, fleet_inventory, push_starts, push_stops, wait_until

SERVER = "127.0.0.2"
STRANGER = "127.0.0.3"
GRACE = 2
# over the room limit (110 bytes, so that ROOM_composite fits the server's 120): the server holds it, the
# collection cannot record it
UNHANDLEABLE = "r" * 115


@pytest.fixture
def ams():
    with Standin(addresses=(SERVER, STRANGER), media_push=True, push_start_delay=0.2) as standin:
        yield standin


def rulebook(ams, tmp_path, addresses=(SERVER,), **host_vars):
    inventory = fleet_inventory(ams, list(addresses), dict({"auto_record_grace": GRACE}, **host_vars))
    return Rulebook(tmp_path / "eda", inventory)


def lock_files(eda):
    return sorted(eda.lock_dir.glob("server-*.lock")) if eda.lock_dir.is_dir() else []


def test_case_twins_are_two_rooms_and_an_unhandleable_name_is_skipped_with_a_warning(ams, tmp_path):
    with rulebook(ams, tmp_path) as eda:
        ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url)
        for room in ("Standup", "standup", "ok", UNHANDLEABLE):
            ams.join(room, room[:8] + "-p", address=SERVER)
        wanted = {"Standup_composite", "standup_composite", "ok_composite"}
        wait_until(lambda: wanted <= set(push_starts(ams, SERVER)), 180, what="the three rooms recorded")
        eda.idle_after("start", 1)
        starts = push_starts(ams, SERVER)
        assert set(starts) == wanted and all(len(times) == 1 for times in starts.values())
        # one run read the server after the four joins (coalesced) and recorded the three
        assert eda.playbook_runs("start") == 1
        log = eda.run_log()
        assert "room %r is skipped" % UNHANDLEABLE in log

        # everyone leaves: one stop window holds the three, the empty room stops, the refused name is named again
        for room in ("Standup", "standup", "ok", UNHANDLEABLE):
            ams.leave(room, room[:8] + "-p", address=SERVER)
        wait_until(lambda: set(push_stops(ams, SERVER)) == wanted, 180, what="the three rooms stopped")
        eda.idle_after("stop", 1)
        assert eda.run_log().count("room %r is skipped" % UNHANDLEABLE) >= 2


def test_a_stop_window_with_an_empty_room_and_a_refused_name_stops_the_empty_room(ams, tmp_path):
    with rulebook(ams, tmp_path) as eda:
        ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url)
        ams.join("empty-1", "ann", address=SERVER)
        wait_until(lambda: "empty-1_composite" in push_starts(ams, SERVER), 180, what="empty-1 recorded")
        ams.join(UNHANDLEABLE, "bo", address=SERVER)
        ams.leave("empty-1", "ann", address=SERVER)
        ams.leave(UNHANDLEABLE, "bo", address=SERVER)
        wait_until(lambda: "empty-1_composite" in push_stops(ams, SERVER), 180, what="empty-1 stopped")
        eda.idle_after("stop", 1)
        assert "room %r is skipped" % UNHANDLEABLE in eda.run_log()
        assert "skipping: [media1]" not in eda.run_log()  # a run that only skipped a name is not a skipped task


def test_a_lock_file_naming_a_live_process_that_holds_no_lock_blocks_nothing(ams, tmp_path):
    with rulebook(ams, tmp_path, auto_record_lock_timeout=600) as eda:
        ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url)
        ams.join("first", "a1", address=SERVER)
        wait_until(lambda: "first_composite" in push_starts(ams, SERVER), 180, what="first recorded")
        eda.idle_after("start", 1)
        [lock_file] = lock_files(eda)
        bystander = subprocess.Popen(["sleep", "600"])  # alive, not ansible-playbook, holding no lock
        try:
            lock_file.write_text("%d\n" % bystander.pid)
            ams.join("second", "b1", address=SERVER)
            wait_until(lambda: "second_composite" in push_starts(ams, SERVER), 180, what="second recorded")
            assert bystander.poll() is None
        finally:
            bystander.kill()
            bystander.wait()


def test_a_killed_run_frees_its_lock_at_once(ams, tmp_path):
    # a lock timeout far beyond the test's own bound: a lock kept by the dead run would fail the test
    with rulebook(ams, tmp_path, auto_record_lock_timeout=600) as eda:
        ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url)
        ams.set_options(address=SERVER, pushStartDelay=600)  # the start run hangs in its push start
        ams.join("hung", "h1", address=SERVER)

        def holder():
            files = lock_files(eda)
            text = files[0].read_text().strip() if files else ""
            return int(text) if text.isdigit() and os.path.exists("/proc/%s" % text) else None

        pid = wait_until(holder, 180, what="a run holding the server's lock")
        wait_until(lambda: [entry for entry in ams.requests(0, SERVER)
                            if entry["path"].endswith("/broadcasts/list/0/50") or "/list/" in entry["path"]], 30,
                   what="the hung run's read")
        ams.set_options(address=SERVER, pushStartDelay=0.2)
        os.kill(pid, signal.SIGKILL)
        ams.join("after", "a1", address=SERVER)
        wait_until(lambda: "after_composite" in push_starts(ams, SERVER), 180, what="a room recorded after the kill")


def test_two_runs_of_one_server_never_overlap(ams, tmp_path):
    """Each start is answered a push start delay after it began (the stand-in sleeps): a read of the list answered
    while another run's start was still open would show as a start answered less than that delay after the read."""
    delay = 1.0
    ams.set_options(address=SERVER, pushStartDelay=delay)
    rooms = ["wave-%d" % index for index in range(8)]
    with rulebook(ams, tmp_path) as eda:
        ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url)
        for index, room in enumerate(rooms):
            ams.join(room, room + "-p", address=SERVER)
            if index % 2:  # joins in pairs, each pair once the previous one was read: runs queue on the lock
                wait_until(lambda: room + "_composite" in push_starts(ams, SERVER), 180, 0.05,
                           what=room + " recorded")
            if index == 3:
                ams.leave(rooms[0], rooms[0] + "-p", address=SERVER)  # a stop run in between
        wait_until(lambda: set(room + "_composite" for room in rooms) <= set(push_starts(ams, SERVER)), 180,
                   what="every room recorded")
        wait_until(lambda: rooms[0] + "_composite" in push_stops(ams, SERVER), 180, what="the stop")
        eda.idle_after("stop", 1)
        eda.idle_after("start", 2)
        log = ams.requests(0, SERVER)
        reads = [entry["time"] for entry in log if entry["method"] == "GET" and "/broadcasts/list/" in entry["path"]]
        starts = [entry["time"] for entry in log
                  if entry["method"] == "POST" and entry["path"].endswith("/media-push/start")]
        overlapping = [(read, start) for read in reads for start in starts if read < start < read + delay - 0.01]
        assert reads and len(starts) == len(rooms) and overlapping == []
        assert eda.playbook_runs("start") >= 2


def test_hooks_find_a_rest_host_by_its_url_and_a_stranger_is_named(ams, tmp_path):
    inventory = fleet_inventory(ams, [SERVER], {"auto_record_grace": GRACE})
    del inventory["media_servers"]["hosts"]["media1"]["auto_record_senders"]  # the default: antmedia_url's address
    with Rulebook(tmp_path / "eda", inventory) as eda:
        for address in (SERVER, STRANGER):
            ams.set_app_settings(address=address, listenerHookURL=eda.hook_url)
        ams.join("mine", "m1", address=SERVER)
        wait_until(lambda: "mine_composite" in push_starts(ams, SERVER), 180, what="mine recorded")
        ams.join("theirs", "t1", address=STRANGER)
        line = "a hook from %s matches no inventory host: set auto_record_senders" % STRANGER
        wait_until(lambda: line in eda.run_log(), 180, what="the line naming the stranger")
        assert push_starts(ams, STRANGER) == {}
        assert sum(1 for text in eda.run_log().splitlines() if line in text) == 1
