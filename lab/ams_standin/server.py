"""HTTP and HTTPS listeners: one threading server per (address, port), HTTP/1.1 with keep-alive,
each handing requests to the AmsNode that owns the address; one thread accepts for all of them."""

from __future__ import annotations

import logging
import selectors
import socket
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .node import AmsNode
from .web import ConnectionDropped, HttpError, Request, Response, error_page, parse_query

log = logging.getLogger(__name__)

IDLE_CONNECTION_SECONDS = 120   # a keep-alive connection idle this long is closed (frees its thread)
MAX_BODY_BYTES = 64 * 1024 * 1024


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AntMediaServer-standin"
    timeout = IDLE_CONNECTION_SECONDS
    server: "NodeHTTPServer"

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise HttpError(error_page(400, "Request body too large"))
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        node = self.server.node
        path, _, raw_query = self.path.partition("?")
        if "://" in path:  # absolute-form request target
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        try:
            body = self._read_body()
        except ValueError:  # a malformed Content-Length or chunk: the connection cannot go on
            self.close_connection = True
            self._send(error_page(400, "Bad Request"))
            return
        request = Request(method=self.command, path=path, query=parse_query(raw_query), raw_query=raw_query,
                          headers=self.headers, body=body, remote=self.client_address[0],
                          scheme="https" if self.server.tls else "http",
                          host_header=self.headers.get("Host") or "%s:%d" % self.server.server_address[:2])
        fault = None if path.startswith("/_lab/") else node.faults.take(self.command, path)
        if fault is not None:
            response = self._fault(node, request, fault)
            if response is None:  # the connection was dropped on purpose
                node.request_log.add(self.command, path, raw_query, 0, self.client_address[0])
                return
            node.request_log.add(self.command, path, raw_query, response.status, self.client_address[0])
            self._send(response)
            return
        try:
            response = node.handle(request)
        except HttpError as refusal:
            response = refusal.response
        except ConnectionDropped:
            self.close_connection = True
            return
        except Exception:  # a bug in the stand-in: answer as a servlet container would, and say why
            log.error("error serving %s %s:\n%s", self.command, self.path, traceback.format_exc())
            response = error_page(500, "Internal Server Error")
        if not path.startswith("/_lab/"):
            node.request_log.add(self.command, path, raw_query, response.status, self.client_address[0],
                                 no_effect=response.no_effect)
        self._send(response)

    def _fault(self, node: AmsNode, request: Request, fault: dict) -> Response | None:
        """An injected fault (lab/ams_standin/faults.py); None when no answer is to be sent."""
        kind = fault["kind"]
        if kind == "status":
            return error_page(fault["status"], "Injected fault")
        if kind == "retry_after":
            response = error_page(429, "Too Many Requests")
            response.headers.append(("Retry-After", str(fault["retry_after"])))
            return response
        if kind == "slow":
            time.sleep(fault["delay"])
        if kind in ("slow", "lose_reply"):
            try:
                response = node.handle(request)
            except HttpError as refusal:
                response = refusal.response
            except ConnectionDropped:
                response = None
            if kind == "slow":
                return response
        # reset, lose_reply: no answer at all; the client sees the connection closed
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return None

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:
        """Quiet: every request is in the server's request log instead."""


class NodeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], node: AmsNode, tls: ssl.SSLContext | None = None):
        self.node = node
        self.tls = tls
        super().__init__(address, RequestHandler)

    def finish_request(self, request: socket.socket, client_address) -> None:
        """Runs in the connection's own thread, so a slow TLS handshake never holds up accept()."""
        if self.tls is not None:
            request.settimeout(IDLE_CONNECTION_SECONDS)
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address) -> None:
        """Clients that vanish mid-request are normal; anything else is logged."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        log.error("connection from %s failed:\n%s", client_address, traceback.format_exc())


def tls_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


class Listeners:
    """One thread accepts on every listening socket of the process (a fleet of 100 servers has 200),
    and stops at once when asked, without polling."""

    def __init__(self, servers: list[NodeHTTPServer]):
        self.servers = servers
        self._selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._selector.register(self._wake_reader, selectors.EVENT_READ, None)
        for server in servers:
            server.socket.setblocking(False)  # a connection reset before accept() must not block the loop
            self._selector.register(server.socket, selectors.EVENT_READ, server)
        self._thread = threading.Thread(target=self._run, name="listeners", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            for key, _ in self._selector.select():
                if key.data is None:
                    return
                key.data.handle_request()  # accepts one connection; its thread serves it

    def stop(self) -> None:
        """No new connection is accepted after this returns."""
        self._wake_writer.send(b"x")
        self._thread.join()
        for server in self.servers:
            server.server_close()
