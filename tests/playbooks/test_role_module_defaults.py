# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles speak through the action group: a play's module_defaults for group/mediaops.antmedia.antmedia reach the
modules the role calls when the antmedia_* connection variables are unset (before, the role called 127.0.0.1:5080,
app live), and a set variable still wins over them."""

from __future__ import annotations

import json

import pytest

from conftest import REPO, VENV, run_playbook, standin_fleet

ADDRESSES = ("127.0.78.1", "127.0.78.2")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    yield from standin_fleet(tmp_path_factory.mktemp("fleet"), ADDRESSES, ["board"])


def play(tmp_path, url, role_vars):
    path = tmp_path / "play.yml"
    path.write_text(json.dumps([{
        "name": "The role under the play's module_defaults", "hosts": "media_servers", "gather_facts": False,
        "module_defaults": {"group/mediaops.antmedia.antmedia": {"url": url, "app": "live", "timeout": 20}},
        "roles": [{"role": "mediaops.antmedia.conference_recording", "vars": role_vars}],
    }]))
    return path


def inventory():
    return {"media_servers": {"hosts": {"media1": {"ansible_connection": "local",
                                                   "ansible_python_interpreter": str(VENV / "bin" / "python")}}}}


def sessions(ams, address):
    return sorted(session["streamId"] for session in ams.media_push_sessions(address=address))


def test_play_module_defaults_reach_the_role_and_a_rerun_changes_nothing(fleet, tmp_path):
    playbook = play(tmp_path, fleet.base_url(ADDRESSES[0]), {"antmedia_recordings": [{"room": "board"}]})
    seq = fleet.last_seq(ADDRESSES[0])
    first = run_playbook(playbook, inventory(), tmp_path)
    assert first.rc == 0, first.output[-3000:]
    assert first.recap()["media1"]["changed"] == 1
    assert sessions(fleet, ADDRESSES[0]) == ["board_composite"]
    assert fleet.writes(seq, address=ADDRESSES[0])

    again = run_playbook(playbook, inventory(), tmp_path)
    assert again.rc == 0 and again.recap()["media1"]["changed"] == 0, again.output[-3000:]


def test_a_set_antmedia_url_wins_over_the_play_module_defaults(fleet, tmp_path):
    playbook = play(tmp_path, "http://127.0.0.1:9", {"antmedia_url": fleet.base_url(ADDRESSES[1]),
                                                     "antmedia_recordings": [{"room": "board"}]})
    run = run_playbook(playbook, inventory(), tmp_path)
    assert run.rc == 0, run.output[-3000:]
    assert sessions(fleet, ADDRESSES[1]) == ["board_composite"]


def test_an_empty_antmedia_url_is_refused_by_name_not_sent_to_the_play_module_defaults(fleet, tmp_path):
    """Fail closed: an empty variable (a typo, an unset environment lookup) is not read as unset, which would send
    the starts to the play's server instead of the one inventory meant."""
    playbook = play(tmp_path, fleet.base_url(ADDRESSES[0]), {"antmedia_recordings": [{"room": "board"}]})
    hosts = inventory()
    hosts["media_servers"]["hosts"]["media1"]["antmedia_url"] = ""
    seq = fleet.last_seq(ADDRESSES[0])
    run = run_playbook(playbook, hosts, tmp_path)
    assert run.rc != 0 and run.recap()["media1"]["failed"] == 1, run.output[-3000:]
    assert "antmedia_url is defined but empty" in run.output, run.output[-3000:]
    assert fleet.requests(seq, address=ADDRESSES[0]) == []


def test_a_bad_item_fails_in_one_line_naming_its_index_room_and_value(fleet, tmp_path):
    """No multi-kilobyte argument_spec_data blob: the module's own check names the item, the room and the value."""
    hosts = inventory()
    hosts["media_servers"]["hosts"]["media1"]["antmedia_url"] = fleet.base_url(ADDRESSES[0])
    hosts["media_servers"]["hosts"]["media1"]["antmedia_recordings"] = [{"room": "a"}, {"room": "board", "width": "abc"}]
    seq = fleet.last_seq(ADDRESSES[0])
    run = run_playbook(REPO / "playbooks" / "record.yml", hosts, tmp_path,
                       env={"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"})
    assert run.rc != 0
    fatal = [line for line in run.output.splitlines() if line.startswith("fatal: [media1]")]
    assert len(fatal) == 1, run.output[-3000:]
    message = json.loads(fatal[0].split("=> ", 1)[1])["msg"]
    assert "recordings[1] (room 'board')" in message and "abc" in message and "\n" not in message.strip(), message
    assert "argument_spec" not in run.output and len(message) < 400, message
    # one bad item costs only itself: room a is converged, nothing is sent about the refused board
    sent = fleet.requests(seq, address=ADDRESSES[0])
    assert any("a_composite" in entry["path"] + entry["query"] for entry in sent), sent
    assert not any("board" in entry["path"] + entry["query"] for entry in sent), sent


def test_a_room_outside_its_schedule_is_stopped_then_named_as_such_and_a_rerun_changes_nothing(fleet, tmp_path):
    url = fleet.base_url(ADDRESSES[1])
    started = play(tmp_path, url, {"antmedia_recordings": [{"room": "board"}]})
    assert run_playbook(started, inventory(), tmp_path).rc == 0
    monday_only = [{"days": ["mon"], "start": "09:00", "end": "10:00"}]
    outside = tmp_path / "outside.yml"
    outside.write_text(json.dumps([{
        "hosts": "media_servers", "gather_facts": False,
        "module_defaults": {"group/mediaops.antmedia.antmedia": {"url": url, "app": "live", "timeout": 20}},
        "roles": [{"role": "mediaops.antmedia.conference_recording",
                   "vars": {"antmedia_recordings": [{"room": "board", "schedule": monday_only}],
                            "conference_recording_now": "2026-11-24T09:30:00+00:00"}}],  # a Tuesday
        "post_tasks": [{"name": "Show the result line", "ansible.builtin.debug": {
            "msg": "RESULT {{ conference_recording_result.msg }}"}}]}]))
    first = run_playbook(outside, inventory(), tmp_path)
    assert first.rc == 0 and first.recap()["media1"]["changed"] == 1, first.output[-3000:]
    assert "RESULT stopped: board" in first.output
    assert sessions(fleet, ADDRESSES[1]) == []
    again = run_playbook(outside, inventory(), tmp_path)
    assert again.rc == 0 and again.recap()["media1"]["changed"] == 0, again.output[-3000:]
    assert "RESULT unchanged: 0; outside their schedule: board" in again.output, again.output[-3000:]
