# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import ValidationError
from ansible_collections.mediaops.antmedia.plugins.module_utils._vod import retention_rules

POLICY_KEYS = ("vod_id", "older_than_days", "keep_last", "stream_pattern", "vod_types")


def vod_retention_policies(value, name="antmedia_vod_retention"):
    if value is None:
        return []
    single = isinstance(value, dict)
    if not single and not isinstance(value, list):
        raise AnsibleFilterError("%s must be a policy (a mapping such as {older_than_days: 30}) or a list of them, "
                                 "not %r" % (name, str(value)[:60]))
    policies = []
    for index, policy in enumerate([value] if single else value):
        where = name if single else "%s[%d]" % (name, index)
        if not isinstance(policy, dict):
            raise AnsibleFilterError("%s must be a mapping such as {older_than_days: 30}, not %r"
                                     % (where, str(policy)[:60]))
        unknown = sorted(str(key) for key in policy if key not in POLICY_KEYS)
        if unknown:
            raise AnsibleFilterError("%s has an unknown key %r: use %s" % (where, unknown[0], ", ".join(POLICY_KEYS)))
        try:
            retention_rules(policy, names=dict((key, "%s.%s" % (where, key)) for key in POLICY_KEYS))
        except ValidationError as exc:
            raise AnsibleFilterError(str(exc))
        policies.append(dict((key, policy[key]) for key in POLICY_KEYS if policy.get(key) is not None))
    return policies


class FilterModule(object):
    def filters(self):
        return {"vod_retention_policies": vod_retention_policies}
