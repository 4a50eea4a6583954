# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provisioning points the hook at the receiver: the app settings task of provision.yml and drift.yml
(antmedia_app_settings with listenerHookURL) sets and compares it, and the secret never shows at -vvv --diff."""

from __future__ import annotations

import json
import os
import subprocess

from eda_harness import COLLECTIONS, EDA_VENV, Standin

SECRET = "k1" + "0f3a" * 12
SERVER_SECRET = "server-jwt-secret-of-at-least-32-bytes!"


def run(tmp_path, playbook, inventory, *options):
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), NO_PROXY="*", no_proxy="*")
    completed = subprocess.run([str(EDA_VENV / "bin" / "ansible-playbook"), "-i", str(tmp_path / "inventory.json"),
                                "-vvv", "--diff", *options, str(playbook)], capture_output=True, text=True,
                               env=environment, cwd=str(tmp_path), timeout=300, check=False)
    return completed.returncode, completed.stdout + completed.stderr


def test_hook_url_set_and_compared_without_showing_the_secret(tmp_path):
    playbook = tmp_path / "settings.yml"
    # the task of provision.yml and drift.yml that applies antmedia_app_settings, as it is there
    playbook.write_text("""
- hosts: media_servers
  gather_facts: false
  tasks:
    - name: Set the application settings declared in inventory
      mediaops.antmedia.app_settings:
        url: "{{ antmedia_url }}"
        app: "{{ antmedia_app }}"
        settings: "{{ antmedia_app_settings }}"
        server_jwt_secret: "{{ antmedia_server_jwt_secret }}"
      diff: true
""")
    with Standin() as ams:
        ams.set_server_settings(jwtServerControlEnabled=True, jwtServerSecretKey=SERVER_SECRET)
        hook_url = "http://127.0.0.1:5001/ams/%s" % SECRET
        inventory = {"media_servers": {"hosts": {"media1": {
            "ansible_connection": "local", "ansible_python_interpreter": str(EDA_VENV / "bin" / "python"),
            "antmedia_url": ams.base_url(), "antmedia_app": "live", "antmedia_server_jwt_secret": SERVER_SECRET,
            "antmedia_app_settings": {"listenerHookURL": hook_url}}}}}
        code, output = run(tmp_path, playbook, inventory, "--check")  # drift: a missing hook is a change
        assert code == 0 and "changed=1" in output and "listenerHookURL" in output, output
        assert ams.lab("GET", "/_lab/health")["ok"]
        code, output = run(tmp_path, playbook, inventory)
        assert code == 0 and "changed=1" in output, output
        assert SECRET not in output
        assert ams.lab("PUT", "/_lab/apps/live/settings", {})["listenerHookURL"] == hook_url
        code, output = run(tmp_path, playbook, inventory, "--check")
        assert code == 0 and "changed=0" in output, output
        other = dict(inventory)
        other["media_servers"]["hosts"]["media1"]["antmedia_app_settings"] = {
            "listenerHookURL": hook_url.replace("5001", "5002")}
        code, output = run(tmp_path, playbook, other, "--check")  # drift: a different hook URL
        assert code == 0 and "changed=1" in output and SECRET not in output, output
