# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""media_push_version: the plugin of a server's own release (issue 28): plugin version = server version, but no
media-push-3.0.2.jar was ever built (docs/server-contract.md, "Versions and editions": at tag
ams-v3.0.2 the plugin's pom parent is still 3.0.1), so a 3.0.2 server gets 3.0.1 without forcing."""
from __future__ import annotations

import pytest

from ansible_collections.mediaops.antmedia.plugins.filter.drift_host import plugin_findings
from ansible_collections.mediaops.antmedia.plugins.filter.media_push_version import FilterModule
from ansible_collections.mediaops.antmedia.plugins.module_utils._plugin_release import media_push_version


@pytest.mark.parametrize("server, plugin", [
    ("3.0.2", "3.0.1"), (" 3.0.2 ", "3.0.1"),
    ("3.0.1", "3.0.1"), ("3.0.3", "3.0.3"), ("3.0.0", "3.0.0"), ("2.17.1", "2.17.1"), ("2.8.0", "2.8.0"),
    ("3.0.2-SNAPSHOT", "3.0.2-SNAPSHOT"),  # not a release: no jar is guessed for it
    ("", ""), (None, ""),
])
def test_the_plugin_of_a_server_release(server, plugin):
    assert media_push_version(server) == plugin


def test_the_filter_is_the_same_function():
    assert FilterModule().filters()["media_push_version"] is media_push_version


def state(found, server):
    return {"jar_version_wanted": media_push_version(server), "jar_version_found": found, "server_version": server,
            "jar_sha1_wanted": "a" * 40, "jar_sha1_found": "a" * 40, "jar_changed": False, "not_loaded_in": [],
            "browser_package": "google-chrome-stable", "browser_changed": False}


def test_drift_takes_the_3_0_1_plugin_on_a_3_0_2_server_as_matching():
    assert plugin_findings(state("3.0.1", "3.0.2"))["plugin"]["drift"] is False
    assert plugin_findings(state("3.0.2", "3.0.2"))["plugin"]["drift"] is True  # a jar that cannot be the right one
    assert plugin_findings(state("3.0.1", "3.0.3"))["plugin"]["drift"] is True
