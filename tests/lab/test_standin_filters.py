# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract: the security filters in front of each application's REST API (docs/server-contract.md,
"Security filters"): the IP filter, the JWT filter, both at once, and the 403 of an
application that is still initialising. Every refusal is Tomcat's HTML error page, never JSON."""

from __future__ import annotations

import json
import time

import pytest

from standin_helpers import SECRET, call_from, hs256_token, wait_for

COUNT = "/live/rest/v2/broadcasts/count"
CREATE = "/live/rest/v2/broadcasts/create"
OTHER = "127.0.0.2"   # another client address (any 127.x.y.z works on Linux)


def assert_refused(status, text, reason):
    """A filter's refusal: 403 and the servlet container's HTML page with the reason, not JSON."""
    assert status == 403, (status, text)
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert "<b>Message</b> %s</p>" % reason in text
    with pytest.raises(ValueError):
        json.loads(text)


DEFAULT_FILTER_SETTINGS = {"ipFilterEnabled": True, "remoteAllowedCIDR": "127.0.0.1", "jwtControlEnabled": False,
                           "jwtSecretKey": ""}


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    from conftest import _standin  # pylint: disable=import-outside-toplevel
    ams = _standin(tmp_path_factory.mktemp("ams-filters")).start()
    yield ams
    ams.close()


@pytest.fixture
def standin(shared):
    """The module's server, its filter settings back at their defaults before and after each test."""
    for app in ("live", "LiveApp", "WebRTCAppEE"):
        shared.set_app_settings(app, **DEFAULT_FILTER_SETTINGS)
    yield shared
    for app in ("live", "LiveApp", "WebRTCAppEE"):
        shared.set_app_settings(app, **DEFAULT_FILTER_SETTINGS)


def count(ams):
    status, body = ams.call("GET", COUNT)
    assert status == 200, body
    return body["number"]


def with_token(ams, token, path=COUNT, method="GET", body=None):
    return ams.call(method, path, body, headers={"Authorization": token} if token is not None else None)


# ---- IP filter ----------------------------------------------------------------------------------

def test_ip_filter_default_lets_only_127_0_0_1_in(standin):
    before = count(standin)                                       # no credential needed on the host itself
    status, text = call_from(OTHER, standin, "GET", COUNT)
    assert_refused(status, text, "Not allowed IP")
    # A refused write does nothing.
    status, text = call_from(OTHER, standin, "POST", CREATE, {"streamId": "sneaky"})
    assert_refused(status, text, "Not allowed IP")
    assert count(standin) == before
    assert standin.call("GET", "/live/rest/v2/broadcasts/sneaky")[0] == 404


def test_refusal_content_type_is_html(standin):
    import http.client  # pylint: disable=import-outside-toplevel
    connection = http.client.HTTPConnection(standin.addresses[0], standin.port, timeout=10, source_address=(OTHER, 0))
    try:
        connection.request("GET", COUNT)
        answer = connection.getresponse()
        assert answer.status == 403
        assert answer.getheader("Content-Type").startswith("text/html")
        assert b"Not allowed IP" in answer.read()
    finally:
        connection.close()


def test_ip_filter_guards_only_the_rest_api(standin):
    """IPFilter is mapped on /rest/* of the application: pages and the lab's control calls pass."""
    assert call_from(OTHER, standin, "GET", "/live/multitrack-play.html?id=room1")[0] == 200
    assert call_from(OTHER, standin, "GET", "/_lab/health")[0] == 200
    assert_refused(*call_from(OTHER, standin, "GET", "/LiveApp/rest/v2/broadcasts/count"), "Not allowed IP")


def test_remote_allowed_cidr(standin):
    standin.set_app_settings(remoteAllowedCIDR="127.0.0.1, 127.0.0.2/31, not-an-address")
    for allowed in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
        status, text = call_from(allowed, standin, "GET", COUNT)
        assert status == 200 and json.loads(text) == {"number": count(standin)}, allowed
    assert_refused(*call_from("127.0.0.4", standin, "GET", COUNT), "Not allowed IP")
    # The list is per application: the other applications still allow only 127.0.0.1.
    assert_refused(*call_from("127.0.0.2", standin, "GET", "/WebRTCAppEE/rest/v2/broadcasts/count"), "Not allowed IP")
    # Narrowed to another address, even 127.0.0.1 is refused.
    standin.set_app_settings(remoteAllowedCIDR="127.0.0.9")
    assert_refused(*standin.call("GET", COUNT), "Not allowed IP")
    assert call_from("127.0.0.9", standin, "GET", COUNT)[0] == 200


def test_ip_filter_off_lets_every_address_in(standin):
    standin.set_app_settings(ipFilterEnabled=False, remoteAllowedCIDR="127.0.0.1")
    before = count(standin)
    for address in ("127.0.0.1", "127.0.0.2", "127.0.0.77"):
        assert call_from(address, standin, "POST", CREATE, {"streamId": "s" + address.replace(".", "")})[0] == 200
    assert count(standin) == before + 3


# ---- JWT filter ---------------------------------------------------------------------------------

def test_jwt_filter_is_off_by_default(standin):
    assert with_token(standin, None)[0] == 200
    assert with_token(standin, "not a token")[0] == 200           # a header is ignored while the filter is off
    assert with_token(standin, hs256_token("wrong" * 8))[0] == 200


def test_jwt_filter_on_needs_a_valid_token(standin):
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=SECRET)
    assert_refused(*with_token(standin, None), "Invalid App JWT Token")
    assert_refused(*with_token(standin, ""), "Invalid App JWT Token")
    assert_refused(*with_token(standin, "garbage"), "Invalid App JWT Token")
    token = hs256_token(SECRET)   # no claim at all: none is required
    status, before = with_token(standin, token)
    assert status == 200 and isinstance(before["number"], int)
    assert with_token(standin, hs256_token(SECRET, sub="ops", exp=int(time.time()) + 600)) == (200, before)
    # A refused write does nothing; the same write with the token works.
    assert_refused(*with_token(standin, "garbage", CREATE, "POST", {"streamId": "w1"}), "Invalid App JWT Token")
    assert with_token(standin, token, CREATE, "POST", {"streamId": "w1"})[0] == 200
    assert with_token(standin, token)[1] == {"number": before["number"] + 1}


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", "BEARER  "])
def test_jwt_bearer_prefix_is_accepted(standin, prefix):
    """No prefix is the documented form; AMS 2.12+ also strips a Bearer prefix, in any case."""
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=SECRET)
    assert with_token(standin, prefix + hs256_token(SECRET))[0] == 200
    assert_refused(*with_token(standin, prefix + hs256_token("x" * 32)), "Invalid App JWT Token")


def test_jwt_must_be_hs256_with_the_secret(standin):
    import base64, hashlib, hmac  # pylint: disable=import-outside-toplevel,multiple-imports

    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=SECRET)

    def signed(alg, digest, secret=SECRET):
        def encode(data):
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        signing_input = "%s.%s" % (encode(json.dumps({"alg": alg, "typ": "JWT"}).encode()), encode(b"{}"))
        if digest is None:
            return signing_input + "."
        return signing_input + "." + encode(hmac.new(secret.encode(), signing_input.encode(), digest).digest())

    assert with_token(standin, signed("HS256", hashlib.sha256))[0] == 200
    for token in (signed("HS384", hashlib.sha384), signed("HS512", hashlib.sha512), signed("none", None),
                  signed("HS256", hashlib.sha384),      # the header lies about the algorithm
                  signed("HS256", hashlib.sha256, SECRET + "x")):   # the wrong secret
        assert_refused(*with_token(standin, token), "Invalid App JWT Token")
    # A token whose payload was changed after signing.
    header, _, signature = hs256_token(SECRET, sub="a").split(".")
    forged = "%s.%s.%s" % (header, base64.urlsafe_b64encode(b'{"sub":"b"}').rstrip(b"=").decode(), signature)
    assert_refused(*with_token(standin, forged), "Invalid App JWT Token")


def test_jwt_expired_or_not_yet_valid_is_refused(standin):
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=SECRET)
    now = int(time.time())
    assert_refused(*with_token(standin, hs256_token(SECRET, exp=now - 60)), "Invalid App JWT Token")
    assert_refused(*with_token(standin, hs256_token(SECRET, nbf=now + 600)), "Invalid App JWT Token")
    assert with_token(standin, hs256_token(SECRET, exp=now + 60))[0] == 200


def test_jwt_wrong_secret(standin):
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=SECRET)
    assert_refused(*with_token(standin, hs256_token("z" * 32)), "Invalid App JWT Token")
    # The secret changes: old tokens stop working at once.
    token = hs256_token(SECRET)
    assert with_token(standin, token)[0] == 200
    standin.set_app_settings(jwtSecretKey="n" * 40)
    assert_refused(*with_token(standin, token), "Invalid App JWT Token")
    assert with_token(standin, hs256_token("n" * 40))[0] == 200


def test_an_empty_secret_never_works(standin):
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey="")
    for token in (hs256_token(""), ""):
        assert_refused(*with_token(standin, token), "Invalid App JWT Token")


@pytest.mark.parametrize("secret", ["short", "k" * 31, "\u00e9" * 15])   # 5, 31 and 30 bytes
def test_a_secret_shorter_than_32_bytes_works(standin, secret):
    """docs/server-contract.md, "Security filters": JWTFilter uses java-jwt's
    Algorithm.HMAC256(jwtSecretKey), whose HMACAlgorithm rejects only a null secret (filter/JWTFilter.java)."""
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=secret)
    assert with_token(standin, hs256_token(secret))[0] == 200
    assert with_token(standin, hs256_token(secret, exp=int(time.time()) + 60))[0] == 200
    assert_refused(*with_token(standin, hs256_token(secret + "x")), "Invalid App JWT Token")


def test_the_secret_length_counts_utf8_bytes(standin):
    secret = "\u00e9" * 16   # 16 characters, 32 bytes in UTF-8
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=secret)
    assert with_token(standin, hs256_token(secret))[0] == 200


def test_jwt_filter_is_per_application(standin):
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=SECRET)
    assert_refused(*with_token(standin, None), "Invalid App JWT Token")
    assert standin.call("GET", "/LiveApp/rest/v2/broadcasts/count")[0] == 200


# ---- both filters -------------------------------------------------------------------------------

def test_both_filters_must_pass(standin):
    """JWT alone does not open the API to other addresses; the JWT filter runs first."""
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey=SECRET)
    header = {"Authorization": hs256_token(SECRET)}
    assert_refused(*call_from(OTHER, standin, "GET", COUNT, headers=header), "Not allowed IP")
    assert_refused(*call_from(OTHER, standin, "GET", COUNT), "Invalid App JWT Token")
    assert_refused(*call_from("127.0.0.1", standin, "GET", COUNT), "Invalid App JWT Token")
    status, text = call_from("127.0.0.1", standin, "GET", COUNT, headers=header)
    assert status == 200 and "number" in json.loads(text)

    standin.set_app_settings(remoteAllowedCIDR="127.0.0.0/24")     # the controller's address allowed
    assert call_from(OTHER, standin, "GET", COUNT, headers=header)[0] == 200
    assert_refused(*call_from(OTHER, standin, "GET", COUNT), "Invalid App JWT Token")

    standin.set_app_settings(remoteAllowedCIDR="127.0.0.1", ipFilterEnabled=False)   # or the IP filter off
    assert call_from(OTHER, standin, "GET", COUNT, headers=header)[0] == 200
    assert_refused(*call_from(OTHER, standin, "GET", COUNT), "Invalid App JWT Token")


# ---- start-up -----------------------------------------------------------------------------------

def test_application_is_getting_initialized_while_the_server_starts(make_standin):
    ams = make_standin(start=False, init_delay=4)
    ams.start(wait_ready=False)   # as soon as the server answers at all
    assert ams.health()["ready"] is False
    assert_refused(*ams.call("GET", COUNT), "Application is getting initialized")
    # Before any other filter: a valid address does not help, and nothing is done.
    assert_refused(*ams.call("POST", CREATE, {"streamId": "early"}), "Application is getting initialized")
    wait_for(lambda: ams.health()["ready"], timeout=30, what="the applications to be initialised")
    assert ams.call("GET", COUNT) == (200, {"number": 0})

    # Every restart initialises the applications again.
    ams.restart(wait_ready=False)
    assert_refused(*ams.call("GET", COUNT), "Application is getting initialized")
    ams.wait_healthy()
    assert ams.call("GET", COUNT) == (200, {"number": 0})
