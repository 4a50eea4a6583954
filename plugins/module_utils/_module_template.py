# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one module template (private API): client, desired state, converge, warnings, diff, redaction and exit.

A module's ``converge(params, client, check_mode)`` returns its result as a dict (``changed``, its return
values, and optionally ``diff``, ``warnings``, ``failed`` and ``msg``) or raises: ``ValidationError`` for bad
input (sent before any request), ``AntMediaError`` for what the server did. ``task_result`` turns that into
the task's result, so a module's ``main()`` is its argument spec and one ``run_module`` call, and an action
plugin that runs the same converge in the controller gets the same result from the same code.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import (
    AntMediaClient,
    AntMediaError,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._connection import (
    antmedia_module_kwargs,
    connect,
    subject,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError


def about(exc, stream_id=None, room=None):
    """Name the stream and room an AntMediaError concerns (kept when already named); return it."""
    if not hasattr(exc, "subject"):
        exc.subject = (stream_id, room)
    return exc


def failure_line(client, exc):
    """ONE line naming the server, app, stream/room and cause, free of secrets."""
    cause = getattr(exc, "message", None) or str(exc)
    stream_id, room = getattr(exc, "subject", (None, None))
    return client.redact(" ".join(("%s: %s" % (subject(client, stream_id, room), cause)).split()))


def task_result(converge, params, check_mode=False, diff=False, no_log_values=None, prepare=None,
                client_class=AntMediaClient):
    """The task result of one run of ``converge`` (a dict; server and input errors become a failed result).

    ``no_log_values`` (a set) gains every secret the run learned, so the caller can scrub what it returns
    besides this result (AnsibleModule scrubs the invocation with it)."""
    no_log_values = set() if no_log_values is None else no_log_values
    client = None
    warnings = []
    try:
        if prepare is not None:
            prepare(params)
        client, warnings = connect(params, client_class)
        result = converge(params, client, check_mode)
    except ValidationError as exc:  # JwtSecretError included
        result = {"failed": True, "changed": False, "msg": str(exc)}
    except AntMediaError as exc:
        result = {"failed": True, "changed": bool(getattr(exc, "changed", False)), "msg": failure_line(client, exc)}
    warnings = warnings + list(result.pop("warnings", None) or [])
    if not diff:
        result.pop("diff", None)
    if client is not None:
        no_log_values.update(client.secrets())
        result = client.redact(result)
        warnings = [client.redact(warning) for warning in warnings]
    result = remove_values(result, no_log_values)
    if warnings:
        result["warnings"] = remove_values(warnings, no_log_values)
    return result


def run_module(argument_spec, converge, prepare=None, client_class=AntMediaClient, **module_kwargs):
    """The whole module: the connection options added to argument_spec, one converge, exit or fail."""
    module = AnsibleModule(**antmedia_module_kwargs(argument_spec, **module_kwargs))
    result = task_result(converge, module.params, module.check_mode, module._diff, module.no_log_values,
                         prepare=prepare, client_class=client_class)
    for warning in result.pop("warnings", []):
        module.warn(warning)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)
