# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.yml's findings: per host (drift_host) and for the fleet (drift_summary)."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mediaops.antmedia.plugins.filter.drift_host import drift_host
from ansible_collections.mediaops.antmedia.plugins.filter.drift_report_base import drift_report_base
from ansible_collections.mediaops.antmedia.plugins.filter.drift_summary import drift_summary

REACHED = {"ping": "pong", "changed": False}
PLUGIN_OK = {"jar_version_wanted": "2.11.3", "jar_version_found": "2.11.3", "server_version": "2.11.3",
             "jar_sha1_wanted": "0123456789abcdef0123", "jar_sha1_found": "0123456789abcdef0123", "not_loaded_in": [],
             "jar_changed": False, "browser_package": "chromium,chromium-driver", "browser_changed": False}


def test_a_host_as_declared_has_no_drift():
    result = drift_host({"reach": REACHED, "connection": "ssh", "plugin_wanted": True, "plugin": PLUGIN_OK,
                         "settings": {"changed": False, "changed_keys": []},
                         "recordings": {"changed": False, "rooms": [{"stream_id": "a_composite", "action": "none"}]}})
    assert result == {"not_checked": [], "found": {
        "plugin": {"drift": False, "expected": "media-push 2.11.3 (the server is 2.11.3), sha1 0123456789ab, loaded",
                   "found": "as expected"},
        "browser": {"drift": False, "expected": "chromium,chromium-driver installed", "found": "as expected"},
        "settings": {"drift": False, "expected": "as declared", "found": "as declared"},
        "recordings": {"drift": False, "expected": "1 rooms as declared", "found": "as expected"}}}


def test_plugin_of_another_version_not_loaded_and_browser_missing():
    state = dict(PLUGIN_OK, jar_version_found="3.0.2", jar_sha1_found="fedcba9876543210", jar_changed="True",
                 not_loaded_in=["live", "LiveApp"], browser_changed=True)
    found = drift_host({"reach": REACHED, "plugin_wanted": True, "plugin": state})["found"]
    assert found["plugin"] == {
        "drift": True, "expected": "media-push 2.11.3 (the server is 2.11.3), sha1 0123456789ab, loaded",
        "found": "media-push 3.0.2, sha1 fedcba987654; media-push 3.0.2 does not match the server version 2.11.3; "
                 "installed, not loaded (no Media Push routes in live, LiveApp)"}
    assert found["browser"] == {"drift": True, "expected": "chromium,chromium-driver installed", "found": "missing"}


def test_plugin_missing_on_an_unreadable_server():
    state = dict(PLUGIN_OK, jar_version_found="", jar_sha1_found=None, jar_sha1_wanted=None, server_version="",
                 jar_changed=True, not_loaded_in=[])
    plugin = drift_host({"reach": REACHED, "plugin_wanted": True, "plugin": state})["found"]["plugin"]
    assert plugin == {"drift": True, "expected": "media-push 2.11.3 (the server is ?), sha1 ?, loaded",
                      "found": "media-push missing"}


@pytest.mark.parametrize("connection", ["local", "ansible.builtin.local"])
def test_plugin_and_browser_not_checked_on_a_local_connection(connection):
    result = drift_host({"reach": REACHED, "connection": connection, "plugin_wanted": True,
                         "settings": {"changed": False}})
    assert result["found"]["plugin"]["not_checked"] == "connection local"
    assert result["found"]["browser"] == {"drift": False, "not_checked": "connection local", "expected": "", "found": ""}
    assert result["found"]["settings"]["drift"] is False and result["not_checked"] == []
    # not asked for: no column at all
    assert "plugin" not in drift_host({"reach": REACHED, "connection": connection, "plugin_wanted": False})["found"]


def test_settings_drift_shows_values_without_secrets():
    result = {"changed": True, "changed_keys": ["hlsMuxingEnabled", "clusterCommunicationKey"],
              "diff": {"before": {"hlsMuxingEnabled": False, "clusterCommunicationKey": "server-key-0123"},
                       "after": {"hlsMuxingEnabled": True, "clusterCommunicationKey": "declared-key-0123"}}}
    settings = drift_host({"reach": REACHED, "settings": result})["found"]["settings"]
    assert settings == {"drift": True, "expected": "hlsMuxingEnabled=True, clusterCommunicationKey=********",
                        "found": "hlsMuxingEnabled=False, clusterCommunicationKey=********"}


def test_settings_drift_of_the_hook_url_says_it_differs_without_the_secret():
    secret = "k1" + "0f3a" * 12
    result = {"changed": True, "changed_keys": ["listenerHookURL"],
              "diff": {"before": {"listenerHookURL": "http://10.0.0.9:5001/ams/old0" + secret},
                       "after": {"listenerHookURL": "http://10.0.0.9:5001/ams/" + secret}}}
    settings = drift_host({"reach": REACHED, "settings": result})["found"]["settings"]
    assert settings == {"drift": True, "expected": "listenerHookURL=http://10.0.0.9:5001/ams/********",
                        "found": "hook URL differs"}
    assert secret not in str(settings)


def test_recordings_changes_and_undeclared_formats():
    rooms = [{"stream_id": "weekly_composite", "action": "start", "undeclared_formats": []},
             {"stream_id": "board_composite", "action": "none", "undeclared_formats": ["webm"]},
             {"stream_id": "quiet_composite", "action": "none"}]
    recordings = drift_host({"reach": REACHED, "recordings": {"changed": True, "rooms": rooms}})["found"]["recordings"]
    assert recordings == {"drift": True, "expected": "3 rooms as declared",
                          "found": "weekly_composite needs start, board_composite records webm (not declared)"}
    # check mode predicts no change, yet the undeclared recording is drift
    only_undeclared = drift_host({"reach": REACHED, "recordings": {"changed": False, "rooms": rooms[1:]}})
    assert only_undeclared["found"]["recordings"] == {
        "drift": True, "expected": "2 rooms as declared", "found": "board_composite records webm (not declared)"}


def test_unreachable_error_and_failed_checks_are_not_checked():
    unreachable = drift_host({"reach": {"unreachable": True, "msg": "Failed to connect\nsecond line"},
                              "plugin_wanted": True})
    assert unreachable == {"found": {}, "not_checked": ["unreachable: Failed to connect"]}
    error = drift_host({"reach": {"failed": True}, "plugin_wanted": True})
    assert error == {"found": {}, "not_checked": ["error: no answer"]}
    failed = drift_host({"reach": REACHED, "errors": ["settings: HTTP 401"], "settings": {"failed": True, "msg": "x"},
                         "recordings": {"skipped": True}})
    # the failed check has its column (not checked, with its reason), the host is not checked
    assert failed == {"found": {"settings": {"drift": False, "not_checked": "HTTP 401", "failed": True, "expected": "",
                                             "found": ""}},
                      "not_checked": ["settings: HTTP 401"]}


def test_a_failed_check_leaves_the_other_columns_filled():
    findings = drift_host({"reach": REACHED, "plugin_wanted": True, "plugin": PLUGIN_OK,
                           "errors": ["settings: HTTP 401 from http://127.0.0.1:5080"],
                           "recordings": {"changed": True, "rooms": [{"stream_id": "a_composite", "action": "start"}]}})
    assert sorted(findings["found"]) == ["browser", "plugin", "recordings", "settings"]
    assert findings["found"]["plugin"]["found"] == "as expected"
    assert findings["found"]["recordings"]["drift"] is True
    summary = drift_summary(["m1"], [findings])
    assert [cell["kind"] for cell in summary["cells"]["m1"]] == ["ok", "ok", "not_checked", "drift"]
    assert summary["cells"]["m1"][2]["text"] == "HTTP 401 from http://127.0.0.1:5080"
    assert summary["unchecked"] == {"m1": ["settings: HTTP 401 from http://127.0.0.1:5080"]}
    # a plugin check that failed blanks neither settings nor recordings, and marks the browser too
    plugin_failed = drift_host({"reach": REACHED, "plugin_wanted": True, "errors": ["plugin: no sudo"],
                                "settings": {"changed": False}})
    assert plugin_failed["found"]["browser"]["not_checked"] == "no sudo"
    assert plugin_failed["found"]["settings"]["found"] == "as declared"


def test_table_verdicts_and_run_verdict():
    clean = {"found": {"settings": {"drift": False}, "recordings": {"drift": False}}, "not_checked": []}
    drifted = {"found": {"recordings": {"drift": True, "expected": "1 rooms as declared",
                                        "found": "ams-a_composite needs start"}}, "not_checked": []}
    local = {"found": {"plugin": {"drift": False, "not_checked": "connection local"}}, "not_checked": []}
    unreachable = {"found": {}, "not_checked": ["unreachable: no route\nto host"]}
    summary = drift_summary(["ams-a", "ams-bb", "local", "gone"], [clean, drifted, local, unreachable],
                            concerns=["plugin", "settings", "recordings"])
    assert summary["table"] == [
        "host    plugin                                      settings     recordings",
        "ams-a   -                                           ok           ok",
        "ams-bb  -                                           -            DRIFT: expected 1 rooms as declared, found "
        "ams-a_composite needs start",
        "local   not checked (connection local)              -            -",
        "gone    NOT CHECKED: unreachable: no route to host  not checked  not checked",
        "",
        '1 of 4 hosts drifted (ams-bb) and 1 not checked (gone): not checked is never "no drift"']
    assert summary["verdicts"] == {"ams-a": "no drift", "ams-bb": "DRIFT: recordings expected 1 rooms as declared, "
                                   "found ams-a_composite needs start", "local": "no drift",
                                   "gone": "NOT CHECKED: unreachable: no route to host"}
    assert summary["verdict"].startswith("1 of 4 hosts drifted (ams-bb) and 1 not checked (gone)")
    assert drift_summary(["a"], [clean])["verdict"] == "No drift on 1 hosts, all checked"


def test_summary_sorts_hosts_fail_closed():
    clean = {"found": {"settings": {"drift": False, "expected": "as declared", "found": "as declared"}},
             "not_checked": []}
    drifted = {"found": {"recordings": {"drift": True, "expected": "1 rooms as declared", "found": "a needs start"}},
               "not_checked": []}
    local = {"found": {"plugin": {"drift": False, "not_checked": "connection local"}}, "not_checked": []}
    summary = drift_summary(["m1", "m2", "m3", "ghost", "broken", "local"],
                            [clean, drifted, {"found": {}, "not_checked": ["unreachable: no route"]}, None, {}, local])
    assert dict((key, summary[key]) for key in ("hosts", "checked", "unchecked", "drifted", "found")) == {
        "hosts": ["m1", "m2", "m3", "ghost", "broken", "local"],
        "checked": ["m1", "m2", "local"],
        "unchecked": {"m3": ["unreachable: no route"], "ghost": ["the run failed on this host"],
                      "broken": ["the run failed on this host"]},
        "drifted": ["m2"],
        "found": {"m1": clean["found"], "m2": drifted["found"], "m3": {}, "ghost": {}, "broken": {},
                  "local": local["found"]}}


def test_summary_a_host_not_checked_is_never_drifted():
    partial = {"found": {"recordings": {"drift": True}}, "not_checked": ["settings: HTTP 500"]}
    summary = drift_summary(["m1"], [partial])
    assert summary["drifted"] == [] and summary["unchecked"] == {"m1": ["settings: HTTP 500"]}
    assert summary["checked"] == []


def test_summary_refuses_mismatched_lists():
    with pytest.raises(AnsibleFilterError, match="2 hosts but 1 findings"):
        drift_summary(["a", "b"], [{}])


@pytest.mark.parametrize("given", ["out/report.md", "out/report.html", "out/report", "out/report.MD", "./out/report.md"])
def test_report_base_taken_with_or_without_extension(given):
    assert drift_report_base(given, "/home/op") == "/home/op/out/report"


def test_report_base_absolute_kept_and_folder_refused():
    assert drift_report_base("/srv/reports/drift.v2", "/home/op") == "/srv/reports/drift.v2"
    for bad in ("", "out/", None):
        with pytest.raises(AnsibleFilterError, match="antmedia_drift_report must name a file"):
            drift_report_base(bad, "/home/op")
