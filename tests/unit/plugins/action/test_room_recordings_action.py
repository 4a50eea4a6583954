# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where room_recordings runs: in the controller only where the module would run on the controller anyway."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import ActionModule


class Thing(object):
    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class Templar(object):
    def template(self, value):
        return value


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


def test_a_bad_item_is_refused_in_one_line_naming_its_index_its_room_and_the_value():
    """Called directly (not through the role's filter), ansible-core's own message would name neither the item nor
    the room ("argument 'width' ... found in 'recordings'"); the action plugin checks the items first, on every path."""
    from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import item_error
    assert item_error({"recordings": [{"room": "a"}, {"room": "board", "width": "abc"}]}) == (
        "recordings[1] (room 'board'): argument 'width' is of type str and we were unable to convert to int: "
        "\"'abc'\" cannot be converted to an int")
    assert item_error({"recordings": [{"room": "a", "record_type": "avi"}]}) == (
        "recordings[0] (room 'a'): value of record_type must be one of: mp4, webm, got: avi")
    assert item_error({"recordings": [{"room": "a"}, {"room": "b", "colour": "red"}]}).startswith(
        "recordings[1] (room 'b'): unsupported option(s) colour.")
    assert item_error({"recordings": [{"room": "a"}, "b"]}) is None  # ansible-core's own check parses or refuses it
    assert item_error({"recordings": [{"room": "a"}, {"room": "b", "record_type": "webm"}]}) is None
    assert item_error({"recordings": "a,b"}) is None  # not a list yet: the module's own validation answers


def test_a_bad_item_error_shows_no_secret_of_the_item():
    from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import item_error
    message = item_error({"recordings": [{"room": "a", "token": "tok-9f8e7d", "width": "tok-9f8e7d"}]})
    assert message.startswith("recordings[0] (room 'a'): argument 'width'") and "tok-9f8e7d" not in message
