# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""JWT and IP filters, HTTPS with a test CA, and secrets that never show: modules through ansible-playbook
against a real stand-in, output captured at -vvv with --diff."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from ams_standin.harness import make_test_ca

APP_SECRET = "jwt-app-secret-0123456789-abcdefghijklmnop"
PLAY_TOKEN = "play-token-zz9-plural-z-alpha"


def mint(secret, lifetime=300):
    """An HS256 token made here independently of the collection's own code."""
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=")
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps({"exp": int(time.time()) + lifetime}).encode())
    signature = b64(hmac.new(secret.encode(), header + b"." + payload, hashlib.sha256).digest())
    return (header + b"." + payload + b"." + signature).decode()


def files_text(ams):
    """The logs the server side writes (its log and request log; stored settings hold the secret by design)."""
    texts = []
    for path in ams.root.rglob("*"):
        if path.is_file() and path.suffix in (".log", ".jsonl"):
            try:
                texts.append(path.read_text(errors="replace"))
            except OSError:
                pass
    return "\n".join(texts)


def test_jwt_filter_and_no_secret_anywhere(make_standin, run_task):
    ams = make_standin(media_push=True)
    ams.set_app_settings(jwtControlEnabled=True, jwtSecretKey=APP_SECRET)
    ams.join("secret-room", "p1")
    base = dict(url=ams.base_url(), app="live", room="secret-room", record_type="mp4", token=PLAY_TOKEN)

    refused = run_task("media_push", base)
    assert refused["failed"] is True and "JWT filter" in refused["msg"] and "no jwt_secret" in refused["msg"]
    wrong = run_task("media_push", dict(base, jwt_secret="another-secret-0123456789-abcdefghijkl"))
    assert wrong["failed"] is True and "token was not accepted" in wrong["msg"]

    outputs = []
    started = run_task("media_push", dict(base, jwt_secret=APP_SECRET), diff=True, verbosity=3)
    outputs.append(started.stdout)
    assert started["changed"] is True and started["recording"] == ["mp4"], started.result
    token = mint(APP_SECRET)
    seq = ams.last_seq()
    again = run_task("media_push", dict(base, jwt_token=token), diff=True, verbosity=3)
    outputs.append(again.stdout)
    assert again["changed"] is False and ams.writes(seq) == []
    checked = run_task("media_push", dict(base, jwt_secret=APP_SECRET, state="stopped"), check=True, diff=True,
                       verbosity=3)
    outputs.append(checked.stdout)
    # room_recordings runs in the controller here (local connection): the same secrets, the same JWT filter
    rooms = run_task("room_recordings", dict(url=ams.base_url(), app="live", jwt_secret=APP_SECRET,
                                             recordings=[{"room": "secret-room", "token": PLAY_TOKEN}]),
                     diff=True, verbosity=3)
    outputs.append(rooms.stdout)
    assert rooms["changed"] is False and "AnsiballZ_room_recordings" not in rooms.stdout, rooms.result
    stopped = run_task("media_push", dict(base, jwt_token=token, state="stopped", vod_timeout=10), diff=True,
                       verbosity=3)
    outputs.append(stopped.stdout)
    assert stopped["changed"] is True

    everything = "\n".join(outputs) + files_text(ams)
    for secret in (APP_SECRET, token, PLAY_TOKEN):
        assert secret not in "\n".join(outputs), "a secret shows in ansible-playbook output"
    for secret in (APP_SECRET, token):
        assert secret not in everything, "a secret shows in a file the project writes"
    assert "********" in "\n".join(outputs)


def test_a_short_secret_works_with_a_warning(standin, run_task):
    """A secret under 32 bytes works on the server (docs/server-contract.md, "Security filters"):
    the task warns that it is weak and goes on; the secret shows nowhere, even at -vvv --diff."""
    standin.set_app_settings(jwtControlEnabled=True, jwtSecretKey="too-short")
    try:
        short = run_task("broadcast_info", dict(url=standin.base_url(), app="live", jwt_secret="too-short"),
                         verbosity=3, diff=True)
        assert short.get("failed") is not True, short.result
        assert "9 bytes long" in short.stdout and "weak" in short.stdout and "too-short" not in short.stdout
        refused = run_task("broadcast_info", dict(url=standin.base_url(), app="live", jwt_secret="too-shorT"))
        assert refused["failed"] is True and "JWT" in refused["msg"]
    finally:
        standin.set_app_settings(jwtControlEnabled=False)


def test_ip_filter_refusal_says_what_to_do(standin, run_task):
    standin.set_app_settings(remoteAllowedCIDR="10.99.0.0/16")
    refused = run_task("broadcast_info", dict(url=standin.base_url(), app="live"))
    assert refused["failed"] is True and "IP filter" in refused["msg"] and "remoteAllowedCIDR" in refused["msg"]


def test_tls_unknown_ca_fails_ca_path_passes_and_no_verification_warns(make_standin, run_task, tmp_path):
    tls = make_test_ca(tmp_path / "ca")
    ams = make_standin(media_push=True, tls=tls)
    ams.join("tls-room", "p1")
    https = ams.base_url(tls=True)
    assert https.startswith("https://")
    seq = ams.last_seq()
    unknown = run_task("media_push", dict(url=https, app="live", room="tls-room"))
    assert unknown["failed"] is True and "TLS failure" in unknown["msg"] and "ca_path" in unknown["msg"]
    assert ams.writes(seq) == []
    trusted = run_task("media_push", dict(url=https, app="live", room="tls-room", record_type="mp4",
                                          page_base_url=ams.base_url(), ca_path=str(tls.ca_cert)))
    assert trusted["changed"] is True and trusted["state"] == "started", trusted.result
    unverified = run_task("broadcast_info", dict(url=https, app="live", stream_id="tls-room_composite",
                                                 validate_certs=False))
    assert unverified.get("failed") is not True
    assert "validate_certs is false" in unverified.warnings
