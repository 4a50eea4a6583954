# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The auto_record action plugin on a local connection against the in-memory server: arguments and variables,
the lock, the marks for the receiver, the unmatched-sender line, and rooms that cost only themselves."""
from __future__ import annotations

import fcntl
import os

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.mediaops.antmedia.plugins.action import auto_record as action_module
from ansible_collections.mediaops.antmedia.plugins.action.auto_record import ActionModule, default_senders
from ansible_collections.mediaops.antmedia.plugins.module_utils import _auto_record as ar
from ansible_collections.mediaops.antmedia.tests.unit.plugins.action.action_fakes import Templar, Thing

SENDER = "127.0.0.1"
SECRET = "s3cret-for-the-jwt-filter-0123456789abcdef"


@pytest.fixture(autouse=True)
def state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "mediaops-antmedia" / "auto-record"


def hook(room_event, room, sender=SENDER, received_ms=0):
    return {"ams": {"room_event": room_event, "room": room, "sender": sender, "app": "live",
                    "received_ms": received_ms}}


def run(mode, events, check_mode=False, host="media1", play_hosts=None, hostvars=None, **variables):
    plugin = ActionModule.__new__(ActionModule)
    plugin._connection = Thing(transport="local", _shell=Thing(tmpdir=""))
    plugin._play_context = Thing(become=False)
    plugin._task = Thing(args={"mode": mode, "events": {"events": dict(("m_%d" % i, e) for i, e in enumerate(events))},
                               "url": "http://127.0.0.1:5080", "app": "live", "jwt_secret": SECRET},
                         async_val=0, check_mode=check_mode, diff=False, action="mediaops.antmedia.auto_record")
    plugin._templar = Templar()
    task_vars = dict(variables, inventory_hostname=host, ansible_play_hosts_all=play_hosts or [host],
                     hostvars=hostvars or {})
    task_vars.setdefault("auto_record_senders", [SENDER])
    return plugin.run(task_vars=task_vars)


def participant(ams, room, stream_id):
    ams.add_broadcast(room)
    ams.add_broadcast(stream_id, mainTrackStreamId=room)


def test_case_twins_are_two_rooms_and_an_unhandleable_name_costs_only_itself(ams):
    for room, stream_id in (("Standup", "p1"), ("standup", "p2"), ("ok", "p3"), ("bad room", "p4")):
        participant(ams, room, stream_id)
    result = run("start", [hook("joined", room) for room in ("Standup", "standup", "ok", "bad room")])
    assert not result.get("failed"), result
    assert sorted(result["started"]) == ["Standup_composite", "ok_composite", "standup_composite"]
    assert [item["room"] for item in result["skipped_rooms"]] == ["bad room"]
    assert [w for w in result["warnings"] if "'bad room'" in w and "skipped" in w]
    started = [call.params.get("streamId") for call in ams.writes if call.path.endswith("/media-push/start")]
    assert sorted(started) == ["Standup_composite", "ok_composite", "standup_composite"]
    assert SECRET not in repr(result)


def test_a_stop_window_with_an_empty_room_and_a_refused_name_stops_the_empty_room(ams):
    ams.add_push("empty_composite")
    ams.add_broadcast("empty")
    events = [hook("left", "empty"), hook("left", "x" * 130), hook("empty", "empty")]
    result = run("stop", events)
    assert not result.get("failed"), result
    assert result["stopped"] == ["empty_composite"]
    assert [item["room"] for item in result["skipped_rooms"]] == ["x" * 130]


def test_a_join_from_another_server_or_app_does_nothing(ams):
    participant(ams, "a", "p1")
    result = run("start", [hook("joined", "a", sender="10.9.9.9"), dict(hook("joined", "a"), ams=dict(
        hook("joined", "a")["ams"], app="other"))])
    assert result["started"] == [] and ams.calls == [] and "no hook" in result["msg"]


def test_check_mode_reads_and_writes_nothing(ams):
    participant(ams, "a", "p1")
    result = run("start", [hook("joined", "a")], check_mode=True)
    assert result["changed"] is True and result["started"] == ["a_composite"] and ams.writes == []


def test_start_marks_the_read_for_the_receiver(ams, state_home):
    participant(ams, "a", "p1")
    coalescer = ar.RunCoalescer(str(state_home))
    assert coalescer.wants_run(SENDER, "live", 1) is True and coalescer.wants_run(SENDER, "live", 2) is False
    run("start", [hook("joined", "a")])
    assert ar.start_read_ms(str(state_home), SENDER, "live") > 2
    assert coalescer.wants_run(SENDER, "live", 10 ** 13) is True


def test_a_lock_held_past_the_timeout_fails_naming_the_holder(ams, state_home):
    participant(ams, "a", "p1")
    ar.private_dir(str(state_home))
    lock = ar.ServerLock(str(state_home), "http://127.0.0.1:5080", 1).acquire()
    try:
        with pytest.raises(AnsibleActionFail) as error:
            run("start", [hook("joined", "a")], auto_record_lock_timeout=0.1)
    finally:
        lock.release()
    assert "held by pid %d" % os.getpid() in str(error.value) and ams.writes == []
    # the receiver is told the asked run gave up, so the next join asks for a new one at once
    assert ar.start_read_ms(str(state_home), SENDER, "live") is not None


def test_a_shared_lock_dir_is_refused(ams, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    participant(ams, "a", "p1")
    with pytest.raises(AnsibleActionFail, match="auto_record_lock_dir .* writable by group or others"):
        run("start", [hook("joined", "a")], auto_record_lock_dir=str(shared))
    assert ams.calls == []


@pytest.mark.parametrize("variables, says", [
    ({"auto_record_grace": "soon"}, "auto_record_grace"),
    ({"auto_record_grace": -1}, "auto_record_grace -1"),
    ({"auto_record_record_type": "avi"}, "auto_record_record_type"),
    ({"auto_record_include": "team-.*"}, "auto_record_include must be a list"),
    ({"auto_record_lock_timeout": 0}, "auto_record_lock_timeout"),
])
def test_bad_variables_fail_naming_the_variable(ams, variables, says):
    with pytest.raises(AnsibleActionFail, match=says):
        run("start", [hook("joined", "a")], **variables)
    assert ams.calls == []


def test_the_play_s_first_host_names_a_sender_no_host_claims(ams):
    hostvars = {"media2": {"auto_record_senders": ["10.0.0.2"]}}
    events = [hook("joined", "a", sender="10.9.9.9"), hook("joined", "b", sender="10.0.0.2")]
    first = run("start", events, play_hosts=["media1", "media2"], hostvars=hostvars)
    assert first["warnings"] == [ar.unmatched_line("10.9.9.9")]
    second = run("start", events, host="media2", play_hosts=["media1", "media2"], hostvars=hostvars,
                 auto_record_senders=["10.0.0.2"])
    assert "warnings" not in second  # said once, by the first host


def test_default_senders_of_a_host_reached_over_rest_from_the_controller(monkeypatch):
    monkeypatch.setattr(action_module, "resolve", lambda name: {"ams1.lan": ["10.77.0.5"]}.get(name, []))
    assert default_senders(None, None, "media1", "http://ams1.lan:5080", local=True) == ["media1", "10.77.0.5"]
    assert default_senders(None, "10.1.1.1", "media1", "http://ams1.lan:5080", local=False) == ["10.1.1.1"]
    assert default_senders(["10.2.2.2"], None, "media1", "http://ams1.lan:5080", local=True) == ["10.2.2.2"]


def test_resolve_gives_addresses():
    assert action_module.resolve("127.0.0.2") == ["127.0.0.2"]
    assert action_module.resolve("") == [] and action_module.resolve("no-such-host.invalid") == []


def test_the_lock_is_free_while_nothing_runs(ams, state_home):
    participant(ams, "a", "p1")
    run("start", [hook("joined", "a")])
    lock_files = [name for name in os.listdir(str(state_home)) if name.endswith(".lock")]
    assert len(lock_files) == 1
    with open(os.path.join(str(state_home), lock_files[0])) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # would raise if the run had kept it


def test_over_ssh_the_modules_run_on_the_target_while_the_controller_holds_the_lock(state_home):
    calls = []

    def execute_module(module_name=None, module_args=None, task_vars=None):
        [lock_file] = [name for name in os.listdir(str(state_home)) if name.endswith(".lock")]
        with open(os.path.join(str(state_home), lock_file)) as handle:
            with pytest.raises(OSError):  # held by this run
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        calls.append((module_name, module_args))
        if module_name.endswith("broadcast_info"):
            return {"broadcasts": [{"stream_id": name, "active_participants": ["p"]}
                                   for name in ("Standup", "standup")]}
        rooms = [item["room"] + "_composite" for item in module_args["recordings"]]
        return {"changed": True, "started": rooms, "rooms": [{"stream_id": room} for room in rooms]}

    plugin = ActionModule.__new__(ActionModule)
    plugin._connection = Thing(transport="ssh", _shell=Thing(tmpdir=None))
    plugin._play_context = Thing(become=False)
    plugin._task = Thing(args={"mode": "start", "events": [hook("joined", "Standup", sender="10.0.0.7")],
                               "url": "http://127.0.0.1:5080", "app": "live"},
                         async_val=0, check_mode=False, diff=False, action="mediaops.antmedia.auto_record")
    plugin._templar = Templar()
    plugin._execute_module = execute_module
    plugin._remove_tmp_path = lambda path: None
    result = plugin.run(task_vars={"inventory_hostname": "media1", "ansible_host": "10.0.0.7",
                                   "ansible_play_hosts_all": ["media1"], "hostvars": {}})
    assert result["senders"] == ["10.0.0.7"]  # over SSH: ansible_host, no look-up of antmedia_url
    assert calls[0] == ("mediaops.antmedia.broadcast_info", {
        "url": "http://127.0.0.1:5080", "app": "live", "validate_certs": True, "timeout": 120})
    converged = [args for name, args in calls[1:]]
    assert all(name == "mediaops.antmedia.room_recordings" for name, _args in calls[1:])
    assert sorted(item["room"] for args in converged for item in args["recordings"]) == ["Standup", "standup"]
    assert sorted(result["started"]) == ["Standup_composite", "standup_composite"]


def test_a_join_of_an_excluded_room_still_reads_the_server_for_the_joins_held_back_meanwhile(ams, state_home):
    """The receiver held back the join of "team" while the run asked for by "private-1" was to come: that run must
    read the server and record "team", though its own join names an excluded room."""
    participant(ams, "private-1", "p1")
    participant(ams, "team", "p2")
    result = run("start", [hook("joined", "private-1")], auto_record_exclude=["private-.*"])
    assert result["started"] == ["team_composite"]
    assert ar.start_read_ms(str(state_home), SENDER, "live") is not None
