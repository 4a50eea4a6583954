# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin mediaops.antmedia.auto_record: automatic recording of one host for the hooks of one rulebook
action. The decisions are plugins/module_utils/_auto_record.py; this file wires them to Ansible: the arguments and
host variables, the per-server lock on the controller, and the two modules (broadcast_info, room_recordings), run
in this process on a local connection and on the target anywhere else."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.mediaops.antmedia.plugins.action.room_recordings import no_log_values, run_in_controller
from ansible_collections.mediaops.antmedia.plugins.module_utils import _auto_record as ar
from ansible_collections.mediaops.antmedia.plugins.module_utils._connection import connection_argument_spec
from ansible_collections.mediaops.antmedia.plugins.module_utils._module_template import task_result
from ansible_collections.mediaops.antmedia.plugins.module_utils._secrets import strip_userinfo
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    ValidationError,
    check_room,
)
from ansible_collections.mediaops.antmedia.plugins.modules.broadcast_info import read_broadcasts

READ_MODULE = "mediaops.antmedia.broadcast_info"
CONVERGE_MODULE = "mediaops.antmedia.room_recordings"
ROOM_EVENTS = {"start": ("joined",), "stop": ("left", "empty")}

ARGUMENT_SPEC = dict(
    mode=dict(type="str", required=True, choices=list(ar.MODES)),
    events=dict(type="raw"),
    window=dict(type="int", default=0),
)
# The host's inventory variables, validated under their own names so that a message names what the user set.
VARIABLE_SPEC = dict(
    auto_record_senders=dict(type="list", elements="str"),
    auto_record_include=dict(type="raw"),
    auto_record_exclude=dict(type="raw"),
    auto_record_grace=dict(type="int", default=60),
    auto_record_record_type=dict(type="str", default="mp4", choices=["mp4", "webm"]),
    auto_record_page=dict(type="str", default="multitrack"),
    auto_record_start_concurrency=dict(type="int", default=32),
    auto_record_lock_dir=dict(type="str"),
    auto_record_lock_timeout=dict(type="float", default=600.0),
)
MAX_GRACE = 86400


def resolve(name):
    """The addresses a host name resolves to (none when it does not)."""
    if not name:
        return []
    try:
        infos = socket.getaddrinfo(name, None, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return sorted(set(ar.sender_key(info[4][0]) for info in infos))


def default_senders(explicit, ansible_host, inventory_hostname, url, local):
    """auto_record_senders, else ansible_host (or the inventory name) and, for a server reached over REST from the
    controller, the addresses of antmedia_url's host name (the server's own address, where its hooks come from)."""
    if explicit is not None:
        return list(explicit)
    senders = [ansible_host or inventory_hostname]
    if local and isinstance(url, str):
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        senders += [address for address in resolve(host) if address not in senders]
    return senders


def server_of(url):
    """The lock's key: the server's URL without credentials."""
    shown, _removed = strip_userinfo(url)
    return shown.rstrip("/").lower()


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args, connection, hidden = self._arguments()
        variables = self._variables(task_vars)
        local = self._connection.transport == "local"
        hostname = task_vars.get("inventory_hostname")
        senders = default_senders(variables["auto_record_senders"], self._var(task_vars, "ansible_host"), hostname,
                                  connection["url"], local)
        try:
            selection = ar.RoomSelection(variables["auto_record_include"], variables["auto_record_exclude"])
        except ar.AutoRecordError as exc:
            raise AnsibleActionFail(str(exc))
        mode = args["mode"]
        events = ar.events_of(args["events"])
        warnings = self._unmatched(task_vars, hostname, events, senders)
        # a start converges every selected room with participants, whatever room its joins named: any join of this
        # host's asks for the read (the receiver counts on it for the joins it held back meanwhile)
        mine = ar.select_events(events, senders, connection["app"], selection if mode == "stop" else ar.RoomSelection(),
                                ROOM_EVENTS[mode])
        result.update(changed=False, mode=mode, senders=senders, started=[], stopped=[], skipped_rooms=[])
        if warnings:
            result["warnings"] = warnings
        if not mine:
            result["msg"] = "no hook about a selected room came from this host's senders %s" % ", ".join(senders)
            return result
        if mode == "stop":
            time.sleep(ar.stop_wait_seconds(mine, variables["auto_record_grace"], args["window"],
                                            int(time.time() * 1000)))
        try:
            directory = ar.private_dir(variables["auto_record_lock_dir"])
            lock = ar.ServerLock(directory, server_of(connection["url"]), variables["auto_record_lock_timeout"])
            try:
                lock.acquire()
            finally:
                if mode == "start":  # read now, or given up: a later join must ask for a run of its own
                    ar.mark_start_read(ar.private_dir(ar.default_state_dir(), "the receiver's state directory"),
                                       senders, connection["app"], int(time.time() * 1000))
        except ar.AutoRecordError as exc:
            raise AnsibleActionFail(str(exc))
        try:
            converged = self._converge(mode, mine, selection, variables, connection, task_vars, warnings)
        finally:
            lock.release()
        result.update(converged)
        result["lock_waited"] = round(lock.waited, 3)
        if warnings:
            result["warnings"] = warnings
        return remove_values(result, hidden)

    # --- arguments ---------------------------------------------------------------------------------------------

    def _arguments(self):
        spec = connection_argument_spec()
        spec.update(ARGUMENT_SPEC)
        validation = ArgumentSpecValidator(spec, mutually_exclusive=[("jwt_secret", "jwt_token")]).validate(
            dict(self._task.args))
        params = validation.validated_parameters
        hidden = no_log_values(spec, params)
        if validation.error_messages:
            raise AnsibleActionFail(remove_values(" ".join(validation.error_messages), hidden))
        connection = dict((name, params.get(name)) for name in connection_argument_spec())
        if not isinstance(connection["app"], str):
            raise AnsibleActionFail("antmedia_app must be a name, not %r" % (connection["app"],))
        if params["window"] < 0 or params["window"] > MAX_GRACE:
            raise AnsibleActionFail("window %r must be from 0 to %d seconds" % (params["window"], MAX_GRACE))
        return params, connection, hidden

    def _var(self, task_vars, name):
        value = task_vars.get(name)
        return None if value is None else self._templar.template(value)

    def _variables(self, task_vars):
        given = dict((name, self._var(task_vars, name)) for name in VARIABLE_SPEC if task_vars.get(name) is not None)
        validation = ArgumentSpecValidator(VARIABLE_SPEC).validate(given)
        if validation.error_messages:
            raise AnsibleActionFail(" ".join(validation.error_messages))
        variables = validation.validated_parameters
        if not 0 <= variables["auto_record_grace"] <= MAX_GRACE:
            raise AnsibleActionFail("auto_record_grace %r must be from 0 to %d seconds"
                                    % (variables["auto_record_grace"], MAX_GRACE))
        if not variables["auto_record_lock_timeout"] > 0:
            raise AnsibleActionFail("auto_record_lock_timeout %r must be more than 0 seconds"
                                    % (variables["auto_record_lock_timeout"],))
        return variables

    def _unmatched(self, task_vars, hostname, events, senders):
        """One warning line per sender of a room hook that no host of the play claims; said by the play's first host
        only, so that it shows once in the rulebook's output."""
        hosts = list(task_vars.get("ansible_play_hosts_all") or [])
        if not hosts or hosts[0] != hostname:
            return []
        senders_by_host = {hostname: senders}
        unclaimed = ar.unmatched_senders(events, senders_by_host)
        hostvars = task_vars.get("hostvars") or {}
        for other in hosts[1:]:
            if not unclaimed:
                break
            their = hostvars.get(other) or {}
            senders_by_host[other] = default_senders(
                self._templar.template(their.get("auto_record_senders")),
                self._templar.template(their.get("ansible_host")), other,
                self._templar.template(their.get("antmedia_url", "http://127.0.0.1:5080")),
                self._templar.template(their.get("ansible_connection")) == "local")
            unclaimed = ar.unmatched_senders(events, senders_by_host)
        return [ar.unmatched_line(sender) for sender in unclaimed]

    # --- read and converge -------------------------------------------------------------------------------------

    def _converge(self, mode, events, selection, variables, connection, task_vars, warnings):
        server = self._run(READ_MODULE, dict(connection), task_vars)
        if server.get("failed"):
            return {"failed": True, "msg": server.get("msg") or "reading the server failed"}
        broadcasts = server.get("broadcasts") or []
        check = _check_room
        if mode == "start":
            rooms, skipped = ar.rooms_to_start(broadcasts, selection, check)
        else:
            rooms, skipped = ar.rooms_to_stop(events, broadcasts, check)
        warnings.extend(ar.skipped_warning(room, why) for room, why in skipped)
        result = {"skipped_rooms": [{"room": room, "msg": why} for room, why in skipped]}
        items = ar.recordings_items(mode, rooms, variables["auto_record_record_type"], variables["auto_record_page"])
        if not items:
            result.update(changed=False, msg="no room to %s" % mode)
            return result
        # the server's names are its own: never refused as look-alikes of each other, case twins are two rooms
        common = dict(connection, start_concurrency=variables["auto_record_start_concurrency"], room_source="server")
        converged = self._run(CONVERGE_MODULE, dict(common, recordings=items), task_vars)
        warnings.extend(converged.pop("warnings", None) or [])
        result.update((key, value) for key, value in converged.items()
                      if key != "invocation" and not key.startswith("_ansible"))
        return result

    def _run(self, module, module_args, task_vars):
        """A module's result: converged in this process on a local connection, on the target anywhere else."""
        module_args = dict((key, value) for key, value in module_args.items() if value is not None)
        if self._connection.transport == "local" and not self._play_context.become:
            if module == READ_MODULE:
                return _read_in_controller(module_args, self._task.check_mode)
            return run_in_controller(module_args, self._task.check_mode, self._task.diff)
        result = self._execute_module(module_name=module, module_args=module_args, task_vars=task_vars)
        self._remove_tmp_path(self._connection._shell.tmpdir)
        return result


def _check_room(room):
    try:
        check_room(room, look_alikes=False)
    except ValidationError as exc:
        raise ValueError(str(exc))


def _read_in_controller(module_args, check_mode):
    spec = connection_argument_spec()
    spec["stream_id"] = dict(type="raw")
    validation = ArgumentSpecValidator(spec).validate(module_args)
    if validation.error_messages:
        return {"failed": True, "msg": " ".join(validation.error_messages)}
    return task_result(read_broadcasts, validation.validated_parameters, check_mode, False,
                       no_log_values(spec, validation.validated_parameters))
