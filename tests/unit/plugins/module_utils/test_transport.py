# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's transport (the standard library's http.client) against real sockets on 127.0.0.1: what it
sends, how it keeps connections, and how each way an exchange can fail is classified (sent or not)."""
from __future__ import annotations

import json
import socket
import threading

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import (
    AntMediaClient,
    AntMediaError,
    ConnectFailed,
    OutcomeUnknownError,
    ReadTimedOut,
    TLSFailed,
    Transport,
)


class Server(object):
    """A raw HTTP server: each accepted connection is handed to ``handler(conn, server)`` in a thread."""

    def __init__(self, handler):
        self.handler = handler
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.requests = []
        self.release = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn = self.sock.accept()[0]
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.handler, args=(conn, self), daemon=True).start()

    def read_request(self, conn):
        """One request off conn: (request line, headers dict, body), or None at EOF."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = dict((name.strip().lower(), value.strip())
                       for name, value in (line.split(":", 1) for line in lines[1:]))
        while len(body) < int(headers.get("content-length", 0)):
            body += conn.recv(65536)
        self.requests.append((lines[0], headers, body))
        return lines[0], headers, body

    def close(self):
        self.release.set()
        self.sock.close()


def answer(conn, status=200, body=b'{"streamId": "s1", "success": true, "message": ""}', content_type="application/json", extra=""):
    conn.sendall(("HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
                  % (status, content_type, len(body), extra)).encode("latin-1") + body)


def keep_alive(conn, server):
    while server.read_request(conn) is not None:
        answer(conn)
    conn.close()


def one_answer_then_close(conn, server):
    server.read_request(conn)
    answer(conn)
    conn.close()  # without "Connection: close": the client finds out when it reuses the connection


def never_answer(conn, server):
    server.read_request(conn)
    server.release.wait(30)
    conn.close()


def close_without_answer(conn, server):
    server.read_request(conn)
    conn.close()


@pytest.fixture
def serve():
    servers = []

    def start(handler):
        servers.append(Server(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_a_request_as_sent(serve):
    server = serve(keep_alive)
    api = AntMediaClient("http://ops:pa%%24%%24word@127.0.0.1:%d" % server.port, "live")
    api.start_media_push("a b&c", {"url": "http://x/?id=é"})
    line, headers, body = server.requests[0]
    assert line == "POST /live/rest/v1/media-push/start?streamId=a+b%26c HTTP/1.1"
    assert headers["authorization"] == "Basic b3BzOnBhJCR3b3Jk"  # ops:pa$$word
    assert headers["content-type"] == "application/json" and headers["accept"] == "application/json"
    assert json.loads(body) == {"url": "http://x/?id=é"}


def test_one_connection_is_kept_for_the_next_requests(serve):
    server = serve(keep_alive)
    api = AntMediaClient("http://127.0.0.1:%d" % server.port, "live")
    for stream_id in ("a", "b", "c"):
        api.get_broadcast(stream_id)
    assert len(server.requests) == 3 and server.connections == 1


def test_a_connection_the_server_closed_is_replaced_before_a_write(serve):
    server = serve(one_answer_then_close)
    api = AntMediaClient("http://127.0.0.1:%d" % server.port, "live")
    api.get_broadcast("a")
    # wait until the server's close reached this side: then the kept connection reads as dropped
    transport = api._transport()
    connection = list(transport._connections.values())[0]
    connection.sock.settimeout(5)
    assert connection.sock.recv(1, socket.MSG_PEEK) == b""
    assert api.set_recording("a", True, "mp4").success
    assert server.connections == 2 and len(server.requests) == 2


def test_nothing_listening_is_a_request_never_sent(serve):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(ConnectFailed) as failure:
        Transport().request("POST", "http://127.0.0.1:%d/x" % port, json={})
    assert failure.value.sent is False and "refused" in str(failure.value).lower()


def test_no_answer_within_the_timeout_may_have_arrived(serve):
    server = serve(never_answer)
    with pytest.raises(ReadTimedOut) as failure:
        Transport().request("POST", "http://127.0.0.1:%d/x" % server.port, json={}, timeout=(5, 0.2))
    assert failure.value.sent is True and str(failure.value) == "no answer within 0.2 s (timeout)"


def test_a_write_whose_connection_broke_is_never_resent(serve):
    server = serve(close_without_answer)
    api = AntMediaClient("http://127.0.0.1:%d" % server.port, "live", retries=3)
    with pytest.raises(OutcomeUnknownError) as failure:
        api.start_media_push("s1", {"url": "http://x/"})
    assert len(server.requests) == 1
    assert "the server closed the connection before answering" in failure.value.message


def test_a_read_whose_connection_broke_is_retried(serve):
    server = serve(close_without_answer)
    api = AntMediaClient("http://127.0.0.1:%d" % server.port, "live", retries=2, sleep=lambda seconds: None)
    with pytest.raises(AntMediaError) as failure:
        api.get_broadcast("s1")
    assert len(server.requests) == 3 and "after 3 attempts" in failure.value.message


def test_a_tls_handshake_failure_is_not_retried_and_says_what_to_do(serve):
    def plain_http(conn, server):  # an http server where https is asked: the handshake fails
        conn.recv(65536)  # the TLS ClientHello
        answer(conn, 400, b"<html>plain http</html>", "text/html")
        conn.close()

    server = serve(plain_http)
    with pytest.raises(TLSFailed):
        Transport().request("GET", "https://127.0.0.1:%d/x" % server.port, timeout=(5, 5))
    api = AntMediaClient("https://127.0.0.1:%d" % server.port, "live", retries=3)
    with pytest.raises(AntMediaError) as failure:
        api.get_broadcast("s1")
    assert failure.value.kind == "tls" and "ca_path" in failure.value.message
    assert server.connections == 2


@pytest.mark.parametrize("content_type, raw, text", [
    ("text/html;charset=ISO-8859-1", "Réunion".encode("latin-1"), "Réunion"),
    ("application/json", '{"name": "réunion"}'.encode("utf-8"), '{"name": "réunion"}'),
    ("text/html; charset=no-such-charset", b"ok \xff", "ok \ufffd"),
])
def test_answers_are_decoded_by_their_charset(serve, content_type, raw, text):
    def handler(conn, server):
        server.read_request(conn)
        answer(conn, 200, raw, content_type, extra="Connection: close\r\n")
        conn.close()

    server = serve(handler)
    got = Transport().request("GET", "http://127.0.0.1:%d/x" % server.port)
    assert got.status_code == 200 and got.text == text and got.headers.get("content-type") == content_type


def test_a_ca_path_that_cannot_be_read_is_a_tls_failure_naming_it(tmp_path):
    with pytest.raises(TLSFailed) as failure:
        Transport().request("GET", "https://127.0.0.1:9/x", verify=str(tmp_path / "missing-ca.pem"))
    assert "cannot load ca_path %s" % (tmp_path / "missing-ca.pem") in str(failure.value)


def test_the_modules_load_no_third_party_http_library():
    """A media host needs python3 only: loading the modules' code pulls in neither requests nor urllib3."""
    import os
    import subprocess
    import sys

    from ansible_collections.mediaops.antmedia.plugins.module_utils import _client

    # the directory that holds ansible_collections/mediaops/antmedia/plugins/module_utils/_client.py
    root = os.path.abspath(os.path.join(os.path.dirname(_client.__file__), *[os.pardir] * 5))

    code = ("import sys\n"
            "import ansible_collections.mediaops.antmedia.plugins.modules.room_recordings\n"
            "import ansible_collections.mediaops.antmedia.plugins.modules.media_push\n"
            "print(sorted(name for name in ('requests', 'urllib3') if name in sys.modules))\n")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env=dict(os.environ, PYTHONPATH=root)).stdout
    assert loaded.strip() == "[]"


def test_a_session_cookie_goes_back_to_the_server_that_set_it(serve):
    """The console login answers with a session cookie that the next calls must carry (AMS: JSESSIONID)."""
    def handler(conn, server):
        while True:
            request = server.read_request(conn)
            if request is None:
                break
            if request[0].startswith("POST /rest/v2/users/authenticate"):
                answer(conn, extra="Set-Cookie: JSESSIONID=abc123; Path=/; HttpOnly\r\nSet-Cookie: other=1\r\n")
            elif request[0].startswith("POST /logout"):
                answer(conn, extra="Set-Cookie: other=; Max-Age=0\r\n")
            else:
                answer(conn)
        conn.close()

    server = serve(handler)
    other = serve(keep_alive)
    transport = Transport()
    transport.request("GET", "http://127.0.0.1:%d/before" % server.port)
    transport.request("POST", "http://127.0.0.1:%d/rest/v2/users/authenticate" % server.port, json={})
    transport.request("GET", "http://127.0.0.1:%d/after" % server.port)
    transport.request("POST", "http://127.0.0.1:%d/logout" % server.port)
    transport.request("GET", "http://127.0.0.1:%d/later" % server.port)
    transport.request("GET", "http://127.0.0.1:%d/elsewhere" % other.port)
    cookies = [request[1].get("cookie") for request in server.requests]
    assert cookies == [None, None, "JSESSIONID=abc123; other=1", "JSESSIONID=abc123; other=1", "JSESSIONID=abc123"]
    assert other.requests[0][1].get("cookie") is None
