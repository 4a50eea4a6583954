# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where room_recordings runs: in the controller only where the module would run on the controller anyway."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import ActionModule
from ansible_collections.mediaops.antmedia.tests.unit.plugins.action.action_fakes import Templar, Thing


def action(transport="local", become=False, environment=None, async_val=0):
    plugin = ActionModule.__new__(ActionModule)
    plugin._connection = Thing(transport=transport)
    plugin._play_context = Thing(become=become)
    plugin._task = Thing(environment=environment, async_val=async_val)
    plugin._templar = Templar()
    return plugin


@pytest.mark.parametrize("plugin, here", [
    (action(), True),
    (action(environment=[{}]), True),
    (action(transport="ssh"), False),
    (action(become=True), False),
    (action(environment=[{"HTTPS_PROXY": "http://proxy:3128"}]), False),
    (action(async_val=60), False),
])
def test_where_it_runs(plugin, here):
    assert plugin._runs_in_controller({}) is here


@pytest.mark.parametrize("value, here", [(False, False), ("no", False), ("true", True), (True, True)])
def test_the_switch(value, here):
    assert action()._runs_in_controller({"antmedia_run_in_controller": value}) is here


def test_a_bad_switch_names_its_value():
    with pytest.raises(AnsibleActionFail, match="antmedia_run_in_controller must be a boolean, not 'maybe'"):
        action()._runs_in_controller({"antmedia_run_in_controller": "maybe"})


def test_a_bad_item_becomes_a_refused_item_naming_every_error():
    """ansible-core's check of the list would fail the whole task on one bad item, naming neither the item nor the
    room; the action plugin turns it into a refused item the module reports, on every path."""
    from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import screened_args
    args = screened_args({"recordings": [{"room": "a"}, {"room": "board", "width": "abc", "colour": "red"},
                                         {"room": "b", "width": "640"}]})
    assert args["recordings"][0] == {"room": "a", "state": "started", "width": 1280, "height": 720,
                                     "record_type": "mp4", "extra_chrome_switches": [], "outside_schedule": False}
    assert args["recordings"][1] == {"room": "board", "stream_id": None, "refused": (
        "unknown key colour (known: room, stream_id, state, page, page_url, width, height, record_type, token, "
        "publish_token, stream_jwt_secret, extra_chrome_switches, outside_schedule); width 'abc' is not a whole number")}
    assert args["recordings"][2]["width"] == 640  # converted as ansible-core converts it
    assert screened_args({"recordings": "a,b"}) == {"recordings": "a,b"}  # not a list: the module's check says it


def test_a_refused_item_carries_no_secret():
    from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import screened_args
    args = screened_args({"recordings": [{"room": "a", "token": "tok-9f8e7d", "width": "tok-9f8e7d",
                                          "publish_token": 5}]})
    assert "tok-9f8e7d" not in repr(args) and "publish_token must be text" in args["recordings"][0]["refused"]


def test_server_names_the_module_cannot_handle_pass_to_the_module_to_be_skipped():
    from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import screened_args
    args = screened_args({"room_source": "server", "recordings": [{"room": "a/b"}, {"room": "a/b", "width": 0}]})
    assert args["recordings"][0]["room"] == "a/b" and "refused" not in args["recordings"][0]
    assert "width 0 must be a whole number" in args["recordings"][1]["refused"]
