"""Contract: broadcasts, /{APP}/rest/v2/broadcasts (docs/server-contract.md, "Broadcasts")."""

from __future__ import annotations

import re
import time

import requests
from standin_helpers import is_tomcat_error

BROADCASTS = "/live/rest/v2/broadcasts"


def create(ams, **fields):
    status, body = ams.call("POST", BROADCASTS + "/create", fields)
    assert status == 200, body
    return body


def test_get_missing_broadcast_is_tomcats_html_404(standin):
    """BroadcastRestService.getBroadcast returns Response.status(NOT_FOUND).build(): no entity, so Jersey
    calls sendError(404) and Tomcat's ErrorReportValve (jee-container.xml: showReport=true,
    showServerInfo=false) renders the HTML report. Never an empty or JSON body."""
    response = requests.get(standin.url(BROADCASTS + "/nothing-here"), timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html;charset=utf-8"
    page = response.text
    assert page.startswith('<!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title>')
    assert "<h1>HTTP Status 404 – Not Found</h1>" in page and "<p><b>Type</b> Status Report</p>" in page
    assert "<p><b>Message</b> Not Found</p>" in page and page.endswith("</body></html>")
    assert "Apache Tomcat" not in page   # showServerInfo=false


def test_create_stores_a_created_broadcast_with_the_server_fields(standin):
    created = create(standin, streamId="cam1", name="Camera 1", metaData='{"room": "a"}')
    assert created["streamId"] == "cam1"
    assert created["status"] == "created"
    assert created["type"] == "liveStream"
    assert created["zombi"] is False
    assert created["mp4Enabled"] == 0 and created["webMEnabled"] == 0
    assert created["originAdress"] == "127.0.0.1"
    assert created["rtmpURL"] == "rtmp://127.0.0.1/live/cam1"
    assert created["date"] > 0

    status, stored = standin.call("GET", BROADCASTS + "/cam1")
    assert status == 200
    assert stored["name"] == "Camera 1" and stored["metaData"] == '{"room": "a"}'
    # Jackson writes every field of the class, including the ones the contract relies on.
    for key in ("startTime", "duration", "mainTrackStreamId", "subTrackStreamIds", "webRTCViewerCount",
                "hlsViewerCount", "publishType", "updateTime", "anyoneWatching"):
        assert key in stored


def test_create_refuses_a_used_or_invalid_stream_id(standin):
    create(standin, streamId="cam1")
    status, body = standin.call("POST", BROADCASTS + "/create", {"streamId": "cam1"})
    assert (status, body["success"]) == (400, False)
    assert body["message"] == "Stream id is already being used. Please change stream id or keep it empty"
    status, body = standin.call("POST", BROADCASTS + "/create", {"streamId": "bad id!"})
    assert (status, body["message"]) == (400, "Stream id is not valid.")


def test_create_without_stream_id_generates_one(standin):
    status, body = standin.call("POST", BROADCASTS + "/create")
    assert status == 200
    assert re.fullmatch(r"[A-Za-z0-9]{16}\d+", body["streamId"])
    assert standin.call("GET", BROADCASTS + "/" + body["streamId"])[0] == 200


def test_list_is_capped_at_250_per_call_and_pages_with_the_offset(standin):
    for number in range(260):
        create(standin, streamId="s%03d" % number, name="Stream %03d" % number)
    status, first_page = standin.call("GET", BROADCASTS + "/list/0/1000")
    assert status == 200
    assert len(first_page) == 250
    second_page = standin.call("GET", BROADCASTS + "/list/250/1000")[1]
    assert len(second_page) == 10
    assert standin.call("GET", BROADCASTS + "/list/260/50")[1] == []
    ids = [broadcast["streamId"] for broadcast in first_page + second_page]
    assert ids == ["s%03d" % number for number in range(260)]  # insertion order, nothing twice
    assert standin.call("GET", BROADCASTS + "/count")[1] == {"number": 260}


def test_list_filters_sorts_and_searches(standin):
    create(standin, streamId="b", name="Beta")
    time.sleep(0.005)  # distinct creation dates
    create(standin, streamId="a", name="alpha")
    time.sleep(0.005)
    create(standin, streamId="c", name="Gamma", type="ipCamera")
    standin.publish("b")

    def listing(query):
        status, body = standin.call("GET", BROADCASTS + "/list/0/50?" + query)
        assert status == 200
        return [broadcast["streamId"] for broadcast in body]

    assert listing("type_by=ipCamera") == ["c"]
    assert listing("sort_by=name&order_by=asc") == ["a", "b", "c"]
    assert listing("sort_by=name&order_by=desc") == ["c", "b", "a"]
    assert listing("sort_by=name") == ["b", "a", "c"]           # no order_by: not sorted
    assert listing("sort_by=status&order_by=asc") == ["b", "a", "c"]  # broadcasting < created
    assert listing("sort_by=date&order_by=desc") == ["c", "a", "b"]
    assert listing("search=AMM") == ["c"]                        # in the name, any case
    assert listing("search=b") == ["b"]                          # in the id
    assert listing("search=pH") == ["a"]                         # in the name
    assert standin.call("GET", BROADCASTS + "/count/amm")[1] == {"number": 1}


def test_sorting_by_name_fails_when_a_broadcast_has_no_name(standin):
    create(standin, streamId="named", name="Named")
    standin.publish("zombi1")  # a broadcast made by its publisher has no name
    status, _ = standin.call("GET", BROADCASTS + "/list/0/50?sort_by=name&order_by=asc")
    assert status == 500


def test_non_numeric_paging_is_404(standin):
    assert standin.call("GET", BROADCASTS + "/list/zero/10")[0] == 404


def test_active_live_stream_count(standin):
    create(standin, streamId="idle")
    standin.publish("live1")
    standin.publish("idle")
    assert standin.call("GET", BROADCASTS + "/active-live-stream-count")[1] == {"number": 2}
    standin.unpublish("idle")
    assert standin.call("GET", BROADCASTS + "/active-live-stream-count")[1] == {"number": 1}


def test_stop_ends_a_live_stream_and_fails_otherwise(standin):
    create(standin, streamId="made")
    status, body = standin.call("POST", BROADCASTS + "/made/stop")
    assert status == 200
    assert body == {"success": False, "message": "", "dataId": "", "errorId": 0}
    assert standin.call("POST", BROADCASTS + "/unknown/stop")[1]["success"] is False

    standin.publish("made")
    standin.publish("zombi1")
    assert standin.call("POST", BROADCASTS + "/made/stop")[1]["success"] is True
    assert standin.call("GET", BROADCASTS + "/made")[1]["status"] == "finished"   # created beforehand: kept
    assert standin.call("POST", BROADCASTS + "/zombi1/stop")[1]["success"] is True
    assert standin.call("GET", BROADCASTS + "/zombi1")[0] == 404                  # zombi: removed


def test_delete(standin):
    status, body = standin.call("DELETE", BROADCASTS + "/unknown")
    assert (status, body) == (200, {"success": False, "message": "", "dataId": "", "errorId": 0})

    create(standin, streamId="idle")
    assert standin.call("DELETE", BROADCASTS + "/idle")[1] == {
        "success": True, "message": "broadcast is deleted but could not stopped ", "dataId": "", "errorId": 0}
    assert standin.call("GET", BROADCASTS + "/idle")[0] == 404

    standin.publish("live1")
    body = standin.call("DELETE", BROADCASTS + "/live1")[1]
    assert body["success"] is True and body["message"] == "broadcast is deleted and stopped successfully"
    assert standin.call("GET", BROADCASTS + "/active-live-stream-count")[1] == {"number": 0}


def test_bulk_delete(standin):
    create(standin, streamId="one")
    create(standin, streamId="two")
    assert standin.call("DELETE", BROADCASTS + "?ids=one,two")[1]["success"] is True
    assert standin.call("GET", BROADCASTS + "/count")[1] == {"number": 0}
    assert standin.call("DELETE", BROADCASTS + "?ids=")[1]["message"] == "ids parameter is blank"


def test_unknown_application_and_path_are_html_404(standin):
    """An unknown context is a path of the root context: Tomcat's DefaultServlet sendError(404) with the
    resource named; an unknown path under /rest is Jersey's NotFoundException and a wrong method its
    NotAllowedException, both entity-less: the same HTML report (docs/server-contract.md, "Not-found
    answers"). So the status alone cannot tell an unknown app from a missing broadcast; broadcasts/count
    answers JSON in every application."""
    unknown_app = standin.call("GET", "/NoSuchApp/rest/v2/broadcasts/count")
    assert is_tomcat_error(unknown_app, 404)
    assert "The requested resource [/NoSuchApp/rest/v2/broadcasts/count] is not available" in unknown_app[1]
    assert is_tomcat_error(standin.call("GET", "/live/rest/v2/nothing"), 404)
    assert is_tomcat_error(standin.call("GET", BROADCASTS + "/missing"), 404)
    assert is_tomcat_error(standin.call("POST", BROADCASTS + "/count"), 405)
    assert standin.call("GET", BROADCASTS + "/count") == (200, {"number": 0})
