# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""server_info through ansible-playbook against real stand-in processes."""

from __future__ import annotations

import pytest


def info(run_task, ams, apps=("live", "LiveApp"), **extra):
    return run_task("server_info", dict(url=ams.base_url(), apps=list(apps), **extra))


def test_plugin_missing_then_loaded_after_restart(make_standin, run_task):
    ams = make_standin()
    before = info(run_task, ams)
    assert before["ready"] is True and before["changed"] is False
    assert before["apps"]["live"]["media_push_loaded"] is False
    assert before["apps"]["LiveApp"]["media_push_loaded"] is False

    ams.install_media_push_jar()
    assert info(run_task, ams)["apps"]["live"]["media_push_loaded"] is False, "plugins load only at start"
    ams.restart()
    after = info(run_task, ams)
    assert after["apps"]["live"]["media_push_loaded"] is True
    assert after["apps"]["LiveApp"]["media_push_loaded"] is True


def test_lists_live_pushes_and_recordings_and_sends_no_write(make_standin, run_task):
    ams = make_standin(media_push=True)
    ams.join("board", "alice")
    ams.circle_record("board")
    ams.publish("camera1")
    ams.publish("camera2")
    ams.call("PUT", "/live/rest/v2/broadcasts/camera2/recording/true?recordType=mp4")
    seq = ams.last_seq()
    found = info(run_task, ams, apps=["live"])
    live = found["apps"]["live"]
    assert live["active_pushes"] == ["board_composite"]
    # the push records (Circle) and camera2 records; alice and camera1 only publish
    assert live["active_recordings"] == ["board_composite", "camera2"]
    assert live["active_broadcasts"] >= 4
    assert ams.writes(seq) == []

    ams.circle_stop("board")
    ams.call("PUT", "/live/rest/v2/broadcasts/camera2/recording/false?recordType=mp4")
    quiet = info(run_task, ams, apps=["live"])["apps"]["live"]
    assert quiet["active_pushes"] == []
    assert quiet["active_recordings"] == []


def test_not_ready_while_starting_and_when_down(make_standin, run_task):
    ams = make_standin(start=False, init_delay=30)
    ams.start(wait_ready=False)
    starting = info(run_task, ams, apps=["live"])
    assert starting["ready"] is False and "initializ" in starting["not_ready_reason"]
    assert starting["apps"] == {} and starting.result.get("failed", False) is False
    ams.stop()  # returns once the process has exited: nothing to wait for
    down = info(run_task, ams, apps=["live"])
    assert down["ready"] is False and down["not_ready_reason"]


def test_an_unknown_app_is_unreadable_and_a_bad_app_name_fails_clearly(standin, run_task):
    standin.publish("camera2")
    standin.call("PUT", "/live/rest/v2/broadcasts/camera2/recording/true?recordType=mp4")
    missing = info(run_task, standin, apps=["live", "NoSuchApp"])
    assert missing.result.get("failed", False) is False and missing["ready"] is False
    assert [item["app"] for item in missing["unreadable"]] == ["NoSuchApp"]
    assert "there is no application NoSuchApp" in missing["unreadable"][0]["reason"]
    assert missing["busy"] == [dict(app="live", stream_id="camera2", media_push=False, recording=True)]
    seq = standin.last_seq()
    bad = info(run_task, standin, apps=["../etc"])
    assert bad["failed"] is True and "apps[0]" in bad["msg"] and "../etc" in bad["msg"]
    assert standin.requests(seq) == []


# Issue 26: the restart guard fails closed. Answers as a real server or a proxy in front of it can give them
# (docs/server-contract.md, "Not-found answers": error pages are HTML; "Security filters": a refusal
# is an HTML 403 page).
def test_busy_names_what_a_restart_would_cut_in_every_app(make_standin, run_task):
    ams = make_standin(media_push=True)
    ams.join("board", "alice")
    ams.circle_record("board")
    ams.publish("lecture", app="LiveApp")
    ams.call("PUT", "/LiveApp/rest/v2/broadcasts/lecture/recording/true?recordType=webm")
    found = info(run_task, ams)
    assert found["busy"] == [
        dict(app="live", stream_id="board_composite", media_push=True, recording=True),
        dict(app="LiveApp", stream_id="lecture", media_push=False, recording=True),
    ]
    assert found["unreadable"] == [] and found["ready"] is True


@pytest.mark.parametrize("rule, reason", [
    (dict(kind="status", status=200), "broadcast list"),                  # an HTML page with 200 (a proxy, a portal)
    (dict(kind="status", status=403), "HTTP 403"),
    (dict(kind="slow", delay=4), "timeout"),                        # the module's timeout is 2 s below
], ids=["html-200", "403", "slow"])
def test_what_cannot_be_read_is_unreadable_never_idle(make_standin, run_task, rule, reason):
    ams = make_standin(media_push=True)
    ams.join("board", "alice")
    ams.circle_record("board")
    ams.set_faults(dict(rule, method="GET", path="/live/rest/v2/broadcasts/list"))
    found = info(run_task, ams, apps=["live"], timeout=2)
    assert found.result.get("failed", False) is False
    assert found["busy"] == [] and found["ready"] is False
    assert [item["app"] for item in found["unreadable"]] == ["live"] and reason in found["unreadable"][0]["reason"]
    assert ams.faults()["rules"][0]["remaining"] == 0


def test_the_edition_is_the_servers(make_standin, run_task):
    assert info(run_task, make_standin(), apps=["live"])["edition"] == "Enterprise"
    assert info(run_task, make_standin(extra_args=("--edition", "community")), apps=["live"])["edition"] == "Community"
