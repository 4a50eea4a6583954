# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""antmedia_hook_url: settings.yml (provision.yml's own settings tasks, for hosts without SSH) sets it in the
application's listenerHookURL (through app_settings), drift.yml checks it, and its secret shows nowhere, also at
-vvv --diff, in the reports, or on a rotation (hosts reached from the controller, ansible_connection=local, against
the stand-in)."""

from __future__ import annotations

import pytest

from conftest import REPO, local_fleet_inventory, report_rows, run_playbook, standin_fleet

SETTINGS = REPO / "playbooks" / "settings.yml"
PROVISION = REPO / "playbooks" / "provision.yml"
DRIFT = REPO / "playbooks" / "drift.yml"
ADDRESSES = ("127.0.79.21", "127.0.79.22")
SERVER_SECRET = "hook-url-server-secret-0123456789abcdef"
SECRET = "k1" + "0f3a" * 12
NEW_SECRET = "n2" + "9c4e" * 12


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    yield from standin_fleet(tmp_path_factory.mktemp("hook-url"), ADDRESSES, [], server_secret=SERVER_SECRET)


def hook_urls(fleet):
    return [fleet.lab("PUT", "/_lab/apps/live/settings", {}, address).get("listenerHookURL") for address in ADDRESSES]


def outputs(run, report):
    return run.output + report.with_suffix(".md").read_text() + report.with_suffix(".html").read_text()


def test_settings_sets_and_drift_checks_the_hook_url_without_showing_it(fleet, tmp_path):
    hook = "http://127.0.0.1:5001/ams/" + SECRET
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, {"antmedia_server_jwt_secret": SERVER_SECRET,
                                                             "antmedia_hook_url": hook})
    report = tmp_path / "before"
    before = run_playbook(DRIFT, inventory, tmp_path, check=True, diff=True, verbosity=3,
                          extra_vars={"antmedia_drift_report": str(report)})
    assert before.rc != 0 and "2 of 2 hosts drifted" in before.output, before.output[-3000:]
    rows = report_rows(report.with_suffix(".md"), ("media1", "media2"))
    assert all("hook URL differs" in row[2] for row in rows.values()), rows
    assert SECRET not in outputs(before, report)
    assert hook_urls(fleet) == ["", ""]

    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    checked = run_playbook(SETTINGS, inventory, tmp_path, check=True, diff=True, verbosity=3)
    assert checked.rc == 0 and SECRET not in checked.output, checked.output[-3000:]
    assert all(fleet.writes(seqs[address], address=address) == [] for address in ADDRESSES)  # check mode

    provisioned = run_playbook(SETTINGS, inventory, tmp_path, diff=True, verbosity=3)
    assert provisioned.rc == 0, provisioned.output[-3000:]
    assert all(host["changed"] == 1 for host in provisioned.recap().values()), provisioned.recap()
    assert SECRET not in provisioned.output and "listenerHookURL" in provisioned.output
    assert hook_urls(fleet) == [hook, hook]
    again = run_playbook(SETTINGS, inventory, tmp_path)
    assert again.rc == 0 and all(host["changed"] == 0 for host in again.recap().values()), again.output[-3000:]

    report = tmp_path / "after"
    after = run_playbook(DRIFT, inventory, tmp_path, check=True, diff=True, verbosity=3,
                         extra_vars={"antmedia_drift_report": str(report)})
    assert after.rc == 0 and "No drift on 2 hosts, all checked" in after.output, after.output[-3000:]
    assert SECRET not in outputs(after, report)

    # a rotation: the inventory holds the new URL; both secrets stay hidden
    rotated = local_fleet_inventory(fleet, ADDRESSES, {}, {"antmedia_server_jwt_secret": SERVER_SECRET,
                                                           "antmedia_hook_url": hook.replace(SECRET, NEW_SECRET)})
    report = tmp_path / "rotated"
    drifted = run_playbook(DRIFT, rotated, tmp_path, check=True, diff=True, verbosity=3,
                           extra_vars={"antmedia_drift_report": str(report)})
    assert drifted.rc != 0 and "2 of 2 hosts drifted" in drifted.output, drifted.output[-3000:]
    assert SECRET not in outputs(drifted, report) and NEW_SECRET not in outputs(drifted, report)


def test_a_bad_hook_url_fails_in_one_line_without_showing_it(fleet, tmp_path):
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, {"antmedia_server_jwt_secret": SERVER_SECRET,
                                                             "antmedia_hook_url": "ftp://x/ams/" + SECRET})
    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    run = run_playbook(SETTINGS, inventory, tmp_path, verbosity=3)
    assert run.rc != 0 and "hook_url (antmedia_hook_url) must be an http:// or https:// URL" in run.output
    assert SECRET not in run.output
    assert all(fleet.writes(seqs[address], address=address) == [] for address in ADDRESSES)


def test_provision_does_not_set_the_hook_url_on_a_host_without_ssh_even_by_tag(fleet, tmp_path):
    """--tags app_settings does not get past provision.yml's refusal of a host without SSH (its roles would act on
    the controller's own files): the hook URL is written by settings.yml there, never half by provision.yml."""
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, {"antmedia_server_jwt_secret": SERVER_SECRET,
                                                             "antmedia_hook_url": "http://127.0.0.1:5001/ams/" + SECRET})
    seqs = dict((address, fleet.last_seq(address)) for address in ADDRESSES)
    run = run_playbook(PROVISION, inventory, tmp_path, verbosity=3, extra_args=["--tags", "app_settings"])
    assert run.rc != 0 and "provision.yml needs SSH to the media host" in run.output, run.output[-3000:]
    assert SECRET not in run.output
    assert all(fleet.writes(seqs[address], address=address) == [] for address in ADDRESSES)
