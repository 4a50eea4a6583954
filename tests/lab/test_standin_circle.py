"""Contract: application kinds (docs/server-contract.md, "Not-found answers", "Circle applications").

Sources: ant-media/conference-call-application `webapp/src/main/webapp/WEB-INF/web.xml` (<error-page>
404 -> /spa.jsp), `react/public/spa.jsp` (`response.setStatus(200)`, includes index.html),
`react/src/pages/AntMedia.js` (updateRoomRecordingStatus, startRecordingResponse/stopRecordingResponse),
`webapp/.../WebSocketApplicationHandler.java` (START_RECORDING: ROOM_composite, the room page URL, the
60 s publish JWT); ant-media/Ant-Media-Server `src/main/server/conf/jee-container.xml` (ErrorReportValve)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
import requests
from standin_helpers import SECRET, hs256_token, is_circle_spa, is_tomcat_error, wait_for

CIRCLE = "Conference"
BROADCASTS = "/%s/rest/v2/broadcasts" % CIRCLE


@pytest.fixture
def circle(make_standin):
    """A server with a Circle application `Conference` beside the sample ones, without the plugin."""
    return make_standin(app_kinds={CIRCLE: "circle"})


@pytest.fixture
def circle_push(make_standin):
    return make_standin(app_kinds={CIRCLE: "circle"}, media_push=True)


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_every_entity_less_404_in_a_circle_app_is_the_spa_with_200(circle):
    """web.xml maps error code 404 to spa.jsp, which answers 200 text/html: a missing broadcast, an unknown
    REST path, the subtrack paths (unknown on 2.x), the Media Push paths without the plugin (any method:
    the error dispatch reaches the JSP whatever the method), Circle's missing sample pages and the room page."""
    for method, path in (("GET", BROADCASTS + "/no-such-stream"), ("GET", "/%s/rest/v2/nothing" % CIRCLE),
                         ("GET", BROADCASTS + "/room1/subtracks/0/10"),
                         ("GET", BROADCASTS + "/room1/active-subtracks-count"),
                         ("POST", "/%s/rest/v1/media-push/start?streamId=x" % CIRCLE),
                         ("POST", "/%s/rest/v1/media-push/stop/x" % CIRCLE),
                         ("GET", "/%s/rest/v1/media-push/start" % CIRCLE),
                         ("GET", "/%s/multitrack-play.html?id=room1" % CIRCLE),
                         ("GET", "/%s/merge_streams.html" % CIRCLE),
                         ("GET", "/%s/room1?playOnly=true&enterDirectly=true" % CIRCLE),
                         ("PUT", BROADCASTS + "/x/recording/true?resolutionHeight=abc"),  # Jersey: not an int
                         ("GET", "/%s/" % CIRCLE)):
        assert is_circle_spa(circle.call(method, path, {"url": "http://x/"} if method == "POST" else None)), path
    response = requests.get(circle.url(BROADCASTS + "/no-such-stream"), timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html;charset=UTF-8"
    # The same paths in a sample application of the same server are Tomcat's HTML 404.
    assert is_tomcat_error(circle.call("GET", "/live/rest/v2/broadcasts/no-such-stream"), 404)
    assert circle.call("GET", "/live/multitrack-play.html?id=room1")[0] == 200


def test_what_stays_an_error_or_json_in_a_circle_app(make_standin):
    """Only sendError(404) is mapped: a 405, the filters' 403 and a 404 that carries a JSON entity (3.x
    subtracks of a missing room) answer as in any application; JSON endpoints answer JSON."""
    ams = make_standin(app_kinds={CIRCLE: "circle"}, server_version="3.0.1")
    assert is_tomcat_error(ams.call("POST", BROADCASTS + "/count"), 405)
    status, body = ams.call("GET", BROADCASTS + "/nowhere/subtracks/0/10")
    assert (status, body["message"]) == (404, "Broadcast not found with id: nowhere")
    assert ams.call("GET", BROADCASTS + "/count") == (200, {"number": 0})
    ams.set_app_settings(CIRCLE, remoteAllowedCIDR="10.0.0.1")
    assert is_tomcat_error(ams.call("GET", BROADCASTS + "/count"), 403)


def test_an_unknown_application_is_tomcats_404_even_with_circle_apps(circle):
    assert is_tomcat_error(circle.call("GET", "/NoSuchApp/rest/v2/broadcasts/no-such-stream"), 404)


def test_the_kind_is_set_at_start_or_through_the_control_interface(circle):
    """--app-kind creates the application; PUT /_lab/apps/APP/kind switches it at once and survives a
    /_lab/restart of the same process."""
    assert circle.health()["appKinds"] == {"live": "sample", "LiveApp": "sample", "WebRTCAppEE": "sample",
                                           CIRCLE: "circle"}
    assert circle.set_app_kind("LiveApp", "circle") == {"app": "LiveApp", "kind": "circle"}
    assert is_circle_spa(circle.call("GET", "/LiveApp/rest/v2/broadcasts/none"))
    circle.restart()
    assert is_circle_spa(circle.call("GET", "/LiveApp/rest/v2/broadcasts/none"))
    circle.set_app_kind("LiveApp", "sample")
    assert is_tomcat_error(circle.call("GET", "/LiveApp/rest/v2/broadcasts/none"), 404)
    assert circle.call("PUT", "/_lab/apps/LiveApp/kind", {"kind": "webinar"})[0] == 400
    assert circle.call("PUT", "/_lab/apps/NoSuchApp/kind", {"kind": "circle"})[0] == 404


def test_a_bad_app_kind_on_the_command_line_is_refused(make_standin):
    ams = make_standin(start=False, extra_args=("--app-kind", "LiveApp=zoom"))
    with pytest.raises(Exception, match="exited"):
        ams.start(timeout=10)


def test_a_circle_push_captures_the_room_page_and_multitrack_play_captures_the_spa(circle_push):
    """Pushed with ?playOnly=true&enterDirectly=true the room page merges the room, as multitrack-play.html
    does in a sample app; multitrack-play.html in a Circle app is the SPA (no room)."""
    ams = circle_push
    ams.join("room1", "p1", app=CIRCLE)
    push = "/%s/rest/v1/media-push/start?streamId=" % CIRCLE
    pages = {"room": ams.url("/%s/room1?playOnly=true&enterDirectly=true&token=" % CIRCLE),
             "wrong": ams.url("/%s/multitrack-play.html?id=room1&muted=false" % CIRCLE)}
    for stream_id, url in pages.items():
        assert ams.call("POST", push + stream_id, {"url": url})[1]["success"] is True
    shown = {session["streamId"]: session["page"] for session in ams.media_push_sessions(CIRCLE)}
    assert shown == {"room": {"shows": "room", "room": "room1", "app": CIRCLE},
                     "wrong": {"shows": "spa", "app": CIRCLE}}
    # In a sample app it is the other way round.
    sample = {"m": ams.url("/live/multitrack-play.html?id=room1&muted=false"),
              "r": ams.url("/live/room1?playOnly=true&enterDirectly=true")}
    for stream_id, url in sample.items():
        assert ams.call("POST", "/live/rest/v1/media-push/start?streamId=" + stream_id, {"url": url})[1]["success"]
    shown = {session["streamId"]: session["page"]["shows"] for session in ams.media_push_sessions("live")}
    assert shown == {"m": "room", "r": "not-found"}


def test_circle_record_overwrites_the_whole_metadata_and_stop_writes_false_even_when_it_failed(circle_push):
    """AntMedia.js updateRoomRecordingStatus: metaData becomes exactly {"isRecording": ...} (other keys are
    lost); on stopRecordingResponse the UI writes false whether `success` is true or not."""
    ams = circle_push
    ams.call("POST", BROADCASTS + "/create", {"streamId": "room1", "metaData": '{"topic":"budget"}'})
    ams.join("room1", "p1", app=CIRCLE)

    def flag():
        return json.loads(ams.call("GET", BROADCASTS + "/room1")[1]["metaData"])

    assert ams.circle_record("room1", app=CIRCLE)["success"] is True
    assert flag() == {"isRecording": True}
    ams.lab("POST", "/_lab/apps/%s/media-push/faults" % CIRCLE, {"failNextStop": True})
    answer = ams.circle_stop("room1", app=CIRCLE)
    assert answer["success"] is False and answer["message"].startswith("Timeoutexception")
    assert flag() == {"isRecording": False}
    # A stop with nothing to stop fails too, and still writes false.
    ams.call("PUT", BROADCASTS + "/room1", {"metaData": '{"isRecording":true}'})
    assert ams.circle_stop("room1", app=CIRCLE)["message"] == "Driver does not exist for stream id: room1_composite"
    assert flag() == {"isRecording": False}
    # A failed start writes nothing.
    ams.lab("POST", "/_lab/apps/%s/media-push/faults" % CIRCLE, {"failNextStart": "chrome not reachable"})
    assert ams.circle_record("room1", app=CIRCLE)["success"] is False
    assert flag() == {"isRecording": False}


def test_circle_webinar_mode_and_play_token_in_the_page_url(circle_push):
    """WebSocketApplicationHandler: MODE_WEBINAR adds &role=listener&streamName=record; the play token
    goes at the end of the page URL."""
    circle_push.lab("POST", "/_lab/apps/%s/circle/room1/record" % CIRCLE, {"mode": "webinar", "token": "PLAY"})
    [session] = circle_push.media_push_sessions(CIRCLE)
    assert session["url"].endswith(
        "/%s/room1?playOnly=true&enterDirectly=true&role=listener&streamName=record&token=PLAY" % CIRCLE)


def test_circle_signs_a_60_second_publish_jwt_for_the_composite_stream(circle_push):
    """With a jwtStreamSecretKey Circle signs a publish token (claims streamId, type, exp = now + 60 s) and
    passes it as the start's token; with publish JWTs on, that token lets the push publish."""
    ams = circle_push
    ams.set_app_settings(CIRCLE, publishJwtControlEnabled=True, jwtStreamSecretKey=SECRET)
    ams.join("room1", "p1", app=CIRCLE)
    before = int(time.time())
    assert ams.circle_record("room1", app=CIRCLE)["success"] is True
    after = int(time.time())
    [session] = ams.media_push_sessions(CIRCLE)
    token_claims = claims(session["token"])
    assert token_claims["streamId"] == "room1_composite" and token_claims["type"] == "publish"
    assert before + 60 <= token_claims["exp"] <= after + 60
    # Signed with the app's stream secret (HS256), checked here with the test's own HMAC.
    signing_input, signature = session["token"].rsplit(".", 1)
    expected = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected
    assert ams.call("GET", BROADCASTS + "/room1_composite")[1]["status"] == "broadcasting"


def test_a_push_without_a_valid_publish_token_is_refused_when_publish_jwts_are_on(circle_push):
    """MediaPushPlugin.startMediaPush: the page publishes with the body's token; the server refuses the
    publish (JWT streamId and type claims), media-push-publisher.js only logs the error, so
    `window.isConnected` never turns true and the 30 s wait fails: success false, the TimeoutException's
    message, no session and no broadcast left. The same in a sample application."""
    ams = circle_push
    ams.set_options(pushConnectTimeout=0.2)  # the plugin's 30 s wait, shortened (its message still says 30)
    for app in (CIRCLE, "live"):
        ams.set_app_settings(app, publishJwtControlEnabled=True, jwtStreamSecretKey=SECRET)
        url = ams.url("/%s/room1?playOnly=true&enterDirectly=true" % app)
        wrong_stream = hs256_token(SECRET, streamId="other", type="publish", exp=int(time.time()) + 60)
        play_type = hs256_token(SECRET, streamId="p", type="play", exp=int(time.time()) + 60)
        for token in (None, wrong_stream, play_type, "not-a-jwt"):
            body = {"url": url, **({"token": token} if token else {})}
            status, answer = ams.call("POST", "/%s/rest/v1/media-push/start?streamId=p" % app, body)
            assert status == 200 and answer["success"] is False
            assert answer["message"].startswith(
                "Error message is Expected condition failed: waiting for js return window.isConnected('p') to be "
                "executable (tried for 30 second(s)")
            assert ams.media_push_sessions(app) == []
        missing = ams.call("GET", "/%s/rest/v2/broadcasts/p" % app)
        assert is_circle_spa(missing) if app == CIRCLE else is_tomcat_error(missing, 404)
        assert ams.call("GET", "/%s/rest/v2/broadcasts/count" % app)[1] == {"number": 0}
        good = hs256_token(SECRET, streamId="p", type="publish", exp=int(time.time()) + 60)
        assert ams.call("POST", "/%s/rest/v1/media-push/start?streamId=p" % app, {"url": url, "token": good})[1][
            "success"] is True
        wait_for(lambda: ams.call("GET", "/%s/rest/v2/broadcasts/p" % app)[1].get("status") == "broadcasting")
