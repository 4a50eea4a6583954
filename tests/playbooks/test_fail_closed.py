# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15 on a local stand-in fleet: drift.yml and record.yml fail closed (a pattern that matches no host, a host
not checked), the report follows --limit and inventory settings, is written 0600, escapes hostile server and
inventory text, and shows no secret."""

from __future__ import annotations

import stat

import pytest

from conftest import REPO, VENV, local_fleet_inventory, markdown_cells, report_rows, run_playbook, standin_fleet

RECORD = REPO / "playbooks" / "record.yml"
DRIFT = REPO / "playbooks" / "drift.yml"
ADDRESSES = ("127.0.78.1", "127.0.78.2")
SERVER_SECRET = "fail-closed-server-secret-0123456789abcdef"
HOSTILE_HOST = "evil|<img src=x onerror=alert(1)>*b*_u_"
HOSTILE_VALUE = "<script>alert(1)</script>\n| injected | row |\n[link](http://evil.example) **bold** `code`"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    yield from standin_fleet(tmp_path_factory.mktemp("fail-closed"), ADDRESSES, ["limited"], server_secret=SERVER_SECRET)


def group(**extra):
    values = {"antmedia_drift_plugin": False, "antmedia_recordings": [{"room": "limited"}],
              "antmedia_server_jwt_secret": SERVER_SECRET}
    values.update(extra)
    return values


@pytest.mark.parametrize("playbook", [DRIFT, RECORD], ids=["drift", "record"])
def test_a_pattern_that_matches_no_host_fails_in_one_line_naming_it(fleet, tmp_path, playbook):
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, group())
    run = run_playbook(playbook, inventory, tmp_path, extra_vars={"antmedia_hosts": "no_such_group"}, check=True)
    assert run.rc != 0, run.output[-2000:]
    errors = [line for line in run.output.splitlines() if line.startswith("[ERROR]")]
    assert len(errors) == 1 and "'no_such_group' (antmedia_hosts) matches no host" in errors[0], run.output[-2000:]
    assert "No drift" not in run.output and "PLAY RECAP" not in run.output

    # an inventory whose group is not media_servers, with the default pattern
    renamed = {"recorders": inventory["media_servers"]}
    run = run_playbook(playbook, renamed, tmp_path, check=True)
    assert run.rc != 0 and "'media_servers' (antmedia_hosts) matches no host" in run.output, run.output[-2000:]

    # --limit outside the pattern
    run = run_playbook(playbook, inventory, tmp_path, check=True, extra_args=["--limit", "media1"],
                       extra_vars={"antmedia_hosts": "media2"})
    assert run.rc != 0 and "matches no host within --limit 'media1'" in run.output, run.output[-2000:]


def test_limit_reports_the_hosts_it_checked_with_its_exit_code(fleet, tmp_path):
    inventory = local_fleet_inventory(fleet, ADDRESSES, {}, group())
    report = tmp_path / "limited"
    drifted = run_playbook(DRIFT, inventory, tmp_path, check=True, extra_args=["--limit", "media2"],
                           extra_vars={"antmedia_drift_report": str(report)})
    assert drifted.rc != 0 and "1 of 1 hosts drifted (media2)" in drifted.output, drifted.output[-3000:]
    rows = report_rows(report.with_suffix(".md"), ("media1", "media2"))
    assert list(rows) == ["media2"] and rows["media2"][3].startswith("**DRIFT**")
    assert "- checked: media2" in report.with_suffix(".md").read_text()

    assert run_playbook(RECORD, inventory, tmp_path, extra_args=["--limit", "media2"]).rc == 0
    clean = run_playbook(DRIFT, inventory, tmp_path, check=True, extra_args=["--limit", "media2"],
                         extra_vars={"antmedia_drift_report": str(report)})
    assert clean.rc == 0 and "No drift on 1 hosts, all checked" in clean.output, clean.output[-3000:]


def test_a_host_not_checked_is_never_no_drift(fleet, tmp_path):
    inventory = local_fleet_inventory(fleet, ADDRESSES, {"media2": {"antmedia_server_jwt_secret": "x" * 40}},
                                      group(antmedia_app_settings={"hlsMuxingEnabled": True}))
    inventory["media_servers"]["hosts"]["ghost"] = {
        "ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 9, "ansible_user": "nobody",
        "ansible_python_interpreter": str(VENV / "bin" / "python"), "ansible_ssh_common_args": "-o ConnectTimeout=5"}
    fleet.set_app_settings(address=ADDRESSES[0], hlsMuxingEnabled=True)
    assert run_playbook(RECORD, inventory, tmp_path, extra_args=["--limit", "media1"]).rc == 0
    report = tmp_path / "unchecked"
    run = run_playbook(DRIFT, inventory, tmp_path, check=True, extra_vars={"antmedia_drift_report": str(report)})
    assert run.rc != 0, run.output[-3000:]
    assert "0 of 3 hosts drifted (none) and 2 not checked (media2, ghost)" in run.output, run.output[-3000:]
    text = report.with_suffix(".md").read_text()
    rows = report_rows(report.with_suffix(".md"), ("media1", "media2", "ghost"))
    assert rows["media1"] == ["-", "-", "ok", "ok"]
    assert rows["ghost"][0].startswith("NOT CHECKED: unreachable")
    # the failed settings check fills its own column; the other concerns are still shown
    assert rows["media2"][:2] == ["-", "-"] and rows["media2"][2].startswith("NOT CHECKED: ")
    assert rows["media2"][3] == "ok"
    assert "- checked: media1" in text and "- drifted: none" in text
    assert "- not checked (unreachable, error): media2, ghost" in text


def test_report_settings_from_inventory_mode_0600_escaped_and_without_secrets(fleet, tmp_path):
    report = tmp_path / "from-group-vars" / "report"
    report.parent.mkdir()
    cluster_key = "declared-cluster-key-0123456789"
    hook_password = "hook-password-0123456789"
    declared = {"hlsPlayListType": "event", "clusterCommunicationKey": cluster_key,
                "listenerHookURL": "http://hooks:%s@127.0.0.1:9/hook" % hook_password}
    fleet.set_app_settings(address=ADDRESSES[0], hlsPlayListType=HOSTILE_VALUE,
                           clusterCommunicationKey="server-cluster-key-0123456789",
                           listenerHookURL="http://hooks:server-hook-secret-0123@127.0.0.1:9/other")
    inventory = local_fleet_inventory(fleet, ADDRESSES[:1], {}, group(antmedia_app_settings=declared,
                                                                      antmedia_drift_report=str(report)))
    inventory["media_servers"]["hosts"][HOSTILE_HOST] = inventory["media_servers"]["hosts"].pop("media1")
    run = run_playbook(DRIFT, inventory, tmp_path, check=True, diff=True)
    assert run.rc != 0 and "1 of 1 hosts drifted" in run.output, run.output[-3000:]
    for suffix in (".md", ".html"):
        path = report.with_suffix(suffix)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, suffix
        raw = path.read_text()
        text = raw.replace("\\", "") if suffix == ".md" else raw  # as read, escapes undone
        for secret in (cluster_key, "server-cluster-key", hook_password, "server-hook-secret"):
            assert secret not in text, (suffix, secret)
        assert "********" in text
        unescaped = raw.replace("\\<", "") if suffix == ".md" else raw  # a \< is a literal < in Markdown
        assert "<script" not in unescaped and "<img" not in unescaped, suffix
    for secret in (cluster_key, "server-cluster-key", hook_password, "server-hook-secret"):
        assert secret not in run.output, secret

    markdown = report.with_suffix(".md").read_text()
    # no link, image or HTML (a URL stays as typed: Markdown needs no escape for it)
    assert "](" not in markdown.replace("\\]", "") and "<" not in markdown.replace("\\<", "")
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(table) == 3  # header, rule, one host: the value's line breaks and | made no row
    cells = markdown_cells(table[2])
    assert len(cells) == 5 and cells[0] == HOSTILE_HOST
    assert "<script>alert(1)</script>" in cells[3] and "| injected | row |" in cells[3]  # shown as text
    html = report.with_suffix(".html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x" in html


UNQUOTED = [("room: 010", "antmedia_recordings[0] (room 8): room is the number 8"),
            ("room: yes", "antmedia_recordings[0] (room True): room is the boolean True"),
            ("room: 12:30", "antmedia_recordings[0] (room 750): room is the number 750"),
            ("room: r1\n    stream_id: 0x1F", "antmedia_recordings[0] (room 'r1'): stream_id is the number 31")]


@pytest.mark.parametrize("item,named", UNQUOTED, ids=["octal", "boolean", "sexagesimal", "hex-stream-id"])
def test_role_refuses_unquoted_yaml_names(fleet, tmp_path, item, named):
    """conference_recording: a room or stream id that YAML read as a number or a boolean is refused, saying to quote it,
    before any request."""
    inventory = local_fleet_inventory(fleet, ADDRESSES[:1], {}, group())
    del inventory["media_servers"]["vars"]["antmedia_recordings"]
    group_vars = tmp_path / "unquoted.yml"
    group_vars.write_text("antmedia_recordings:\n  - %s\n" % item)
    seq = fleet.last_seq(ADDRESSES[0])
    run = run_playbook(RECORD, inventory, tmp_path, extra_args=["-e", "@%s" % group_vars])
    assert run.rc != 0 and named in run.output and "quote it" in run.output, run.output[-2000:]
    assert fleet.requests(seq, address=ADDRESSES[0]) == []


def test_restart_refuses_unquoted_app_names(fleet, tmp_path):
    # the role restart.yml runs (restart.yml itself refuses a local host: it needs SSH to the media host)
    inventory = local_fleet_inventory(fleet, ADDRESSES[:1], {}, group())
    extra = tmp_path / "apps.yml"
    extra.write_text("antmedia_service_apps: [live, 010, yes]\nansible_become: false\n")
    playbook = tmp_path / "restart-role.yml"
    playbook.write_text("- hosts: media_servers\n  gather_facts: false\n  roles:\n"
                        "    - role: mediaops.antmedia.antmedia_service\n")
    run = run_playbook(playbook, inventory, tmp_path, extra_args=["-e", "@%s" % extra])
    assert run.rc != 0 and "got 8, True" in run.output and "quote it" in run.output, run.output[-2000:]


def test_verify_waits_for_the_publisher_page_and_fails_naming_app_and_timeout(fleet, tmp_path):
    """antmedia_service's verify step: ready means the Media Push publisher page answers 200; when the plugin's set-up
    fails (the page never appears), the step fails after antmedia_service_ready_timeout naming the app and the
    timeout. With the set-up working, it passes once the page is there."""
    playbook = tmp_path / "verify.yml"
    playbook.write_text(
        "- hosts: media_servers\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.include_role:\n        name: mediaops.antmedia.antmedia_service\n"
        "        tasks_from: verify\n")
    address = ADDRESSES[1]
    inventory = local_fleet_inventory(fleet, ADDRESSES[1:], {}, {
        "antmedia_url": fleet.base_url(address), "antmedia_service_apps": ["live", "LiveApp"],
        "antmedia_service_ready_timeout": 4, "antmedia_service_ready_interval": 1})
    try:
        fleet.set_options(address=address, pluginSetupFails=True)
        for app in ("live", "LiveApp"):  # a page written by an earlier start stays on disk: a fresh install here
            page = fleet.server_root(address) / "webapps" / app / "media-push" / "media-push-publisher.html"
            if page.exists():
                page.unlink()
        fleet.restart(address=address)
        failed = run_playbook(playbook, inventory, tmp_path)
        assert failed.rc != 0, failed.output[-3000:]
        assert "was not ready within 4 s (antmedia_service_ready_timeout)" in failed.output, failed.output[-3000:]
        assert "does not answer 200 in app live, LiveApp" in failed.output, failed.output[-3000:]
    finally:
        fleet.set_options(address=address, pluginSetupFails=False)
        fleet.restart(address=address)
    passed = run_playbook(playbook, inventory, tmp_path)
    assert passed.rc == 0, passed.output[-3000:]


def test_guard_fails_closed_on_a_slow_read(fleet, tmp_path):
    """The restart guard alone (entry point guard, which restarts nothing), against a local stand-in: idle, it
    passes; one read slower than the timeout is a doubt that refuse refuses and wait waits out, then refuses; a
    recording found by the last read is refused."""
    playbook = tmp_path / "guard.yml"
    playbook.write_text(
        "- hosts: media_servers\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.include_role:\n        name: mediaops.antmedia.antmedia_service\n"
        "        tasks_from: guard\n")
    address = ADDRESSES[1]
    inventory = local_fleet_inventory(fleet, ADDRESSES[1:], {}, {
        "antmedia_url": fleet.base_url(address), "antmedia_service_apps": ["live", "LiveApp"],
        "antmedia_timeout": 2, "antmedia_service_name": "no-such-unit-here"})
    idle = run_playbook(playbook, inventory, tmp_path)
    assert idle.rc == 0, idle.output[-3000:]

    slow = {"method": "GET", "path": "v2/broadcasts/list", "kind": "slow", "delay": 4, "count": 1}
    fleet.set_faults(slow, address=address)
    refused = run_playbook(playbook, inventory, tmp_path)
    assert refused.rc != 0 and "Refusing to restart no-such-unit-here" in refused.output, refused.output[-3000:]
    assert "could not be read" in refused.output and "timeout" in refused.output, refused.output[-3000:]

    fleet.set_faults(dict(slow, count=20), address=address)
    waited = run_playbook(playbook, inventory, tmp_path, extra_vars={
        "antmedia_service_restart_policy": "wait", "antmedia_service_wait_timeout": 2,
        "antmedia_service_wait_interval": 1})
    assert waited.rc != 0 and "did not become idle within 2 s" in waited.output, waited.output[-3000:]
    assert "timeout" in waited.output
    fleet.lab("DELETE", "/_lab/faults", address=address)

    fleet.circle_record("guarded", app="LiveApp", address=address)
    try:
        busy = run_playbook(playbook, inventory, tmp_path, extra_vars={"antmedia_service_restart_policy": "wait",
                                                                       "antmedia_service_wait_timeout": 2,
                                                                       "antmedia_service_wait_interval": 1})
        assert busy.rc != 0 and "guarded_composite" in busy.output, busy.output[-3000:]
    finally:
        fleet.circle_stop("guarded", app="LiveApp", address=address)
