# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules end to end in-process (AnsibleModule, arguments, output), against the in-memory
server patched in at the client's Transport.request: every request the module makes is recorded."""
from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.mediaops.antmedia.plugins.modules import (
    broadcast_info,
    broadcast_recording,
    media_push,
    vod_info,
)
from ansible_collections.mediaops.antmedia.tests.unit.plugins.fake_ams import error_page

SECRET = "0123456789abcdef0123456789abcdef-secret"
PLAY_TOKEN = "play-token-4242"


def warnings_of(result):
    """The warnings' text (ansible-core 2.19+ reports each warning as a structured object)."""
    return json.dumps(result.get("warnings", []))


@pytest.fixture
def run(capsys, monkeypatch):
    # once any controller code was imported in this process (other tests do), module warnings
    # would go to the controller's display instead of the module result
    monkeypatch.setattr("ansible.module_utils._internal.is_controller", False)
    monkeypatch.setattr("ansible.module_utils.common.warnings._global_warnings", {})  # no warnings of earlier tests

    def run_module(module, check_mode=False, diff=True, **args):
        args.setdefault("app", "live")
        args["_ansible_check_mode"] = check_mode
        args["_ansible_diff"] = diff
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        out = capsys.readouterr().out
        result = json.loads(out)
        result["_raw"] = out
        return result
    return run_module


# ---- media_push ---------------------------------------------------------------------------------
def test_media_push_start_rerun_check_stop(ams, run):
    checked = run(media_push, check_mode=True, room="room1", record_type="mp4")
    assert checked["changed"] and ams.writes == []
    assert checked["diff"]["before"]["state"] == "stopped" and checked["diff"]["after"]["state"] == "started"

    started = run(media_push, room="room1", record_type="mp4")
    assert started["changed"] and started["state"] == "started" and started["recording"] == ["mp4"]
    assert started["stream_id"] == "room1_composite"
    assert started["page_url"] == "http://127.0.0.1:5080/live/multitrack-play.html?id=room1&muted=false"
    assert [call.path for call in ams.writes] == ["/live/rest/v2/broadcasts/create",
                                                  "/live/rest/v1/media-push/start"]
    assert started["diff"]["after"]["recording"] == ["mp4"]

    before = len(ams.calls)
    again = run(media_push, room="room1", record_type="mp4")
    assert not again["changed"] and len(ams.writes) == 2
    assert all(call.method == "GET" or not call.is_write for call in ams.calls[before:])

    again_checked = run(media_push, check_mode=True, room="room1", record_type="mp4")
    assert not again_checked["changed"] and len(ams.writes) == 2

    stop_checked = run(media_push, check_mode=True, room="room1", state="stopped")
    assert stop_checked["changed"] and len(ams.writes) == 2

    stopped = run(media_push, room="room1", state="stopped")
    assert stopped["changed"] and stopped["state"] == "stopped" and len(stopped["vods"]) == 1
    assert run(media_push, room="room1", state="stopped")["changed"] is False


def test_running_push_with_other_parameters_is_kept_and_warned(ams, run):
    ams.add_push("room1_composite", width=640, height=360)
    result = run(media_push, room="room1", width=1920, height=1080)
    assert not result["changed"] and ams.writes == []
    assert "keeps its parameters" in warnings_of(result)


@pytest.mark.parametrize("args, fragment", [
    ({"room": ""}, "room must not be empty"),
    ({"room": "a" * 111}, "at most 110 bytes are allowed"),
    ({"room": "a/b"}, "room 'a/b' must not contain '/'"),
    ({"room": "a..b"}, "room 'a..b' must not contain '..'"),
    ({"room": "a?b"}, "'?'"),
    ({"room": "a#b"}, "'#'"),
    ({"room": "a%b"}, "'%'"),
    ({"room": "a b"}, "whitespace"),
    ({"room": "a\nb"}, "whitespace"),
    ({"room": "a\x01b"}, "control characters"),
    ({"stream_id": "x/y", "state": "stopped"}, "stream_id 'x/y' must not contain '/'"),
    ({"room": "r", "width": 0}, "width 0 must be"),
    ({"room": "r", "height": -720}, "height -720 must be"),
    ({"room": "r", "width": 100000}, "width 100000 must be"),
    ({"room": "r", "record_type": "avi"}, "avi"),
    ({"room": "r", "page_url": "ftp://x/y"}, "page_url 'ftp://x/y' must be an http:// or https:// URL"),
    ({"room": "r", "page_base_url": "javascript:alert(1)"}, "page_base_url 'javascript:alert(1)'"),
    ({"room": "r", "url": "ftp://x"}, "antmedia_url (url) 'ftp://x' must be an http:// or https:// URL"),
    ({"room": "r", "app": "li/ve"}, "antmedia_app (app) 'li/ve' must not contain '/'"),
    ({"room": "r", "jwt_secret": ""}, "antmedia_jwt_secret (jwt_secret) must not be empty"),
    ({"room": "r", "jwt_secret": SECRET, "jwt_token": "x.y.z"}, "mutually exclusive"),
    ({"room": "r", "page": "circle", "page_url": "http://x/"}, "mutually exclusive"),
    ({"room": "r", "timeout": 0}, "antmedia_timeout (timeout) 0 must be from 1 to 3600 seconds"),
])
def test_bad_input_fails_before_any_request(ams, run, args, fragment):
    result = run(media_push, **args)
    assert result["failed"]
    assert fragment in result["msg"]
    assert "\n" not in result["msg"]
    assert ams.calls == []


def test_plugin_missing_is_one_line_naming_everything(ams, run):
    ams.plugin_loaded = False
    result = run(media_push, room="room1")
    assert result["failed"]
    assert result["msg"] == (
        "http://127.0.0.1:5080 app live room room1 (stream room1_composite): the Media Push plugin is not loaded in "
        "app live on this server (HTTP 404 on v1/media-push/start): install it with the "
        "mediaops.antmedia.media_push_plugin role, then restart the server")


def test_server_failure_message_is_reported(ams, run):
    ams.inject("POST", "/media-push/start$", lambda: ams.media_push("POST", ["start"], {"streamId": "room1_composite"},
                                                                    {"url": "bad"}))
    result = run(media_push, room="room1")
    assert result["failed"] and result["msg"].endswith("the Media Push start failed: Incoming url: bad is not a valid url")


def test_ip_filter_refusal(ams, run):
    ams.inject("GET", "/broadcasts/room1_composite$", error_page(403, "Not allowed IP"))
    result = run(media_push, room="room1", url="http://10.1.2.3:5080")
    assert result["failed"]
    assert result["msg"].startswith("http://10.1.2.3:5080 app live room room1 (stream room1_composite): refused by the IP filter")
    assert "remoteAllowedCIDR" in result["msg"]


def test_secrets_never_in_output(ams, run):
    ams.inject("POST", "/media-push/start$", lambda: ams.media_push(
        "POST", ["start"], {"streamId": "room1_composite"}, {"url": "x?token=%s&s=%s" % (PLAY_TOKEN, SECRET)}))
    failed = run(media_push, room="room1", token=PLAY_TOKEN, jwt_secret=SECRET)
    started = run(media_push, room="room1", token=PLAY_TOKEN, jwt_secret=SECRET, record_type="mp4")
    minted = [call.headers["Authorization"] for call in ams.calls]
    assert failed["failed"] and started["changed"]
    assert ams.sessions["room1_composite"]["url"].endswith("&token=" + PLAY_TOKEN)
    for result in (failed, started):
        for secret in [PLAY_TOKEN, SECRET] + minted:
            assert secret not in result["_raw"]
    assert started["page_url"].endswith("&token=********")


def test_validate_certs_false_warns(ams, run):
    result = run(media_push, room="room1", state="stopped", validate_certs=False, url="https://127.0.0.1:5443")
    assert "validate_certs is false" in warnings_of(result)
    assert ams.calls[0].verify is False


def test_connection_options_from_the_environment(ams, run, monkeypatch):
    monkeypatch.setenv("ANTMEDIA_URL", "http://10.9.9.9:5080")
    monkeypatch.setenv("ANTMEDIA_APP", "live")
    monkeypatch.setenv("ANTMEDIA_JWT_SECRET", SECRET)
    with patch_module_args({"room": "room1", "state": "stopped"}):
        with pytest.raises(SystemExit):
            media_push.main()
    assert ams.calls[0].path == "/live/rest/v2/broadcasts/room1_composite"
    assert ams.calls[0].headers["Authorization"].count(".") == 2


# ---- broadcast_recording ------------------------------------------------------------------------
def test_broadcast_recording_cycle(ams, run):
    ams.add_broadcast("cam1")
    ams.broadcasts["cam1"]["mp4Enabled"] = -1
    assert run(broadcast_recording, check_mode=True, stream_id="cam1")["changed"] and ams.writes == []
    started = run(broadcast_recording, stream_id="cam1")
    assert started["changed"] and started["recording"] == ["mp4"] and len(ams.writes) == 1
    assert ams.writes[0].params == {"recordType": "mp4"}
    assert not run(broadcast_recording, stream_id="cam1")["changed"] and len(ams.writes) == 1
    stopped = run(broadcast_recording, stream_id="cam1", state="stopped")
    assert stopped["changed"] and stopped["recording"] == [] and stopped["vods"][0]["streamId"] == "cam1"
    assert stopped["diff"] == {"before": {"stream_id": "cam1", "exists": True, "status": "broadcasting", "recording": ["mp4"],
                                          "recording_unknown": ["webm"]},
                               "after": {"stream_id": "cam1", "exists": True, "status": "broadcasting", "recording": [],
                                         "recording_unknown": ["webm"]}}


def test_broadcast_recording_webm_with_resolution(ams, run):
    ams.add_broadcast("cam1", webMEnabled=-1)
    run(broadcast_recording, stream_id="cam1", record_type="webm", resolution_height=480)
    assert ams.writes[0].params == {"recordType": "webm", "resolutionHeight": "480"}


# ---- info modules -------------------------------------------------------------------------------
def test_broadcast_info_pages_and_reports_rooms(ams, run):
    ams.page_cap = 2
    ams.add_broadcast("room1", subTrackStreamIds=["alice", "bob"], metaData=json.dumps({"isRecording": True}))
    ams.add_broadcast("alice", mainTrackStreamId="room1")
    ams.add_broadcast("bob", mainTrackStreamId="room1", status="finished")
    ams.add_push("room1_composite", record_type="mp4")
    ams.add_broadcast("cam9", password="hunter2")
    result = run(broadcast_info)
    assert not result["changed"] and ams.writes == []
    by_id = dict((item["stream_id"], item) for item in result["broadcasts"])
    assert sorted(by_id) == ["alice", "bob", "cam9", "room1", "room1_composite"]
    assert by_id["room1"]["participants"] == ["alice", "bob"] and by_id["room1"]["active_participants"] == ["alice"]
    assert by_id["room1_composite"]["is_media_push"] and by_id["room1_composite"]["recording"] == ["mp4"]
    assert by_id["cam9"]["broadcast"]["password"] == "********"
    assert "hunter2" not in result["_raw"]


def test_broadcast_info_one(ams, run):
    ams.add_broadcast("room1", subTrackStreamIds=["alice"])
    ams.add_broadcast("alice", mainTrackStreamId="room1")
    result = run(broadcast_info, stream_id="room1")
    assert [item["stream_id"] for item in result["broadcasts"]] == ["room1"]
    assert result["broadcasts"][0]["active_participants"] == ["alice"]
    assert run(broadcast_info, stream_id="nope")["broadcasts"] == []


def test_vod_info(ams, run):
    ams.page_cap = 1
    for stream_id in ("a", "b", "a"):
        ams.finalise(stream_id, "mp4")
    everything = run(vod_info)
    only_a = run(vod_info, stream_id="a")
    assert everything["count"] == 3
    assert only_a["count"] == 2 and {vod["streamId"] for vod in only_a["vods"]} == {"a"}


def test_a_short_jwt_secret_is_used_with_a_warning(ams, run):
    """java-jwt verifies HS256 with a key of any length but empty (docs/server-contract.md,
    "Security filters"): the short secret signs the token, and the task warns without showing it."""
    result = run(media_push, room="room1", jwt_secret="too-short")
    assert not result.get("failed"), result
    shown = json.dumps(result["warnings"])
    assert "antmedia_jwt_secret (jwt_secret) is 9 bytes long" in shown and "weak" in shown and "too-short" not in shown
    assert ams.calls and all(call.headers.get("Authorization") for call in ams.calls)
