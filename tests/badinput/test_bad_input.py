# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad-input corpus: hostile values for every module option and role variable. Each case must fail with a
clear error naming the option or the value, and the stand-in must receive no request at all.

Each module's cases run as the tasks of ONE ansible-playbook run (ignore_errors on each), so the corpus is
large but cheap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("ANSIBLE_TEST_VENV") or Path(sys.executable).parent.parent)

LONG = "r" * 500
HOSTILE_IDS = [
    ("", "must not be empty"), ("../etc", "'..'"), ("a/b", "'/'"), ("a\\b", "\\\\"), ("a?b", "'?'"), ("a#b", "'#'"),
    ("a%2fb", "'%'"), ("a&b", "'&'"), ("a b", "whitespace"), ("a\tb", "whitespace"), ("a\u0007b", "control"),
    ("a\u202eb", "control"), ("<script>", "'<'"), ("a'b", "\"'\""), (LONG, "500 characters"),
]
# Issue 15: what YAML made of an unquoted name, and names that are not what they look like.
CJK_85 = "\u4f1a" * 85  # 255 bytes of UTF-8: passed as 85 characters, then failed on the server every run
UNMEANT_IDS = [
    (8, "is the number 8, not a name"), (750, "'12:30'"), (True, "is the boolean True, not a name"),
    (False, "quote it"), (2.5, "is the number 2.5"), (["a"], "must be a string, not a list"),
    ("board\u3164", "U+3164 HANGUL FILLER"), ("a\u200bb", "U+200B"), ("a\u2066b", "U+2066"),
    ("a\u0085b", "U+0085"), ("a\u009bb", "U+009B"), ("a\ufe0fb", "U+FE0F"), ("b\u043eard", "U+043E"),
    (CJK_85, "255 bytes in UTF-8"),
]
URL_PASSWORD = "pw-in-url-77"


def case(label, args, expected):
    return {"label": label, "args": args, "expected": expected}


def media_push_cases():
    cases = []
    for value, expected in HOSTILE_IDS + UNMEANT_IDS:
        cases.append(case("room %r" % value, {"room": value}, expected))
        cases.append(case("stream_id %r" % value, {"room": "ok", "stream_id": value}, expected))
    cases += [
        case("app traversal", {"room": "ok", "app": "../x"}, "app"),
        case("width 0", {"room": "ok", "width": 0}, "width"),
        case("width negative", {"room": "ok", "width": -1}, "width"),
        case("width absurd", {"room": "ok", "width": 100000}, "width"),
        case("width text", {"room": "ok", "width": "wide"}, "width"),
        case("height absurd", {"room": "ok", "height": 99999}, "height"),
        case("height list", {"room": "ok", "height": [720]}, "height"),
        case("record type", {"room": "ok", "record_type": "mkv"}, "mkv"),
        case("page", {"room": "ok", "page": "other"}, "other"),
        case("state", {"room": "ok", "state": "paused"}, "paused"),
        case("page_url file", {"stream_id": "s", "page_url": "file:///etc/passwd"}, "file:///etc/passwd"),
        case("page_url javascript", {"stream_id": "s", "page_url": "javascript:alert(1)"}, "javascript:alert(1)"),
        case("page_url ftp", {"stream_id": "s", "page_url": "ftp://example.com/x"}, "ftp://example.com/x"),
        case("page_url no host", {"stream_id": "s", "page_url": "http://"}, "page_url"),
        case("page_url newline", {"stream_id": "s", "page_url": "http://a/\nb"}, "page_url"),
        case("page and page_url", {"room": "ok", "page": "merge", "page_url": "http://a/"}, "mutually exclusive"),
        case("page_base_url query", {"room": "ok", "page_base_url": "http://a/?x=1"}, "page_base_url"),
        case("switch with comma", {"room": "ok", "extra_chrome_switches": ["--a,--b"]}, "extra_chrome_switches"),
        case("switch without dashes", {"room": "ok", "extra_chrome_switches": ["kiosk"]}, "kiosk"),
        case("switches as dict", {"room": "ok", "extra_chrome_switches": {"a": 1}}, "extra_chrome_switches"),
        case("url ftp", {"room": "ok", "url": "ftp://127.0.0.1:5080"}, "ftp://127.0.0.1:5080"),
        case("url with app path query", {"room": "ok", "url": "http://127.0.0.1:5080/?a=b"}, "url"),
        # the password never shows, not even in the error about its url
        case("url with password and query", {"room": "ok", "url": "http://ops:%s@127.0.0.1:5080/?a=b" % URL_PASSWORD},
             "'http://********@127.0.0.1:5080/?a=b'"),
        case("app a YAML number", {"room": "ok", "app": 8}, "antmedia_app (app) is the number 8"),
        case("app a YAML boolean", {"room": "ok", "app": True}, "antmedia_app (app) is the boolean True"),
        case("app with a filler", {"room": "ok", "app": "Live\u3164"}, "U+3164"),
        case("room of 111 bytes", {"room": "r" * 111}, "at most 110 bytes"),
        case("timeout 0", {"room": "ok", "timeout": 0}, "timeout"),
        case("timeout absurd", {"room": "ok", "timeout": 999999}, "timeout"),
        case("vod_timeout negative", {"room": "ok", "state": "stopped", "vod_timeout": -1}, "vod_timeout"),
        case("empty jwt secret", {"room": "ok", "jwt_secret": ""}, "must not be empty"),
        case("both jwt options", {"room": "ok", "jwt_secret": "x" * 40, "jwt_token": "header.payload.signature"},
             "mutually exclusive"),
        case("jwt token two lines", {"room": "ok", "jwt_token": "a\nb"}, "jwt_token"),
        case("jwt token carriage return", {"room": "ok", "jwt_token": "a.b.c\rX-Injected: 1"}, "jwt_token"),
        case("jwt token not ASCII", {"room": "ok", "jwt_token": "t\u00f6ken.payload.signature"}, "jwt_token"),
        case("no room no stream", {}, "one of the following is required"),
    ]
    return cases


def broadcast_recording_cases():
    cases = [case("stream_id %r" % value, {"stream_id": value}, expected)
             for value, expected in HOSTILE_IDS + UNMEANT_IDS]
    return cases + [
        case("record type", {"stream_id": "s", "record_type": "avi"}, "avi"),
        case("resolution negative", {"stream_id": "s", "resolution_height": -5}, "resolution_height"),
        case("resolution absurd", {"stream_id": "s", "resolution_height": 100000}, "resolution_height"),
        case("state", {"stream_id": "s", "state": "maybe"}, "maybe"),
    ]


def info_cases():
    return [case("stream_id %r" % value, {"stream_id": value}, expected)
            for value, expected in HOSTILE_IDS[:8] + UNMEANT_IDS]


def server_info_cases():
    return [case("apps[0] %r" % value, {"apps": ["live", value]}, expected) for value, expected in UNMEANT_IDS[:7]]


def room_recordings_cases():
    # every item of a case is bad: a good item beside a bad one is converged (issue 26), which sends requests
    return [
        # ansible-core's own argument check answers these before the module runs (its message names no option)
        case("not a list", {"recordings": "board"}, "dictionary requested"),
        case("item not a dict", {"recordings": ["board"]}, "recordings[0]: 'board' is not a mapping"),
        case("missing room", {"recordings": [{"state": "started"}]}, "room is required"),
        case("unknown key", {"recordings": [{"room": "a", "colour": "red"}]}, "colour"),
        case("bad room in item 2", {"recordings": [{"room": "../a"}, {"room": "../b"}]}, "recordings[1] (room '../b')"),
        case("duplicate", {"recordings": [{"room": "a"}, {"room": "a"}]}, "the same room as recordings[0]"),
        case("bad width", {"recordings": [{"room": "a", "width": "x"}]}, "width"),
        case("bad page_url", {"recordings": [{"room": "a", "page_url": "data:text/html,x"}]}, "data:text/html,x"),
        case("concurrency 0", {"recordings": [{"room": "a"}], "start_concurrency": 0}, "start_concurrency"),
        case("concurrency absurd", {"recordings": [{"room": "a"}], "start_concurrency": 10000}, "start_concurrency"),
        case("room a YAML number", {"recordings": [{"room": "a/b"}, {"room": 750}]},
             "recordings[1] (room 750): room is the number 750"),
        case("room a YAML boolean", {"recordings": [{"room": True}]}, "room is the boolean True"),
        case("NFC twins", {"recordings": [{"room": "caf\u00e9"}, {"room": "cafe\u0301"}]},
             "after Unicode normalisation (NFC)"),
        # (case, width-form and cross-script look-alikes are two rooms, both recorded with a warning: see
        # tests/integration/test_room_recordings.py)
        case("stream id twins", {"recordings": [{"room": "a", "stream_id": "s\u00e9"},
                                                {"room": "b", "stream_id": "se\u0301"}]}, "stream id"),
        case("invisible room", {"recordings": [{"room": "\u3164"}]}, "U+3164"),
        case("server name with a slash", {"recordings": [{"room": "a/b", "width": 0}], "room_source": "server"},
             "width 0"),
        case("room_source", {"recordings": [{"room": "a"}], "room_source": "hooks"}, "room_source"),
        case("list_name", {"recordings": [{"room": "a"}], "list_name": "a b"}, "list_name 'a b'"),
        case("stop_unlisted with an item naming no push", {"recordings": [{"room": 5}], "stop_unlisted": True},
             "no unlisted push was stopped"),
    ]


def app_settings_cases():
    secret = "server-secret-0123456789-abcdefghijkl"
    return [
        case("settings not a dict", {"settings": "mp4MuxingEnabled", "server_jwt_secret": secret}, "settings"),
        case("settings empty", {"settings": {}, "server_jwt_secret": secret}, "settings"),
        case("empty server secret", {"settings": {"a": 1}, "server_jwt_secret": ""}, "server_jwt_secret"),
        case("user without password", {"settings": {"a": 1}, "console_user": "x@y"}, "console_password"),
        case("both auth ways", {"settings": {"a": 1}, "server_jwt_secret": secret, "console_user": "u",
                                "console_password": "p"}, "mutually exclusive"),
    ]


def vod_cases():
    return [
        case("no id and no rule", {}, "nothing selects the VoDs to delete"),
        case("vod_id empty", {"vod_id": ""}, "vod_id ''"),
        case("vod_id traversal", {"vod_id": "../x/y"}, "vod_id '../x/y' is not a VoD id"),
        case("vod_id newline", {"vod_id": "abc\n"}, "vod_id 'abc\\n' is not a VoD id"),
        case("vod_id a YAML number", {"vod_id": 8}, "vod_id 8 is a number"),
        case("vod_id empty list", {"vod_id": []}, "vod_id is an empty list"),
        case("older_than_days negative", {"older_than_days": -1}, "older_than_days -1"),
        case("older_than_days text", {"older_than_days": "soon"}, "older_than_days 'soon'"),
        case("keep_last fraction", {"keep_last": 2.5}, "keep_last 2.5"),
        case("keep_last boolean", {"keep_last": True}, "keep_last True"),
        case("stream_pattern broken", {"stream_pattern": "room("}, "stream_pattern 'room('"),
        case("vod_types unknown", {"keep_last": 1, "vod_types": ["liveVod"]}, "vod_types"),
        case("state present", {"keep_last": 1, "state": "present"}, "state"),
    ]


MODULE_CASES = {
    "media_push": media_push_cases,
    "broadcast_recording": broadcast_recording_cases,
    "broadcast_info": info_cases,
    "vod_info": info_cases,
    "vod": vod_cases,
    "room_recordings": room_recordings_cases,
    "app_settings": app_settings_cases,
    "server_info": server_info_cases,
}


def run_cases(module, cases, ams, tmp_path):
    """One playbook: a task per case (ignore_errors), then the results saved to a file."""
    tasks = []
    for index, item in enumerate(cases):
        args = dict({"url": ams.base_url(), "app": "live"}, **item["args"])
        tasks.append({"name": "case %d" % index, "mediaops.antmedia." + module: args,
                      "register": "case_%d" % index, "ignore_errors": True})
    results_path = tmp_path / "results.json"
    tasks.append({"name": "save", "ansible.builtin.copy": {
        "content": "{{ [%s] | to_json }}" % ", ".join("case_%d" % index for index in range(len(cases))),
        "dest": str(results_path), "mode": "0600"}, "no_log": True})
    playbook = tmp_path / "play.yml"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".work" / "collections"),
                       ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), NO_PROXY="*")
    for name in ("ANTMEDIA_URL", "ANTMEDIA_APP", "ANTMEDIA_JWT_SECRET", "ANTMEDIA_JWT_TOKEN"):
        environment.pop(name, None)
    completed = subprocess.run([str(VENV / "bin" / "ansible-playbook"), "-i", "localhost,", "-c", "local", "-e",
                                "ansible_python_interpreter=%s" % (VENV / "bin" / "python"), str(playbook)],
                               capture_output=True, text=True, env=environment, timeout=900, check=False)
    assert results_path.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads(results_path.read_text())


@pytest.mark.parametrize("module", sorted(MODULE_CASES))
def test_every_hostile_value_is_refused_before_any_request(module, standin, tmp_path):
    cases = MODULE_CASES[module]()
    seq = standin.last_seq()
    results = run_cases(module, cases, standin, tmp_path)
    problems = []
    for item, result in zip(cases, results):
        message = result.get("msg", "")
        if result.get("failed") is not True:
            problems.append("%s: did not fail (%s)" % (item["label"], json.dumps(result)[:200]))
        elif item["expected"] not in message:
            problems.append("%s: %r does not name %r" % (item["label"], message[:300], item["expected"]))
        elif "\n" in message.strip():
            problems.append("%s: the message is not one line" % item["label"])
    assert problems == [], "\n".join(problems)
    assert standin.requests(seq) == [], "the stand-in received a request"
    assert URL_PASSWORD not in json.dumps(results), "a password in url shows in a result"
    print("%s: %d hostile inputs refused" % (module, len(cases)))


ROLE_CASES = [
    ("recordings a string", {"antmedia_recordings": "board"}, "antmedia_recordings"),
    ("item a string", {"antmedia_recordings": ["board"]}, "antmedia_recordings"),
    ("room traversal", {"antmedia_recordings": [{"room": "../x"}]}, "recordings[0] (room '../x')"),
    ("unknown key", {"antmedia_recordings": [{"room": "a", "colour": "red"}]}, "colour"),
    ("record type", {"antmedia_recordings": [{"room": "a", "record_type": "mkv"}]}, "mkv"),
    ("width text", {"antmedia_recordings": [{"room": "a", "width": "wide"}]}, "width"),
    ("schedule a string", {"antmedia_recordings": [{"room": "a", "schedule": "daily"}]}, "schedule"),
    ("day", {"antmedia_recordings": [{"room": "a", "schedule": [
        {"days": ["funday"], "start": "09:00", "end": "10:00"}]}]}, "funday"),
    ("start", {"antmedia_recordings": [{"room": "a", "schedule": [
        {"days": ["mon"], "start": "25:00", "end": "10:00"}]}]}, "25:00"),
    ("timezone", {"antmedia_recordings": [{"room": "a", "schedule": [
        {"days": ["mon"], "start": "09:00", "end": "10:00", "timezone": "Mars/Phobos"}]}]}, "Mars/Phobos"),
    ("now", {"antmedia_recordings": [{"room": "a", "schedule": [{"days": ["mon"], "start": "09:00", "end": "10:00"}]}],
             "conference_recording_now": "yesterday"}, "yesterday"),
    ("stop_unlisted", {"antmedia_recordings": [{"room": "a"}], "antmedia_stop_unlisted": "perhaps"},
     "antmedia_stop_unlisted"),
    ("page_url", {"antmedia_recordings": [{"room": "a", "page_url": "file:///etc/shadow"}]}, "file:///etc/shadow"),
    # issue 15: a stopped item's schedule is checked too; only IANA zones; YAML's base-60 times explained
    ("stopped item's schedule", {"antmedia_recordings": [{"room": "a", "state": "stopped", "schedule": [
        {"days": ["mon"], "start": "09:00", "end": "24:30"}]}]}, "'24:30'"),
    ("timezone localtime", {"antmedia_recordings": [{"room": "a", "schedule": [
        {"days": ["mon"], "start": "09:00", "end": "10:00", "timezone": "localtime"}]}]}, "'localtime'"),
    ("timezone right/UTC", {"antmedia_recordings": [{"room": "a", "schedule": [
        {"days": ["mon"], "start": "09:00", "end": "10:00", "timezone": "right/UTC"}]}]}, "'right/UTC'"),
    ("unquoted 9:30", {"antmedia_recordings": [{"room": "a", "schedule": [
        {"days": ["mon"], "start": 570, "end": "10:00"}]}]}, "quote it: '09:30'"),
    # the role's own check or the module's: either says to quote it
    ("room a YAML number", {"antmedia_recordings": [{"room": 8}]}, "quote it"),
]


def test_role_variables_are_refused_before_any_request(standin, tmp_path):
    """One record.yml run, one host per hostile case: each host fails naming its bad value."""
    hosts = {}
    for index, (_label, variables, _expected) in enumerate(ROLE_CASES):
        hosts["case%d" % index] = dict(variables, ansible_connection="local", antmedia_url=standin.base_url(),
                                       ansible_python_interpreter=str(VENV / "bin" / "python"))
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"media_servers": {"hosts": hosts}}))
    seq = standin.last_seq()
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".work" / "collections"), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), NO_PROXY="*", ANSIBLE_FORKS="13",
                       ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    completed = subprocess.run([str(VENV / "bin" / "ansible-playbook"), "-i", str(inventory),
                                str(REPO / "playbooks" / "record.yml")], capture_output=True, text=True,
                               env=environment, timeout=900, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    failures = {}
    for line in output.splitlines():
        if line.startswith("fatal: [case") and "=> " in line:
            host = line.split("[", 1)[1].split("]", 1)[0]
            failures[host] = json.loads(line.split("=> ", 1)[1]).get("msg", "")
    problems = []
    for index, (label, _variables, expected) in enumerate(ROLE_CASES):
        message = failures.get("case%d" % index)
        if message is None:
            problems.append("%s: the host did not fail" % label)
        elif expected not in message:
            problems.append("%s: %r does not name %r" % (label, message[:400], expected))
    assert problems == [], "\n".join(problems)
    assert standin.requests(seq) == [], "the stand-in received a request"


# Issue 29: the schedule's values are checked whole ("name\n" was let through by match('...$')), all at once.
SCHEDULE_CASES = [
    ("name with a line break", {"antmedia_schedule_name": "rec\n"}, "antmedia_schedule_name 'rec\\n'"),
    ("user with a line break", {"antmedia_schedule_user": "root\n"}, "antmedia_schedule_user 'root\\n'"),
    ("interval with a line break", {"antmedia_schedule_interval_minutes": "5\n"},
     "antmedia_schedule_interval_minutes '5\\n'"),
    ("environment name with a line break", {"antmedia_schedule_environment": {"OK": "1", "BAD\nX": "2"}},
     "invalid variable names 'BAD\\nX'"),
    ("relative inventory", {"antmedia_schedule_inventory": "inventory.yml"},
     "antmedia_schedule_inventory 'inventory.yml' must be an absolute path"),
    ("unknown playbook", {"antmedia_schedule_playbook": "site.yml"}, "antmedia_schedule_playbook 'site.yml'"),
    ("relative vault password file", {"antmedia_schedule_vault_password_file": "vault.txt"},
     "antmedia_schedule_vault_password_file 'vault.txt'"),
    ("two bad values at once", {"antmedia_schedule_name": "a b", "antmedia_schedule_user": "x y"},
     "antmedia_schedule_name 'a b' must be 1 to 81 letters, digits, _ . @ - (starting with a letter or digit); "
     "antmedia_schedule_user 'x y'"),
]


def test_schedule_variables_are_refused_whole_before_anything_is_written(tmp_path):
    """One schedule.yml run in check mode, one host per hostile case: each fails naming its variable and value."""
    hosts = {}
    for index, (_label, variables, _expected) in enumerate(SCHEDULE_CASES):
        hosts["sched%d" % index] = dict(
            {"antmedia_schedule_inventory": "/etc/ansible/media/inventory.yml"}, **variables,
            ansible_connection="local", ansible_become=False, ansible_python_interpreter=str(VENV / "bin" / "python"),
            antmedia_schedule_environment_dir=str(tmp_path / "env"))
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"schedule_cases": {"hosts": hosts}}))
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".work" / "collections"), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_FORKS="8", ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    completed = subprocess.run([str(VENV / "bin" / "ansible-playbook"), "-i", str(inventory), "--check",
                                "-e", "antmedia_schedule_hosts=schedule_cases", str(REPO / "playbooks" / "schedule.yml")],
                               capture_output=True, text=True, env=environment, timeout=900, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output[-3000:]
    failures = {}
    for line in output.splitlines():
        if line.startswith("fatal: [sched") and "=> " in line:
            host = line.split("[", 1)[1].split("]", 1)[0]
            failures[host] = json.loads(line.split("=> ", 1)[1]).get("msg", "")
    problems = []
    for index, (label, _variables, expected) in enumerate(SCHEDULE_CASES):
        message = failures.get("sched%d" % index)
        if message is None:
            problems.append("%s: the host did not fail" % label)
        elif expected not in message or "\n" in message:
            problems.append("%s: %r does not name %r in one line" % (label, message[:400], expected))
    assert problems == [], "\n".join(problems) + output[-2000:]
    assert not (tmp_path / "env").exists()
