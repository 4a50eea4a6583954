# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""record.yml and drift.yml on a local stand-in fleet: one stand-in process serving three servers on
loopback addresses; Ansible runs every host's module on the controller against that host's address."""

from __future__ import annotations

import pytest

from conftest import REPO, local_fleet_inventory, report_rows, run_playbook, standin_fleet

RECORD = REPO / "playbooks" / "record.yml"
DRIFT = REPO / "playbooks" / "drift.yml"
ADDRESSES = ("127.0.77.1", "127.0.77.2", "127.0.77.3")
# A Monday: 08:30 UTC is 09:30 in Berlin (CET, UTC+1) and 03:30 in New York.
MONDAY_0830_UTC = "2026-11-23T08:30:00+00:00"
BERLIN_MORNING = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "10:30",
                   "timezone": "Europe/Berlin"}]
NIGHT_SHIFT = [{"days": ["sun"], "start": "22:00", "end": "10:00", "timezone": "UTC"}]  # Sunday 22:00 to Monday 10:00
NEW_YORK_MORNING = [{"days": ["mon"], "start": "09:00", "end": "10:00", "timezone": "America/New_York"}]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    yield from standin_fleet(tmp_path_factory.mktemp("fleet"), ADDRESSES, ["board", "night", "nyc", "plain"])


def sessions(ams, address):
    return sorted(session["streamId"] for session in ams.media_push_sessions(address=address))


def writes(ams, seqs):
    return dict((address, ams.writes(seqs[address], address=address)) for address in ADDRESSES)


def test_schedules_converge_rerun_and_check(fleet, tmp_path):
    recordings = [
        {"room": "board", "schedule": BERLIN_MORNING},   # inside (09:30 Berlin)
        {"room": "night", "schedule": NIGHT_SHIFT},       # inside (across midnight)
        {"room": "nyc", "schedule": NEW_YORK_MORNING},    # outside (03:30 New York)
        {"room": "plain"},                                # no schedule: started
    ]
    group = {"antmedia_recordings": recordings, "conference_recording_now": MONDAY_0830_UTC}
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, group)
    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    checked = run_playbook(RECORD, inventory, tmp_path, check=True)
    assert checked.rc == 0, checked.output[-3000:]
    assert all(counts["changed"] == 1 for counts in checked.recap().values())
    assert all(found == [] for found in writes(fleet, seqs).values())

    first = run_playbook(RECORD, inventory, tmp_path)
    assert first.rc == 0, first.output[-3000:]
    for address in ADDRESSES:
        assert sessions(fleet, address) == ["board_composite", "night_composite", "plain_composite"]

    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    again = run_playbook(RECORD, inventory, tmp_path)
    assert again.rc == 0 and all(counts["changed"] == 0 for counts in again.recap().values()), again.output[-3000:]
    for address in ADDRESSES:
        requests = fleet.requests(seqs[address], address=address)
        # one paged list read (the page and the empty page after it), and one session check per live push (a script
        # returning a constant: no effect)
        assert [entry for entry in requests if entry["method"] != "GET" and not entry.get("no_effect")] == []
        assert len([entry for entry in requests if entry["method"] == "GET"]) <= 2

    # 11:15 Berlin: the Berlin window has closed, the night shift (until 10:00 UTC) too; New York (05:15) not yet
    later = dict(inventory)
    later["media_servers"]["vars"]["conference_recording_now"] = "2026-11-23T10:15:00+00:00"
    closed = run_playbook(RECORD, later, tmp_path)
    assert closed.rc == 0, closed.output[-3000:]
    for address in ADDRESSES:
        assert sessions(fleet, address) == ["plain_composite"]
    # 14:30 UTC is 09:30 in New York: that window opens
    later["media_servers"]["vars"]["conference_recording_now"] = "2026-11-23T14:30:00+00:00"
    assert run_playbook(RECORD, later, tmp_path).rc == 0
    assert sessions(fleet, ADDRESSES[0]) == ["nyc_composite", "plain_composite"]


def test_a_bad_item_costs_only_itself(fleet, tmp_path):
    """Issue 26: a bad item (here a bad schedule, then a bad width) is refused on its own line naming the inventory
    variable; the host's other rooms are still recorded; the run is red; nothing is sent for the bad item."""
    bad_window = {"days": ["monday"], "start": "09:00", "end": "10:00"}
    recordings = [{"room": "iso-ok"}, {"room": "iso-board", "schedule": [bad_window]},
                  {"room": "iso-wide", "width": "wide"}, {"room": "iso-two"}]
    inventory = local_fleet_inventory(fleet, ADDRESSES[:1], {}, {"antmedia_recordings": recordings})
    seq = fleet.last_seq(ADDRESSES[0])
    checked = run_playbook(RECORD, inventory, tmp_path, check=True)
    assert checked.rc != 0 and fleet.writes(seq, address=ADDRESSES[0]) == []
    run = run_playbook(RECORD, inventory, tmp_path)
    assert run.rc != 0
    assert "2 of 4 rooms not converged" in run.output
    assert "antmedia_recordings[1] (room 'iso-board'): schedule[0]: day 'monday' is not one of" in run.output
    assert "antmedia_recordings[2] (room 'iso-wide'): width 'wide' is not a whole number" in run.output
    assert [name for name in sessions(fleet, ADDRESSES[0]) if name.startswith("iso-")] == [
        "iso-ok_composite", "iso-two_composite"]
    sent = fleet.requests(seq, address=ADDRESSES[0])
    assert not [entry for entry in sent if "iso-board" in str(entry) or "iso-wide" in str(entry)]


def test_drift_lists_recordings_and_settings_and_sends_no_write(fleet, tmp_path):
    for address in ADDRESSES:
        fleet.set_server_settings(address=address, jwtServerControlEnabled=True,
                                  jwtServerSecretKey="drift-server-secret-0123456789abcdef")
    group = {"antmedia_recordings": [{"room": "drift-room"}], "antmedia_drift_plugin": False,
             "antmedia_app_settings": {"hlsMuxingEnabled": True},
             "antmedia_server_jwt_secret": "drift-server-secret-0123456789abcdef"}
    for address in ADDRESSES:
        fleet.join("drift-room", "drift-p1", address=address)
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, group)
    assert run_playbook(RECORD, inventory, tmp_path).rc == 0
    # drift injected by hand: media2's recording stopped, media3's setting changed
    status, stopped = fleet.call("POST", "/live/rest/v1/media-push/stop/drift-room_composite", address=ADDRESSES[1])
    assert status == 200 and stopped["success"] is True
    fleet.set_app_settings(address=ADDRESSES[2], hlsMuxingEnabled=False)

    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    report = tmp_path / "report"
    run = run_playbook(DRIFT, inventory, tmp_path, extra_vars={"antmedia_drift_report": str(report)}, check=True,
                       diff=True)
    assert run.rc != 0 and "2 of 3 hosts drifted" in run.output, run.output[-3000:]
    assert all(found == [] for found in writes(fleet, seqs).values())
    rows = report_rows(report.with_suffix(".md"), ("media1", "media2", "media3"))
    # columns: plugin, browser, settings, recordings
    assert rows["media1"] == ["-", "-", "ok", "ok"]
    assert rows["media2"][:3] == ["-", "-", "ok"] and rows["media2"][3].startswith("**DRIFT**")
    assert "drift-room_composite needs start" in rows["media2"][3]
    assert rows["media3"][2].startswith("**DRIFT**") and "hlsMuxingEnabled=True" in rows["media3"][2]
    assert rows["media3"][3] == "ok"
    html = report.with_suffix(".html").read_text()
    assert html.count('class="drift"') == 2 and "<table>" in html
