"""The lab's real test hosts (lab/hosts.sh): boot 2, check them, tear them down.

    .venv/bin/python -m pytest -p no:cacheprovider tests/hosts -s

Needs root (network namespaces, a bridge, mounts). The first run on a machine builds the
cached root filesystem (about 90 s); later runs boot in a second or two. The lab's names and
addresses come from `lab/hosts.sh config`, so LAB_* variables (see lab/README.md) point this
test at a second lab beside one already running. The tests run in file order: the last one
tears the lab down and checks nothing is left.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HOSTS_SH = os.path.join(REPO, "lab", "hosts.sh")
COUNT = 2
SSH_OPTS = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"]
# Talk only to the test hosts, never through a proxy.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _skip_reason():
    if os.geteuid() != 0:
        return "the test hosts need root (network namespaces, a bridge, mounts)"
    if shutil.which("systemd-nspawn") is None and shutil.which("apt-get") is None:
        return "systemd-nspawn is not installed and apt-get cannot install it"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


def hosts_sh(*args, timeout=120, check=True):
    result = subprocess.run(["bash", HOSTS_SH, *args], cwd=REPO, capture_output=True, text=True,
                            timeout=timeout, check=False)
    if check and result.returncode != 0:
        pytest.fail(f"lab/hosts.sh {' '.join(args)} failed (rc {result.returncode}):\n"
                    f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


class Lab:
    def __init__(self, config):
        self.config = config
        self.name = config["LAB_NAME"]
        self.key = config["KEY"]
        self.inventory = config["INVENTORY"]
        subnet, base = config["LAB_SUBNET"], int(config["LAB_BASE"])
        self.hosts = [(f"{self.name}{i}", f"{subnet}.{base + i}") for i in range(1, COUNT + 1)]
        self.gateway = f"{subnet}.{config['LAB_GW']}"

    def ssh(self, ip, command, check=True, timeout=60):
        result = subprocess.run(["ssh", "-i", self.key, *SSH_OPTS, f"root@{ip}", command],
                                capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            pytest.fail(f"on {ip}: {command!r} failed (rc {result.returncode}): {result.stderr.strip()}")
        return result.stdout.strip()

    def main_pid(self, ip):
        return int(self.ssh(ip, "systemctl show --property MainPID --value antmedia"))


def read_config():
    config = {}
    for line in hosts_sh("config").stdout.splitlines():
        key, _, value = line.partition("=")
        config[key] = shlex.split(value)[0] if value else ""
    return config


def health(ip, port=5080):
    with HTTP.open(f"http://{ip}:{port}/_lab/health", timeout=3) as response:
        return json.loads(response.read())


def wait_health(ip, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return health(ip)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def lab():
    config = read_config()
    started = time.monotonic()
    # A fresh machine installs debootstrap and builds the root filesystem first.
    hosts_sh("build", timeout=1200)
    built = time.monotonic()
    hosts_sh("up", str(COUNT), timeout=300)
    booted = time.monotonic()
    print(f"\nlab: build (or cache hit) {built - started:.1f} s, up {COUNT} {booted - built:.1f} s",
          file=sys.stderr)
    yield Lab(config)
    hosts_sh("down", check=False)


def test_inventory_lists_every_host(lab):
    with open(lab.inventory) as handle:
        text = handle.read()
    for name, ip in lab.hosts:
        assert re.search(rf"^{name} ansible_host={re.escape(ip)}$", text, re.M), text
    for needed in ("ansible_user=root", f"ansible_ssh_private_key_file={lab.key}",
                   "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null",
                   "ansible_python_interpreter=/usr/bin/python3"):
        assert needed in text
    assert os.path.isfile(lab.key)
    assert os.path.isfile(lab.config["INVENTORY_YML"])


def test_systemd_is_pid_1_and_the_boot_finished(lab):
    for name, ip in lab.hosts:
        assert lab.ssh(ip, "ps -p 1 -o comm=") == "systemd"
        # What Ansible's service_mgr fact looks at.
        lab.ssh(ip, "test -d /run/systemd/system")
        assert lab.ssh(ip, "systemctl is-system-running") == "running"
        assert lab.ssh(ip, "hostname") == name


def test_each_host_has_its_own_network(lab):
    for _, ip in lab.hosts:
        assert f"inet {ip}/" in lab.ssh(ip, "ip -4 -o addr show dev eth0")
        # /sys must show the host's own interfaces (Ansible reads MAC and MTU there).
        assert lab.ssh(ip, "ls /sys/class/net").split() == ["eth0", "lo"]
        assert lab.ssh(ip, "ip -4 route show default").startswith(f"default via {lab.gateway} ")


def test_root_filesystem_has_what_the_roles_need(lab):
    _, ip = lab.hosts[0]
    lab.ssh(ip, "python3 -c 'import apt' && command -v sudo curl")
    assert lab.ssh(ip, "stat -c %U /usr/local/antmedia/plugins /usr/local/antmedia/webapps").split() == \
        ["antmedia", "antmedia"]
    # Roles install the media push jar; the hosts start without one.
    assert lab.ssh(ip, "ls /usr/local/antmedia/plugins/media-push*.jar", check=False) == ""
    # The stand-in cuts real MP4 recordings with ffmpeg.
    lab.ssh(ip, "ffmpeg -v error -f lavfi -i testsrc=d=1:s=320x240 -f lavfi -i sine=d=1 "
                "-c:v libx264 -c:a aac -y /tmp/probe.mp4 && test -s /tmp/probe.mp4", timeout=120)


def test_antmedia_is_an_enabled_service_of_user_antmedia(lab):
    for _, ip in lab.hosts:
        assert lab.ssh(ip, "systemctl is-active antmedia") == "active"
        assert lab.ssh(ip, "systemctl is-enabled antmedia") == "enabled"
        pid = lab.main_pid(ip)
        assert pid > 0
        assert lab.ssh(ip, f"ps -o user= -p {pid}") == "antmedia"
        lab.ssh(ip, "test -f /usr/local/antmedia/standin/ams_standin/__main__.py")


def test_standin_answers_on_the_hosts_own_address(lab):
    for _, ip in lab.hosts:
        assert health(ip)["ok"] is True
        inside = lab.ssh(ip, "curl -fsS --max-time 3 http://127.0.0.1:5080/_lab/health")
        assert json.loads(inside)["ok"] is True


def test_restart_over_ssh_brings_the_standin_back(lab):
    for _, ip in lab.hosts:
        before = lab.main_pid(ip)
        lab.ssh(ip, "systemctl restart antmedia")
        assert wait_health(ip)["ok"] is True
        after = lab.main_pid(ip)
        assert after > 0 and after != before


def test_ansible_reaches_every_host_through_the_inventory(lab):
    ansible = os.path.join(REPO, ".venv", "bin", "ansible")
    if not os.path.exists(ansible):
        ansible = shutil.which("ansible")
    if not ansible:
        pytest.skip("no ansible (make the .venv: scripts/setup.sh)")
    env = dict(os.environ, ANSIBLE_PIPELINING="1", ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="0",
               ANSIBLE_DEPRECATION_WARNINGS="0")
    for module, args in (("ansible.builtin.ping", []),
                         ("ansible.builtin.setup", ["-a", "filter=ansible_service_mgr,ansible_default_ipv4"])):
        result = subprocess.run([ansible, "-i", lab.inventory, "lab", "-m", module, *args],
                                capture_output=True, text=True, env=env, timeout=180, check=False)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        per_host = _adhoc_results(result.stdout)
        for name, ip in lab.hosts:
            status, answer = per_host[name]
            assert status == "SUCCESS", answer
            if module.endswith("ping"):
                assert answer["ping"] == "pong"
            else:
                assert answer["ansible_facts"]["ansible_service_mgr"] == "systemd"
                assert answer["ansible_facts"]["ansible_default_ipv4"]["address"] == ip


def _adhoc_results(stdout):
    """`NAME | STATUS => {json}` blocks of ad-hoc ansible's default output."""
    decoder, found = json.JSONDecoder(), {}
    for match in re.finditer(r"^(\S+) \| (\w+) => ", stdout, re.M):
        found[match.group(1)] = (match.group(2), decoder.raw_decode(stdout, match.end())[0])
    return found


def test_up_again_reuses_the_running_hosts(lab):
    def nspawn_pids():
        return re.findall(rf"^{re.escape(lab.name)}\d+ \S+ pid=(\d+) ", hosts_sh("status").stdout, re.M)
    before = nspawn_pids()
    assert len(before) == COUNT
    hosts_sh("up", str(COUNT))
    assert nspawn_pids() == before  # the same processes: reused, not rebooted (no wall-clock bound needed)


def test_serve_gives_files_to_the_hosts(lab):
    port = lab.config["LAB_SERVE_PORT"]
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "media-push.jar.sha1"), "w") as handle:
            handle.write("0123abcd\n")
        hosts_sh("serve", folder, "--port", port)
        try:
            for _, ip in lab.hosts:
                got = lab.ssh(ip, f"curl -fsS --max-time 3 http://{lab.gateway}:{port}/media-push.jar.sha1")
                assert got == "0123abcd"
        finally:
            hosts_sh("serve-stop")


def test_install_standin_restarts_the_service_on_every_host(lab):
    before = {ip: lab.main_pid(ip) for _, ip in lab.hosts}
    hosts_sh("install-standin")
    for _, ip in lab.hosts:
        assert health(ip)["ok"] is True
        assert lab.main_pid(ip) not in (0, before[ip])


def test_down_leaves_nothing_behind(lab):
    started = time.monotonic()
    hosts_sh("down")
    print(f"\nlab: down {time.monotonic() - started:.1f} s", file=sys.stderr)
    name, run = re.escape(lab.name), lab.config["LAB_RUN"]
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert not re.search(rf"^{name}\d+\b", namespaces, re.M), namespaces
    bridge = subprocess.run(["ip", "link", "show", lab.config["LAB_BRIDGE"]], capture_output=True)
    assert bridge.returncode != 0, "the bridge is still there"
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    assert f"veth-{lab.name}" not in links
    nspawn = subprocess.run(["pgrep", "-af", "systemd-nspawn"], capture_output=True, text=True).stdout
    assert f"{run}/hosts/" not in nspawn, nspawn
    for tree in ("/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"):
        if os.path.isdir(tree):
            assert not [d for d in os.listdir(tree) if re.fullmatch(rf"lab-{name}\d+", d)]
    with open("/proc/self/mountinfo") as handle:
        assert f"{run}/" not in handle.read()
    assert not os.path.exists(lab.inventory)
    hosts_sh("down")  # a second down is harmless
