# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract cases of the whole server: security filters, HTTPS, restart semantics, the request log, counts and
empty answers, fleet mode, the management API's guard. Real HTTP to a real stand-in process."""

from __future__ import annotations

import json
import os
import time
import urllib.request

from ams_standin.harness import Standin, make_test_ca
from standin_helpers import SECRET, hs256_token, wait_for

LIST = "/live/rest/v2/broadcasts/list/0/10"


def call_with(ams, path, headers, address=None):
    request = urllib.request.Request(ams.url(path, address), headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_ip_filter_refuses_other_addresses_with_an_html_page(standin):
    assert standin.call("GET", LIST)[0] == 200  # 127.0.0.1 is allowed by default
    standin.set_app_settings(remoteAllowedCIDR="10.0.0.0/8")
    status, page = standin.call("GET", LIST)
    assert status == 403 and "Not allowed IP" in page and page.lstrip().startswith("<")
    standin.set_app_settings(remoteAllowedCIDR="10.0.0.0/8,127.0.0.0/8")
    assert standin.call("GET", LIST)[0] == 200
    standin.set_app_settings(remoteAllowedCIDR="10.0.0.0/8", ipFilterEnabled=False)
    assert standin.call("GET", LIST)[0] == 200


def test_jwt_filter(standin):
    assert standin.call("GET", LIST)[0] == 200  # off by default
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=SECRET)
    status, page = call_with(standin, LIST, {})
    assert status == 403 and "Invalid App JWT Token" in page and page.lstrip().startswith("<")
    good = hs256_token(SECRET, exp=int(time.time()) + 60)
    assert call_with(standin, LIST, {"Authorization": good})[0] == 200
    assert call_with(standin, LIST, {"Authorization": "Bearer " + good})[0] == 200
    assert call_with(standin, LIST, {"Authorization": hs256_token(SECRET)})[0] == 200  # no claim is required
    assert call_with(standin, LIST, {"Authorization": hs256_token(SECRET, exp=int(time.time()) - 5)})[0] == 403
    assert call_with(standin, LIST, {"Authorization": hs256_token("w" * 32, exp=int(time.time()) + 60)})[0] == 403
    none_alg = hs256_token(SECRET, header={"alg": "none", "typ": "JWT"})
    assert call_with(standin, LIST, {"Authorization": none_alg})[0] == 403
    # a secret shorter than 32 bytes works (java-jwt has no length check); another secret's token does not
    standin.set_app_settings(jwtSecretKey="short-secret")
    assert call_with(standin, LIST, {"Authorization": hs256_token("short-secret")})[0] == 200
    assert call_with(standin, LIST, {"Authorization": hs256_token("short-secreT")})[0] == 403
    # both filters: a good token from an address the IP filter refuses is refused
    standin.set_app_settings(jwtSecretKey=SECRET, remoteAllowedCIDR="10.0.0.0/8")
    status, page = call_with(standin, LIST, {"Authorization": good})
    assert status == 403 and "Not allowed IP" in page


def test_application_is_getting_initialized_while_starting(make_standin):
    ams = make_standin(start=False, init_delay=2)
    ams.start(wait_ready=False)
    status, page = ams.call("GET", LIST)
    assert status == 403 and "Application is getting initialized" in page
    ams.wait_healthy()
    assert ams.call("GET", LIST)[0] == 200


def test_http_and_https_with_a_test_ca(make_standin, tmp_path):
    tls = make_test_ca(tmp_path / "ca")
    ams = make_standin(tls=tls)
    import ssl
    context = ssl.create_default_context(cafile=str(tls.ca_cert))
    with urllib.request.urlopen(ams.url(LIST, tls=True), context=context, timeout=10) as answer:
        assert answer.status == 200 and json.loads(answer.read()) == []
    assert ams.call("GET", LIST)[0] == 200
    try:
        urllib.request.urlopen(ams.url(LIST, tls=True), context=ssl.create_default_context(), timeout=10)
        raise AssertionError("an unknown CA was accepted")
    except urllib.error.URLError as error:
        assert "CERTIFICATE_VERIFY_FAILED" in str(error)


def test_restart_keeps_data_and_loses_live_state(make_standin):
    ams = make_standin(media_push=True)
    status, created = ams.call("POST", "/live/rest/v2/broadcasts/create", {"streamId": "made", "name": "made"})
    assert status == 200
    ams.publish("made")
    ams.join("room", "p1")
    ams.circle_record("room")  # a zombi push broadcast, recording
    ams.publish("rec")
    ams.call("PUT", "/live/rest/v2/broadcasts/rec/recording/true?recordType=mp4")
    time.sleep(1.2)
    ams.call("PUT", "/live/rest/v2/broadcasts/rec/recording/false?recordType=mp4")
    vods_before = wait_for(lambda: ams.call("GET", "/live/rest/v2/vods/list/0/50")[1], what="a VoD")
    ams.call("PUT", "/live/rest/v2/broadcasts/rec/recording/true?recordType=mp4")  # in progress at the restart
    streams = ams.streams_dir("live")
    in_progress = set(os.listdir(streams)) - set(vod["vodName"] for vod in vods_before)
    ams.stop()
    ams.start()
    assert ams.media_push_sessions() == []
    assert ams.call("GET", "/live/rest/v2/broadcasts/room_composite")[0] == 404  # the zombi is gone
    status, made = ams.call("GET", "/live/rest/v2/broadcasts/made")
    assert status == 200 and made["status"] == "finished"
    assert made.get("hlsViewerCount", 0) == 0 and made.get("webRTCViewerCount", 0) == 0
    assert ams.call("GET", "/live/rest/v2/broadcasts/active-live-stream-count")[1] == {"number": 0}
    assert ams.call("GET", "/live/rest/v2/vods/list/0/50")[1] == vods_before  # VoDs persist
    assert not (set(os.listdir(streams)) & in_progress - set(vod["vodName"] for vod in vods_before)), \
        "the recording in progress at the restart is lost, as on a real server"


def test_request_log_over_http_and_on_disk(standin):
    seq = standin.last_seq()
    standin.call("GET", "/live/rest/v2/broadcasts/count")
    standin.call("DELETE", "/live/rest/v2/broadcasts/none")
    standin.lab("GET", "/_lab/health")
    log = standin.requests(seq)
    assert [(entry["method"], entry["path"]) for entry in log] == [
        ("GET", "/live/rest/v2/broadcasts/count"), ("DELETE", "/live/rest/v2/broadcasts/none")]
    assert all(entry["remote"] == "127.0.0.1" and entry["status"] == 200 and entry["time"] for entry in log)
    standin.flush()
    on_disk = [json.loads(line) for line in (standin.server_root() / "log" / "requests.jsonl").read_text()
               .splitlines()]
    assert [entry["path"] for entry in on_disk][-2:] == ["/live/rest/v2/broadcasts/count",
                                                         "/live/rest/v2/broadcasts/none"]


def test_counts_and_empty_answers(standin):
    assert standin.call("GET", "/live/rest/v2/broadcasts/count")[1] == {"number": 0}
    standin.publish("c1")
    assert standin.call("GET", "/live/rest/v2/broadcasts/count")[1] == {"number": 1}
    assert standin.call("GET", "/live/rest/v2/broadcasts/active-live-stream-count")[1] == {"number": 1}
    assert standin.call("GET", "/live/rest/v2/vods/count")[1] == {"number": 0}
    # a missing VoD: 200 with an empty VoD object (every field empty), never a 404
    status, empty_vod = standin.call("GET", "/live/rest/v2/vods/nosuchvod")
    assert status == 200 and empty_vod.get("vodId") is None and not any(empty_vod.values())
    status, result = standin.call("PUT", "/live/rest/v2/broadcasts/none/recording/true?recordType=mp4")
    assert status == 200 and result["success"] is False and not result["message"]


def test_fleet_mode_one_process_many_servers(tmp_path):
    addresses = tuple("127.0.66.%d" % index for index in range(1, 21))
    with Standin(root=tmp_path / "fleet", addresses=addresses, push_start_delay=0.1) as fleet:
        fleet.publish("only-on-3", address=addresses[2])
        for index, address in enumerate(addresses):
            count = fleet.call("GET", "/live/rest/v2/broadcasts/count", address=address)[1]["number"]
            assert count == (1 if index == 2 else 0)
        assert (tmp_path / "fleet" / "servers" / addresses[2]).is_dir()
        with open("/proc/%d/status" % fleet.process.pid) as status:
            rss_kib = int([line for line in status if line.startswith("VmRSS")][0].split()[1])
        print("fleet of %d servers: %d MiB resident" % (len(addresses), rss_kib // 1024))


def test_management_api_needs_a_login_or_the_server_jwt(standin):
    status, page = standin.call("GET", "/rest/v2/applications/settings/live")
    assert status == 403 and "Not authenticated user" in page
    secret = "server-secret-" + "s" * 32
    standin.set_server_settings(jwtServerControlEnabled=True, jwtServerSecretKey=secret)
    status, settings = call_with(standin, "/rest/v2/applications/settings/live",
                                 {"ProxyAuthorization": hs256_token(secret)})
    assert status == 200 and "mp4MuxingEnabled" in json.loads(settings)
    status, page = call_with(standin, "/rest/v2/applications/settings/live",
                             {"ProxyAuthorization": hs256_token("x" * 40)})
    assert status == 403 and "Invalid Server JWT Token" in page
