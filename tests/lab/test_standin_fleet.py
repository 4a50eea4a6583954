# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 2: fleet mode, one process serving many loopback addresses (`--listen A-B`), where each address
is a server of its own: its own root (ROOT/servers/ADDR), state, plugins, settings and request log."""

from __future__ import annotations

import http.client
import json
import random

import pytest

from ams_standin.harness import Standin
from standin_helpers import is_tomcat_error


PUSH = "/live/rest/v1/media-push"
PAGE = "http://127.0.0.1:5080/live/multitrack-play.html?id=room1&muted=false"


class RangeStandin(Standin):
    """Started with one `--listen FIRST-LAST` range rather than one --listen per address."""

    def command(self):
        command, result, skip = super().command(), [], False
        for argument in command:
            if skip:
                skip = False
                continue
            if argument == "--listen":
                skip = True
                continue
            result.append(argument)
        return result + ["--listen", "%s-%s" % (self.addresses[0], self.addresses[-1])]


def fleet_addresses(count):
    """count addresses 127.X.Y.1.. in a /24 picked at random, so parallel runs do not meet."""
    second, third = random.randint(64, 250), random.randint(1, 250)
    return tuple("127.%d.%d.%d" % (second, third, host) for host in range(1, count + 1))


def start_fleet(tmp_path, count, **options):
    from conftest import STANDIN_MEDIA_CACHE  # pylint: disable=import-outside-toplevel
    ams = RangeStandin(root=tmp_path / "fleet", addresses=fleet_addresses(count), media_cache=STANDIN_MEDIA_CACHE,
                       **options)
    return ams.start(timeout=120)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    ams = start_fleet(tmp_path_factory.mktemp("fleet20"), 20)
    yield ams
    ams.close()


def rss_kib(pid):
    with open("/proc/%d/status" % pid, encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_one_process_serves_every_address_of_the_range(fleet):
    assert "%s-%s" % (fleet.addresses[0], fleet.addresses[-1]) in fleet.command()
    for address in fleet.addresses:
        health = fleet.health(address)
        assert health["address"] == address and health["hostAddress"] == address
        assert health["apps"] == ["live", "LiveApp", "WebRTCAppEE"]
        assert fleet.call("GET", "/live/rest/v2/broadcasts/count", address=address)[0] == 200
    # Nothing beyond the range.
    first = fleet.addresses[0].rsplit(".", 1)[0]
    with pytest.raises(OSError):
        fleet.call("GET", "/_lab/health", address=first + ".21", timeout=3)


def test_each_address_has_its_own_state_and_root(fleet):
    one, two = fleet.addresses[2], fleet.addresses[3]
    status, made = fleet.call("POST", "/live/rest/v2/broadcasts/create", {"streamId": "only-here"}, address=one)
    assert status == 200
    assert made["originAdress"] == one and made["rtmpURL"] == "rtmp://%s/live/only-here" % one
    assert is_tomcat_error(fleet.call("GET", "/live/rest/v2/broadcasts/only-here", address=two), 404)
    assert fleet.call("GET", "/live/rest/v2/broadcasts/count", address=one)[1] == {"number": 1}
    assert fleet.call("GET", "/live/rest/v2/broadcasts/count", address=two)[1] == {"number": 0}
    fleet.flush(one)
    root_one, root_two = fleet.server_root(one), fleet.server_root(two)
    assert root_one == fleet.root / "servers" / one
    stored = json.loads((root_one / "data" / "live" / "broadcasts.json").read_text())
    assert [broadcast["streamId"] for broadcast in stored] == ["only-here"]
    assert not (root_two / "data" / "live" / "broadcasts.json").exists() or \
        json.loads((root_two / "data" / "live" / "broadcasts.json").read_text()) == []
    for address in fleet.addresses:
        assert (fleet.server_root(address) / "webapps" / "live" / "streams").is_dir()


def test_recordings_land_in_the_servers_own_root(fleet):
    address = fleet.addresses[4]
    fleet.publish("cam1", address=address)
    assert fleet.call("PUT", "/live/rest/v2/broadcasts/cam1/recording/true", address=address)[1]["success"] is True
    assert (fleet.streams_dir(address=address) / "cam1.mp4.tmp_extension").exists()
    assert not (fleet.streams_dir(address=fleet.addresses[5]) / "cam1.mp4.tmp_extension").exists()
    fleet.unpublish("cam1", address=address)


def test_request_logs_are_per_server(fleet):
    one, two = fleet.addresses[6], fleet.addresses[7]
    since_two = fleet.last_seq(two)
    fleet.call("GET", "/live/rest/v2/vods/count", address=one)
    assert [entry["path"] for entry in fleet.requests(fleet.last_seq(one) - 1, one)] == ["/live/rest/v2/vods/count"]
    assert fleet.requests(since_two, two) == []
    lines = (fleet.server_root(one) / "log" / "requests.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["path"] == "/live/rest/v2/vods/count"


def test_settings_plugins_and_restarts_are_per_server(fleet):
    one, two = fleet.addresses[8], fleet.addresses[9]
    fleet.set_app_settings(address=one, remoteAllowedCIDR="127.0.0.9")
    assert fleet.call("GET", "/live/rest/v2/broadcasts/count", address=one)[0] == 403
    assert fleet.call("GET", "/live/rest/v2/broadcasts/count", address=two)[0] == 200
    fleet.set_app_settings(address=one, remoteAllowedCIDR="127.0.0.1")

    fleet.publish("live-on-two", address=two)
    fleet.install_media_push_jar(one)
    fleet.restart(one)
    assert fleet.health(one)["plugins"] == ["media-push.jar"]
    assert fleet.health(two)["plugins"] == []
    assert fleet.call("POST", PUSH + "/start?streamId=p1", {"url": PAGE}, address=one)[1]["success"] is True
    assert fleet.call("POST", PUSH + "/start?streamId=p1", {"url": PAGE}, address=two)[0] == 404
    # The restart of one server leaves the others' live streams alone.
    assert fleet.call("GET", "/live/rest/v2/broadcasts/live-on-two", address=two)[1]["status"] == "broadcasting"
    assert fleet.call("POST", PUSH + "/stop/p1", address=one)[1]["success"] is True


def test_the_ip_filter_of_each_server_sees_the_callers_address(fleet):
    """A client on the host reaches every server from 127.0.0.1 (the kernel's source for loopback) and
    passes the default filter; a call made from another server's address is another host's call."""
    target, other = fleet.addresses[10], fleet.addresses[11]
    since = fleet.last_seq(target)
    assert fleet.call("GET", "/live/rest/v2/broadcasts/count", address=target)[0] == 200
    connection_from_other = http.client.HTTPConnection(target, fleet.port, timeout=10, source_address=(other, 0))
    try:
        connection_from_other.request("GET", "/live/rest/v2/broadcasts/count")
        answer = connection_from_other.getresponse()
        assert answer.status == 403 and b"Not allowed IP" in answer.read()
    finally:
        connection_from_other.close()
    assert [(entry["remote"], entry["status"]) for entry in fleet.requests(since, target)] == [
        ("127.0.0.1", 200), (other, 403)]


def test_a_hundred_servers_in_one_process(tmp_path, record_property):
    """Memory per server stays small; the numbers are reported, the bound is generous (no timing)."""
    single = start_fleet(tmp_path / "one", 1)
    try:
        single_kib = rss_kib(single.process.pid)
    finally:
        single.close()
    ams = start_fleet(tmp_path / "hundred", 100)
    try:
        for address in ams.addresses[::9] + (ams.addresses[-1],):
            assert ams.call("GET", "/live/rest/v2/broadcasts/count", address=address) == (200, {"number": 0})
        hundred_kib = rss_kib(ams.process.pid)
    finally:
        ams.close()
    per_server_kib = (hundred_kib - single_kib) / 99
    note = "stand-in RSS: 1 server %d KiB, 100 servers %d KiB, %.0f KiB per extra server" % (
        single_kib, hundred_kib, per_server_kib)
    record_property("rss", note)
    print(note)  # shown with pytest -s or -rA
    assert per_server_kib < 1024, note
