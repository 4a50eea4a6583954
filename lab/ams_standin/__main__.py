"""Command line: `PYTHONPATH=lab python3 -m ams_standin [options]` (see lab/README.md)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from .media import MediaLibrary
from .node import APP_KINDS, AmsNode, NodeOptions
from .server import Listeners, NodeHTTPServer, tls_context
from .store import PERSISTER
from .versions import parse_version

log = logging.getLogger("ams_standin")


def expand_addresses(values: list[str]) -> list[str]:
    """`--listen` values, where A.B.C.D-A.B.C.E stands for every address of the range."""
    addresses: list[str] = []
    for value in values:
        first, _, last = value.partition("-")
        if not last:
            addresses.append(str(ipaddress.ip_address(first)))
            continue
        start, end = int(ipaddress.IPv4Address(first)), int(ipaddress.IPv4Address(last))
        if end < start:
            raise argparse.ArgumentTypeError("empty address range: " + value)
        addresses.extend(str(ipaddress.IPv4Address(number)) for number in range(start, end + 1))
    if len(set(addresses)) != len(addresses):
        raise argparse.ArgumentTypeError("an address is given twice")
    return addresses


def parse_app_kinds(values: list[str]) -> dict[str, str]:
    """`--app-kind` values: APP=KIND, each value possibly a comma-separated list of them."""
    kinds: dict[str, str] = {}
    for value in values:
        for item in filter(None, (part.strip() for part in value.split(","))):
            app, separator, kind = item.partition("=")
            if not separator or not app.strip() or kind.strip() not in APP_KINDS:
                raise ValueError("--app-kind: %r is not APP=KIND with KIND one of %s" % (item, ", ".join(APP_KINDS)))
            kinds[app.strip()] = kind.strip()
    return kinds


def default_media_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ams-standin"


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ams_standin", description="Ant Media Server stand-in (lab/README.md)")
    parser.add_argument("--root", type=Path, default=Path("/usr/local/antmedia"),
                        help="install folder of the server (fleet mode: ROOT/servers/ADDR per server)")
    parser.add_argument("--listen", action="append", metavar="ADDR",
                        help="address to serve on, repeatable; A.B.C.D-A.B.C.E is a range (default 0.0.0.0)")
    parser.add_argument("--port", type=int, default=5080, help="HTTP port")
    parser.add_argument("--tls-port", type=int, default=5443, help="HTTPS port, with --tls-cert and --tls-key")
    parser.add_argument("--tls-cert", help="PEM certificate (chain) for HTTPS")
    parser.add_argument("--tls-key", help="PEM private key for HTTPS")
    parser.add_argument("--apps", default="live,LiveApp,WebRTCAppEE",
                        help="comma-separated applications created at first start")
    parser.add_argument("--push-start-delay", type=float, default=3.0,
                        help="seconds a media push start blocks before it answers")
    parser.add_argument("--init-delay", type=float, default=0.0,
                        help="seconds after (re)start during which application REST answers "
                             "403 'Application is getting initialized'")
    parser.add_argument("--host-address", help="the server's own address in broadcasts (originAdress, driverIp); "
                                               "default: the listen address, or the primary IPv4 for 0.0.0.0")
    parser.add_argument("--ffmpeg", default="ffmpeg", help="ffmpeg used to make recordings")
    parser.add_argument("--media-cache", type=Path, default=None,
                        help="where the recordings' source clips are kept (default ~/.cache/ams-standin)")
    parser.add_argument("--app-kind", action="append", default=[], metavar="APP=KIND",
                        help="the web app deployed as APP: sample (StreamApp, the default) or circle (the "
                             "conference app); repeatable, or comma-separated; APP is created if missing")
    parser.add_argument("--server-version", default="2.17.1", metavar="X.Y.Z",
                        help="the AMS release answered as (2.8.0 and later; 3.x: the 3.0 REST shape)")
    parser.add_argument("--edition", choices=("enterprise", "community"), default="enterprise",
                        help="the edition answered as (GET v2/version's versionType)")
    parser.add_argument("--plugin-setup-delay", type=float, default=1.0, metavar="S",
                        help="seconds after each (re)start before the Media Push plugin's publisher page appears")
    parser.add_argument("--plugin-setup-fails", action="store_true",
                        help="the Media Push plugin's set-up fails: its publisher page never appears")
    parser.add_argument("--push-prepare-window", type=float, default=0.5, metavar="S",
                        help="seconds after a media push starts during which recording/true answers "
                             "\"mp4 recording couldn't be started\"")
    parser.add_argument("--stale-stop-hang", type=float, default=60.0, metavar="S",
                        help="how long the plugin's stop of a push driven by this node without a session "
                             "hangs before the connection is closed unanswered")
    parser.add_argument("--push-connect-timeout", type=float, default=30.0, metavar="S",
                        help="how long the plugin waits for a pushed page's stream to connect before it fails "
                             "(MediaPushPlugin.TIMEOUT_IN_SECONDS, 30 s): a publish the server refuses (the id "
                             "already being published, a bad publish token) fails after this wait")
    parser.add_argument("--log-level", default="INFO")
    arguments = parser.parse_args(argv)
    try:
        arguments.app_kinds = parse_app_kinds(arguments.app_kind)
        parse_version(arguments.server_version)
    except ValueError as error:
        parser.error(str(error))
    try:
        arguments.addresses = expand_addresses(arguments.listen or ["0.0.0.0"])
    except (ValueError, argparse.ArgumentTypeError) as error:
        parser.error("--listen: %s" % error)
    if bool(arguments.tls_cert) != bool(arguments.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=arguments.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = NodeOptions(port=arguments.port, tls_port=arguments.tls_port,
                          apps=tuple(name.strip() for name in arguments.apps.split(",") if name.strip()),
                          push_start_delay=arguments.push_start_delay, init_delay=arguments.init_delay,
                          host_address=arguments.host_address, app_kinds=arguments.app_kinds,
                          server_version=arguments.server_version.strip(), edition=arguments.edition,
                          plugin_setup_delay=arguments.plugin_setup_delay,
                          plugin_setup_fails=arguments.plugin_setup_fails,
                          push_prepare_window=arguments.push_prepare_window,
                          stale_stop_hang=arguments.stale_stop_hang,
                          push_connect_timeout=arguments.push_connect_timeout)
    media = MediaLibrary(arguments.ffmpeg, arguments.media_cache or default_media_cache())
    media.prepare_in_background()
    tls = tls_context(arguments.tls_cert, arguments.tls_key) if arguments.tls_cert else None
    fleet = len(arguments.addresses) > 1

    servers: list[NodeHTTPServer] = []
    nodes: list[AmsNode] = []
    try:
        for address in arguments.addresses:
            root = arguments.root / "servers" / address if fleet else arguments.root
            node = AmsNode(root, address, options, media)
            nodes.append(node)
            servers.append(NodeHTTPServer((address, arguments.port), node))
            if tls is not None:
                servers.append(NodeHTTPServer((address, arguments.tls_port), node, tls))
    except OSError as error:
        log.error("cannot listen: %s", error)
        return 1
    listeners = Listeners(servers)
    listeners.start()
    log.info("serving %d server(s) on port %d%s", len(nodes), arguments.port,
             " and %d (TLS)" % arguments.tls_port if tls else "")

    stopping = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopping.set())
    stopping.wait()

    listeners.stop()
    PERSISTER.flush()   # in-progress recordings and push sessions are lost, as on a real restart
    for node in nodes:
        node.request_log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
