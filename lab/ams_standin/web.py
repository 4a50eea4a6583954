"""Requests, responses and routing, independent of the socket server that carries them."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, Callable
from urllib.parse import parse_qs, unquote

# The reason line Tomcat prints under each status on its error pages.
_STATUS_DESCRIPTIONS = {
    400: ("Bad Request", "The server cannot or will not process the request due to something that is "
                         "perceived to be a client error."),
    403: ("Forbidden", "The server understood the request but refuses to authorize it."),
    404: ("Not Found", "The origin server did not find a current representation for the target resource "
                       "or is not willing to disclose that one exists."),
    405: ("Method Not Allowed", "The method received in the request-line is known by the origin server but "
                                "not supported by the target resource."),
    500: ("Internal Server Error", "The server encountered an unexpected condition that prevented it from "
                                   "fulfilling the request."),
}


@dataclass
class Request:
    method: str
    path: str                      # percent-encoded, without the query string
    query: dict[str, list[str]]
    raw_query: str
    headers: Any                   # an email.message.Message (case-insensitive get)
    body: bytes
    remote: str                    # client IP address
    scheme: str                    # http or https
    host_header: str               # Host as sent, for URLs the server builds back to itself

    @property
    def segments(self) -> list[str]:
        return [segment for segment in self.path.split("/") if segment]

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter, like JAX-RS @QueryParam."""
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def cookie(self, name: str) -> str | None:
        cookies = SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie", ""))
        except Exception:  # a malformed Cookie header is ignored, as browsers' are
            return None
        morsel = cookies.get(name)
        return morsel.value if morsel else None

    def json(self) -> Any:
        """The body as JSON; None when there is no body. Malformed JSON is a 400, as with Jersey."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise HttpError(error_page(400, "Unable to parse the request body as JSON")) from None

    def json_object(self) -> dict | None:
        body = self.json()
        if body is not None and not isinstance(body, dict):
            raise HttpError(error_page(400, "A JSON object is expected"))
        return body


def parse_query(raw_query: str) -> dict[str, list[str]]:
    return parse_qs(raw_query, keep_blank_values=True)


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    send_error: bool = False       # an entity-less error status (sendError): error-page mappings apply
    no_effect: bool = False        # the request log marks it as changing nothing (harness.writes leaves it out)


class HttpError(Exception):
    """Raised anywhere in a handler to answer with the given response at once."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


class ConnectionDropped(Exception):
    """The server 'died' while the request was in flight (a simulated restart): no answer at all."""


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode(), "application/json")


def result(success: bool, message: str | None = "", data_id: str | None = "") -> dict:
    """io.antmedia.rest.model.Result as serialised: Result(boolean) has "" message and dataId."""
    return {"success": success, "message": message, "dataId": data_id, "errorId": 0}


def empty(status: int) -> Response:
    return Response(status)


def html_response(text: str, status: int = 200) -> Response:
    """A JSP or static HTML page (Jasper writes the charset in upper case)."""
    return Response(status, text.encode(), "text/html;charset=UTF-8")


# Tomcat's TomcatCSS.TOMCAT_CSS, inlined in every error report page.
_TOMCAT_CSS = ("body {font-family:Tahoma,Arial,sans-serif;} h1, h2, h3, b {color:white;background-color:#525D76;} "
               "h1 {font-size:22px;} h2 {font-size:16px;} h3 {font-size:14px;} p {font-size:12px;} "
               "a {color:black;} .line {height:1px;background-color:#525D76;border:none;}")


def error_page(status: int, message: str = "") -> Response:
    """An entity-less error (HttpServletResponse.sendError) as Tomcat's ErrorReportValve renders it:
    AMS's jee-container.xml sets showReport=true and showServerInfo=false, so the page ends without the
    server's name. Filters' refusals (403), Jersey's 404 and 405 and a missing context all look like this.
    The response is marked `send_error`: a web app's <error-page> mapping (Circle's 404 -> spa.jsp) applies
    to it, never to a response that carries its own entity (a JSON 404 Result)."""
    title, description = _STATUS_DESCRIPTIONS.get(status, (str(status), ""))
    header = "HTTP Status %d – %s" % (status, title)
    report = '<hr class="line" /><p><b>Type</b> Status Report</p>'
    if message:
        report += "<p><b>Message</b> %s</p>" % html.escape(message, quote=False)
    report += '<p><b>Description</b> %s</p><hr class="line" />' % description
    text = ('<!doctype html><html lang="en"><head><title>{h}</title><style type="text/css">{css}</style></head>'
            '<body><h1>{h}</h1>{r}</body></html>').format(h=header, css=_TOMCAT_CSS, r=report)
    return Response(status, text.encode(), "text/html;charset=utf-8", send_error=True)


def not_found() -> Response:
    """Jersey's answer to a resource method returning 404 without an entity, or to a path no resource
    matches: sendError(404, "Not Found")."""
    return error_page(404, "Not Found")


def missing_resource(path: str) -> Response:
    """Tomcat's DefaultServlet for a path with no file behind it (a context that does not exist is a
    path of the root context)."""
    return error_page(404, "The requested resource [%s] is not available" % path)


Handler = Callable[..., Response]


class Router:
    """Method + path-template routing in the spirit of JAX-RS @Path.

    Templates use `{name}` for one path segment and `{name:int}` for an integer segment (a segment
    that is not an integer does not match, which Jersey answers with 404). Routes are tried in the
    order they were added: register literal paths before templated ones."""

    _PLACEHOLDER = re.compile(r"\{(\w+)(?::(int))?\}")

    def __init__(self):
        self._routes: list[tuple[str, re.Pattern, dict[str, type], Handler]] = []

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        converters: dict[str, type] = {}

        def placeholder(match: re.Match) -> str:
            name, kind = match.group(1), match.group(2)
            if kind == "int":
                converters[name] = int
                return r"(?P<%s>-?\d+)" % name
            converters[name] = str
            return r"(?P<%s>[^/]+)" % name

        pattern = re.compile("^" + self._PLACEHOLDER.sub(placeholder, template) + "$")

        def register(handler: Handler) -> Handler:
            self._routes.append((method, pattern, converters, handler))
            return handler
        return register

    def get(self, template: str):
        return self.route("GET", template)

    def post(self, template: str):
        return self.route("POST", template)

    def put(self, template: str):
        return self.route("PUT", template)

    def delete(self, template: str):
        return self.route("DELETE", template)

    def dispatch(self, method: str, path: str, *context) -> Response | None:
        """Calls the matching handler with *context and the path parameters; None when no route
        matches the path at all (the caller answers 404), 405 when only the method differs."""
        path_matched = False
        lookup_method = "GET" if method == "HEAD" else method
        for route_method, pattern, converters, handler in self._routes:
            match = pattern.match(path)
            if not match:
                continue
            path_matched = True
            if route_method != lookup_method:
                continue
            params = {name: converters[name](unquote(value)) for name, value in match.groupdict().items()}
            return handler(*context, **params)
        if path_matched:
            return error_page(405, "Method Not Allowed")
        return None
