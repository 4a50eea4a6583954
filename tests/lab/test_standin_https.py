# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract: HTTP on one port and HTTPS on another (5080 and 5443 on a real server), on the same server,
with a certificate from a CA made for the tests (harness make_test_ca)."""

from __future__ import annotations

import json
import socket
import ssl
import urllib.error
import urllib.request

import pytest

from ams_standin.harness import make_test_ca

from standin_helpers import call_from, is_tomcat_error

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    return make_test_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def secure(tmp_path_factory, tls_files):
    from conftest import _standin  # pylint: disable=import-outside-toplevel
    ams = _standin(tmp_path_factory.mktemp("ams-tls"), tls=tls_files, media_push=True).start()
    yield ams
    ams.close()


def https(ams, tls_files, method, path, body=None, host=None):
    context = ssl.create_default_context(cafile=str(tls_files.ca_cert))
    url = "https://%s:%d%s" % (host or ams.addresses[0], ams.tls_port, path)
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"} if body is not None else {})
    handler = urllib.request.HTTPSHandler(context=context)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), handler)
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_https_with_a_certificate_from_the_test_ca(secure, tls_files):
    assert secure.tls_port != secure.port
    status, text = https(secure, tls_files, "GET", "/live/rest/v2/broadcasts/count")
    assert status == 200 and "number" in json.loads(text)
    # The certificate names localhost too, and the CA is the test CA.
    assert https(secure, tls_files, "GET", "/live/rest/v2/broadcasts/count", host="localhost")[0] == 200
    with ssl.create_default_context(cafile=str(tls_files.ca_cert)).wrap_socket(
            socket.create_connection(("127.0.0.1", secure.tls_port), timeout=10),
            server_hostname="127.0.0.1") as connection:
        issuer = dict(item[0] for item in connection.getpeercert()["issuer"])
    assert issuer["commonName"] == "ams-standin test CA"


def test_a_client_without_the_ca_refuses_the_certificate(secure):
    with pytest.raises(urllib.error.URLError) as refused:
        NO_PROXY.open("https://127.0.0.1:%d/live/rest/v2/broadcasts/count" % secure.tls_port, timeout=10)
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)


def test_plain_http_on_the_tls_port_gets_no_answer(secure):
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        NO_PROXY.open("http://127.0.0.1:%d/_lab/health" % secure.tls_port, timeout=5).read()


def test_http_and_https_serve_the_same_server(secure, tls_files):
    status, text = https(secure, tls_files, "POST", "/live/rest/v2/broadcasts/create", {"streamId": "over-tls"})
    assert status == 200 and json.loads(text)["streamId"] == "over-tls"
    assert secure.call("GET", "/live/rest/v2/broadcasts/over-tls")[1]["streamId"] == "over-tls"    # plain HTTP
    secure.call("POST", "/live/rest/v2/broadcasts/create", {"streamId": "over-http"})
    status, text = https(secure, tls_files, "GET", "/live/rest/v2/broadcasts/over-http")
    assert status == 200 and json.loads(text)["status"] == "created"
    # Both are in the one request log.
    paths = [(entry["method"], entry["path"]) for entry in secure.requests()]
    assert ("POST", "/live/rest/v2/broadcasts/create") in paths
    assert ("GET", "/live/rest/v2/broadcasts/over-http") in paths


def test_filters_apply_over_https(secure, tls_files):
    status, text = https(secure, tls_files, "GET", "/live/rest/v2/broadcasts/missing-one")
    assert is_tomcat_error((status, text), 404)
    assert call_from("127.0.0.2", secure, "GET", "/live/rest/v2/broadcasts/count")[0] == 403  # plain, other address


def test_media_push_publisher_page_comes_from_the_port_the_call_came_in_on(secure, tls_files):
    body = {"url": "https://127.0.0.1:%d/live/multitrack-play.html?id=r1&muted=false" % secure.tls_port}
    status, text = https(secure, tls_files, "POST", "/live/rest/v1/media-push/start?streamId=tls-push", body)
    assert status == 200 and json.loads(text)["success"] is True
    [session] = [session for session in secure.media_push_sessions() if session["streamId"] == "tls-push"]
    assert session["publisherUrl"] == "https://127.0.0.1:%d/live/media-push/media-push-publisher.html" % secure.tls_port
    status, text = https(secure, tls_files, "GET", "/live/media-push/media-push-publisher.html")
    assert status == 200 and "media-push-publisher.js" in text
    assert json.loads(https(secure, tls_files, "POST", "/live/rest/v1/media-push/stop/tls-push")[1])["success"] is True
