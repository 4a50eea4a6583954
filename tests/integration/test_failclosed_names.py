# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15: names are what the user meant. A playbook written in YAML (not JSON) with unquoted names that YAML
turns into numbers and booleans, run by ansible-playbook against a real stand-in: each task fails saying to quote
the name, and the server receives no request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".work" / "collections"
VENV = Path(os.environ.get("ANSIBLE_TEST_VENV") or Path(sys.executable).parent.parent)

PLAYBOOK = """\
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/mediaops.antmedia.antmedia:
      url: {url}
  tasks:
    - name: room 010 (YAML octal)
      mediaops.antmedia.media_push: {{app: live, room: 010}}
      register: octal
      ignore_errors: true
    - name: room yes (YAML boolean)
      mediaops.antmedia.media_push: {{app: live, room: yes}}
      register: boolean
      ignore_errors: true
    - name: room 12:30 (YAML base 60)
      mediaops.antmedia.room_recordings:
        app: live
        recordings:
          - room: 12:30
      register: sexagesimal
      ignore_errors: true
    - name: stream id 1.5 (YAML float)
      mediaops.antmedia.broadcast_recording: {{app: live, stream_id: 1.5}}
      register: real
      ignore_errors: true
    - name: app on (YAML boolean)
      mediaops.antmedia.broadcast_info: {{app: on}}
      register: app_boolean
      ignore_errors: true
    - name: apps [2024] (YAML number)
      mediaops.antmedia.server_info: {{apps: [2024]}}
      register: apps_number
      ignore_errors: true
    - name: twins after NFC in one list
      mediaops.antmedia.room_recordings:
        app: live
        recordings:
          - room: "caf\\u00e9"
          - room: "cafe\\u0301"
      register: nfc_twins
      ignore_errors: true
    - name: a Cyrillic look-alike among Latin letters
      mediaops.antmedia.media_push: {{app: live, room: "b\\u043eard"}}
      register: mixed_script
      ignore_errors: true
    - name: an invisible Hangul filler
      mediaops.antmedia.media_push: {{app: live, room: "board\\u3164"}}
      register: filler
      ignore_errors: true
    - name: 85 CJK characters (255 bytes)
      mediaops.antmedia.media_push: {{app: live, room: "{cjk}"}}
      register: cjk
      ignore_errors: true
    - name: save
      ansible.builtin.copy:
        content: "{{{{ dict(octal=octal, boolean=boolean, sexagesimal=sexagesimal, real=real, app_boolean=app_boolean,
                   apps_number=apps_number, nfc_twins=nfc_twins, mixed_script=mixed_script, filler=filler,
                   cjk=cjk) | to_json }}}}"
        dest: {results}
        mode: "0600"
"""

EXPECTED = {
    "octal": "room is the number 8, not a name",
    "boolean": "room is the boolean True, not a name",
    "sexagesimal": "room is the number 750, not a name",
    "real": "stream_id is the number 1.5, not a name",
    "app_boolean": "antmedia_app (app) is the boolean True, not a name",
    "apps_number": "apps[0] is the number 2024, not a name",
    "nfc_twins": "after Unicode normalisation (NFC)",
    "mixed_script": "cyrillic small letter o",
    "filler": "U+3164 HANGUL FILLER",
    "cjk": "255 bytes in UTF-8 (85 characters)",
}


def test_unquoted_yaml_names_and_hostile_unicode_are_refused_before_any_request(standin, tmp_path):
    results = tmp_path / "results.json"
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK.format(url=standin.base_url(), results=results, cjk="\\u4f1a" * 85))
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), NO_PROXY="*")
    for name in ("ANTMEDIA_URL", "ANTMEDIA_APP", "ANTMEDIA_JWT_SECRET", "ANTMEDIA_JWT_TOKEN"):
        environment.pop(name, None)
    seq = standin.last_seq()
    completed = subprocess.run([str(VENV / "bin" / "ansible-playbook"), "-i", "localhost,", "-c", "local", "-e",
                                "ansible_python_interpreter=%s" % (VENV / "bin" / "python"), str(playbook)],
                               capture_output=True, text=True, env=environment, timeout=600, check=False)
    assert results.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    outcome = json.loads(results.read_text())
    problems = []
    for name, expected in EXPECTED.items():
        result = outcome[name]
        message = result.get("msg", "")
        if result.get("failed") is not True or expected not in message or "\n" in message.strip():
            problems.append("%s: %r" % (name, message[:300]))
        elif name in ("octal", "boolean", "sexagesimal", "real", "app_boolean", "apps_number") \
                and "quote" not in message:
            problems.append("%s does not say to quote it: %r" % (name, message))
    assert problems == [], "\n".join(problems)
    assert "'010'" in outcome["octal"]["msg"] and "'12:30'" in outcome["sexagesimal"]["msg"]
    assert standin.requests(seq) == [], "the stand-in received a request"
