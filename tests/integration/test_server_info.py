# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""server_info through ansible-playbook against real stand-in processes."""

from __future__ import annotations


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


def test_unknown_app_and_bad_app_name_fail_clearly(standin, run_task):
    missing = info(run_task, standin, apps=["live", "NoSuchApp"])
    assert missing["failed"] is True and "NoSuchApp" in missing["msg"]
    seq = standin.last_seq()
    bad = info(run_task, standin, apps=["../etc"])
    assert bad["failed"] is True and "apps[0]" in bad["msg"] and "../etc" in bad["msg"]
    assert standin.requests(seq) == []
