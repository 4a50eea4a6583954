"""The antmedia_schedule role on a real test host (lab/hosts.sh, systemd as PID 1): the timer's service, started with
a real `systemctl start`, runs record.yml with an inventory whose JWT secret is vault-encrypted. Without
antmedia_schedule_vault_password_file the run cannot decrypt it and fails; with it (ANSIBLE_VAULT_PASSWORD_FILE in the
unit's environment file) the run decrypts it and passes the application's JWT filter with it, and the journal holds
the run's one line for the host.

    sudo .venv/bin/python -m pytest -p no:cacheprovider tests/hosts/test_schedule_vault.py

The lab's names come from `lab/hosts.sh config` (LAB_* variables point it at a second lab). The host gets the
controller's ansible-core (same Python minor version) and this collection under /opt/ansible, as a controller
would have them."""
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

import pytest

from test_hosts import HTTP, REPO, SSH_OPTS, _skip_reason, hosts_sh, read_config, wait_health

pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")

VENV = os.path.dirname(os.path.dirname(sys.executable))
SITE = os.path.join(VENV, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
# ansible-core and what it imports (vault: cryptography, cffi)
PACKAGES = ("ansible", "jinja2", "markupsafe", "yaml", "_yaml", "cryptography", "cffi", "resolvelib", "packaging")
# their metadata (ansible-core checks its requirements' versions at start)
DISTRIBUTIONS = ("ansible_core-", "jinja2-", "markupsafe-", "pyyaml-", "cryptography-", "cffi-", "resolvelib-",
                 "packaging-")
COLLECTION_PARTS = ("galaxy.yml", "meta", "plugins", "playbooks", "roles")
SECRET = "schedule-vault-jwt-secret-0123456789abcdef"
VAULT_PASSWORD = "vault-password-of-the-test"
UNIT = "mediaops-antmedia-record"


class Host:
    def __init__(self, config):
        self.config = config
        self.name = "%s1" % config["LAB_NAME"]
        self.ip = "%s.%d" % (config["LAB_SUBNET"], int(config["LAB_BASE"]) + 1)

    def ssh(self, command, stdin=None, timeout=300):
        return subprocess.run(["ssh", "-i", self.config["KEY"], *SSH_OPTS, "root@%s" % self.ip, command],
                              input=stdin, capture_output=True, timeout=timeout, check=False)

    def lab_call(self, method, path, body=None):
        request = urllib.request.Request("http://%s:5080%s" % (self.ip, path), method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/json"})
        with HTTP.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def host():
    config = read_config()
    hosts_sh("build", timeout=1200)
    hosts_sh("up", "1", timeout=300)
    lab_host = Host(config)
    wait_health(lab_host.ip)
    yield lab_host
    hosts_sh("down", check=False)


def tar_of(members):
    """A tar stream of (path on disk, name in the archive) pairs, without caches."""
    buffer = tempfile.TemporaryFile()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path, name in members:
            archive.add(path, arcname=name, filter=lambda info: None if "__pycache__" in info.name else info)
    buffer.seek(0)
    return buffer.read()


def vault_encrypted(text):
    from ansible.parsing.vault import VaultLib, VaultSecret
    return VaultLib([("default", VaultSecret(VAULT_PASSWORD.encode()))]).encrypt(text).decode()


def install_controller_tools(host):
    """ansible-core under /opt/ansible/site with an ansible-playbook wrapper, the collection under
    /opt/ansible/collections, as on a controller."""
    members = [(os.path.join(SITE, name), "site/" + name) for name in os.listdir(SITE)
               if name.split(".")[0] in PACKAGES or name.startswith("_cffi_backend")
               or (name.endswith(".dist-info") and name.lower().startswith(DISTRIBUTIONS))]
    members += [(os.path.join(REPO, part), "collections/ansible_collections/mediaops/antmedia/" + part)
                for part in COLLECTION_PARTS]
    done = host.ssh("mkdir -p /opt/ansible && tar -C /opt/ansible -xf -", stdin=tar_of(members))
    assert done.returncode == 0, done.stderr
    wrapper = ("#!/bin/sh\nPYTHONPATH=/opt/ansible/site exec /usr/bin/python3 -c "
               "'import sys; sys.argv[0] = \"ansible-playbook\"; from ansible.cli.playbook import main; main()' \"$@\"\n")
    done = host.ssh("mkdir -p /opt/ansible/bin && cat > /opt/ansible/bin/ansible-playbook && "
                    "chmod 0755 /opt/ansible/bin/ansible-playbook && /opt/ansible/bin/ansible-playbook --version",
                    stdin=wrapper.encode())
    assert done.returncode == 0 and b"ansible-playbook [core" in done.stdout, done.stderr


def write_media_inventory(host):
    """The inventory the timer's run reads: the host's own server, its JWT secret vault-encrypted."""
    encrypted = "\n".join("        " + line for line in vault_encrypted(SECRET).splitlines())
    inventory = ("media_servers:\n  hosts:\n    self:\n      ansible_connection: local\n"
                 "      ansible_python_interpreter: /usr/bin/python3\n      antmedia_url: http://127.0.0.1:5080\n"
                 "  vars:\n    antmedia_app: live\n    antmedia_recordings: [{room: vaulted, state: stopped}]\n"
                 "    antmedia_jwt_secret: !vault |\n" + encrypted + "\n")
    done = host.ssh("mkdir -p /etc/ansible/media /etc/mediaops-antmedia && cat > /etc/ansible/media/inventory.yml && "
                    "printf %s " + VAULT_PASSWORD + " > /etc/mediaops-antmedia/vault-pass && "
                    "chmod 0600 /etc/mediaops-antmedia/vault-pass", stdin=inventory.encode())
    assert done.returncode == 0, done.stderr


def install_schedule(host, tmp_path, **variables):
    tmp_path.mkdir(parents=True, exist_ok=True)
    inventory = tmp_path / "lab.json"
    inventory.write_text(json.dumps({"lab": {"hosts": {host.name: {
        "ansible_host": host.ip, "ansible_user": "root", "ansible_ssh_private_key_file": host.config["KEY"],
        "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
        "ansible_python_interpreter": "/usr/bin/python3", "ansible_become": False}}}}))
    extra = dict({"antmedia_schedule_hosts": host.name,
                  "antmedia_schedule_inventory": "/etc/ansible/media/inventory.yml",
                  "antmedia_schedule_ansible_playbook": "/opt/ansible/bin/ansible-playbook",
                  "antmedia_schedule_collections_path": "/opt/ansible/collections",
                  "antmedia_schedule_interval_minutes": 60}, **variables)
    (tmp_path / "extra.json").write_text(json.dumps(extra))
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".work", "collections"),
                       ANSIBLE_PIPELINING="1", ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="0")
    done = subprocess.run([os.path.join(VENV, "bin", "ansible-playbook"), "-i", str(inventory), "-e",
                           "@%s" % (tmp_path / "extra.json"), os.path.join(REPO, "playbooks", "schedule.yml")],
                          capture_output=True, text=True, env=environment, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def start_the_service(host):
    """A real `systemctl start` of the timer's service (oneshot: it returns when the run ended), and the run's
    journal."""
    host.ssh("journalctl --rotate >/dev/null 2>&1; systemctl reset-failed %s.service" % UNIT)
    cursor = host.ssh("journalctl -n 0 --show-cursor -o cat | tail -1").stdout.decode().split("cursor: ")[-1].strip()
    started = host.ssh("systemctl start %s.service" % UNIT, timeout=600)
    journal = host.ssh("journalctl -u %s.service -o cat --after-cursor='%s'" % (UNIT, cursor)).stdout.decode()
    return started.returncode, journal


def test_the_timers_run_reads_a_vault_encrypted_secret(host, tmp_path):
    install_controller_tools(host)
    write_media_inventory(host)
    # the application's JWT filter on, with the secret the inventory holds encrypted (the room is declared stopped:
    # the run reads the broadcasts, which the filter guards, and has nothing to start on a host without the plugin)
    host.lab_call("PUT", "/_lab/apps/live/settings", {"jwtControlEnabled": True, "jwtSecretKey": SECRET})
    host.lab_call("DELETE", "/_lab/requests")

    # without the vault password the run cannot read the inventory: it fails, and nothing starts
    install_schedule(host, tmp_path / "without")
    status, journal = start_the_service(host)
    assert status != 0 and "vault" in journal.lower(), journal[-3000:]
    assert host.lab_call("GET", "/_lab/requests")["requests"] == []  # it did not get as far as the server

    # with it, through the unit's environment file, the run decrypts the secret and the JWT filter lets it in
    install_schedule(host, tmp_path / "with", antmedia_schedule_vault_password_file="/etc/mediaops-antmedia/vault-pass")
    environment = host.ssh("cat /etc/mediaops-antmedia/%s.env; stat -c %%a /etc/mediaops-antmedia/%s.env"
                           % (UNIT, UNIT)).stdout.decode()
    assert 'ANSIBLE_VAULT_PASSWORD_FILE="/etc/mediaops-antmedia/vault-pass"' in environment, environment
    assert environment.strip().endswith("600"), environment
    status, journal = start_the_service(host)
    assert status == 0, journal[-3000:]
    assert "self  unchanged: 1" in journal, journal[-3000:]
    # the run's reads passed the JWT filter: signed with the decrypted secret
    reads = [(entry["path"], entry["status"]) for entry in host.lab_call("GET", "/_lab/requests")["requests"]]
    assert reads and all(status == 200 for _path, status in reads), reads
    assert any(path.startswith("/live/rest/v2/broadcasts/list") for path, _status in reads), reads
    assert SECRET not in journal and VAULT_PASSWORD not in journal
