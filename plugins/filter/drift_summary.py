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
  concerns:
    description: The columns of the report, in order.
    type: list
    elements: str
    default: [plugin, browser, settings, recordings]
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
    cells:
      description:
        - Each host's report cells, one per concern in the order of O(concerns), each with C(kind) (V(ok), V(drift),
          V(not_checked) (a check that failed, or the host not reached), V(skipped) (not checked by design, such as
          the plugin on a local connection) or V(none) (nothing declared)) and C(text) (plain text, not escaped).
      type: dict
    table:
      description:
        - The report as plain text for the terminal, one line per item, columns aligned with spaces; its last line
          is the verdict of the run.
      type: list
      elements: str
    verdicts:
      description: Each host's verdict in one line (no drift, what drifted, or why it was not checked).
      type: dict
    verdict:
      description: The verdict of the run in one line.
      type: str
"""

from ansible.errors import AnsibleFilterError

CONCERNS = ("plugin", "browser", "settings", "recordings")
KIND_WORDS = {"drift": "DRIFT", "not_checked": "NOT CHECKED"}


def one_line(text):
    return " ".join(str(text).split())


def concern_cell(finding):
    """One report cell, as {kind, text} (plain text: each report escapes it its own way)."""
    if not finding:
        return {"kind": "none", "text": "-"}
    if finding.get("not_checked"):
        reason = one_line(finding["not_checked"])
        if finding.get("failed"):
            return {"kind": "not_checked", "text": reason}
        return {"kind": "skipped", "text": "not checked (%s)" % reason}
    if finding.get("drift"):
        return {"kind": "drift", "text": "expected %s, found %s" % (one_line(finding.get("expected", "")),
                                                                    one_line(finding.get("found", "")))}
    return {"kind": "ok", "text": "ok"}


def host_cells(concerns, found, reasons):
    cells = [concern_cell(found.get(concern)) for concern in concerns]
    if reasons and not found:  # not reached, or the run ended on it: the reason once, then "not checked"
        cells = [{"kind": "not_checked", "text": "; ".join(one_line(reason) for reason in reasons)}] + [
            {"kind": "not_checked", "text": "not checked"} for _concern in concerns[1:]]
    return cells


def cell_text(cell):
    word = KIND_WORDS.get(cell["kind"])
    return "%s: %s" % (word, cell["text"]) if word and cell["text"] != "not checked" else cell["text"]


def aligned(rows):
    """Rows of text as lines with columns aligned by spaces (the last column is not padded)."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def host_verdict(host, concerns, cells, reasons):
    if reasons:
        return "NOT CHECKED: " + "; ".join(one_line(reason) for reason in reasons)
    drifted = ["%s %s" % (concern, cell["text"]) for concern, cell in zip(concerns, cells) if cell["kind"] == "drift"]
    return ("DRIFT: " + "; ".join(drifted)) if drifted else "no drift"


def run_verdict(summary):
    if not summary["drifted"] and not summary["unchecked"]:
        return "No drift on %d hosts, all checked" % len(summary["hosts"])
    return ('%d of %d hosts drifted (%s) and %d not checked (%s): not checked is never "no drift"' % (
        len(summary["drifted"]), len(summary["hosts"]), ", ".join(summary["drifted"]) or "none",
        len(summary["unchecked"]), ", ".join(summary["unchecked"]) or "none"))


def drift_summary(hosts, findings, concerns=CONCERNS):
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
        found[host] = dict(host_findings.get("found") or {})
        if reasons:
            unchecked[host] = reasons
        elif any(finding.get("drift") and not finding.get("not_checked") for finding in found[host].values()):
            drifted.append(host)
    concerns = [str(concern) for concern in concerns]
    summary = {"hosts": hosts, "checked": [host for host in hosts if host not in unchecked], "unchecked": unchecked,
               "drifted": drifted, "found": found}
    summary["cells"] = dict((host, host_cells(concerns, found[host], unchecked.get(host))) for host in hosts)
    summary["verdicts"] = dict((host, host_verdict(host, concerns, summary["cells"][host], unchecked.get(host)))
                               for host in hosts)
    summary["verdict"] = run_verdict(summary)
    rows = [["host"] + concerns] + [[one_line(host)] + [cell_text(cell) for cell in summary["cells"][host]]
                                    for host in hosts]
    summary["table"] = aligned(rows) + ["", summary["verdict"]]
    return summary


class FilterModule(object):
    def filters(self):
        return {"drift_summary": drift_summary}
