# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: drift_summary
short_description: The fleet's drift report, from every host's findings
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Sorts the hosts of a C(drift.yml) run into checked, not checked and drifted, from the findings that
    P(mediaops.antmedia.drift_host#filter) returned on each host.
  - Fails closed. A host with no findings (its run ended before its checks did) is not checked, with the reason
    V(the run failed on this host); a host with a reason not to be checked is never counted as checked or drifted.
  - A concern marked C(not_checked) (the plugin and browser of a host reached with C(ansible_connection=local)) is
    neither drift nor a reason to call the host not checked.
options:
  _input:
    description: The hosts of the run, in the order of the report (C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  findings:
    description:
      - Each host's findings, in the order of O(_input); V(None) or an empty dictionary for a host whose checks did not
        finish.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Summarise the run
  ansible.builtin.set_fact:
    antmedia_drift: >-
      {{ ansible_play_hosts_all | mediaops.antmedia.drift_summary(ansible_play_hosts_all | map('extract', hostvars)
         | map(attribute='antmedia_drift_host', default={}) | list) }}
"""

RETURN = r"""
_value:
  description: The run's summary.
  type: dict
  contains:
    hosts:
      description: All the hosts, as given.
      type: list
      elements: str
    checked:
      description: The hosts checked.
      type: list
      elements: str
    unchecked:
      description: The hosts not checked, each with its reasons (unreachable, an error).
      type: dict
    drifted:
      description: The hosts checked that drifted in at least one concern.
      type: list
      elements: str
    found:
      description: Each host's findings per concern (see P(mediaops.antmedia.drift_host#filter)).
      type: dict
"""

from ansible.errors import AnsibleFilterError


def drift_summary(hosts, findings):
    hosts = [str(host) for host in hosts]
    findings = list(findings or [])
    if len(findings) != len(hosts):
        raise AnsibleFilterError("drift_summary: %d hosts but %d findings" % (len(hosts), len(findings)))
    found, unchecked, drifted = {}, {}, []
    for host, host_findings in zip(hosts, findings):
        host_findings = host_findings if isinstance(host_findings, dict) else {}
        reasons = [str(reason) for reason in host_findings.get("not_checked") or []]
        if "found" not in host_findings and not reasons:
            reasons = ["the run failed on this host"]
        concerns = dict(host_findings.get("found") or {})
        found[host] = concerns
        if reasons:
            unchecked[host] = reasons
        elif any(finding.get("drift") and not finding.get("not_checked") for finding in concerns.values()):
            drifted.append(host)
    return {"hosts": hosts, "checked": [host for host in hosts if host not in unchecked], "unchecked": unchecked,
            "drifted": drifted, "found": found}


class FilterModule(object):
    def filters(self):
        return {"drift_summary": drift_summary}
