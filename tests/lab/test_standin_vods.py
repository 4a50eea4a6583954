# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deleting VoDs as AMS does (docs/server-contract.md, "VoDs"): `DELETE /{APP}/rest/v2/vods/{id}`
(VoDRestService.deleteVoD, RestServiceBase.deleteVoD in ant-media/Ant-Media-Server
src/main/java/io/antmedia/rest/RestServiceBase.java) removes the file webapps/APP/filePath, its
preview, then the record, and answers `{"success": true, "message": "vod deleted"}`; a missing id is
HTTP 200 with `success: false` and an empty message."""

from __future__ import annotations

from standin_helpers import vods, wait_vods

BROADCASTS = "/live/rest/v2/broadcasts"


def test_delete_removes_the_record_and_the_file_of_a_recording(standin):
    standin.publish("doomed")
    assert standin.call("PUT", BROADCASTS + "/doomed/recording/true")[1]["success"] is True
    assert standin.call("PUT", BROADCASTS + "/doomed/recording/false")[1]["success"] is True
    [vod] = wait_vods(standin, "doomed")
    path = standin.server_root() / "webapps" / "live" / vod["filePath"]
    assert path.is_file()

    status, answer = standin.call("DELETE", "/live/rest/v2/vods/%s" % vod["vodId"])
    assert status == 200
    assert (answer["success"], answer["message"]) == (True, "vod deleted")
    assert not path.exists()
    assert vods(standin, "doomed") == []
    assert standin.call("GET", "/live/rest/v2/vods/%s" % vod["vodId"])[1]["vodId"] is None
    standin.unpublish("doomed")


def test_delete_of_a_missing_id_is_200_success_false_with_an_empty_message(standin):
    status, answer = standin.call("DELETE", "/live/rest/v2/vods/no-such-vod")
    assert status == 200
    assert (answer["success"], answer["message"]) == (False, "")


def test_delete_takes_only_that_vod_and_only_in_its_app(standin):
    kept = standin.add_vod(streamId="s", vodName="kept.mp4")
    gone = standin.add_vod(streamId="s", vodName="gone.mp4")
    other_app = standin.add_vod(app="LiveApp", streamId="s", vodName="gone.mp4", vodId=gone["vodId"])
    assert standin.call("DELETE", "/live/rest/v2/vods/%s" % gone["vodId"])[1]["success"] is True
    streams = standin.streams_dir()
    assert (streams / "kept.mp4").is_file() and not (streams / "gone.mp4").exists()
    assert [vod["vodId"] for vod in vods(standin, "s")] == [kept["vodId"]]
    assert [vod["vodId"] for vod in vods(standin, "s", app="LiveApp")] == [other_app["vodId"]]
    assert (standin.streams_dir(app="LiveApp") / "gone.mp4").is_file()
