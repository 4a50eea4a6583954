# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import (
    AntMediaClient,
    AntMediaError,
    ConnectFailed,
    ConnectionLost,
    OutcomeUnknownError,
    PluginMissingError,
    ReadTimedOut,
    TLSFailed,
)

from ansible_collections.mediaops.antmedia.tests.unit.plugins.fake_ams import FakeResponse, error_page

SECRET = "k" * 40


def client(**kwargs):
    kwargs.setdefault("retries", 3)
    return AntMediaClient("http://127.0.0.1:5080", "live", **kwargs)


def refused_connection():
    """What the transport raises when nothing listens: the request was never sent."""
    return ConnectFailed("[Errno 111] Connection refused")


def lost_connection():
    """The server closed the connection after the request was sent."""
    return ConnectionLost("the server closed the connection before answering")


# ---- retries: reads are retried, writes never blindly ---------------------------------------
@pytest.mark.parametrize("failure", [
    refused_connection(),
    lost_connection(),
    ReadTimedOut("no answer within 120 s (timeout)"),
    FakeResponse(503, text="busy"),
    error_page(403, "Application is getting initialized"),
])
def test_reads_are_retried_with_backoff(ams, clock, failure):
    ams.add_broadcast("s1")
    for _attempt in range(2):
        ams.inject("GET", "/broadcasts/s1$", failure)
    assert client().get_broadcast("s1")["streamId"] == "s1"
    assert len(ams.calls) == 3
    assert len(clock.sleeps) == 2
    assert all(0 <= delay <= 10 for delay in clock.sleeps)


def test_backoff_is_jittered_and_grows(monkeypatch):
    picks = []
    monkeypatch.setattr("random.uniform", lambda low, high: picks.append((low, high)) or high)
    api = client(backoff=1.0, backoff_cap=5.0)
    assert [api._delay(n) for n in range(4)] == [1.0, 2.0, 4.0, 5.0]
    assert picks[0] == (0, 1.0)


def test_reads_give_up_after_the_retries(ams, clock):
    for _attempt in range(4):
        ams.inject("GET", "/broadcasts/s1$", refused_connection())
    with pytest.raises(AntMediaError) as error:
        client().get_broadcast("s1")
    assert len(ams.calls) == 4
    assert error.value.message == "cannot reach http://127.0.0.1:5080: [Errno 111] Connection refused (after 4 attempts)"


@pytest.mark.parametrize("failure", [ReadTimedOut("no answer within 120 s (timeout)"), lost_connection()])
def test_a_write_that_may_have_arrived_is_never_resent(ams, clock, failure):
    ams.inject("POST", "/media-push/start$", failure)
    with pytest.raises(OutcomeUnknownError) as error:
        client().start_media_push("room1_composite", {"url": "http://127.0.0.1:5080/live/x"})
    assert [call.method for call in ams.calls] == ["POST"]
    assert clock.sleeps == []
    assert "may have reached the server" in error.value.message


def test_a_write_refused_before_sending_is_retried(ams, clock):
    ams.inject("POST", "/media-push/start$", refused_connection())
    ams.inject("POST", "/media-push/start$", ConnectFailed("connection timed out"))
    result = client().start_media_push("room1_composite", {"url": "http://127.0.0.1:5080/live/x"})
    assert result.success
    assert [call.method for call in ams.calls] == ["POST", "POST", "POST"]


def test_a_write_answered_503_is_not_retried(ams, clock):
    ams.inject("PUT", "/recording/true$", FakeResponse(503, text="busy"))
    with pytest.raises(AntMediaError, match="answered HTTP 503"):
        client().set_recording("s1", True, "mp4")
    assert len(ams.calls) == 1


def test_a_write_answered_by_a_timed_out_proxy_is_an_unknown_outcome(ams, clock):
    ams.inject("POST", "/media-push/start$", FakeResponse(504, text="<html>Gateway Timeout</html>", content_type="text/html"))
    with pytest.raises(OutcomeUnknownError, match="HTTP 504 from a proxy"):
        client().start_media_push("s1", {"url": "http://x/"})
    assert len(ams.calls) == 1


def test_tls_failures_are_not_retried_and_say_what_to_do(ams, clock):
    ams.inject("GET", "/broadcasts/s1$", TLSFailed("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"))
    with pytest.raises(AntMediaError) as error:
        client().get_broadcast("s1")
    assert len(ams.calls) == 1
    assert "TLS failure" in error.value.message and "ca_path" in error.value.message


# ---- requests as sent --------------------------------------------------------------------------
def test_timeouts_are_explicit_and_verify_follows_the_options(ams):
    ams.add_broadcast("s1")
    client(timeout=7, ca_path="/etc/ca.pem").get_broadcast("s1")
    client(validate_certs=False).get_broadcast("s1")
    assert ams.calls[0].timeout == (7, 7)
    assert ams.calls[0].verify == "/etc/ca.pem"
    assert ams.calls[1].verify is False
    assert ams.calls[1].timeout == (10, 120)


def test_ids_are_encoded_in_paths_and_queries(ams):
    ams.add_broadcast("salle réunion")
    api = client()
    api.get_broadcast("salle réunion")
    api.start_media_push("a b", {"url": "http://x/"})
    assert ams.calls[0].path == "/live/rest/v2/broadcasts/salle%20r%C3%A9union"
    assert ams.calls[1].params == {"streamId": "a b"}  # the transport encodes query values


def test_one_transport_is_kept_per_thread(ams):
    api = client()
    api.get_broadcast("a")
    first = api._transport()
    api.get_broadcast("b")
    assert api._transport() is first
    other = []
    thread = threading.Thread(target=lambda: other.append(api._transport()))
    thread.start()
    thread.join()
    assert other[0] is not first


def test_minted_token_goes_in_authorization_without_bearer(ams):
    client(jwt_secret=SECRET).get_broadcast("s1")
    token = ams.calls[0].headers["Authorization"]
    header, payload, signature = token.split(".")
    expected = hmac.new(SECRET.encode(), ("%s.%s" % (header, payload)).encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert set(claims) == {"exp"}


def test_the_token_is_reminted_when_it_gets_old(ams):
    now = [1000000.0]
    ams.add_broadcast("s1")
    api = client(jwt_secret=SECRET, timeout=60, clock=lambda: now[0])
    api.get_broadcast("s1")
    api.get_broadcast("s1")
    now[0] += 60 + 300 - 30  # less than the renewal margin left
    api.get_broadcast("s1")
    tokens = [call.headers["Authorization"] for call in ams.calls]
    assert tokens[0] == tokens[1] != tokens[2]


def test_a_ready_token_is_sent_as_is_and_no_header_without_credentials(ams):
    ams.add_broadcast("s1")
    client(jwt_token="abc.def.ghi").get_broadcast("s1")
    client().get_broadcast("s1")
    assert ams.calls[0].headers["Authorization"] == "abc.def.ghi"
    assert "Authorization" not in ams.calls[1].headers


# ---- answers -----------------------------------------------------------------------------------
def test_missing_broadcast_is_none_but_missing_app_is_an_error(ams):
    assert client().get_broadcast("nope") is None
    with pytest.raises(AntMediaError, match="there is no application other on this server"):
        AntMediaClient("http://127.0.0.1:5080", "other").get_broadcast("nope")


def test_result_success_false_is_read_not_the_status(ams):
    result = client().start_media_push("s1", {"url": "not-a-url"})
    assert result.success is False
    assert result.message == "Incoming url: not-a-url is not a valid url"


@pytest.mark.parametrize("reason, expected", [
    ("Not allowed IP", "refused by the IP filter of app live (Not allowed IP, HTTP 403): run the module on the media host "
                       "against http://127.0.0.1:5080 (delegate_to the media host), or add the controller's address to "
                       "the app's remoteAllowedCIDR"),
    ("Invalid App JWT Token", "refused by the JWT filter of app live (Invalid App JWT Token, HTTP 403): the app has JWT "
                              "control on and no jwt_secret or jwt_token was given"),
])
def test_filter_refusals_say_which_filter_and_what_to_do(ams, reason, expected):
    ams.inject("POST", "/media-push/stop/s1$", error_page(403, reason))
    with pytest.raises(AntMediaError) as error:
        client().stop_media_push("s1")
    assert error.value.message == expected
    assert len(ams.calls) == 1  # a refusal is not retried


def test_jwt_refusal_with_a_token_points_at_the_secret(ams):
    ams.inject("GET", "/broadcasts/s1$", error_page(403, "Invalid App JWT Token"))
    with pytest.raises(AntMediaError, match="the token was not accepted: check jwt_secret or jwt_token"):
        client(jwt_secret=SECRET).get_broadcast("s1")


def test_initializing_is_retried_for_reads_then_reported(ams, clock):
    for _attempt in range(4):
        ams.inject("GET", "/broadcasts/s1$", error_page(403, "Application is getting initialized"))
    with pytest.raises(AntMediaError, match=r"still starting .* not ready.*\(4 attempts\)"):
        client().get_broadcast("s1")


def test_media_push_404_means_plugin_not_loaded(ams):
    ams.plugin_loaded = False
    with pytest.raises(PluginMissingError) as error:
        client().start_media_push("s1", {"url": "http://x/"})
    assert error.value.message == ("the Media Push plugin is not loaded in app live on this server (HTTP 404 on "
                                   "v1/media-push/start): install it with the mediaops.antmedia.media_push_plugin role, "
                                   "then restart the server")


def test_secrets_are_removed_from_messages(ams):
    api = client(jwt_secret=SECRET)
    api.add_secret("playtoken123")
    ams.inject("POST", "/media-push/start$", FakeResponse(
        200, {"success": False, "message": "Incoming url: http://x/?token=playtoken123&k=%s is not a valid url" % SECRET}))
    result = api.start_media_push("s1", {"url": "http://x/?token=playtoken123"})
    assert "playtoken123" not in result.message and SECRET not in result.message
    assert result.message.count("********") == 2
    assert api.redact({"a": ["x playtoken123", api._authorization()]}) == {"a": ["x ********", "********"]}


def test_lists_are_paged_until_an_empty_page_even_when_capped(ams):
    ams.page_cap = 3  # the server returns fewer than asked
    for index in range(8):
        ams.add_broadcast("s%d" % index)
    items = client().list_broadcasts()
    assert [item["streamId"] for item in items] == ["s%d" % index for index in range(8)]
    offsets = [call.path.rsplit("/", 2)[1] for call in ams.calls]
    assert offsets == ["0", "3", "6", "8"]


def test_a_list_that_does_not_advance_is_an_error(ams):
    ams.add_broadcast("s0")
    ams.inject("GET", "/list/1/", FakeResponse(200, [{"streamId": "s0"}]))
    with pytest.raises(AntMediaError, match="repeats itself at offset 1"):
        client().list_broadcasts()


def test_vods_filtered_by_stream(ams):
    ams.finalise("a", "mp4")
    ams.finalise("b", "mp4")
    vods = client().list_vods("a")
    assert [vod["streamId"] for vod in vods] == ["a"]
    assert ams.calls[0].params == {"streamId": "a"}
