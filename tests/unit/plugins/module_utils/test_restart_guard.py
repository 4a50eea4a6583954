# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restart guard decided in Python (issue 26): server_info's ``busy`` (what a restart would cut) and
``unreadable`` (what could not be read, and why). It fails closed: a timeout, HTML instead of JSON, a 403, an
app that is not there or a list that makes no sense make an app unreadable, never idle."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import (
    AntMediaClient,
    ConnectFailed,
    ReadTimedOut,
    Transport,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._server_info import edition_of, read_server
from ansible_collections.mediaops.antmedia.tests.unit.plugins.fake_ams import (
    CIRCLE_SPA,
    FakeAMS,
    FakeResponse,
    error_page,
)


@pytest.fixture
def apps(monkeypatch):
    """Two applications of one server (live, LiveApp), each a FakeAMS; a request goes to the app of its path."""
    servers = {"live": FakeAMS("live"), "LiveApp": FakeAMS("LiveApp")}

    def request(transport, method, url, **kwargs):
        app = urlsplit(url).path.split("/")[1]
        return servers.get(app, servers["live"])(transport, method, url, **kwargs)

    monkeypatch.setattr(Transport, "request", request)
    return servers


def read(apps_to_read=("live", "LiveApp")):
    # server_info reads with one attempt per request (its callers retry the task)
    return read_server(AntMediaClient("http://127.0.0.1:5080", "live", retries=0), list(apps_to_read))


def test_an_idle_server_is_not_busy_and_everything_was_read(apps):
    apps["live"].add_broadcast("camera1")  # publishes, records nothing
    apps["LiveApp"].add_broadcast("old", status="finished", mp4Enabled=1)  # recorded once, not live now
    state = read()
    assert state["busy"] == [] and state["unreadable"] == [] and state["ready"] is True


def test_busy_lists_each_push_and_recording_with_its_app(apps):
    apps["live"].add_push("board_composite")
    apps["live"].add_broadcast("camera2", mp4Enabled=1)
    apps["LiveApp"].add_broadcast("lecture", webMEnabled=1)
    state = read()
    assert state["busy"] == [
        dict(app="live", stream_id="board_composite", media_push=True, recording=True),
        dict(app="live", stream_id="camera2", media_push=False, recording=True),
        dict(app="LiveApp", stream_id="lecture", media_push=False, recording=True),
    ]
    assert state["unreadable"] == []


@pytest.mark.parametrize("answer, reason", [
    (FakeResponse(200, text=CIRCLE_SPA, content_type="text/html"), "broadcast list"),
    (error_page(403, "Not allowed IP"), "Not allowed IP"),
    (error_page(500, "Internal Server Error"), "HTTP 500"),
    (FakeResponse(200, [{"streamId": "a", "status": "broadcasting"}, "odd"]), "item 1 of the broadcast list"),
    (FakeResponse(200, [{"status": "broadcasting", "mp4Enabled": 1}]), "not a broadcast with a streamId"),
    (FakeResponse(200, {"number": 3}), "not a list"),
], ids=["html-200", "ip-403", "500", "odd-item", "no-stream-id", "object"])
def test_what_cannot_be_read_is_unreadable_never_idle(apps, answer, reason):
    apps["LiveApp"].add_broadcast("lecture", mp4Enabled=1)
    apps["live"].inject("GET", "/broadcasts/list/", answer)
    state = read()
    assert [item["app"] for item in state["unreadable"]] == ["live"]
    assert reason in state["unreadable"][0]["reason"]
    assert state["ready"] is False and reason in state["not_ready_reason"] and "live" in state["not_ready_reason"]
    # the other app still counts: its recording is listed
    assert state["busy"] == [dict(app="LiveApp", stream_id="lecture", media_push=False, recording=True)]
    assert "live" not in state["apps"]


@pytest.mark.parametrize("failure, reason", [
    (ConnectFailed("connection refused"), "connection refused"),
    (ReadTimedOut("no answer within 10 s (timeout)"), "timeout"),
])
def test_a_server_that_does_not_answer_is_not_asked_again_for_the_other_apps(apps, failure, reason):
    """A hung server would cost a timeout per app: the apps not yet asked are unreadable at once."""
    apps["LiveApp"].add_broadcast("lecture", mp4Enabled=1)
    apps["live"].inject("GET", "/broadcasts/list/", failure)
    state = read()
    assert [item["app"] for item in state["unreadable"]] == ["live", "LiveApp"]
    assert reason in state["unreadable"][0]["reason"]
    assert "not asked" in state["unreadable"][1]["reason"] and reason in state["unreadable"][1]["reason"]
    assert apps["LiveApp"].calls == []
    assert state["busy"] == [] and state["ready"] is False


def test_an_app_still_starting_is_unreadable(apps):
    apps["live"].inject("GET", "/broadcasts/list/", error_page(403, "Application is getting initialized"))
    state = read()
    assert "still starting" in state["unreadable"][0]["reason"] and state["ready"] is False


def test_an_app_that_is_not_there_is_unreadable_and_named(apps):
    state = read(["live", "NoSuchApp"])
    assert [item["app"] for item in state["unreadable"]] == ["NoSuchApp"]
    assert "there is no application NoSuchApp" in state["unreadable"][0]["reason"]


def test_a_version_that_cannot_be_read_makes_the_app_unreadable(apps):
    apps["live"].inject("GET", "/v2/version$", FakeResponse(200, text="<html>proxy</html>", content_type="text/html"))
    state = read(["live"])
    assert state["unreadable"] and "version" in state["unreadable"][0]["reason"]


def test_media_push_readiness_lists(apps):
    apps["LiveApp"].plugin_loaded = False
    apps["live"].inject("GET", "/media-push/media-push-publisher.html$", error_page(404, "Not Found"))
    state = read()
    assert state["media_push_not_loaded"] == ["LiveApp"]
    assert state["media_push_not_ready"] == ["live", "LiveApp"] and state["media_push_ready"] is False


@pytest.mark.parametrize("version_type, edition", [
    ("Enterprise Edition", "Enterprise"), ("Community Edition", "Community"), ("Platinum", ""), (None, ""), (3, ""),
])
def test_the_edition_comes_from_the_version_type(version_type, edition):
    assert edition_of(version_type) == edition


def test_server_info_reports_the_edition(apps):
    assert read(["live"])["edition"] == "Enterprise"
    apps["live"].version_type = "Community Edition"
    assert read(["live"])["edition"] == "Community"
