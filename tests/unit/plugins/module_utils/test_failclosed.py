# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 15, module side: secrets never show, results say what happened, Retry-After is honoured."""
from __future__ import annotations

import email.utils

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils import _secrets
from ansible_collections.mediaops.antmedia.plugins.module_utils._app_settings import plan_settings, view
from ansible_collections.mediaops.antmedia.plugins.module_utils._client import AntMediaClient, AntMediaError, Transport
from ansible_collections.mediaops.antmedia.plugins.module_utils._reconcile import Action, Plan, Reconciler

from ansible_collections.mediaops.antmedia.tests.unit.plugins.fake_ams import FakeResponse

HOOK = "https://hookuser:hook-pass-77@hooks.example.com/T0001/B0002/xoxb9f8e7d6c5b4a3928/notify?room=a&token=tk-123456"


# ---- the secret settings of AppSettings.java ----------------------------------------------------
@pytest.mark.parametrize("key", ["clusterCommunicationKey", "s3AccessKey", "s3SecretKey", "jwtSecretKey",
                                 "jwtStreamSecretKey", "tokenHashSecret", "turnServerCredential", "turnServerUsername",
                                 "timeTokenSecretForPlay", "subscriberAuthenticationKey", "apnPrivateKey",
                                 "firebaseAccountKeyJSON", "someFutureApiKey"])
def test_every_secret_setting_is_hidden(key):
    assert _secrets.is_secret(key)
    assert view([key], {key: "the-value-xyz"}) == {key: "********"}
    assert _secrets.secret_values(key, "the-value-xyz") == ["the-value-xyz"]


@pytest.mark.parametrize("key, value", [("mp4MuxingEnabled", True), ("webRTCKeyframeTime", 2000),
                                        ("publishTokenControlEnabled", True), ("remoteAllowedCIDR", "127.0.0.1")])
def test_switches_and_plain_values_stay_readable(key, value):
    assert view([key], {key: value}) == {key: value}


def test_credentials_inside_urls_are_removed_and_the_rest_stays():
    shown = _secrets.shown("listenerHookURL", HOOK)
    assert shown == "https://********@hooks.example.com/T0001/B0002/********/notify?room=a&token=********"
    hidden = _secrets.secret_values("listenerHookURL", HOOK)
    for part in ("hookuser:hook-pass-77", "hook-pass-77", "xoxb9f8e7d6c5b4a3928", "tk-123456"):
        assert part in hidden
    assert "hookuser" not in hidden  # a user name alone is not scrubbed from every other text
    # a URL in a setting that is not listed is treated the same
    assert "hook-pass-77" not in _secrets.shown("someNewHookUrl", HOOK)


def test_old_and_new_secret_values_stay_out_of_the_plan_and_the_diff():
    current = {"clusterCommunicationKey": "old-cluster-key-0001", "listenerHookURL": ""}
    new, changed = plan_settings({"clusterCommunicationKey": "new-cluster-key-0002", "listenerHookURL": HOOK}, current)
    assert changed == ["clusterCommunicationKey", "listenerHookURL"]
    text = repr(view(changed, current)) + repr(view(changed, new))
    for secret in ("old-cluster-key-0001", "new-cluster-key-0002", "hook-pass-77", "tk-123456"):
        assert secret not in text


# ---- the user and password in url ---------------------------------------------------------------
def test_userinfo_in_url_is_sent_as_basic_auth_and_never_shown(ams):
    api = AntMediaClient("http://ops:pa%24%24word@127.0.0.1:5080", "live", retries=0)
    assert api.base_url == "http://127.0.0.1:5080"
    ams.inject("GET", "/broadcasts/s1$", FakeResponse(500, {"message": "oops ops:pa$$word pa%24%24word"}))
    with pytest.raises(AntMediaError) as error:
        api.get_broadcast("s1")
    assert "pa$$word" not in error.value.message and "pa%24%24word" not in error.value.message
    assert "ops:" not in error.value.message


def test_userinfo_reaches_the_transport_as_auth(monkeypatch):
    seen = {}

    def request(transport, method, url, **kwargs):
        seen.update(url=url, auth=kwargs.get("auth"))
        return FakeResponse(200, {"streamId": "s1"})

    monkeypatch.setattr(Transport, "request", request)
    AntMediaClient("http://ops:pa%24%24word@127.0.0.1:5080", "live").get_broadcast("s1")
    assert seen == {"url": "http://127.0.0.1:5080/live/rest/v2/broadcasts/s1", "auth": ("ops", "pa$$word")}


# ---- Retry-After --------------------------------------------------------------------------------
class Clock(object):
    def __init__(self):
        self.now = 1_800_000_000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def time(self):
        return self.now


def busy(status, retry_after):
    response = FakeResponse(status, text="busy", content_type="text/plain")
    response.headers["Retry-After"] = retry_after
    return response


@pytest.mark.parametrize("status", [429, 503])
def test_a_read_waits_as_long_as_retry_after_says(ams, status):
    clock = Clock()
    ams.add_broadcast("s1")
    ams.inject("GET", "/broadcasts/s1$", busy(status, "7"))
    http_date = email.utils.formatdate(clock.now + 7 + 12, usegmt=True)  # 12 s after the first wait
    ams.inject("GET", "/broadcasts/s1$", busy(status, http_date))
    api = AntMediaClient("http://127.0.0.1:5080", "live", timeout=60, sleep=clock.sleep, clock=clock.time)
    assert api.get_broadcast("s1")["streamId"] == "s1"
    assert clock.sleeps == [7.0, 12.0]


def test_a_retry_after_past_the_timeout_fails_at_once_with_one_line(ams):
    clock = Clock()
    ams.inject("GET", "/broadcasts/s1$", busy(429, "600"))
    api = AntMediaClient("http://127.0.0.1:5080", "live", timeout=30, sleep=clock.sleep, clock=clock.time)
    with pytest.raises(AntMediaError) as error:
        api.get_broadcast("s1")
    assert clock.sleeps == [] and len(ams.calls) == 1
    assert "HTTP 429 with Retry-After 600" in error.value.message and "timeout of 30 s" in error.value.message


def test_backoff_never_sleeps_past_the_timeout(ams):
    clock = Clock()
    for _attempt in range(3):
        ams.inject("GET", "/broadcasts/s1$", FakeResponse(503, text="busy"))
    api = AntMediaClient("http://127.0.0.1:5080", "live", timeout=1, backoff=100, backoff_cap=100,
                         sleep=clock.sleep, clock=clock.time)
    ams.add_broadcast("s1")
    api.get_broadcast("s1")
    # the waits are what is left of the timeout, computed on a clock near 1.8e9 s: equal up to float rounding
    assert sum(clock.sleeps) <= 1 + 1e-6


def test_a_429_on_a_write_is_not_retried(ams):
    clock = Clock()
    ams.inject("PUT", "/recording/true$", busy(429, "1"))
    api = AntMediaClient("http://127.0.0.1:5080", "live", sleep=clock.sleep, clock=clock.time)
    ams.add_broadcast("s1")
    with pytest.raises(AntMediaError):
        api.set_recording("s1", True, "mp4")
    assert len(ams.writes) == 1


# ---- changed is true when a write took effect, even if the read-back fails -----------------------
class OneWrite(Reconciler):
    def __init__(self, fail_read_back):
        super(OneWrite, self).__init__(client=None)
        self.fail_read_back = fail_read_back
        self.store = {}

    def apply(self, plan, action, state):
        self.store[plan.key] = "started"
        return True

    def finish(self, plan, changed, state):
        if self.fail_read_back:
            raise AntMediaError("GET v2/broadcasts/r1 answered HTTP 503 (busy)")
        return {"state": self.store.get(plan.key)}, {}


def plan():
    return Plan("r1", {}, None, {"state": "stopped"}, {"state": "started"}, [Action("start_push")])


def test_a_failed_read_back_after_a_write_reports_changed_and_says_both():
    engine = OneWrite(fail_read_back=True)
    with pytest.raises(AntMediaError) as error:
        engine.converge(plan())
    assert engine.store == {"r1": "started"}
    assert error.value.changed is True
    assert error.value.message == "the push was started, then: GET v2/broadcasts/r1 answered HTTP 503 (busy)"


def test_many_items_keep_changed_when_the_read_back_fails():
    outcome = OneWrite(fail_read_back=True).converge_all([plan()])[0]
    assert outcome.changed is True and outcome.failure.startswith("the push was started, then:")
