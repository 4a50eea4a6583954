# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""provision.yml, record.yml, drift.yml and schedule.yml on real systemd test hosts (lab/hosts.sh), with the
stand-in as the antmedia service: drift of every concern, and the schedule timer run by systemd."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request

import pytest

from conftest import REPO, VENV, report_rows, run_playbook

LAB = REPO / ".work" / "molecule"
HOSTS = 2
ARTIFACTS_URL = "http://10.77.0.1:8765"
HOOK_SECRET = "h00k" + "5ecret" * 6
HOOK_URL = "http://10.77.0.1:5001/ams/" + HOOK_SECRET
SERVER_SECRET = "lab-server-jwt-secret-0123456789abcdef"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def host_ip(index):
    return "10.77.0.%d" % (10 + index)


def lab_call(index, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request("http://%s:5080%s" % (host_ip(index), path), data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with _OPENER.open(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def on_host(index, command):
    return subprocess.run(["bash", str(REPO / "lab" / "hosts.sh"), "ssh", str(index), command],
                          capture_output=True, text=True, timeout=300, check=False)


def last_seq(index):
    return lab_call(index, "GET", "/_lab/requests")["last_seq"]


def writes_since(index, seq):
    log = lab_call(index, "GET", "/_lab/requests?since=%d" % seq)["requests"]
    # a Media Push session check (send-command returning a constant) changes nothing
    return [entry for entry in log if entry["method"] not in ("GET", "HEAD") and not entry.get("no_effect")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if os.geteuid() != 0 or shutil.which("systemd-nspawn") is None:
        pytest.fail("the lab tests need root and systemd-nspawn (scripts/setup.sh installs it)")
    up = subprocess.run(["bash", str(REPO / "tests" / "roles" / "lab.sh"), "up", str(HOSTS)], capture_output=True,
                        text=True, timeout=900, check=False)
    try:
        assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-2000:]
        work = tmp_path_factory.mktemp("lab-playbooks")
        prepared = run_playbook(REPO / "extensions" / "molecule" / "resources" / "prepare.yml", LAB / "hosts.yml",
                                work, inventories=[LAB / "inventory.yml"])
        assert prepared.rc == 0, prepared.output[-3000:]
        for index in range(1, HOSTS + 1):
            lab_call(index, "PUT", "/_lab/server-settings",
                     {"jwtServerControlEnabled": True, "jwtServerSecretKey": SERVER_SECRET})
            for person in ("alice", "bob"):
                lab_call(index, "POST", "/_lab/apps/live/rooms/weekly/participants", {"streamId": "weekly-" + person})
        yield work
    finally:
        subprocess.run(["bash", str(REPO / "tests" / "roles" / "lab.sh"), "down"], capture_output=True, timeout=300,
                       check=False)


def play(lab, name, check=False, **extra_vars):
    group = {"antmedia_app": "live", "antmedia_service_apps": ["live"],
             "media_push_plugin_maven_base_url": ARTIFACTS_URL + "/maven",
             "antmedia_recordings": [{"room": "weekly"}], "antmedia_app_settings": {"mp4MuxingEnabled": False},
             "antmedia_server_jwt_secret": SERVER_SECRET, "antmedia_hook_url": HOOK_URL}
    group.update(extra_vars)
    return run_playbook(REPO / "playbooks" / name, LAB / "hosts.yml", lab, extra_vars=group, check=check,
                        diff=check, inventories=[LAB / "inventory.yml"])


def test_drift_reports_exactly_the_injected_drifts(lab):
    provisioned = play(lab, "provision.yml")
    assert provisioned.rc == 0, provisioned.output[-4000:]
    # provision.yml sets the hook URL over SSH too, and its secret shows nowhere
    assert all(lab_call(index, "PUT", "/_lab/apps/live/settings", {}).get("listenerHookURL") == HOOK_URL
               for index in range(1, HOSTS + 1))
    assert HOOK_SECRET not in provisioned.output
    recorded = play(lab, "record.yml")
    assert recorded.rc == 0, recorded.output[-4000:]
    clean = play(lab, "drift.yml", check=True, antmedia_drift_report=str(lab / "clean"))
    assert clean.rc == 0 and "No drift on 2 hosts" in clean.output, clean.output[-4000:]

    # ams1: its recording stopped by hand and an app setting changed; ams2: another plugin version
    stop = on_host(1, "curl -fsS -X POST http://127.0.0.1:5080/live/rest/v1/media-push/stop/weekly_composite")
    assert '"success":true' in stop.stdout.replace(" ", ""), stop.stdout + stop.stderr
    lab_call(1, "PUT", "/_lab/apps/live/settings", {"mp4MuxingEnabled": True})
    swap = on_host(2, "curl -fsS -o /usr/local/antmedia/plugins/media-push.jar %s/maven/io/antmedia/plugin/"
                      "media-push/3.0.2/media-push-3.0.2.jar" % ARTIFACTS_URL)
    assert swap.returncode == 0, swap.stderr

    seqs = dict((index, last_seq(index)) for index in range(1, HOSTS + 1))
    report = lab / "drift"
    drifted = play(lab, "drift.yml", check=True, antmedia_drift_report=str(report))
    assert drifted.rc != 0 and "2 of 2 hosts drifted" in drifted.output, drifted.output[-4000:]
    for index in range(1, HOSTS + 1):
        assert writes_since(index, seqs[index]) == []
    rows = report_rows(report.with_suffix(".md"), ("ams1", "ams2"))
    plugin, browser, settings, recordings = rows["ams1"]
    assert (plugin, browser) == ("ok", "ok")
    assert settings.startswith("**DRIFT**") and "mp4MuxingEnabled=False" in settings
    assert recordings.startswith("**DRIFT**") and "weekly_composite needs start" in recordings
    plugin, browser, settings, recordings = rows["ams2"]
    server_version = lab_call(2, "GET", "/_lab/health")["serverVersion"]
    assert plugin.startswith("**DRIFT**") and "media-push %s" % server_version in plugin, plugin
    assert "media-push 3.0.2 does not match the server version %s" % server_version in plugin, plugin
    assert (browser, settings, recordings) == ("ok", "ok", "ok")
    # the jar drift did not restart or touch anything
    assert "media-push-3.0.2" not in on_host(2, "ls /usr/local/antmedia/plugins-dist").stdout


def test_schedule_timer_runs_record(lab):
    wheels = REPO / ".work" / "wheels"
    if not list(wheels.glob("ansible_core-*.whl")):
        subprocess.run([str(VENV / "bin" / "pip"), "download", "--only-binary=:all:", "-d", str(wheels),
                        "ansible-core==2.19.14"], check=True, capture_output=True, timeout=600)
    dist = lab / "dist"
    subprocess.run([str(VENV / "bin" / "ansible-galaxy"), "collection", "build", "--force", "--output-path",
                    str(dist), str(REPO)], check=True, capture_output=True, timeout=300)
    tarball = next(dist.glob("mediaops-antmedia-*.tar.gz"))
    controller = lab / "controller.yml"
    controller.write_text(json.dumps([{
        "name": "Make ams1 a controller (ansible-core from a wheelhouse, the collection from its tarball)",
        "hosts": "ams1", "gather_facts": False,
        "tasks": [
            {"name": "Copy the wheels",
             "ansible.builtin.copy": {"src": str(wheels) + "/", "dest": "/tmp/wheels/", "mode": "0644"}},
            {"name": "Copy the collection",
             "ansible.builtin.copy": {"src": str(tarball), "dest": "/tmp/c.tar.gz", "mode": "0644"}},
            {"name": "Install ansible-core and the collection", "ansible.builtin.shell": {
                "cmd": "set -e; python3 -m venv --system-site-packages /opt/ansible; "
                       "/opt/ansible/bin/pip install -q --no-index --find-links /tmp/wheels ansible-core; "
                       "/opt/ansible/bin/ansible-galaxy collection install -p /opt/collections /tmp/c.tar.gz",
                "creates": "/opt/collections/ansible_collections/mediaops/antmedia"}},
            {"name": "Write the inventory the timer uses", "ansible.builtin.copy": {
                "dest": "/etc/mediaops-inventory.yml", "mode": "0644", "content": json.dumps({"media_servers": {
                    "hosts": {"localhost": {"ansible_connection": "local",
                                            "ansible_python_interpreter": "/usr/bin/python3"}},
                    "vars": {"antmedia_app": "live", "antmedia_recordings": [{"room": "timed"}]}}})}},
        ]}]))
    # the plugin, if the drift test did not provision this host already
    plugin = on_host(1, "test -f /usr/local/antmedia/plugins/media-push.jar || { curl -fsS -o "
                        "/usr/local/antmedia/plugins/media-push.jar %s/maven/io/antmedia/plugin/media-push/3.0.1/"
                        "media-push-3.0.1.jar && systemctl restart antmedia && sleep 2; }" % ARTIFACTS_URL)
    assert plugin.returncode == 0, plugin.stderr
    made = run_playbook(controller, LAB / "hosts.yml", lab, inventories=[LAB / "inventory.yml"])
    assert made.rc == 0, made.output[-4000:]
    lab_call(1, "POST", "/_lab/apps/live/rooms/timed/participants", {"streamId": "timed-alice"})

    scheduled = run_playbook(REPO / "playbooks" / "schedule.yml", LAB / "hosts.yml", lab,
                             inventories=[LAB / "inventory.yml"], extra_vars={
                                 "antmedia_schedule_hosts": "ams1", "antmedia_schedule_interval_minutes": 2,
                                 "antmedia_schedule_inventory": "/etc/mediaops-inventory.yml",
                                 "antmedia_schedule_ansible_playbook": "/opt/ansible/bin/ansible-playbook",
                                 "antmedia_schedule_environment": {"ANSIBLE_COLLECTIONS_PATH": "/opt/collections"}})
    assert scheduled.rc == 0, scheduled.output[-4000:]
    timers = on_host(1, "systemctl list-timers --all --no-pager mediaops-antmedia-record.timer")
    assert "mediaops-antmedia-record.timer" in timers.stdout and "mediaops-antmedia-record.service" in timers.stdout
    assert on_host(1, "systemctl is-enabled mediaops-antmedia-record.timer").stdout.strip() == "enabled"

    triggered = on_host(1, "systemctl start mediaops-antmedia-record.service; "
                           "systemctl show -p Result --value mediaops-antmedia-record.service")
    assert triggered.stdout.strip() == "success", triggered.stdout + triggered.stderr + on_host(
        1, "journalctl -u mediaops-antmedia-record.service --no-pager | tail -40").stdout
    deadline = time.time() + 30
    while time.time() < deadline:
        broadcast = on_host(1, "curl -s http://127.0.0.1:5080/live/rest/v2/broadcasts/timed_composite").stdout
        if '"broadcasting"' in broadcast:
            break
        time.sleep(1)
    assert '"broadcasting"' in broadcast
    again = on_host(1, "systemctl start mediaops-antmedia-record.service; "
                       "journalctl -u mediaops-antmedia-record.service --no-pager | grep -c 'changed=0'")
    assert int(again.stdout.strip() or 0) >= 1, again.stdout

    removed = run_playbook(REPO / "playbooks" / "schedule.yml", LAB / "hosts.yml", lab,
                           inventories=[LAB / "inventory.yml"],
                           extra_vars={"antmedia_schedule_hosts": "ams1", "antmedia_schedule_state": "absent"})
    assert removed.rc == 0, removed.output[-3000:]
    assert "mediaops-antmedia-record" not in on_host(1, "systemctl list-timers --all --no-pager").stdout


HOSTILE_ENVIRONMENT = {
    "ANTMEDIA_JWT_SECRET": "s3cr3t-jwt-\"quoted\" 'single' $HOME ${USER} `id` %h %% \\back\\slash\\\nsecond line\\",
    "PLAIN": "a b  c",
    "EMPTY": "",
    "_UNDER_9": "trailing space ",
}
HOSTILE_ARGS = ["--extra-vars", "x=%h $HOME \"q\" \\z", "multi\nline", "tab\there"]
HOSTILE_INVENTORY = "/etc/media %h/$HOME inv.yml"
DUMP_RUN = ("#!/usr/bin/python3\nimport json, os, sys\n"
            "json.dump({'argv': sys.argv[1:], 'env': {name: os.environ.get(name) for name in %r}},\n"
            "          open('/run/dump-run.json', 'w'))\n" % sorted(HOSTILE_ENVIRONMENT))


def test_schedule_keeps_secrets_out_of_the_unit_and_systemd_reads_back_every_value(lab):
    """schedule.yml on a test host: a hostile variable name is refused before anything is written; hostile values
    (quotes, $, `, %, backslashes, newlines) and hostile arguments come back byte for byte from a real systemd run of
    the unit; the environment is in a 0600 file, not in the unit, and never in the output at -v --diff."""
    name = "hostile-schedule"
    common = {"antmedia_schedule_hosts": "ams1", "antmedia_schedule_name": name}
    injected = {"X=1\"\nExecStartPre=/bin/touch /tmp/pwned\n#": "v"}
    refused = run_playbook(REPO / "playbooks" / "schedule.yml", LAB / "hosts.yml", lab,
                           inventories=[LAB / "inventory.yml"],
                           extra_vars=dict(common, antmedia_schedule_inventory="/etc/inv.yml",
                                           antmedia_schedule_environment=injected))
    assert refused.rc != 0 and "invalid variable names" in refused.output, refused.output[-3000:]
    assert on_host(1, "ls /etc/systemd/system/%s.service /tmp/pwned 2>&1" % name).stdout.count("No such file") == 2

    assert on_host(1, "cat > /usr/local/bin/dump-run <<'PY'\n%sPY\nchmod 755 /usr/local/bin/dump-run" % DUMP_RUN) \
        .returncode == 0
    installed = run_playbook(REPO / "playbooks" / "schedule.yml", LAB / "hosts.yml", lab,
                             inventories=[LAB / "inventory.yml"], verbosity=1, diff=True, extra_vars=dict(
                                 common, antmedia_schedule_inventory=HOSTILE_INVENTORY,
                                 antmedia_schedule_ansible_playbook="/usr/local/bin/dump-run",
                                 antmedia_schedule_extra_args=HOSTILE_ARGS,
                                 antmedia_schedule_environment=HOSTILE_ENVIRONMENT))
    assert installed.rc == 0, installed.output[-4000:]
    assert "s3cr3t" not in installed.output
    unit = on_host(1, "cat /etc/systemd/system/%s.service" % name).stdout
    assert "s3cr3t" not in unit and "EnvironmentFile=/etc/mediaops-antmedia/%s.env" % name in unit
    mode = on_host(1, "stat -c '%%a %%U' /etc/mediaops-antmedia/%s.env /etc/mediaops-antmedia" % name).stdout.split()
    assert mode == ["600", "root", "700", "root"], mode
    verified = on_host(1, "systemd-analyze verify /etc/systemd/system/%s.service 2>&1; echo rc=$?" % name)
    assert verified.stdout.strip().endswith("rc=0"), verified.stdout
    ran = on_host(1, "rm -f /run/dump-run.json; systemctl start %s.service; "
                     "systemctl show -p Result --value %s.service; cat /run/dump-run.json" % (name, name))
    result, dump = (ran.stdout.split("\n", 1) + [""])[:2]
    assert result == "success", ran.stdout + ran.stderr
    seen = json.loads(dump)
    assert seen["argv"] == ["-i", HOSTILE_INVENTORY, "mediaops.antmedia.record"] + HOSTILE_ARGS
    assert seen["env"] == HOSTILE_ENVIRONMENT
    assert on_host(1, "test -e /tmp/pwned").returncode != 0

    removed = run_playbook(REPO / "playbooks" / "schedule.yml", LAB / "hosts.yml", lab,
                           inventories=[LAB / "inventory.yml"],
                           extra_vars=dict(common, antmedia_schedule_state="absent"))
    assert removed.rc == 0, removed.output[-3000:]
    assert on_host(1, "ls /etc/mediaops-antmedia/%s.env /etc/systemd/system/%s.service 2>&1" % (name, name)) \
        .stdout.count("No such file") == 2
