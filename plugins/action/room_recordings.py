# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of mediaops.antmedia.room_recordings: on a local connection the rooms are converged in the
task worker on the controller (no module process: several times cheaper per host), by the same function the
module runs; anywhere else, or with antmedia_run_in_controller=false, the module runs as usual on the target."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.mediaops.antmedia.plugins.module_utils._connection import antmedia_module_kwargs
from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import task_result
from ansible_collections.mediaops.antmedia.plugins.module_utils._recordings_item import ROOM_SOURCES, screen_items
from ansible_collections.mediaops.antmedia.plugins.module_utils._room_recordings import (
    converge_room_recordings,
    room_recordings_argument_spec,
)

MODULE = "mediaops.antmedia.room_recordings"
SWITCH = "antmedia_run_in_controller"


def no_log_values(argument_spec, params):
    """The values of the no_log options (also inside list and dict suboptions), as a module would hide them."""
    found = set()
    for name, spec in argument_spec.items():
        value = params.get(name)
        if value is None:
            continue
        if spec.get("no_log") and isinstance(value, str) and value:
            found.add(value)
        if spec.get("options"):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    found.update(no_log_values(spec["options"], item))
    return found


def screened_args(args):
    """The task's arguments with every recordings item checked by the one item definition: a bad item becomes a
    refused item (its room, stream id and reason), which the module reports while the other rooms converge;
    ansible-core's own check of the list would fail the whole task on it, naming neither the item nor the room."""
    recordings = args.get("recordings")
    if not isinstance(recordings, list):
        return args  # not a list (a string to split, or missing): the module's validation says it
    source = args.get("room_source") if args.get("room_source") in ROOM_SOURCES else "inventory"
    return dict(args, recordings=screen_items(recordings, source))


def run_in_controller(args, check_mode, diff):
    """The task result of room_recordings converged here: validated like a module, scrubbed like one."""
    module_kwargs = antmedia_module_kwargs(room_recordings_argument_spec())
    argument_spec = module_kwargs["argument_spec"]
    args = screened_args(args)
    validation = ArgumentSpecValidator(argument_spec, mutually_exclusive=module_kwargs["mutually_exclusive"]).validate(args)
    params = validation.validated_parameters
    hidden = no_log_values(argument_spec, params)
    if validation.error_messages:
        message = validation.errors.msg
        if isinstance(validation.errors[0], UnsupportedError):
            message = "Unsupported parameters for (%s) module: %s" % (MODULE, message)
        return {"failed": True, "msg": remove_values(message, hidden)}
    try:
        result = task_result(converge_room_recordings, params, check_mode, diff, hidden)
    except Exception as exc:  # pylint: disable=broad-exception-caught  # one line, no secret, like a module's failure
        return {"failed": True, "msg": remove_values("%s failed in the controller: %s: %s" % (
            MODULE, type(exc).__name__, " ".join(str(exc).split())), hidden)}
    result["invocation"] = {"module_args": remove_values(params, hidden)}
    return result


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        if self._runs_in_controller(task_vars):
            result.update(run_in_controller(self._task.args, self._task.check_mode, self._task.diff))
            return result
        args = screened_args(self._task.args)
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars,
                                           wrap_async=wrap_async))
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
        return (wanted and self._connection.transport == "local" and not self._play_context.become
                and not any(self._task.environment or ()) and not self._task.async_val)
