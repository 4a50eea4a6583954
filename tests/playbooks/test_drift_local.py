# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.yml on hosts reached from the controller (ansible_connection=local): the plugin and browser are "not checked
(connection local)", never drift; and a recording of a format the inventory does not declare is always drift."""

from __future__ import annotations

import pytest

from conftest import REPO, local_fleet_inventory, report_rows, run_playbook, standin_fleet

RECORD = REPO / "playbooks" / "record.yml"
DRIFT = REPO / "playbooks" / "drift.yml"
ADDRESSES = ("127.0.79.1", "127.0.79.2")
SERVER_SECRET = "drift-local-server-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    yield from standin_fleet(tmp_path_factory.mktemp("drift-local"), ADDRESSES, ["board"], server_secret=SERVER_SECRET)


def test_local_hosts_plugin_not_checked_and_undeclared_format_is_drift(fleet, tmp_path):
    # antmedia_drift_plugin left at its default (true): on a local connection it is not checked
    group = {"antmedia_recordings": [{"room": "board", "record_type": "mp4"}],
             "antmedia_server_jwt_secret": SERVER_SECRET}
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, group)
    assert run_playbook(RECORD, inventory, tmp_path).rc == 0

    report = tmp_path / "clean"
    clean = run_playbook(DRIFT, inventory, tmp_path, check=True, extra_vars={"antmedia_drift_report": str(report)})
    assert clean.rc == 0 and "No drift on 2 hosts, all checked" in clean.output, clean.output[-3000:]
    rows = report_rows(report.with_suffix(".md"), ("media1", "media2"))
    local = "not checked (connection local)"
    assert rows == {"media1": [local, local, "-", "ok"], "media2": [local, local, "-", "ok"]}
    html = report.with_suffix(".html").read_text()
    assert html.count('<td class="unknown">not checked (connection local)</td>') == 4

    # media2's push also records WebM, which the inventory does not declare: drift, though check mode changes nothing
    status, answer = fleet.call("PUT", "/live/rest/v2/broadcasts/board_composite/recording/true?recordType=webm",
                                address=ADDRESSES[1])
    assert status == 200 and answer["success"] is True, answer
    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    report = tmp_path / "undeclared"
    run = run_playbook(DRIFT, inventory, tmp_path, check=True, extra_vars={"antmedia_drift_report": str(report)})
    assert run.rc != 0 and "1 of 2 hosts drifted (media2) and 0 not checked" in run.output, run.output[-3000:]
    assert all(fleet.writes(seqs[address], address=address) == [] for address in ADDRESSES)
    rows = report_rows(report.with_suffix(".md"), ("media1", "media2"))
    assert rows["media1"] == [local, local, "-", "ok"]
    assert rows["media2"][:3] == [local, local, "-"]
    assert rows["media2"][3].startswith("**DRIFT**") and "board_composite records webm (not declared)" in rows["media2"][3]
