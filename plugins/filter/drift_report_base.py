# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

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
