"""Helpers of the stand-in contract tests (tests/lab/test_standin_*.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import subprocess
import time

# A secret long enough for AMS's HMAC key (32 bytes and more).
SECRET = "k" * 32


def hs256_token(secret: str, header: dict | None = None, **claims) -> str:
    """An HS256 JWT, made here rather than with the stand-in's own code so that a fault there shows."""
    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = "%s.%s" % (encode(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode()),
                               encode(json.dumps(claims).encode()))
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return "%s.%s" % (signing_input, encode(signature))


def wait_for(condition, timeout: float = 15, interval: float = 0.05, what: str = "condition"):
    """Polls until condition() is truthy and returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(interval)


def logged_span(ams, since_seq: int, first_suffix: str, last_suffix: str) -> float:
    """Seconds between the first request ending in first_suffix and the last ending in last_suffix after
    since_seq, on the server's clock (its request log): no test-side timing a loaded machine can stretch."""
    entries = ams.requests(since_seq)
    first = [entry["time"] for entry in entries if entry["path"].endswith(first_suffix)][0]
    last = [entry["time"] for entry in entries if entry["path"].endswith(last_suffix)][-1]
    return last - first


def vods(ams, stream_id: str | None = None, app: str = "live") -> list[dict]:
    query = "?streamId=%s" % stream_id if stream_id else ""
    status, body = ams.call("GET", "/%s/rest/v2/vods/list/0/250%s" % (app, query))
    assert status == 200
    return body


def wait_vods(ams, stream_id: str, count: int = 1, app: str = "live") -> list[dict]:
    """The stream's VoDs once there are `count` of them (they appear when the file is complete)."""
    return wait_for(lambda: (lambda found: found if len(found) >= count else None)(vods(ams, stream_id, app)),
                    what="%d VoD(s) of %s" % (count, stream_id))


def media_duration(path) -> float:
    """The duration ffprobe reads in a media file (fails if the file is not a valid one)."""
    output = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                             str(path)], check=True, capture_output=True, text=True).stdout
    return float(output.strip())


def media_codecs(path) -> list[str]:
    output = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                             str(path)], check=True, capture_output=True, text=True).stdout
    return output.split()


def call_from(source: str, ams, method: str, path: str, body=None, headers: dict | None = None):
    """A request whose source address is `source` (any 127.x.y.z works on Linux): (status, text)."""
    connection = http.client.HTTPConnection(ams.addresses[0], ams.port, timeout=10, source_address=(source, 0))
    try:
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data, headers={**({"Content-Type": "application/json"} if data else {}),
                                                            **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def is_tomcat_error(answer, status: int = 404) -> bool:
    """True when a (status, body) pair from Standin.call is Tomcat's HTML error report for `status`
    (ErrorReportValve with showServerInfo=false, as AMS's jee-container.xml sets it)."""
    code, body = answer
    titles = {403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}
    return (code == status and isinstance(body, str)
            and "<title>HTTP Status %d – %s</title>" % (status, titles[status]) in body
            and "<p><b>Type</b> Status Report</p>" in body and "Apache Tomcat" not in body)


def is_circle_spa(answer) -> bool:
    """True when a (status, body) pair is Circle's single-page app as spa.jsp answers it: 200, HTML."""
    code, body = answer
    return code == 200 and isinstance(body, str) and "<title>" in body and "Circle App By Ant Media" in body


def start_recording_when_prepared(ams, stream_id: str, app: str = "live", record_type: str = "mp4",
                                  timeout: float = 10) -> dict:
    """PUT .../recording/true until it succeeds, as a client must right after a media push started
    (the stream's muxer is prepared for a short while: "mp4 recording couldn't be started")."""
    path = "/%s/rest/v2/broadcasts/%s/recording/true?recordType=%s" % (app, stream_id, record_type)

    def attempt():
        status, body = ams.call("PUT", path)
        assert status == 200, body
        return body if body["success"] else None
    return wait_for(attempt, timeout=timeout, what="recording of %s to start" % stream_id)
