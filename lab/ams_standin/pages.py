"""What an application serves outside its REST API: files under webapps/APP (recordings in streams/,
the media push publisher page), and small stand-ins for the pages media pushes capture.

Two kinds of application (`--app-kind APP=KIND`):
- `sample`, the StreamApp web app that LiveApp, live and WebRTCAppEE are built from: the merge pages
  `multitrack-play.html` and `merge_streams.html`; any other missing path is Tomcat's HTML 404;
- `circle`, the conference application (ant-media/conference-call-application): a single-page app. Its
  `WEB-INF/web.xml` maps error code 404 to `/spa.jsp`, which sets 200 and includes `index.html`, so
  every path with nothing behind it (the room page `/{APP}/{ROOM}` included) is that page, 200
  text/html. It has no `multitrack-play.html` nor `merge_streams.html`. AmsNode.handle turns the 404s
  into the page, for the REST API too."""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from .web import Request, Response, error_page, html_response, missing_resource

if TYPE_CHECKING:
    from .app import Application
    from .node import AmsNode

_PAGE = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
         "<body><h1>{title}</h1><p>{text}</p></body></html>\n")

# StreamApp's merge pages: they only need to exist and load (the stand-in renders nothing).
SAMPLE_PAGES = {
    "multitrack-play.html": ("Multitrack Play", "Plays every participant of the room given by ?id=."),
    "merge_streams.html": ("Merge Streams", "Joins ?roomName= when Start is clicked and publishes the merge."),
    "index.html": ("Ant Media Server", "Stand-in of the sample web application."),
}

CIRCLE_TITLE = "Circle App By Ant Media"
# react/public/index.html as spa.jsp includes it (trimmed to what identifies it).
_SPA = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n\t<meta charset=\"utf-8\"/>\n"
        "\t<meta name=\"description\" content=\"Ant Media Conference Application\"/>\n"
        "\t<title>\n\t\t%s\n\t</title>\n</head>\n<body>\n"
        "\t<noscript>You need to enable JavaScript to run this app.</noscript>\n"
        "\t<div id=\"root\" usage-mode=\"standalone\"></div>\n</body>\n</html>\n" % CIRCLE_TITLE)


def spa_page(app_name: str) -> Response:
    """Circle's spa.jsp: `response.setStatus(200)` and the single-page app (contentType
    "text/html; charset=UTF-8", which Jasper sends as text/html;charset=UTF-8)."""
    return html_response(_SPA)


def handle(app: "Application", request: Request, segments: list[str]) -> Response:
    if request.method not in ("GET", "HEAD"):
        return error_page(405, "Method Not Allowed")
    circle = app.node.app_kind(app.name) == "circle"
    relative = "/".join(unquote(segment) for segment in segments) or "index.html"
    if circle and relative == "index.html":
        return spa_page(app.name)
    if not circle and relative in SAMPLE_PAGES:
        title, text = SAMPLE_PAGES[relative]
        return html_response(_PAGE.format(title=title, text=text))
    target = (app.webapp_dir / relative).resolve()
    if app.webapp_dir.resolve() in target.parents and target.is_file():
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return Response(200, target.read_bytes(), content_type)
    return missing_resource(request.path)   # Circle: the SPA (AmsNode.handle)


def describe_capture(node: "AmsNode", url: str) -> dict:
    """What a media push browser shows when it loads `url` (the stand-in renders no page; tests read
    this through `GET /_lab/apps/APP/media-push`): `{"shows": ...}` with
    - "room" and `room`: a page that merges a room of this server: `multitrack-play.html?id=ROOM` in a
      sample app, Circle's room page `/{APP}/{ROOM}?playOnly=true&enterDirectly=true` in a Circle app;
    - "spa": Circle's page without a room to play (e.g. `multitrack-play.html` in a Circle app);
    - "page": another page of this server that exists; "not-found": an error page of this server;
    - "external": a URL of another host (not followed)."""
    parts = urlsplit(url)
    if parts.hostname not in (node.host_address, node.listen_address, "127.0.0.1", "localhost"):
        return {"shows": "external"}
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    app = node.apps.get(segments[0]) if segments else None
    if app is None:
        return {"shows": "not-found"}
    query = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    rest = segments[1:]
    if node.app_kind(app.name) == "circle":
        if len(rest) == 1 and "." not in rest[0] and query.get("playOnly") == "true" \
                and query.get("enterDirectly") == "true":
            return {"shows": "room", "room": rest[0], "app": app.name}
        relative = "/".join(rest)
        if relative and (app.webapp_dir / relative).is_file():
            return {"shows": "page"}
        return {"shows": "spa", "app": app.name}
    if rest == ["multitrack-play.html"] and query.get("id"):
        return {"shows": "room", "room": query["id"], "app": app.name}
    relative = "/".join(rest) or "index.html"
    if relative in SAMPLE_PAGES or (app.webapp_dir / relative).is_file():
        return {"shows": "page"}
    return {"shows": "not-found"}

