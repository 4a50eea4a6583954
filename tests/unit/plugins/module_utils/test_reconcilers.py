# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""media_push and broadcast_recording reconcilers against the in-memory server (at the client's
lowest level): which requests go out, and how unclear answers are settled by re-reading."""
from __future__ import annotations

import json

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import (
    AntMediaClient,
    ConnectionLost,
    ReadTimedOut,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._media_push import MediaPushReconciler, desired_push
from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import ReconcileError
from ansible_collections.mediaops.antmedia.plugins.module_utils._recording import RecordingReconciler, desired_recording
from ansible_collections.mediaops.antmedia.tests.unit.plugins.fake_ams import FakeResponse


def api():
    return AntMediaClient("http://127.0.0.1:5080", "live", retries=1)


def push(room="room1", **params):
    base = {"url": "http://127.0.0.1:5080", "app": "live", "room": room, "state": "started", "width": 1280,
            "height": 720, "extra_chrome_switches": [], "vod_timeout": 30}
    base.update(params)
    return desired_push(base)


def recording(**params):
    base = {"stream_id": "cam1", "state": "started", "record_type": "mp4", "vod_timeout": 30}
    base.update(params)
    return desired_recording(base)


def writes(ams):
    return ["%s %s%s" % (call.method, call.path.split("/rest/")[1],
                         "?" + "&".join("%s=%s" % item for item in sorted(call.params.items())) if call.params else "")
            for call in ams.writes]


# ---- media push --------------------------------------------------------------------------------
def test_mp4_is_set_on_a_new_broadcast_before_the_push_starts(ams):
    # MuxAdaptor.init reads the stored mp4Enabled when the stream starts: recorded from its first frame, with no
    # recording request to re-ask while the new stream's muxer is prepared
    outcome = MediaPushReconciler(api()).run(push(record_type="mp4"))
    assert writes(ams) == ["POST v2/broadcasts/create", "POST v1/media-push/start?streamId=room1_composite"]
    assert ams.writes[0].body == {"streamId": "room1_composite", "mp4Enabled": 1}
    assert "recordType" not in ams.writes[1].body
    assert outcome.changed and outcome.data["state"] == "started" and outcome.data["recording"] == ["mp4"]
    assert outcome.data["broadcast"]["streamId"] == "room1_composite"
    assert ams.recorders["room1_composite"] == {"mp4"}


def test_mp4_is_stored_on_a_finished_broadcast_then_the_push_starts(ams):
    ams.add_broadcast("room1_composite", status="finished", mp4Enabled=-1)
    outcome = MediaPushReconciler(api()).run(push(record_type="mp4"))
    assert writes(ams) == ["PUT v2/broadcasts/room1_composite/recording/true?recordType=mp4",
                           "POST v1/media-push/start?streamId=room1_composite"]
    assert outcome.changed and outcome.data["recording"] == ["mp4"] and ams.recorders["room1_composite"] == {"mp4"}


def test_a_finished_broadcast_set_to_record_needs_only_the_push(ams):
    ams.add_broadcast("room1_composite", status="finished", mp4Enabled=1)
    outcome = MediaPushReconciler(api()).run(push(record_type="mp4"))
    assert writes(ams) == ["POST v1/media-push/start?streamId=room1_composite"]
    assert outcome.changed and outcome.data["recording"] == ["mp4"]


def test_a_creation_refused_because_the_broadcast_appeared_stores_the_setting_on_it(ams):
    def appeared():  # another run created it between our read and our creation
        ams.add_broadcast("room1_composite", status="created")
        return ams.route("POST", "/live/rest/v2/broadcasts/create", {}, {"streamId": "room1_composite"})
    ams.inject("POST", "/broadcasts/create$", appeared)
    outcome = MediaPushReconciler(api()).run(push(record_type="mp4"))
    assert writes(ams) == ["POST v2/broadcasts/create",
                           "PUT v2/broadcasts/room1_composite/recording/true?recordType=mp4",
                           "POST v1/media-push/start?streamId=room1_composite"]
    assert outcome.changed and outcome.data["recording"] == ["mp4"] and ams.recorders["room1_composite"] == {"mp4"}


def test_a_lost_creation_answer_is_settled_by_the_recording_request(ams):
    def created_then_lost():
        ams.add_broadcast("room1_composite", status="created", mp4Enabled=1)
        raise ConnectionLost("the server closed the connection before answering")
    ams.inject("POST", "/broadcasts/create$", created_then_lost)
    outcome = MediaPushReconciler(api()).run(push(record_type="mp4"))
    assert writes(ams)[1:] == ["PUT v2/broadcasts/room1_composite/recording/true?recordType=mp4",
                               "POST v1/media-push/start?streamId=room1_composite"]
    assert outcome.changed and outcome.data["recording"] == ["mp4"]


def test_a_lost_creation_answer_without_a_broadcast_starts_no_push_and_says_why(ams):
    ams.inject("POST", "/broadcasts/create$", ConnectionLost("the server closed the connection before answering"))
    outcome = MediaPushReconciler(api()).run_many([push(record_type="mp4")])[0]
    assert "the creation of broadcast room1_composite got no answer" in outcome.failure
    assert "there is no broadcast room1_composite" in outcome.failure and "\n" not in outcome.failure
    assert not ams.sessions and not [call for call in writes(ams) if "media-push" in call]


def test_a_creation_that_fails_starts_no_push(ams):
    ams.inject("POST", "/broadcasts/create$", FakeResponse(500, text="<html>boom</html>", content_type="text/html"))
    outcome = MediaPushReconciler(api()).run_many([push(record_type="mp4")])[0]
    assert outcome.failure and "create" in outcome.failure and not ams.sessions
    assert [call for call in writes(ams) if "media-push" in call] == []


def test_webm_is_asked_for_after_the_push_starts(ams):
    # WebM is not set beforehand: an edition without WebM would keep the stored 1 and read as recording
    outcome = MediaPushReconciler(api()).run(push(record_type="webm"))
    assert writes(ams) == ["POST v1/media-push/start?streamId=room1_composite",
                           "PUT v2/broadcasts/room1_composite/recording/true?recordType=webm"]
    assert outcome.changed and outcome.data["recording"] == ["webm"] and ams.recorders["room1_composite"] == {"webm"}


def test_second_run_reads_only(ams):
    MediaPushReconciler(api()).run(push(record_type="mp4"))
    del ams.calls[:]
    outcome = MediaPushReconciler(api()).run(push(record_type="mp4"))
    assert not outcome.changed and ams.writes == []
    assert outcome.before == outcome.after


def test_check_mode_sends_no_write(ams):
    outcome = MediaPushReconciler(api(), check_mode=True).run(push(record_type="mp4"))
    assert outcome.changed and ams.writes == []
    assert outcome.after["state"] == "started" and outcome.after["recording"] == ["mp4"]
    assert ams.broadcasts == {}


def test_push_started_with_record_type_elsewhere_is_not_taken_for_not_recording(ams):
    ams.add_push("room1_composite", record_type="mp4")  # recording, fields say 0
    outcome = MediaPushReconciler(api()).run(push(record_type="mp4"))
    assert writes(ams) == ["PUT v2/broadcasts/room1_composite/recording/true?recordType=mp4"]
    assert not outcome.changed  # the server answered "couldn't be started": no change...
    # ...but only a field that reads 1 counts as started: the state stays unknown, and says why
    assert outcome.data["recording"] == [] and "mp4" in outcome.data["recording_unknown"]
    assert "mp4Enabled does not read 1" in outcome.warnings[-1]


def test_circle_push_is_seen_as_recording_without_asking(ams):
    ams.add_push("room1_composite", record_type="mp4")
    ams.add_broadcast("room1", metaData=json.dumps({"isRecording": True}))
    outcome = MediaPushReconciler(api(), check_mode=True).run(push(record_type="mp4"))
    assert not outcome.changed and ams.writes == []


def test_lost_start_answer_is_settled_by_reading_never_by_resending(ams, clock):
    def start_then_lose_the_answer():
        ams.add_push("room1_composite")  # the server did start it...
        raise ReadTimedOut("no answer within 120 s (timeout)")  # ...but the answer never came

    ams.inject("POST", "/media-push/start$", start_then_lose_the_answer)
    outcome = MediaPushReconciler(api()).run(push())
    assert outcome.changed and outcome.data["state"] == "started"
    # one start, never re-sent; then the plugin is asked whether it holds the session (a publisher may have taken the
    # id meanwhile)
    assert [call.path.split("/media-push/")[1] for call in ams.calls if "media-push" in call.path] == [
        "start", "send-command"]


def test_lost_start_answer_and_another_publisher_on_the_id_is_named(ams, clock):
    def someone_else_publishes():
        ams.add_broadcast("room1_composite", metaData=json.dumps({"driverIp": "10.0.0.5"}))  # no session
        raise ReadTimedOut("no answer within 120 s (timeout)")

    ams.inject("POST", "/media-push/start$", someone_else_publishes)
    with pytest.raises(ReconcileError) as error:
        MediaPushReconciler(api()).run(push(record_type="mp4"))
    assert "got no answer" in error.value.message and "taken by another publisher" in error.value.message
    assert [call.path.rsplit("/", 1)[1] for call in ams.writes if "/recording/" in call.path] == ["false"]


def test_a_start_refused_after_the_plugins_wait_names_the_publisher_in_one_line(ams, clock):
    """The id was published by someone else after the read: the plugin waits its 30 s for the page's stream, then
    fails with Selenium's timeout (docs/server-contract.md, "Media Push plugin")."""
    def taken_meanwhile():
        ams.add_broadcast("room1_composite", metaData=None)
        return FakeResponse(200, {"success": False, "errorId": 0, "dataId": "", "message": (
            "Error message is Expected condition failed: waiting for js return window.isConnected('room1_composite') "
            "to be executable (tried for 30 second(s) with 500 milliseconds interval)\nBuild info: version: '4'")})

    ams.inject("POST", "/media-push/start$", taken_meanwhile)
    with pytest.raises(ReconcileError) as error:
        MediaPushReconciler(api()).run(push(record_type="mp4"))
    assert "\n" not in error.value.message
    assert "room room1: stream id room1_composite taken by another publisher" in error.value.message
    assert "30 s wait" in error.value.message and "mp4 setting this run stored on it was withdrawn" in error.value.message
    assert [call.path.rsplit("/", 2)[-2:] for call in ams.writes if "/recording/" in call.path] == [
        ["recording", "false"]]  # created with mp4Enabled 1 (armed), withdrawn: the other publisher is not recorded


def test_lost_start_answer_and_nothing_broadcasting_fails_without_resending(ams, clock):
    ams.inject("POST", "/media-push/start$", ReadTimedOut("no answer within 120 s (timeout)"))
    with pytest.raises(ReconcileError) as error:
        MediaPushReconciler(api()).run(push())
    assert "got no answer" in error.value.message and "not re-sent" in error.value.message
    assert [call.method for call in ams.calls if "media-push" in call.path] == ["POST"]
    assert error.value.changed is False


def test_already_exists_waits_for_an_in_flight_start_and_never_advises_a_stop(ams, clock):
    ams.sessions["room1_composite"] = {}
    ams.add_broadcast("room1_composite", status="finished", metaData=None)
    client = api()
    client.timeout = 40
    started = clock.now
    with pytest.raises(ReconcileError) as error:
        MediaPushReconciler(client).run(push())
    assert "did not start broadcasting within 40 s" in error.value.message
    assert "may still be in progress" in error.value.message and "stop" not in error.value.message
    assert 40 <= clock.now - started <= 40 + 2  # waited the whole timeout, polling, and no longer
    assert [call.path for call in ams.writes] == ["/live/rest/v1/media-push/start"]  # never a second start


def test_already_exists_then_the_in_flight_start_finishes(ams, clock):
    ams.sessions["room1_composite"] = {}
    ams.add_broadcast("room1_composite", status="created", metaData=None)
    reads = []

    def the_start_finishes():
        reads.append(1)
        if len(reads) == 3:  # the third read after the refusal: the other start has connected
            ams.broadcasts["room1_composite"].update(status="broadcasting", metaData=json.dumps({"driverIp": "10.0.0.5"}))
        return FakeResponse(200, ams.shown(ams.broadcasts["room1_composite"]))

    for _read in range(3):
        ams.inject("GET", "/broadcasts/room1_composite$", the_start_finishes)
    outcome = MediaPushReconciler(api()).run(push())
    assert not outcome.changed and outcome.data["state"] == "started"
    assert "started by someone else meanwhile" in outcome.warnings[0]
    assert [call.path for call in ams.writes] == ["/live/rest/v1/media-push/start"]


def test_stop_and_return_the_vod(ams):
    MediaPushReconciler(api()).run(push(record_type="mp4"))
    outcome = MediaPushReconciler(api()).run(push(state="stopped"))
    # the broadcast was created beforehand: it stays, finished, and a re-run has nothing to stop
    assert outcome.changed and outcome.data["state"] == "stopped" and outcome.data["broadcast"]["status"] == "finished"
    assert [vod["vodName"] for vod in outcome.data["vods"]] == ["room1_composite.mp4"]
    # its stored setting (1) is what the next start records, not a recording now
    assert outcome.data["recording"] == [] and outcome.after["recording"] == []
    again = MediaPushReconciler(api()).run(push(state="stopped"))
    assert not again.changed and again.data["recording"] == [] and again.data["state"] == "stopped"
    assert again.before == again.after  # a re-run shows no difference
    assert writes(ams)[-1] == "POST v1/media-push/stop/room1_composite"


def test_stop_timeout_message_still_counts_as_stopped(ams, clock):
    ams.add_push("room1_composite")
    ams.inject("POST", "/media-push/stop/", FakeResponse(200, {"success": False, "message": "Timeoutexception occured in stopping the stream"}))
    ams.inject("GET", "/broadcasts/room1_composite$", FakeResponse(200, ams.broadcasts["room1_composite"]))
    del ams.broadcasts["room1_composite"]
    outcome = MediaPushReconciler(api()).run(push(state="stopped"))
    assert outcome.changed and "closed its browser anyway" in outcome.warnings[0]


def test_stop_without_a_driver_here_fails_when_it_still_broadcasts(ams):
    ams.add_broadcast("room1_composite", metaData=json.dumps({"driverIp": "10.0.0.9"}))
    with pytest.raises(ReconcileError, match="holds no session for it"):
        MediaPushReconciler(api()).run(push(state="stopped"))
    assert not any("/media-push/stop/" in call.path for call in ams.calls)  # never forwarded to that driverIp


def test_batch_reads_the_list_once_and_starts_rooms_concurrently(ams):
    ams.add_push("r2_composite", record_type=None, mp4Enabled=1)
    engine = MediaPushReconciler(api())
    outcomes = engine.run_many([push(room="r%d" % n, record_type="mp4") for n in range(1, 4)], max_workers=3)
    gets = [call.path for call in ams.calls if call.method == "GET" and "/list/" in call.path]
    assert gets == ["/live/rest/v2/broadcasts/list/0/50", "/live/rest/v2/broadcasts/list/1/50"]
    assert [outcome.changed for outcome in outcomes] == [True, False, True]
    assert sorted(ams.sessions) == ["r1_composite", "r2_composite", "r3_composite"]


# ---- broadcast recording -----------------------------------------------------------------------
def test_recording_start_and_idempotence(ams):
    ams.add_broadcast("cam1")
    ams.broadcasts["cam1"]["mp4Enabled"] = -1
    assert RecordingReconciler(api()).run(recording()).changed
    del ams.calls[:]
    outcome = RecordingReconciler(api()).run(recording())
    assert not outcome.changed and ams.writes == [] and outcome.data["recording"] == ["mp4"]


def test_recording_stop_returns_the_new_vod(ams):
    ams.add_broadcast("cam1", recording=["mp4"], mp4Enabled=1)
    ams.finalise("cam1", "mp4")  # an older recording of the same stream
    outcome = RecordingReconciler(api()).run(recording(state="stopped"))
    assert outcome.changed and len(outcome.data["vods"]) == 1
    assert outcome.data["vods"][0]["vodId"] == "vod%021d" % 2
    assert outcome.data["recording"] == []


def test_recording_lost_answer_settled_by_the_stored_field(ams):
    ams.add_broadcast("cam1", mp4Enabled=-1)
    ams.inject("PUT", "/recording/true$", ReadTimedOut("no answer within 120 s (timeout)"))
    with pytest.raises(ReconcileError, match="got no answer"):
        RecordingReconciler(api()).run(recording())
    assert len(ams.writes) == 1


def test_recording_refused_by_the_server_fails_with_its_message(ams):
    ams.add_broadcast("cam1", mp4Enabled=-1)
    message = "Please send mp4 recording request to 10.0.0.2 node or send request in a stopped status."
    ams.inject("PUT", "/recording/true$", FakeResponse(200, {"success": False, "message": message}))
    with pytest.raises(ReconcileError, match="refused to start mp4 recording: Please send mp4 recording request to 10.0.0.2"):
        RecordingReconciler(api()).run(recording())


def test_recording_of_a_missing_broadcast_fails_before_writing(ams):
    with pytest.raises(ReconcileError, match="there is no broadcast cam1"):
        RecordingReconciler(api()).run(recording())
    assert ams.writes == []


def test_a_fresh_push_not_ready_to_record_is_asked_again_only_after_a_wait(ams, clock):
    # right after a push starts its muxer is still being prepared: "couldn't be started" (contract, "mp4
    # recording couldn't be started" is ambiguous); the re-ask waits first instead of repeating at once
    ams.inject("PUT", "/recording/true$", FakeResponse(200, {"success": False,
                                                             "message": "webm recording couldn't be started"}))
    outcome = MediaPushReconciler(api()).run(push(record_type="webm"))
    assert outcome.changed and outcome.data["recording"] == ["webm"]
    assert writes(ams) == ["POST v1/media-push/start?streamId=room1_composite",
                           "PUT v2/broadcasts/room1_composite/recording/true?recordType=webm",
                           "PUT v2/broadcasts/room1_composite/recording/true?recordType=webm"]
    assert clock.sleeps == [0.25]
