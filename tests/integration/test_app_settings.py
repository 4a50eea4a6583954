# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""app_settings through ansible-playbook against a real stand-in's management API."""

from __future__ import annotations

import hashlib
import json

SERVER_SECRET = "server-secret-0123456789abcdef-0123456789"
APP_SECRET = "app-jwt-secret-abcdefghijklmnopqrstuvwxyz-42"
CONSOLE_PASSWORD = "console-pass-Qx7!"


def _read(ams, app):
    """The settings as the server keeps them (an empty merge through the lab's control API answers them)."""
    return ams.set_app_settings(app=app)


def server_jwt(ams):
    ams.set_server_settings(jwtServerControlEnabled=True, jwtServerSecretKey=SERVER_SECRET)
    return dict(url=ams.base_url(), app="live", server_jwt_secret=SERVER_SECRET)


def test_change_rerun_check_and_diff_with_server_jwt(standin, run_task):
    ams = standin
    args = dict(server_jwt(ams), settings={"hlsMuxingEnabled": "true", "deleteHLSFilesOnEnded": False,
                                           "mp4MuxingEnabled": "yes", "jwtSecretKey": APP_SECRET})
    seq = ams.last_seq()
    predicted = run_task("app_settings", args, check=True, diff=True)
    assert predicted["changed"] is True
    assert "deleteHLSFilesOnEnded" in predicted["changed_keys"] and "jwtSecretKey" in predicted["changed_keys"]
    assert predicted["diff"]["after"]["jwtSecretKey"] == "********"
    assert ams.writes(seq) == []

    changed = run_task("app_settings", args, diff=True, verbosity=3)
    assert changed["changed"] is True and changed["settings"]["deleteHLSFilesOnEnded"] is False
    assert changed["settings"]["mp4MuxingEnabled"] is True
    assert APP_SECRET not in changed.stdout and SERVER_SECRET not in changed.stdout
    settings = _read(ams, "live")
    assert settings["deleteHLSFilesOnEnded"] is False and settings["jwtSecretKey"] == APP_SECRET
    assert settings["hlsMuxingEnabled"] is True and settings["mp4MuxingEnabled"] is True
    # the complete object went back: an undeclared key kept its value
    assert settings["remoteAllowedCIDR"] == "127.0.0.1"

    seq = ams.last_seq()
    again = run_task("app_settings", args, diff=True)
    assert again["changed"] is False and again["changed_keys"] == []
    assert ams.writes(seq) == []


def test_console_login(standin, run_task):
    ams = standin
    status, answer = ams.call("POST", "/rest/v2/users/initial",
                              {"email": "ops@example.com",
                               "password": hashlib.md5(CONSOLE_PASSWORD.encode()).hexdigest()})
    assert status == 200 and answer["success"] is True
    args = dict(url=ams.base_url(), app="LiveApp", console_user="ops@example.com",
                console_password=CONSOLE_PASSWORD, settings={"webMMuxingEnabled": True})
    done = run_task("app_settings", args)
    assert done["changed"] is True and _read(ams, "LiveApp")["webMMuxingEnabled"] is True
    assert CONSOLE_PASSWORD not in done.stdout

    wrong = run_task("app_settings", dict(args, console_password="not-it"))
    assert wrong["failed"] is True and "console login" in wrong["msg"] and "not-it" not in wrong.stdout


def test_refusals_and_bad_input_are_clear(standin, run_task):
    ams = standin
    no_auth = run_task("app_settings", dict(url=ams.base_url(), app="live", settings={"mp4MuxingEnabled": True}))
    assert no_auth["failed"] is True and "server_jwt_secret" in no_auth["msg"] and "console_user" in no_auth["msg"]

    args = server_jwt(ams)
    wrong = run_task("app_settings", dict(args, server_jwt_secret="x" * 40, settings={"mp4MuxingEnabled": True}))
    assert wrong["failed"] is True and "Invalid Server JWT Token" in wrong["msg"]

    # a short secret is not refused before sending (the server's java-jwt accepts it, docs/server-contract.md,
    # "Security filters"): here it is the wrong one, so the server refuses it, and the secret shows nowhere
    short = run_task("app_settings", dict(args, server_jwt_secret="tiny-s3cr", settings={"mp4MuxingEnabled": True}))
    assert short["failed"] is True and "Invalid Server JWT Token" in short["msg"]
    assert "weak" in short.warnings and "tiny-s3cr" not in json.dumps(short.result) + short.stdout

    seq = ams.last_seq()
    empty = run_task("app_settings", dict(args, server_jwt_secret="", settings={"mp4MuxingEnabled": True}))
    assert empty["failed"] is True and "server_jwt_secret" in empty["msg"] and "must not be empty" in empty["msg"]
    assert ams.requests(seq) == []

    seq = ams.last_seq()
    unknown = run_task("app_settings", dict(args, settings={"mp4MuxingEnable": True}))
    assert unknown["failed"] is True and "settings.mp4MuxingEnable" in unknown["msg"]
    assert "did you mean mp4MuxingEnabled" in unknown["msg"]
    wrong_type = run_task("app_settings", dict(args, settings={"mp4MuxingEnabled": "maybe"}))
    assert wrong_type["failed"] is True and "'maybe' is not a boolean" in wrong_type["msg"]
    assert ams.writes(seq) == []
    assert json.dumps(_read(ams, "live")).count("mp4MuxingEnable\"") == 0
