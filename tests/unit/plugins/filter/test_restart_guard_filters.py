# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""restart_blockers and service_down: the antmedia_service guard's decisions (issue 26), failing closed."""
from __future__ import annotations

import pytest

from ansible_collections.mediaops.antmedia.plugins.filter.restart_blockers import restart_blockers
from ansible_collections.mediaops.antmedia.plugins.filter.service_down import service_down

APPS = ["live", "LiveApp"]


def state(busy=(), unreadable=(), apps=None):
    apps = APPS if apps is None else apps
    return dict(changed=False, ready=not unreadable, busy=list(busy), unreadable=list(unreadable),
                apps={app: {} for app in apps if app not in [item["app"] for item in unreadable]})


def test_an_idle_readable_server_has_no_blocker():
    assert restart_blockers(state(), APPS) == []


def test_pushes_and_recordings_are_listed_per_app():
    busy = [dict(app="live", stream_id="board_composite", media_push=True, recording=True),
            dict(app="live", stream_id="camera2", media_push=False, recording=True),
            dict(app="LiveApp", stream_id="quiet_composite", media_push=True, recording=False)]
    assert restart_blockers(state(busy), APPS) == [
        "app live: media pushes [board_composite], recordings [board_composite, camera2]",
        "app LiveApp: media pushes [quiet_composite], recordings []",
    ]


def test_what_could_not_be_read_is_a_blocker_naming_the_reason():
    unreadable = [dict(app="live", reason="cannot reach http://127.0.0.1:5080: no answer within 10 s (timeout)")]
    assert restart_blockers(state(unreadable=unreadable), APPS) == [
        "app live could not be read: cannot reach http://127.0.0.1:5080: no answer within 10 s (timeout) "
        "(a recording may be running)"]


@pytest.mark.parametrize("result, cause", [
    ({"failed": True, "msg": "apps[0] '../x' is not a valid id"}, "apps[0] '../x' is not a valid id"),
    ({"skipped": True, "changed": False}, "the read was skipped"),
    ({}, "no result"),
    (None, "no result"),
    ("text", "no result"),
    ({"ready": True, "apps": {"live": {}, "LiveApp": {}}}, "no result"),  # an older server_info: no busy/unreadable
    ({"busy": "none", "unreadable": []}, "no result"),
])
def test_a_result_that_is_not_a_read_fails_closed(result, cause):
    assert restart_blockers(result, APPS) == ["the server could not be read: %s (a recording may be running)" % cause]


def test_no_application_is_a_blocker_naming_the_folder():
    assert restart_blockers(state(), [], "/opt/ams/") == [
        "no application found in /opt/ams/webapps (set antmedia_service_apps) (a recording may be running)"]


def test_an_app_the_result_does_not_mention_is_a_blocker():
    assert restart_blockers(state(apps=["live"]), APPS) == [
        "app LiveApp could not be read: the result does not mention it (a recording may be running)"]


def test_hostile_names_stay_on_one_line():
    busy = [dict(app="live", stream_id="a\nb", media_push=False, recording=True)]
    assert restart_blockers(state(busy), APPS) == ["app live: media pushes [], recordings [a b]"]


@pytest.mark.parametrize("unit, down", [
    ({"status": {"LoadState": "loaded", "ActiveState": "inactive"}}, True),
    ({"status": {"LoadState": "loaded", "ActiveState": "failed"}}, True),
    ({"status": {"LoadState": "loaded", "ActiveState": "active"}}, False),
    ({"status": {"LoadState": "loaded", "ActiveState": "activating"}}, False),
    ({"status": {"LoadState": "loaded", "ActiveState": "deactivating"}}, False),
    ({"status": {"LoadState": "not-found", "ActiveState": "inactive"}}, False),
    ({"failed": True, "status": {"LoadState": "loaded", "ActiveState": "inactive"}}, False),
    ({"skipped": True}, False),
    ({}, False),
    (None, False),
])
def test_only_a_loaded_inactive_or_failed_unit_is_down(unit, down):
    assert service_down(unit) is down
