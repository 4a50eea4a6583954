# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of mediaops.antmedia.room_recordings: on a local connection the module's code runs in the
task worker on the controller (no module process: several times cheaper per host); anywhere else, or
with antmedia_run_in_controller=false, the module runs as usual on the target."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.mediaops.antmedia.plugins.module_utils._room_recordings import (
    room_recordings_module_kwargs,
    run_room_recordings,
)
from ansible_collections.mediaops.antmedia.plugins.plugin_utils._controller_module import run_in_controller

MODULE = "mediaops.antmedia.room_recordings"
SWITCH = "antmedia_run_in_controller"


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        if self._runs_in_controller(task_vars):
            result.update(run_in_controller(MODULE, room_recordings_module_kwargs(), run_room_recordings,
                                            self._task.args, check_mode=self._task.check_mode, diff=self._task.diff))
            return result
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result.update(self._execute_module(module_name=MODULE, task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _runs_in_controller(self, task_vars):
        """Only where the module would run on the controller anyway, as the same user, in the same
        environment: a local connection (also delegate_to localhost), no become, no environment, not async."""
        wanted = self._templar.template(task_vars.get(SWITCH, True))
        try:
            wanted = boolean(wanted, strict=True)
        except TypeError:
            raise AnsibleActionFail("%s must be a boolean, not %r" % (SWITCH, wanted))
        return (wanted and HAS_REQUESTS and self._connection.transport == "local" and not self._play_context.become
                and not any(self._task.environment or ()) and not self._task.async_val)
