# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' patterns used with Jinja's match test (re.match) accept only whole values: "live\\n" is refused (a
trailing $ matches before a final line break)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]


def role_file(path):
    return (REPO / "roles" / path).read_text()


def match_patterns(text):
    """The literal patterns of `is match('...')` in a task file."""
    return re.findall(r"is match\('([^']*)'\)", text)


def test_the_app_name_pattern_matches_whole_names_only():
    pattern = yaml.safe_load(role_file("antmedia_server/vars/main.yml"))["antmedia_server_app_name_pattern"]
    assert re.match(pattern, "live") and re.match(pattern, "Live_App-2")
    for bad in ("live\n", "live\nroot", "", "-live", "li/ve"):
        assert re.match(pattern, bad) is None, bad


@pytest.mark.parametrize("path", ["antmedia_server/tasks/preflight.yml", "media_push_plugin/tasks/preflight.yml",
                                  "media_push_plugin/tasks/server.yml"])
def test_no_whole_value_check_ends_with_a_dollar(path):
    patterns = match_patterns(role_file(path))
    assert patterns
    for pattern in patterns:
        assert not pattern.endswith("$"), (path, pattern)
        if pattern.endswith("\\Z"):
            sample_ok = {"^[0-9]+(\\.[0-9]+)+\\Z": "3.0.1", "^(sha256:)?[0-9a-fA-F]{64}\\Z": "a" * 64,
                         "^[0-9A-Za-z][0-9A-Za-z._-]*\\Z": "2.11.3"}.get(pattern)
            if sample_ok:
                assert re.match(pattern, sample_ok) and re.match(pattern, sample_ok + "\n") is None, pattern
