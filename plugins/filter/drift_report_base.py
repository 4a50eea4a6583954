# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: drift_report_base
short_description: Where drift.yml writes its reports, from the path the user gave
version_added: 0.4.0
author: mediaops.antmedia contributors
description:
  - The path of the drift report without its extension, to which C(drift.yml) adds C(.md) and C(.html). The path is
    taken as given, with or without an extension, C(out/report.md), C(out/report.html) and C(out/report) all give
    C(out/report) (so C(out/report.md) writes C(out/report.md) and C(out/report.html), never C(report.md.md)).
  - A relative path is taken from O(folder), by default the folder C(ansible-playbook) runs in; C(~) is expanded.
  - An empty path, or one that ends with C(/), is refused naming C(antmedia_drift_report).
options:
  _input:
    description: The path the user gave (C(antmedia_drift_report)).
    type: str
    required: true
  folder:
    description: The folder a relative path is taken from; by default the current folder of the controller.
    type: str
"""

EXAMPLES = r"""
- name: The reports' path
  ansible.builtin.set_fact:
    report_base: "{{ antmedia_drift_report | mediaops.antmedia.drift_report_base }}"
"""

RETURN = r"""
_value:
  description: The absolute path without the extension.
  type: str
"""

import os.path

from ansible.errors import AnsibleFilterError


def drift_report_base(path, folder=None):
    path = os.path.expanduser(str(path or "").strip())
    if not path or path.endswith(os.sep):
        raise AnsibleFilterError("antmedia_drift_report must name a file (such as out/drift-report.md), got %r"
                                 % (path,))
    stem, extension = os.path.splitext(path)
    if extension.lower() in (".md", ".html"):
        path = stem
    return os.path.normpath(os.path.join(str(folder) if folder else os.getcwd(), path))


class FilterModule(object):
    def filters(self):
        return {"drift_report_base": drift_report_base}
