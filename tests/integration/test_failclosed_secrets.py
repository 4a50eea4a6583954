# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15: the server's secret settings and the password in url never show, at -vvv --diff, through
ansible-playbook against a real stand-in."""

from __future__ import annotations

SERVER_SECRET = "server-secret-0123456789abcdef-0123456789"
NEW_CLUSTER_KEY = "new-cluster-key-Zq81kWm3vR7tYp2s"
S3_ACCESS = "AKIAFAILCLOSED0000042"
S3_SECRET = "s3-secret-Jx9/fk2+Lq0e1b7c"
HOOK_PASSWORD = "hook-pass-Wv5tN"
HOOK_TOKEN = "tk-9f8e7d6c5b4a"
HOOK = "https://hookuser:%s@hooks.example.com/notify?room=all&token=%s" % (HOOK_PASSWORD, HOOK_TOKEN)
URL_PASSWORD = "url-pass-Qm4xT7"


def test_app_settings_never_shows_a_secret_setting_old_or_new(standin, run_task):
    ams = standin
    ams.set_server_settings(jwtServerControlEnabled=True, jwtServerSecretKey=SERVER_SECRET)
    old_cluster_key = ams.set_app_settings(app="live")["clusterCommunicationKey"]
    assert len(old_cluster_key) == 32
    args = dict(url=ams.base_url(), app="live", server_jwt_secret=SERVER_SECRET,
                settings={"clusterCommunicationKey": NEW_CLUSTER_KEY, "s3AccessKey": S3_ACCESS,
                          "s3SecretKey": S3_SECRET, "listenerHookURL": HOOK, "mp4MuxingEnabled": True})
    outputs = []
    predicted = run_task("app_settings", args, check=True, diff=True, verbosity=3)
    outputs.append(predicted.stdout)
    changed = run_task("app_settings", args, diff=True, verbosity=3)
    outputs.append(changed.stdout)
    assert changed["changed"] is True, changed.result
    assert sorted(changed["changed_keys"]) == ["clusterCommunicationKey", "listenerHookURL", "mp4MuxingEnabled",
                                               "s3AccessKey", "s3SecretKey"]
    # the hook URL stays readable without its credentials
    assert changed["settings"]["listenerHookURL"] == "https://********@hooks.example.com/notify?room=all&token=********"
    assert changed["diff"]["before"]["clusterCommunicationKey"] == "********"
    assert changed["settings"]["mp4MuxingEnabled"] is True
    kept = ams.set_app_settings(app="live")
    assert kept["clusterCommunicationKey"] == NEW_CLUSTER_KEY and kept["listenerHookURL"] == HOOK

    # an error about a setting's value does not show it either
    wrong = run_task("app_settings", dict(args, settings={"listenerHookURL": [HOOK]}), verbosity=3)
    outputs.append(wrong.stdout)
    assert wrong["failed"] is True and "settings.listenerHookURL" in wrong["msg"]

    text = "\n".join(outputs) + repr(predicted.result) + repr(changed.result) + repr(wrong.result)
    for secret in (old_cluster_key, NEW_CLUSTER_KEY, S3_ACCESS, S3_SECRET, HOOK_PASSWORD, HOOK_TOKEN, SERVER_SECRET):
        assert secret not in text, "a secret shows: %s" % secret
    assert "hooks.example.com" in text


def test_a_password_in_url_shows_nowhere(standin, run_task):
    ams = standin
    ams.join("pw-room", "p1")
    host = ams.base_url().split("://", 1)[1]
    url = "http://opsuser:%s@%s" % (URL_PASSWORD, host)
    outputs = []
    read = run_task("broadcast_info", dict(url=url, app="live", stream_id="pw-room"), diff=True, verbosity=3)
    outputs.append(read.stdout)
    assert read.get("failed") is not True and read["broadcasts"][0]["stream_id"] == "pw-room", read.result
    # an error naming the server
    missing = run_task("broadcast_info", dict(url=url, app="no-such-app", stream_id="x"), verbosity=3)
    outputs.append(missing.stdout)
    assert missing["failed"] is True and "http://%s" % host in missing["msg"], missing.result
    # the argument check refuses the url, and quotes it without the password
    refused = run_task("broadcast_info", dict(url=url + "/?x=1", app="live"), verbosity=3)
    outputs.append(refused.stdout)
    assert refused["failed"] is True and "url" in refused["msg"]
    # nothing listens: "cannot reach" names the server without its credentials
    unreachable = run_task("broadcast_info", dict(url="http://opsuser:%s@127.0.0.1:9" % URL_PASSWORD, app="live",
                                                  timeout=2), verbosity=3)
    outputs.append(unreachable.stdout)
    assert unreachable["failed"] is True and "http://127.0.0.1:9" in unreachable["msg"], unreachable.result
    # room_recordings runs in the controller (local connection): the same rules
    rooms = run_task("room_recordings", dict(url=url, app="live", recordings=[{"room": "pw-room", "state": "stopped"}]),
                     diff=True, verbosity=3)
    outputs.append(rooms.stdout)
    assert rooms.get("failed") is not True and "AnsiballZ_room_recordings" not in rooms.stdout, rooms.result
    text = "\n".join(outputs) + repr([read.result, missing.result, refused.result, unreachable.result, rooms.result])
    assert URL_PASSWORD not in text
    assert "opsuser:" not in text
