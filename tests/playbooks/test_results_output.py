# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an operator sees at the default verbosity (no -v), on a local stand-in fleet: record.yml ends with one line
per host saying what started and was left alone, a notice is an Ansible warning, a host whose push starts are slow
shows progress at least every 15 s, and drift.yml prints a plain table (compared to a golden file) and fails
exactly the hosts that drifted."""

from __future__ import annotations

import subprocess
import time

import pytest

from conftest import REPO, local_fleet_inventory, playbook_command, run_playbook, standin_fleet

RECORD = REPO / "playbooks" / "record.yml"
DRIFT = REPO / "playbooks" / "drift.yml"
GOLDEN = REPO / "tests" / "playbooks" / "golden"
ADDRESSES = ("127.0.81.1", "127.0.81.2", "127.0.81.3")
ROOMS = ["alpha", "bravo", "charlie", "delta", "echo"]
SERVER_SECRET = "results-server-secret-0123456789abcdef"
# the requirement itself: no host silent for more than about 15 s while its rooms converge
MOST_SILENT_SECONDS = 15


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    yield from standin_fleet(tmp_path_factory.mktemp("results"), ADDRESSES, ROOMS, server_secret=SERVER_SECRET)


def results_section(output):
    """{host: line} of the RESULTS section that ends the output's last play."""
    lines = output.splitlines()
    start = max(index for index, line in enumerate(lines) if line.startswith("RESULTS ["))
    found = {}
    for line in lines[start + 1:]:
        if not line.strip() or line.startswith(("[WARNING]", "/", " ")):
            break
        host, _sep, text = line.partition("  ")
        found[host] = text.strip()
    return found


def test_record_ends_with_one_line_per_host_and_notices_are_warnings(fleet, tmp_path):
    inventory = local_fleet_inventory(fleet, ADDRESSES[:2], {"media2": {"antmedia_recordings": [{"room": "bravo"}]}},
                                      {"antmedia_recordings": [{"room": "alpha"}, {"room": "bravo"}]})
    first = run_playbook(RECORD, inventory, tmp_path)
    assert first.rc == 0, first.output[-3000:]
    assert results_section(first.output) == {"media1": "started: alpha, bravo; unchanged: 0",
                                             "media2": "started: bravo; unchanged: 0"}

    # media2's push also records WebM, which the inventory does not declare: left running, said as a warning
    # right after a push starts the server answers "couldn't be started" while it prepares the stream's muxer
    # (docs/server-contract.md, "Recording"): ask again until it starts, for at most 30 s
    deadline = time.monotonic() + 30
    while True:
        status, answer = fleet.call("PUT", "/live/rest/v2/broadcasts/bravo_composite/recording/true?recordType=webm",
                                    address=ADDRESSES[1])
        if (status == 200 and answer["success"] is True) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200 and answer["success"] is True, answer
    again = run_playbook(RECORD, inventory, tmp_path)
    assert again.rc == 0, again.output[-3000:]
    warnings = [" ".join(line.split()) for line in again.output.splitlines() if line.startswith("[WARNING]")]
    assert any("bravo_composite: recording undeclared formats (left running): webm" in line for line in warnings), \
        again.output[-3000:]
    assert results_section(again.output) == {
        "media1": "unchanged: 2",
        "media2": "recording undeclared formats (left running): bravo (webm); unchanged: 1"}
    fleet.call("PUT", "/live/rest/v2/broadcasts/bravo_composite/recording/false?recordType=webm", address=ADDRESSES[1])


def test_a_host_with_slow_push_starts_shows_progress_every_15_s(fleet, tmp_path):
    """Five rooms started one at a time, each push start blocking 5 s: the task runs about 25 s on media3. Every
    line of ansible-playbook's output is stamped with the monotonic clock as it arrives through a pipe (as a journal
    reads it); between the task's header and media3's result no two lines are more than 15 s apart."""
    address = ADDRESSES[2]
    fleet.set_options(address=address, pushStartDelay=5)
    try:
        inventory = local_fleet_inventory(fleet, (address,), {}, {
            "antmedia_recordings": [{"room": room} for room in ROOMS], "conference_recording_start_concurrency": 1})
        command, environment = playbook_command(RECORD, inventory, tmp_path)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env=environment, cwd=str(tmp_path), bufsize=1)
        stamped = [(time.monotonic(), line.rstrip("\n")) for line in process.stdout]
        assert process.wait(timeout=300) == 0, "\n".join(line for _when, line in stamped)
    finally:
        fleet.set_options(address=address, pushStartDelay=0.3)
    output = "\n".join(line for _when, line in stamped)
    begin = next(index for index, (_when, line) in enumerate(stamped)
                 if line.startswith("TASK [") and "Converge the recordings of the declared rooms]" in line)
    end = next(index for index, (_when, line) in enumerate(stamped) if line.startswith("changed: [media1]"))
    window = stamped[begin:end + 1]
    assert window[-1][0] - window[0][0] > 2 * MOST_SILENT_SECONDS - 10, output  # the run was long enough to tell
    gaps = [later[0] - earlier[0] for earlier, later in zip(window, window[1:])]
    assert max(gaps) <= MOST_SILENT_SECONDS, (gaps, output)
    progress = [line for _when, line in window if "still running on media1" in line]
    assert len(progress) >= 2 and all(line.startswith("... mediaops.antmedia.conference_recording : Converge the "
                                                      "recordings of the declared rooms: still running on media1 (")
                                      for line in progress), output
    assert results_section(output) == {"media1": "started: %s; unchanged: 0" % ", ".join(ROOMS)}


def test_drift_prints_a_plain_table_and_fails_exactly_the_drifted_hosts(fleet, tmp_path):
    group = {"antmedia_recordings": [{"room": "charlie"}], "antmedia_drift_plugin": False,
             "antmedia_app_settings": {"hlsMuxingEnabled": True}, "antmedia_server_jwt_secret": SERVER_SECRET}
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, group)
    assert run_playbook(RECORD, inventory, tmp_path).rc == 0
    # drift by hand: media2's recording stopped, media3's setting changed; media1 (the run-once host) is clean
    status, stopped = fleet.call("POST", "/live/rest/v1/media-push/stop/charlie_composite", address=ADDRESSES[1])
    assert status == 200 and stopped["success"] is True
    fleet.set_app_settings(address=ADDRESSES[2], hlsMuxingEnabled=False)

    report = tmp_path / "out" / "fleet.md"
    run = run_playbook(DRIFT, inventory, tmp_path, check=True, extra_vars={"antmedia_drift_report": "out/fleet.md"})
    assert run.rc != 0, run.output[-3000:]
    recap = run.recap()
    assert dict((host, counts["failed"]) for host, counts in recap.items()) == {"media1": 0, "media2": 1, "media3": 1}

    lines = run.output.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("host ")))
    end = next(index for index in range(start, len(lines)) if "hosts drifted" in lines[index])
    assert "\n".join(lines[start:end + 1]) + "\n" == (GOLDEN / "drift-table.txt").read_text(), run.output[-3000:]
    assert "\\-" not in run.output and '\\"' not in run.output  # neither Markdown- nor JSON-escaped
    assert results_section(run.output) == {
        "media1": "no drift",
        "media2": "FAILED: DRIFT: recordings expected 1 rooms as declared, found charlie_composite needs start",
        "media3": "FAILED: DRIFT: settings expected hlsMuxingEnabled=True, found hlsMuxingEnabled=False"}

    # the path as given: out/fleet.md and out/fleet.html, in a folder made 0700
    assert report.is_file() and report.with_suffix(".html").is_file()
    assert not (tmp_path / "out" / "fleet.md.md").exists()
    assert (report.parent.stat().st_mode & 0o777) == 0o700
    assert "| media2 |" in report.read_text() and "charlie_composite needs start" in report.read_text()
