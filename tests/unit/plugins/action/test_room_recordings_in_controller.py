# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""room_recordings converged in the controller (the action plugin's run_in_controller) against the in-memory
server: the same validation, check mode without a write, no_log scrubbing and one-line failures as the module
process."""
from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.action import room_recordings as action
from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import run_in_controller

NAME = "mediaops.antmedia.room_recordings"
SECRET = "s3cret-for-the-jwt-filter-0123456789abcdef"
PLAY_TOKEN = "play-token-0042"


def run(args, check_mode=False, diff=True):
    args = dict(args)
    args.setdefault("app", "live")
    return run_in_controller(args, check_mode, diff)


def test_check_mode_sends_no_write(ams):
    result = run({"recordings": [{"room": "new"}, {"room": "gone", "state": "stopped"}]}, check_mode=True)
    assert result["changed"] is True and result["started"] == ["new_composite"]
    assert ams.writes == [] and [call.method for call in ams.calls] == ["GET"]  # the (empty) list, once
    assert result["diff"]["after"]["rooms"]["new_composite"] == {"state": "started", "recording": ["mp4"]}


def test_a_real_run_writes_and_a_second_run_does_not(ams):
    first = run({"recordings": [{"room": "new"}]})
    # the broadcast created with its recording set, then the push: no recording request afterwards
    assert first["changed"] is True and [call.path.rsplit("/", 2)[-2:] for call in ams.writes] == [
        ["broadcasts", "create"], ["media-push", "start"]]
    ams.calls[:] = []
    second = run({"recordings": [{"room": "new"}]})
    assert second["changed"] is False and ams.writes == []


def test_no_diff_when_not_asked(ams):
    assert "diff" not in run({"recordings": [{"room": "a"}]}, check_mode=True, diff=False)


def test_bad_arguments_fail_like_the_module_before_any_request(ams):
    unknown = run({"recordings": [{"room": "a"}], "colour": "red"})
    assert unknown["failed"] is True and ams.calls == []
    assert unknown["msg"].startswith("Unsupported parameters for (%s) module: colour." % NAME)
    both = run({"recordings": [{"room": "a"}], "jwt_secret": SECRET, "jwt_token": "a.b.c"})
    assert both["failed"] is True and "mutually exclusive: jwt_secret|jwt_token" in both["msg"]
    source = run({"recordings": [{"room": "a"}], "room_source": "hooks"})
    assert source["failed"] is True and "room_source" in source["msg"] and ams.calls == []


def test_bad_items_cost_only_themselves(ams):
    """Each bad item is refused on its own line (index, room, every error of it); the good rooms still converge."""
    result = run({"recordings": [{"room": "a"}, {"room": "a b", "record_type": "avi", "width": "wide"},
                                 {"room": "c"}]})
    assert result["failed"] is True and result["started"] == ["a_composite", "c_composite"]
    assert result["refused"] == ["recordings[1] (room 'a b'): room 'a b' must not contain spaces or other whitespace "
                                 "(U+0020); width 'wide' is not a whole number; record_type 'avi' must be one of mp4, "
                                 "webm"]
    assert [room["status"] for room in result["rooms"]] == ["changed", "refused", "changed"]
    assert result["msg"].startswith("http://127.0.0.1:5080 app live: 1 of 3 rooms not converged: recordings[1]")
    assert result["msg"].endswith("the others: started: a, c; unchanged: 0") and "\n" not in result["msg"]
    assert not [call for call in ams.writes if "a b" in call.path or "a%20b" in call.path]


def test_no_log_values_are_scrubbed_from_the_result(ams):
    result = run({"recordings": [{"room": "a", "token": PLAY_TOKEN}], "jwt_secret": SECRET})
    text = repr(result)
    assert result["changed"] is True and PLAY_TOKEN not in text and SECRET not in text
    assert result["invocation"]["module_args"]["jwt_secret"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_env_fallback_is_read_in_the_controller(ams, monkeypatch):
    monkeypatch.setenv("ANTMEDIA_APP", "live")
    result = run_in_controller({"recordings": [{"room": "a"}]}, True, False)
    assert result["invocation"]["module_args"]["app"] == "live" and result["started"] == ["a_composite"]


def test_warnings_are_returned(ams):
    result = run({"recordings": [{"room": "a"}], "validate_certs": False}, check_mode=True)
    assert any("validate_certs is false" in warning for warning in result["warnings"])


def test_an_unexpected_error_is_one_line_without_secrets(ams, monkeypatch):
    def broken(params, client, check_mode):
        raise RuntimeError("boom near\n%s" % params["jwt_secret"])
    monkeypatch.setattr(action, "converge_room_recordings", broken)
    result = run({"recordings": [{"room": "a"}], "jwt_secret": SECRET})
    assert result["failed"] is True and result["msg"].startswith(NAME + " failed in the controller: RuntimeError")
    assert SECRET not in result["msg"]
