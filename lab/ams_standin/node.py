"""One Ant Media Server: an install folder (root), its applications, plugins, settings and request log,
and the dispatch of every request it receives."""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import control, pages, rest_app, rest_root
from .app import Application
from .faults import Faults
from .filters import app_filters, dashboard_filter
from .media import MediaLibrary
from .mediapush import MediaPushPlugin
from .requestlog import RequestLog
from .settings import SERVER_SETTING_DEFAULTS
from .store import PERSISTER, Document
from .versions import parse_version
from .web import HttpError, Request, Response, missing_resource

APP_KINDS = ("sample", "circle")

log = logging.getLogger(__name__)

MEDIA_PUSH_JAR_PATTERN = "media-push*.jar"


@dataclass
class NodeOptions:
    """The command line; every server of the process starts with a copy of its own, which the control
    interface may change (`PUT /_lab/options`, `PUT /_lab/apps/APP/kind`)."""
    port: int = 5080
    tls_port: int = 5443
    apps: tuple[str, ...] = ("live", "LiveApp", "WebRTCAppEE")
    push_start_delay: float = 3.0
    init_delay: float = 0.0
    host_address: str | None = None
    app_kinds: dict[str, str] = field(default_factory=dict)   # APP -> "sample" or "circle"
    server_version: str = "2.17.1"
    edition: str = "enterprise"          # or "community": GET v2/version's versionType
    plugin_setup_delay: float = 1.0      # the Media Push plugin writes its publisher page this long after start
    plugin_setup_fails: bool = False     # ... or never (its set-up failed; only logged on a real server)
    push_prepare_window: float = 0.5     # after a push starts, recording/true answers "couldn't be started"
    stale_stop_hang: float = 60.0        # the plugin's stop of a push driven by this node but with no session
    push_connect_timeout: float = 30.0   # MediaPushPlugin.TIMEOUT_IN_SECONDS: its wait for the page's stream

    # The options `PUT /_lab/options` may change at run time, by their JSON name.
    RUNTIME = {"serverVersion": "server_version", "pluginSetupDelay": "plugin_setup_delay",
               "pluginSetupFails": "plugin_setup_fails", "pushPrepareWindow": "push_prepare_window",
               "staleStopHang": "stale_stop_hang", "pushStartDelay": "push_start_delay",
               "pushConnectTimeout": "push_connect_timeout"}

    def runtime(self) -> dict:
        return {name: getattr(self, attribute) for name, attribute in self.RUNTIME.items()}

    @property
    def version(self) -> tuple[int, int, int]:
        return parse_version(self.server_version)


def primary_ipv4() -> str:
    """The address other hosts reach this one at (ServerSettings.getLocalHostAddress): the source
    address of the default route. Connecting a UDP socket sends nothing."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


class AmsNode:
    def __init__(self, root: Path, listen_address: str, options: NodeOptions, media: MediaLibrary):
        self.root = root
        self.listen_address = listen_address
        self.options = dataclasses.replace(options, app_kinds=dict(options.app_kinds))
        self.http_port = options.port
        self.media = media
        if options.host_address:
            self.host_address = options.host_address
        elif listen_address not in ("0.0.0.0", ""):
            self.host_address = listen_address
        else:
            self.host_address = primary_ipv4()
        self.server_settings_document = Document(root / "conf" / "server-settings.json",
                                                 lambda: dict(SERVER_SETTING_DEFAULTS))
        self.console_users = Document(root / "data" / "console-users.json", dict)
        self.console_sessions: dict[str, str] = {}       # login session id -> user e-mail
        self.failed_logins: dict[str, list[float]] = {}  # e-mail -> [failure count, blocked since]
        self.request_log = RequestLog(root / "log" / "requests.jsonl")
        self.faults = Faults()
        self.apps: dict[str, Application] = {}
        self.plugins: list[str] = []
        self._ready_at = 0.0
        self.lock = threading.RLock()
        self.start()

    @property
    def server_settings(self) -> dict:
        return self.server_settings_document.value

    @property
    def initializing(self) -> bool:
        return time.monotonic() < self._ready_at

    def start(self) -> None:
        """Server start: plugins are loaded from plugins/ now (a jar added later does nothing until the
        next start), applications are read from webapps/ and their broadcasts reset."""
        with self.lock:
            for app in self.apps.values():
                if app.media_push is not None:
                    app.media_push.retired = True
            plugins_dir = self.root / "plugins"
            plugins_dir.mkdir(parents=True, exist_ok=True)
            self.plugins = sorted(jar.name for jar in plugins_dir.glob("*.jar"))
            media_push_loaded = any(plugins_dir.glob(MEDIA_PUSH_JAR_PATTERN))

            webapps = self.root / "webapps"
            names = sorted(path.name for path in webapps.glob("*") if path.is_dir() and not path.name.startswith("."))
            # A fresh install gets the default applications; an application given a kind is deployed too.
            for name in list(names or self.options.apps) + list(self.options.app_kinds):
                if name not in self.apps:
                    self.apps[name] = Application(self, name)
            for app in self.apps.values():
                app.start()
                app.media_push = MediaPushPlugin(app) if media_push_loaded else None
            self.console_sessions.clear()
            self._ready_at = time.monotonic() + self.options.init_delay
        self.server_settings_document.changed()
        log.info("server %s started in %s: apps %s, plugins %s", self.listen_address, self.root,
                 ",".join(self.apps), ",".join(self.plugins) or "none")

    def restart(self) -> None:
        """`service antmedia restart`: everything live is lost, what is stored stays."""
        PERSISTER.flush()
        self.start()

    def app_kind(self, app_name: str) -> str:
        return self.options.app_kinds.get(app_name, "sample")

    def set_app_kind(self, app_name: str, kind: str) -> None:
        if kind not in APP_KINDS:
            raise ValueError("kind must be one of " + ", ".join(APP_KINDS))
        with self.lock:
            self.options.app_kinds[app_name] = kind

    def handle(self, request: Request) -> Response:
        if request.path == "/_lab" or request.path.startswith("/_lab/"):
            return control.handle(self, request)
        segments = request.segments
        app = self.apps.get(segments[0]) if segments else None
        if app is None:  # the root context: the web panel and its REST API
            refused = dashboard_filter(request, self.server_settings)
            if refused is not None:
                return refused
            if segments and segments[0] == "rest":
                return rest_root.handle(self, request)
            return missing_resource(request.path)
        try:
            if len(segments) > 1 and segments[1] == "rest":
                refused = app_filters(request, app.settings, self.initializing)
                if refused is not None:
                    return refused
                response = rest_app.handle(app, request, request.path[len("/%s/rest" % app.name):])
            else:
                response = pages.handle(app, request, segments[1:])
        except HttpError as error:   # e.g. Jersey's 404 for a query parameter that is not an int
            response = error.response
        if response.status == 404 and response.send_error and self.app_kind(app.name) == "circle":
            # Circle's web.xml: <error-page><error-code>404</error-code><location>/spa.jsp</location>;
            # spa.jsp sets 200 and includes the single-page app. A 404 with an entity is not an error.
            return pages.spa_page(app.name)
        return response
