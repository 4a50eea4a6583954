# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vod module (retention) through ansible-playbook against a real stand-in process. Deleting a VoD removes
its record and its file (docs/server-contract.md, "VoDs"; RestServiceBase.deleteVoD)."""

from __future__ import annotations

import time

DAY_MS = 24 * 3600 * 1000


def days_ago(days):
    return int(time.time() * 1000) - int(days * DAY_MS)


def vod_ids(ams, app="live"):
    status, body = ams.call("GET", "/%s/rest/v2/vods/list/0/250" % app)
    assert status == 200
    return sorted(vod["vodId"] for vod in body)


def deletes(ams, seq):
    return [entry for entry in ams.requests(seq) if entry["method"] == "DELETE"]


def retention(run_task, ams, **options):
    check, diff = options.pop("check", False), options.pop("diff", False)
    return run_task("vod", dict(url=ams.base_url(), app="live", **options), check=check, diff=diff)


def test_refuses_without_an_id_or_a_rule_and_sends_nothing(make_standin, run_task):
    ams = make_standin()
    ams.add_vod(streamId="cam", creationDate=days_ago(90))
    seq = ams.last_seq()
    refused = retention(run_task, ams)
    assert refused["failed"] is True
    assert refused["msg"].startswith("nothing selects the VoDs to delete") and "\n" not in refused["msg"]
    assert ams.requests(seq) == []


def test_retention_pages_the_whole_list_spares_live_streams_and_uploads_check_diff_and_rerun(make_standin, run_task):
    ams = make_standin()
    # 60 old recordings of one room: more than one page (the module asks 50 at a time)
    old_room = [ams.add_vod(streamId="board_composite", creationDate=days_ago(40 + index / 100.0))
                for index in range(60)]
    recent = ams.add_vod(streamId="board_composite", creationDate=days_ago(1))
    other_stream = ams.add_vod(streamId="camera1", creationDate=days_ago(40))
    upload = ams.add_vod(streamId="board_composite", creationDate=days_ago(50), type="uploadedVod")
    # a room still recording: its finished older VoD is spared too (its stream is broadcasting)
    ams.publish("live_composite")
    live_old = ams.add_vod(streamId="live_composite", creationDate=days_ago(60))
    live_newer = [ams.add_vod(streamId="live_composite", creationDate=days_ago(1)) for _unused in range(2)]
    rules = dict(stream_pattern=".*_composite", older_than_days=30, keep_last=2)
    # keep_last 2 keeps `recent` and the newest old one of board_composite
    kept_old = old_room[0]
    doomed = sorted(vod["vodId"] for vod in old_room[1:])

    seq = ams.last_seq()
    predicted = retention(run_task, ams, check=True, diff=True, **rules)
    assert predicted["changed"] is True
    assert sorted(vod["vodId"] for vod in predicted["deleted"]) == doomed
    assert deletes(ams, seq) == [] and ams.writes(seq) == []
    assert [vod["vodId"] for vod in predicted["spared"]] == [live_old["vodId"]]
    assert "live_composite is broadcasting" in predicted["spared"][0]["reason"]
    assert "spared" in predicted.stdout and live_old["vodId"] in predicted.stdout  # a warning
    before = predicted["diff"]["before"].splitlines()
    assert len(before) == 59 and all(line.split()[0] in doomed for line in before)
    assert predicted["diff"]["after"] == ""
    files = dict((vod["vodId"], ams.streams_dir() / vod["vodName"]) for vod in old_room + [live_old, upload])
    assert all(path.is_file() for path in files.values())

    done = retention(run_task, ams, diff=True, **rules)
    assert done["changed"] is True and not done.get("failed"), done
    assert sorted(vod["vodId"] for vod in done["deleted"]) == doomed
    assert vod_ids(ams) == sorted([kept_old["vodId"], recent["vodId"], other_stream["vodId"], upload["vodId"],
                                   live_old["vodId"]] + [vod["vodId"] for vod in live_newer])
    assert not any(files[vod_id].exists() for vod_id in doomed)
    assert files[kept_old["vodId"]].is_file() and files[upload["vodId"]].is_file()
    assert files[live_old["vodId"]].is_file()

    seq = ams.last_seq()
    again = retention(run_task, ams, **rules)
    assert again["changed"] is False and again["deleted"] == []
    assert deletes(ams, seq) == []

    # the stream ended: its VoD goes on the next run
    ams.unpublish("live_composite")
    after_end = retention(run_task, ams, **rules)
    assert [vod["vodId"] for vod in after_end["deleted"]] == [live_old["vodId"]]


def test_by_id_missing_is_absent_and_an_upload_needs_vod_types(make_standin, run_task):
    ams = make_standin()
    recording = ams.add_vod(streamId="cam", creationDate=days_ago(2))
    upload = ams.add_vod(streamId="file", type="uploadedVod", creationDate=days_ago(2))
    named = [recording["vodId"], upload["vodId"], "NoSuchVod0000000000000000"]
    first = retention(run_task, ams, vod_id=named)
    assert first["changed"] is True
    assert [vod["vodId"] for vod in first["deleted"]] == [recording["vodId"]]
    assert [vod["vodId"] for vod in first["spared"]] == [upload["vodId"]]
    assert "vod_types" in first["spared"][0]["reason"]
    assert vod_ids(ams) == [upload["vodId"]]

    uploads = retention(run_task, ams, vod_id=upload["vodId"], vod_types=["uploadedVod"])
    assert uploads["changed"] is True and vod_ids(ams) == []
    seq = ams.last_seq()
    assert retention(run_task, ams, vod_id=named)["changed"] is False
    assert deletes(ams, seq) == []


def test_a_failed_deletion_is_one_line_and_the_others_still_go(make_standin, run_task):
    ams = make_standin()
    stuck = ams.add_vod(streamId="cam", creationDate=days_ago(10))
    others = [ams.add_vod(streamId="cam", creationDate=days_ago(10)) for _unused in range(3)]
    ams.set_faults({"method": "DELETE", "path": "/vods/%s$" % stuck["vodId"], "kind": "status", "status": 500})
    result = retention(run_task, ams, older_than_days=5)
    assert result["failed"] is True and result["changed"] is True
    assert "\n" not in result["msg"] and stuck["vodId"] in result["msg"] and "HTTP 500" in result["msg"]
    assert [vod["vodId"] for vod in result["failed_vods"]] == [stuck["vodId"]]
    assert vod_ids(ams) == [stuck["vodId"]]
    assert sorted(vod["vodId"] for vod in result["deleted"]) == sorted(vod["vodId"] for vod in others)


def test_an_unreadable_broadcast_list_deletes_nothing(make_standin, run_task):
    ams = make_standin()
    ams.add_vod(streamId="cam", creationDate=days_ago(10))
    ams.set_faults({"method": "GET", "path": "/broadcasts/list/", "kind": "status", "status": 200, "count": 10})
    seq = ams.last_seq()
    result = retention(run_task, ams, older_than_days=5)
    assert result["failed"] is True and "\n" not in result["msg"]
    assert deletes(ams, seq) == [] and len(vod_ids(ams)) == 1


def test_bad_rules_are_refused_naming_the_option(make_standin, run_task):
    ams = make_standin()
    seq = ams.last_seq()
    for options, named in ((dict(keep_last=-1), "keep_last -1"), (dict(older_than_days="soon"), "older_than_days"),
                           (dict(stream_pattern="(unclosed"), "stream_pattern '(unclosed'"),
                           (dict(vod_id=12345), "vod_id 12345")):
        refused = retention(run_task, ams, **options)
        assert refused["failed"] is True and named in refused["msg"], refused
        assert "\n" not in refused["msg"] and "int" not in refused["msg"].split()
    assert ams.requests(seq) == []
