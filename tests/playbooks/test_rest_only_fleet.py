# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every job on a REST-only fleet (hosts with connection local, each calling its own stand-in address):
settings.yml and vods.yml do their work over the REST API; provision.yml and restart.yml, which need SSH to the
media host, refuse each host in one line naming the playbook to use instead. Deleting a VoD removes its record and
its file (docs/server-contract.md, "VoDs")."""

from __future__ import annotations

import json
import time

import pytest

from conftest import REPO, local_fleet_inventory, run_playbook, standin_fleet

SETTINGS = REPO / "playbooks" / "settings.yml"
VODS = REPO / "playbooks" / "vods.yml"
ADDRESSES = ("127.0.79.1", "127.0.79.2")
SERVER_SECRET = "rest-only-server-secret-0123456789abcdef"
DAY_MS = 24 * 3600 * 1000


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    yield from standin_fleet(tmp_path_factory.mktemp("rest-only"), ADDRESSES, [], server_secret=SERVER_SECRET)


def days_ago(days):
    return int(time.time() * 1000) - int(days * DAY_MS)


def writes(fleet, seqs):
    return dict((address, fleet.writes(seqs[address], address=address)) for address in ADDRESSES)


def deletes(fleet, seqs):
    return [entry for address in ADDRESSES for entry in fleet.requests(seqs[address], address=address)
            if entry["method"] == "DELETE"]


def vod_ids(fleet, address):
    status, body = fleet.call("GET", "/live/rest/v2/vods/list/0/250", address=address)
    assert status == 200
    return sorted(vod["vodId"] for vod in body)


def test_settings_yml_applies_settings_over_rest_with_check_diff_and_rerun(fleet, tmp_path):
    group = {"antmedia_app_settings": {"hlsMuxingEnabled": False, "webMMuxingEnabled": True},
             "antmedia_server_jwt_secret": SERVER_SECRET}
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, group)
    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    checked = run_playbook(SETTINGS, inventory, tmp_path, check=True, diff=True)
    assert checked.rc == 0, checked.output[-3000:]
    assert all(counts["changed"] == 1 for counts in checked.recap().values()), checked.output[-3000:]
    assert "hlsMuxingEnabled" in checked.output  # the diff
    assert SERVER_SECRET not in checked.output
    assert all(found == [] for found in writes(fleet, seqs).values())

    applied = run_playbook(SETTINGS, inventory, tmp_path)
    assert applied.rc == 0 and all(counts["changed"] == 1 for counts in applied.recap().values()), applied.output
    for address in ADDRESSES:
        fleet.flush(address=address)  # the stand-in's settings file, as the server keeps it
        settings = json.loads((fleet.server_root(address) / "data" / "live" / "settings.json").read_text())
        assert (settings["hlsMuxingEnabled"], settings["webMMuxingEnabled"]) == (False, True)
    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    again = run_playbook(SETTINGS, inventory, tmp_path)
    assert again.rc == 0 and all(counts["changed"] == 0 for counts in again.recap().values()), again.output
    assert all(found == [] for found in writes(fleet, seqs).values())


def test_vods_yml_lists_and_applies_retention_sparing_a_recording_stream(fleet, tmp_path):
    seeded = {}
    for address in ADDRESSES:
        old = [fleet.add_vod(address=address, streamId="board_composite", creationDate=days_ago(40 + index))
               for index in range(3)]
        newest = fleet.add_vod(address=address, streamId="board_composite", creationDate=days_ago(2))
        upload = fleet.add_vod(address=address, streamId="file", type="uploadedVod", creationDate=days_ago(90))
        seeded[address] = dict(old=old, newest=newest, upload=upload)
    # on the first server, room live is recording right now: its old VoD is spared
    fleet.publish("live_composite", address=ADDRESSES[0])
    fleet.call("PUT", "/live/rest/v2/broadcasts/live_composite/recording/true", address=ADDRESSES[0])
    live_old = fleet.add_vod(address=ADDRESSES[0], streamId="live_composite", creationDate=days_ago(60))
    live_new = fleet.add_vod(address=ADDRESSES[0], streamId="live_composite", creationDate=days_ago(1))
    group = {"antmedia_vod_retention": [{"stream_pattern": ".*_composite", "older_than_days": 30, "keep_last": 1}]}
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, group)

    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    checked = run_playbook(VODS, inventory, tmp_path, check=True, diff=True)
    assert checked.rc == 0, checked.output[-3000:]
    assert deletes(fleet, seqs) == [] and all(found == [] for found in writes(fleet, seqs).values())
    for address in ADDRESSES:
        # the listing: one line per VoD, the diff: one removed line per VoD that would go
        for vod in seeded[address]["old"] + [seeded[address]["newest"], seeded[address]["upload"]]:
            assert vod["vodId"] in checked.output
        for vod in seeded[address]["old"]:
            assert any(line.startswith("-" + vod["vodId"] + " ") for line in checked.output.splitlines())
    assert "created (UTC)" in checked.output
    assert "media1: would delete 3 VoDs, spared 1" in checked.output, checked.output[-3000:]
    assert "spared" in checked.output and live_old["vodId"] in checked.output  # a warning naming it
    assert not any(line.startswith("-" + live_old["vodId"]) for line in checked.output.splitlines())
    assert all(counts["changed"] == 1 for counts in checked.recap().values())

    applied = run_playbook(VODS, inventory, tmp_path)
    assert applied.rc == 0, applied.output[-3000:]
    assert all(counts["changed"] == 1 for counts in applied.recap().values())
    for address in ADDRESSES:
        kept = [seeded[address]["newest"]["vodId"], seeded[address]["upload"]["vodId"]]
        if address == ADDRESSES[0]:
            kept += [live_old["vodId"], live_new["vodId"]]
        assert vod_ids(fleet, address) == sorted(kept)
        streams = fleet.streams_dir(address=address)
        assert not any((streams / vod["vodName"]).exists() for vod in seeded[address]["old"])
        assert (streams / seeded[address]["upload"]["vodName"]).is_file()

    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    again = run_playbook(VODS, inventory, tmp_path)
    assert again.rc == 0 and all(counts["changed"] == 0 for counts in again.recap().values()), again.output
    assert deletes(fleet, seqs) == []


def test_vods_yml_refuses_a_bad_policy_in_one_line_before_any_request(fleet, tmp_path):
    inventory = local_fleet_inventory(fleet, ADDRESSES[:1], {}, {"antmedia_vod_retention": {"keep_last": "all"}})
    seq = fleet.last_seq(ADDRESSES[0])
    run = run_playbook(VODS, inventory, tmp_path)
    assert run.rc != 0
    assert "antmedia_vod_retention.keep_last 'all' must be a whole number" in run.output, run.output[-2000:]
    assert fleet.requests(seq, address=ADDRESSES[0]) == []
    nothing = local_fleet_inventory(fleet, ADDRESSES[:1], {}, {"antmedia_vod_retention": {"vod_types": ["userVod"]}})
    run = run_playbook(VODS, nothing, tmp_path)
    assert run.rc != 0 and "nothing selects the VoDs to delete" in run.output
    assert fleet.requests(seq, address=ADDRESSES[0]) == []


def test_vods_yml_fails_closed_on_a_pattern_matching_no_host(fleet, tmp_path):
    inventory = local_fleet_inventory(fleet, ADDRESSES[:1], {}, {})
    run = run_playbook(VODS, inventory, tmp_path, extra_vars={"antmedia_hosts": "no_such_group"})
    assert run.rc != 0 and "'no_such_group' (antmedia_hosts) matches no host" in run.output, run.output[-2000:]


@pytest.mark.parametrize("playbook, instead", [("provision.yml", "use settings.yml"), ("restart.yml", "record.yml")])
def test_ssh_playbooks_refuse_a_rest_only_host_in_one_line(fleet, tmp_path, playbook, instead):
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, {})
    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    run = run_playbook(REPO / "playbooks" / playbook, inventory, tmp_path)
    assert run.rc != 0
    for host in ("media1", "media2"):
        lines = [line for line in run.output.splitlines() if "%s: %s needs SSH to the media host" % (host, playbook)
                 in line]
        assert lines and instead in lines[0] and "connection is local" in lines[0], run.output[-3000:]
        assert run.recap()[host]["failed"] == 1
    assert "Gathering Facts" not in run.output
    assert all(fleet.requests(seqs[address], address=address) == [] for address in ADDRESSES)


def test_vods_yml_shows_no_secret_at_vvv_with_diff(fleet, tmp_path):
    secret = "vods-jwt-secret-0123456789abcdefghijkl"
    fleet.add_vod(address=ADDRESSES[1], streamId="secret_composite", creationDate=days_ago(400))
    group = {"antmedia_jwt_secret": secret, "antmedia_vod_retention": {"older_than_days": 365}}
    inventory = local_fleet_inventory(fleet, ADDRESSES[1:], {}, group)
    run = run_playbook(VODS, inventory, tmp_path, check=True, diff=True, verbosity=3)
    assert run.rc == 0, run.output[-3000:]
    assert "secret_composite" in run.output  # the run did list and select it
    assert secret not in run.output
    assert "eyJ" not in run.output  # no JWT minted from it either
