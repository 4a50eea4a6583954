# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end at the highest verbosity: a participant's publish parameters (its token, merged into its hooks by AMS
2.15+) reach no event and no log of ansible-rulebook or of the playbooks it runs, and the hooks the automation does
not act on (liveStreamStatus, idleTimeIsExpired) are answered 200 with no room event; a rotation keeps the rooms
whose broadcasts hold the old hook URL recorded."""

from __future__ import annotations

import time

from eda_harness import Rulebook, Standin, fleet_inventory, push_starts, push_stops, wait_until

SERVER = "127.0.0.2"
TOKEN = "tk" + "5b1e" * 12
CODE = "73" + "0419" * 4


def test_publish_parameters_reach_no_event_or_log_and_status_hooks_are_answered(tmp_path):
    # docs/server-contract.md, "Webhooks": the fields a publisher can write, and the actions by version
    # (AntMediaApplicationAdapter.notifyHook, notifyWebhookForStreamStatus)
    with Standin(addresses=(SERVER,), media_push=True, push_start_delay=0.2) as ams:
        inventory = fleet_inventory(ams, [SERVER], {"auto_record_grace": 2})
        with Rulebook(tmp_path / "eda", inventory, verbosity=3) as eda:
            ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url, webhookStreamStatusUpdatePeriodMs=300)
            # a room created over REST with an idle time: idleTimeIsExpired once it has been empty that long
            assert ams.call("POST", "/live/rest/v2/broadcasts/create", {"streamId": "kappa", "maxIdleTime": 1},
                            address=SERVER)[0] == 200
            ams.join("kappa", "lena", address=SERVER, parameters={"token": TOKEN, "subscriberCode": CODE})
            wait_until(lambda: "kappa_composite" in push_starts(ams, SERVER), 60, what="kappa recorded")
            wait_until(lambda: eda.log().count("liveStreamStatus") >= 2, 60, what="status hooks as events")
            ams.leave("kappa", "lena", address=SERVER)
            wait_until(lambda: "kappa_composite" in push_stops(ams, SERVER), 60, what="kappa stopped")
            wait_until(lambda: "idleTimeIsExpired" in eda.log(), 60, what="the idle hook as an event")
            eda.idle_after("stop", 1)
            log = eda.log()
            starts = push_starts(ams, SERVER)
    assert "lena" in log and "kappa" in log  # the hooks were seen at this verbosity
    assert TOKEN not in log and CODE not in log and "subscriberCode" not in log
    assert "refused a hook" not in log and eda.secret not in log
    assert list(starts) == ["kappa_composite"] and len(starts["kappa_composite"]) == 1


def test_rotation_keeps_the_frozen_hook_urls_of_existing_rooms_working(tmp_path, monkeypatch):
    """A room created before the rotation keeps posting to the old URL (docs/server-contract.md, "Creating a
    broadcast": saveBroadcast freezes the hook URL, getListenerHookURL prefers it); the receiver accepts
    the previous secret until the stated time, so the room is still recorded."""
    old_secret = "o1" + "77ab" * 12
    monkeypatch.setenv("AMS_HOOK_OLD_SECRET", old_secret)
    until = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3600))
    with Standin(addresses=(SERVER,), media_push=True, push_start_delay=0.2) as ams:
        inventory = fleet_inventory(ams, [SERVER], {"auto_record_grace": 2})
        with Rulebook(tmp_path / "eda", inventory, verbosity=1, extra_vars={
                "ams_hook_previous_secret_env": "AMS_HOOK_OLD_SECRET",
                "ams_hook_previous_secret_until": until}) as eda:
            old_url = eda.hook_url.replace(eda.secret, old_secret)
            ams.set_app_settings(address=SERVER, listenerHookURL=old_url)
            # a scheduled room and its participant's broadcast, both created before the rotation
            for body in ({"streamId": "mu"}, {"streamId": "nina", "mainTrackStreamId": "mu"}):
                assert ams.call("POST", "/live/rest/v2/broadcasts/create", body, address=SERVER)[0] == 200
            ams.set_app_settings(address=SERVER, listenerHookURL=eda.hook_url)  # the rotation
            ams.join("mu", "nina", address=SERVER)
            wait_until(lambda: "mu_composite" in push_starts(ams, SERVER), 60, what="mu recorded")
            log = eda.log()
    assert "a hook with the previous secret" in log and "refused a hook" not in log
    assert old_secret not in log and eda.secret not in log
