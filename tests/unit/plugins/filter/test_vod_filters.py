# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vods.yml's filters: antmedia_vod_retention checked with errors naming the variable, and the VoD listing."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.mediaops.antmedia.plugins.filter.vod_lines import vod_lines
from ansible_collections.mediaops.antmedia.plugins.filter.vod_retention_policies import vod_retention_policies


def test_no_retention_is_an_empty_list():
    assert vod_retention_policies(None) == []
    assert vod_retention_policies([]) == []


def test_one_policy_or_a_list_becomes_module_options():
    assert vod_retention_policies({"older_than_days": 30, "keep_last": None}) == [{"older_than_days": 30}]
    policies = [{"stream_pattern": ".*_composite", "keep_last": 5}, {"vod_id": ["a", "b"], "vod_types": ["userVod"]}]
    assert vod_retention_policies(policies) == policies


@pytest.mark.parametrize("value, words", [
    ({"keep_last": "all"}, "antmedia_vod_retention.keep_last 'all' must be a whole number"),
    ([{"keep_last": 1}, {"older_than": 3}], "antmedia_vod_retention[1] has an unknown key 'older_than'"),
    ([{"keep_last": 1}, "30 days"], "antmedia_vod_retention[1] must be a mapping"),
    ("30 days", "antmedia_vod_retention must be a policy"),
    ({"vod_types": ["userVod"]}, "nothing selects the VoDs to delete: give antmedia_vod_retention.vod_id"),
    ({"stream_pattern": "room(", "keep_last": 1}, "antmedia_vod_retention.stream_pattern 'room(' is not a regular"),
    ({"vod_id": "x\n"}, "antmedia_vod_retention.vod_id 'x\\n' is not a VoD id"),
])
def test_a_bad_policy_is_one_line_naming_the_variable(value, words):
    with pytest.raises(AnsibleFilterError) as caught:
        vod_retention_policies(value)
    message = str(caught.value)
    assert words in message and "\n" not in message
    for python_name in ("dict", "str", "int", "NoneType", "_AnsibleLazyTemplateDict"):
        assert python_name not in message.replace("antmedia_vod_retention", "").split()


def test_vod_lines_align_newest_first_and_survive_odd_fields():
    lines = vod_lines([
        {"vodId": "old", "vodName": "a.mp4", "streamId": "room_composite", "type": "streamVod",
         "creationDate": 1_700_000_000_000, "duration": 3_723_000, "fileSize": 5 * 1024 * 1024},
        {"vodId": "new", "vodName": "b\nc.mp4", "streamId": None, "type": "uploadedVod",
         "creationDate": 1_800_000_000_000, "duration": None, "fileSize": 512},
        {"vodId": "odd", "creationDate": "soon", "fileSize": True},
    ])
    assert lines[0].startswith("created (UTC)")
    assert [line.split()[-1] for line in lines[1:]] == ["new", "old", "odd"]
    assert "2023-11-14 22:13  1:02:03" in lines[2] and "5.0 MB" in lines[2]
    assert "b c.mp4" in lines[1] and "512 B" in lines[1] and "?" in lines[1]
    assert all("\n" not in line for line in lines)
    assert len({line.index("id") if index == 0 else len(line) - len(line.split()[-1]) for index, line in
                enumerate(lines)}) == 1  # the id column starts at one place
    assert vod_lines([]) == ["no VoDs"]
