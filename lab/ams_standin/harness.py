"""Run a stand-in for tests, the demo and benchmarks (standard library only).

    from ams_standin.harness import Standin
    with Standin(push_start_delay=0.2) as ams:
        ams.call("GET", "/live/rest/v2/broadcasts/count")   # -> (200, {"number": 0})
        ams.join("room1", "p1")
        ams.restart()

`make_test_ca` makes a test CA and a server certificate for 127.0.0.1/localhost with the openssl CLI."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

LAB_DIR = Path(__file__).resolve().parent.parent
MEDIA_PUSH_JAR = "media-push.jar"

# Never through a proxy from the environment: the stand-in is always local.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class TlsFiles:
    ca_cert: Path
    cert: Path
    key: Path


def make_test_ca(directory: Path, names: tuple[str, ...] = ("127.0.0.1", "localhost")) -> TlsFiles:
    """A throw-away CA, and a server certificate it signed for the given IP addresses and DNS names."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    ca_key, csr, extensions = directory / "ca.key", directory / "server.csr", directory / "server.ext"
    subject_names = ",".join(("IP:" if name.replace(".", "").isdigit() or ":" in name else "DNS:") + name
                             for name in names)
    extensions.write_text("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                          "extendedKeyUsage=serverAuth\nsubjectAltName=%s\n" % subject_names)

    def openssl(*arguments: str) -> None:
        subprocess.run(["openssl", *arguments], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(files.ca_cert),
            "-days", "2", "-subj", "/CN=ams-standin test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(files.key), "-out", str(csr),
            "-subj", "/CN=%s" % names[0])
    openssl("x509", "-req", "-in", str(csr), "-CA", str(files.ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
            "-out", str(files.cert), "-days", "2", "-extfile", str(extensions))
    return files


def free_port(addresses: tuple[str, ...] = ("127.0.0.1",), avoid: tuple[int, ...] = ()) -> int:
    """A port free on every given address (fleet servers share their port)."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
        if port in avoid:
            continue
        try:
            for address in addresses[1:]:
                with socket.socket() as probe:
                    probe.bind((address, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port on %s" % ", ".join(addresses))


class StandinError(RuntimeError):
    pass


class Standin:
    """A stand-in process: one server, or a fleet when several addresses are given."""

    def __init__(self, root: Path | None = None, addresses: tuple[str, ...] = ("127.0.0.1",),
                 port: int | None = None, push_start_delay: float = 0.2, init_delay: float = 0.0,
                 apps: tuple[str, ...] | None = None, tls: TlsFiles | None = None, media_cache: Path | None = None,
                 media_push: bool = False, extra_args: tuple[str, ...] = (), python: str = sys.executable,
                 app_kinds: dict[str, str] | None = None, server_version: str | None = None,
                 plugin_setup_delay: float | None = 0.3, plugin_setup_fails: bool = False,
                 push_prepare_window: float | None = None, stale_stop_hang: float | None = None,
                 wait_plugin_setup: bool = True, push_connect_timeout: float | None = None):
        """Options left at None take the stand-in's own defaults (lab/README.md). `plugin_setup_delay`
        is shorter here than the server's default (1 s) to keep tests quick; start() and restart() wait
        until the Media Push plugin's set-up has run (its publisher page is there, or its set-up failed)
        unless `wait_plugin_setup` is false."""
        self._temporary = None if root else tempfile.TemporaryDirectory(prefix="ams-standin-")
        self.root = Path(root) if root else Path(self._temporary.name)
        self.addresses = tuple(addresses)
        self.port = port or free_port(self.addresses)
        self.tls = tls
        self.tls_port = free_port(self.addresses, avoid=(self.port,)) if tls else None
        self.push_start_delay = push_start_delay
        self.init_delay = init_delay
        self.apps = apps
        self.media_cache = media_cache
        self.extra_args = extra_args
        self.app_kinds = dict(app_kinds or {})
        self.server_version = server_version
        self.plugin_setup_delay = plugin_setup_delay
        self.plugin_setup_fails = plugin_setup_fails
        self.push_prepare_window = push_prepare_window
        self.stale_stop_hang = stale_stop_hang
        self.push_connect_timeout = push_connect_timeout
        self.wait_plugin_setup = wait_plugin_setup
        self.python = python
        self.process: subprocess.Popen | None = None
        self.log_path = self.root / "standin.log"
        if media_push:
            for address in self.addresses:
                self.install_media_push_jar(address)

    # ---- life cycle -------------------------------------------------------------------------
    def command(self) -> list[str]:
        command = [self.python, "-m", "ams_standin", "--root", str(self.root), "--port", str(self.port),
                   "--push-start-delay", str(self.push_start_delay), "--init-delay", str(self.init_delay)]
        for address in self.addresses:
            command += ["--listen", address]
        if self.apps:
            command += ["--apps", ",".join(self.apps)]
        if self.tls:
            command += ["--tls-port", str(self.tls_port), "--tls-cert", str(self.tls.cert),
                        "--tls-key", str(self.tls.key)]
        if self.media_cache:
            command += ["--media-cache", str(self.media_cache)]
        if self.app_kinds:
            command += ["--app-kind", ",".join("%s=%s" % item for item in self.app_kinds.items())]
        if self.server_version:
            command += ["--server-version", self.server_version]
        if self.plugin_setup_delay is not None:
            command += ["--plugin-setup-delay", str(self.plugin_setup_delay)]
        if self.plugin_setup_fails:
            command += ["--plugin-setup-fails"]
        if self.push_prepare_window is not None:
            command += ["--push-prepare-window", str(self.push_prepare_window)]
        if self.stale_stop_hang is not None:
            command += ["--stale-stop-hang", str(self.stale_stop_hang)]
        if self.push_connect_timeout is not None:
            command += ["--push-connect-timeout", str(self.push_connect_timeout)]
        return command + list(self.extra_args)

    def start(self, timeout: float = 30, wait_ready: bool = True) -> "Standin":
        self.root.mkdir(parents=True, exist_ok=True)
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(LAB_DIR)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(self.command(), stdout=log_file, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=environment)
        for address in self.addresses:
            self.wait_healthy(address, timeout, wait_ready)
        return self

    def wait_healthy(self, address: str | None = None, timeout: float = 30, wait_ready: bool = True) -> dict:
        """Until /_lab/health answers (and, with wait_ready, the applications are initialised)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise StandinError("the stand-in exited (%s):\n%s" % (self.process.returncode, self.log()))
            try:
                health = self.lab("GET", "/_lab/health", address=address, timeout=2)
                setup_done = not self.wait_plugin_setup or "pending" not in (health.get("pluginSetup") or {}).values()
                if not wait_ready or (health.get("ready") and setup_done):
                    return health
            except (OSError, StandinError):
                pass
            if time.monotonic() > deadline:
                raise StandinError("the stand-in is not healthy after %ss:\n%s" % (timeout, self.log()))
            time.sleep(0.05)

    def stop(self, timeout: float = 10) -> int | None:
        """SIGTERM, as systemd stops the service; returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code, self.process = self.process.returncode, None
        return code

    def close(self) -> None:
        self.stop()
        if self._temporary is not None:
            self._temporary.cleanup()

    def __enter__(self) -> "Standin":
        return self.start() if self.process is None else self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    # ---- files ------------------------------------------------------------------------------
    def server_root(self, address: str | None = None) -> Path:
        """The install folder of one server (fleet servers each have their own)."""
        if len(self.addresses) == 1:
            return self.root
        return self.root / "servers" / (address or self.addresses[0])

    def streams_dir(self, app: str = "live", address: str | None = None) -> Path:
        return self.server_root(address) / "webapps" / app / "streams"

    def install_media_push_jar(self, address: str | None = None) -> Path:
        """Drop the plugin jar into plugins/: it is loaded at the next (re)start, not before."""
        plugins = self.server_root(address) / "plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        jar = plugins / MEDIA_PUSH_JAR
        jar.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip: only the name matters here
        return jar

    # ---- HTTP -------------------------------------------------------------------------------
    def base_url(self, address: str | None = None, tls: bool = False) -> str:
        address = address or self.addresses[0]
        return "%s://%s:%d" % ("https" if tls else "http", address, self.tls_port if tls else self.port)

    def url(self, path: str, address: str | None = None, tls: bool = False) -> str:
        return self.base_url(address, tls) + path

    def call(self, method: str, path: str, body: Any = None, address: str | None = None,
             headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, Any]:
        """One request; the answer's status and its body (JSON decoded when it is JSON, else text)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url(path, address), data=data, method=method,
                                         headers={**({"Content-Type": "application/json"} if data else {}),
                                                  **(headers or {})})
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                status, content_type, raw = response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            status, content_type, raw = error.code, error.headers.get("Content-Type", ""), error.read()
        if "json" in content_type:
            return status, json.loads(raw)
        return status, raw.decode(errors="replace")

    def lab(self, method: str, path: str, body: Any = None, address: str | None = None, timeout: float = 30) -> Any:
        """A control call that must succeed; its JSON answer."""
        status, answer = self.call(method, path, body, address, timeout=timeout)
        if status != 200:
            raise StandinError("%s %s: %s %s" % (method, path, status, answer))
        return answer

    # ---- control interface --------------------------------------------------------------------
    def health(self, address: str | None = None) -> dict:
        return self.lab("GET", "/_lab/health", address=address)

    def requests(self, since: int = 0, address: str | None = None) -> list[dict]:
        return self.lab("GET", "/_lab/requests?since=%d" % since, address=address)["requests"]

    def last_seq(self, address: str | None = None) -> int:
        return self.lab("GET", "/_lab/requests?since=%d" % (2 ** 62), address=address)["last_seq"]

    def writes(self, since: int = 0, address: str | None = None) -> list[dict]:
        """The requests that may change something (every method but GET and HEAD, and but a Media Push
        send-command whose script only returns a constant: a session check)."""
        return [entry for entry in self.requests(since, address)
                if entry["method"] not in ("GET", "HEAD") and not entry.get("no_effect")]

    def clear_requests(self, address: str | None = None) -> None:
        self.lab("DELETE", "/_lab/requests", address=address)

    def join(self, room: str, stream_id: str, app: str = "live", address: str | None = None,
             parameters: dict | None = None) -> dict:
        """A participant publishes into the room; `parameters` is its publish URL's query (token, ...)."""
        return self.lab("POST", "/_lab/apps/%s/rooms/%s/participants" % (app, quote(room, safe="")),
                        dict({"streamId": stream_id}, **({"parameters": parameters} if parameters else {})), address)

    def leave(self, room: str, stream_id: str, app: str = "live", address: str | None = None) -> dict:
        return self.lab("DELETE", "/_lab/apps/%s/rooms/%s/participants/%s"
                        % (app, quote(room, safe=""), quote(stream_id, safe="")), address=address)

    def add_vod(self, app: str = "live", address: str | None = None, content: str = "lab vod", **fields: Any) -> dict:
        """A finished file and its VoD record; fields are VoD fields (vodId, streamId, creationDate, type...)."""
        return self.lab("POST", "/_lab/apps/%s/vods" % app, dict(fields, content=content), address)

    def publish(self, stream_id: str, app: str = "live", address: str | None = None, **fields: Any) -> dict:
        return self.lab("POST", "/_lab/apps/%s/broadcasts/%s/publish" % (app, quote(stream_id, safe="")),
                        fields, address)

    def unpublish(self, stream_id: str, app: str = "live", address: str | None = None) -> dict:
        return self.lab("POST", "/_lab/apps/%s/broadcasts/%s/unpublish" % (app, quote(stream_id, safe="")),
                        address=address)

    def restart(self, address: str | None = None, wait_ready: bool = True) -> dict:
        answer = self.lab("POST", "/_lab/restart", address=address)
        if wait_ready:
            self.wait_healthy(address)
        return answer

    def circle_record(self, room: str, app: str = "live", token: str | None = None,
                      address: str | None = None) -> dict:
        return self.lab("POST", "/_lab/apps/%s/circle/%s/record" % (app, quote(room, safe="")),
                        {"token": token} if token else None, address)

    def circle_stop(self, room: str, app: str = "live", address: str | None = None) -> dict:
        return self.lab("DELETE", "/_lab/apps/%s/circle/%s/record" % (app, quote(room, safe="")), address=address)

    def set_app_kind(self, app: str, kind: str, address: str | None = None) -> dict:
        """`sample` or `circle`: the web app deployed as `app` (at once)."""
        return self.lab("PUT", "/_lab/apps/%s/kind" % app, {"kind": kind}, address)

    def set_options(self, address: str | None = None, **options: Any) -> dict:
        """Run-time options by their JSON names: serverVersion, pluginSetupDelay, pluginSetupFails,
        pushPrepareWindow, staleStopHang, pushStartDelay."""
        return self.lab("PUT", "/_lab/options", options, address)

    def stale_push(self, stream_id: str, app: str = "live", seconds_ago: float = 60,
                   address: str | None = None) -> dict:
        """A push broadcast this node left behind: no session, driverIp = this node."""
        return self.lab("POST", "/_lab/apps/%s/broadcasts/%s/stale" % (app, quote(stream_id, safe="")),
                        {"secondsAgo": seconds_ago}, address)

    def media_push_sessions(self, app: str = "live", address: str | None = None) -> list[dict]:
        return self.lab("GET", "/_lab/apps/%s/media-push" % app, address=address)["sessions"]

    def set_server_settings(self, address: str | None = None, **settings: Any) -> dict:
        return self.lab("PUT", "/_lab/server-settings", settings, address)

    def set_app_settings(self, app: str = "live", address: str | None = None, **settings: Any) -> dict:
        return self.lab("PUT", "/_lab/apps/%s/settings" % app, settings, address)

    def set_faults(self, *rules: dict, address: str | None = None) -> dict:
        """Fault rules (lab/ams_standin/faults.py) replacing the current ones."""
        return self.lab("PUT", "/_lab/faults", {"rules": list(rules)}, address)

    def faults(self, address: str | None = None) -> dict:
        return self.lab("GET", "/_lab/faults", address=address)

    def flush(self, address: str | None = None) -> None:
        self.lab("POST", "/_lab/flush", address=address)
