"""What an application serves outside its REST API: files under webapps/APP (recordings in streams/,
the media push publisher page) and small stand-ins for the sample pages media pushes capture."""

from __future__ import annotations

import html
import mimetypes
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .web import Request, Response, error_page, html_response, not_found

if TYPE_CHECKING:
    from .app import Application

_PAGE = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
         "<body><h1>{title}</h1><p>{text}</p></body></html>\n")

# StreamApp's merge pages: they only need to exist and load (the stand-in renders nothing).
SAMPLE_PAGES = {
    "multitrack-play.html": ("Multitrack Play", "Plays every participant of the room given by ?id=."),
    "merge_streams.html": ("Merge Streams", "Joins ?roomName= when Start is clicked and publishes the merge."),
    "index.html": ("Ant Media Server", "Stand-in of the sample web application."),
}


def handle(app: "Application", request: Request, segments: list[str]) -> Response:
    if request.method not in ("GET", "HEAD"):
        return error_page(405, "Method Not Allowed")
    relative = "/".join(unquote(segment) for segment in segments) or "index.html"
    if relative in SAMPLE_PAGES:
        title, text = SAMPLE_PAGES[relative]
        return html_response(_PAGE.format(title=title, text=text))
    target = (app.webapp_dir / relative).resolve()
    if app.webapp_dir.resolve() in target.parents and target.is_file():
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return Response(200, target.read_bytes(), content_type)
    if len(segments) == 1 and "." not in relative:
        # Circle (the conference application) routes /{APP}/{ROOM} to its room page.
        room = html.escape(relative)
        return html_response(_PAGE.format(title="Circle room " + room, text="Conference room " + room + "."))
    return not_found()
