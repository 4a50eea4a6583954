# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's code inside the controller's task worker instead of a module process (private API).

The collection's modules only talk HTTP to a server, so on a local connection their work does not need
a module process: no temporary directory, no Python interpreter start, no AnsiballZ payload. That
process is most of what a module run costs per host (see benchmarks/RESULTS.md). ``ControllerModule``
gives module code the part of AnsibleModule it uses, with the same argument validation (types,
defaults, choices, env fallbacks, mutually exclusive options), check mode, diff and no_log scrubbing."""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError


class ModuleDone(Exception):
    """exit_json or fail_json was called: the module run ends with this result."""

    def __init__(self, result):
        super(ModuleDone, self).__init__("module done")
        self.result = result


class ControllerModule(object):
    """What the collection's module code uses of AnsibleModule: params, check_mode, _diff, warn,
    no_log_values, exit_json and fail_json (both end the run by raising ModuleDone)."""

    def __init__(self, name, args, check_mode, diff, argument_spec, mutually_exclusive=None,
                 supports_check_mode=False, **checks):
        self._name = name
        self.check_mode = bool(check_mode)
        self._diff = bool(diff)
        self._warnings = []
        validation = ArgumentSpecValidator(argument_spec, mutually_exclusive=mutually_exclusive, **checks).validate(args)
        # the values of no_log options (and their fallbacks), scrubbed from every result as AnsibleModule does
        self.no_log_values = validation._no_log_values
        self.params = validation.validated_parameters
        if validation.error_messages:
            message = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                message = "Unsupported parameters for (%s) module: %s" % (name, message)
            self.fail_json(msg=message)
        if self.check_mode and not supports_check_mode:
            raise ModuleDone({"skipped": True, "msg": "%s does not support check mode" % name})

    def warn(self, warning):
        self._warnings.append(warning)

    def _done(self, result):
        if self._warnings:
            result["warnings"] = list(self._warnings)
        result["invocation"] = {"module_args": self.params}
        raise ModuleDone(remove_values(result, self.no_log_values))

    def exit_json(self, **result):
        self._done(result)

    def fail_json(self, msg, **result):
        result.update(failed=True, msg=msg)
        self._done(result)


def run_in_controller(name, module_kwargs, run_module, args, check_mode=False, diff=False):
    """The result of ``run_module(module)`` run here with a ControllerModule built from module_kwargs (the
    module's AnsibleModule arguments) and the task's args."""
    module = None
    try:
        module = ControllerModule(name, args, check_mode, diff, **module_kwargs)
        run_module(module)
    except ModuleDone as done:
        return done.result
    except Exception as exc:  # pylint: disable=broad-exception-caught  # a module process would fail the same way
        text = "%s failed in the controller: %s: %s" % (name, type(exc).__name__, exc)
        return {"failed": True, "msg": remove_values(text, module.no_log_values) if module else text}
    return {"failed": True, "msg": "%s ended without calling exit_json or fail_json" % name}
