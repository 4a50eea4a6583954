# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: vod_lines
short_description: One readable line per VoD, for listing them
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Turns the VoDs of M(mediaops.antmedia.vod_info) into lines of aligned columns, newest first; creation time
    (UTC), duration, size, type, stream id, file name and id.
options:
  _input:
    description: The VoDs, as M(mediaops.antmedia.vod_info) returns them.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the VoDs
  ansible.builtin.debug:
    msg: "{{ found.vods | mediaops.antmedia.vod_lines }}"
"""

RETURN = r"""
_value:
  description: A heading line, then one line per VoD; only V(no VoDs) when there are none.
  type: list
  elements: str
"""

from datetime import datetime, timezone

HEADING = ("created (UTC)", "duration", "size", "type", "stream", "file", "id")


def _created(vod):
    created = vod.get("creationDate")
    if isinstance(created, int) and not isinstance(created, bool) and created > 0:
        return datetime.fromtimestamp(created / 1000.0, timezone.utc).strftime("%Y-%m-%d %H:%M")
    return "?"


def _duration(vod):
    duration = vod.get("duration")
    if not isinstance(duration, int) or isinstance(duration, bool) or duration < 0:
        return "?"
    minutes, seconds = divmod(duration // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return "%d:%02d:%02d" % (hours, minutes, seconds)


def _size(vod):
    size = vod.get("fileSize")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return ("%d %s" % (size, unit)) if unit == "B" else ("%.1f %s" % (size, unit))
        size = size / 1024.0
    return "?"


def _text(value):
    return " ".join(str(value).split()) if value is not None else "-"


def vod_lines(vods):
    vods = [vod for vod in (vods or []) if isinstance(vod, dict)]
    if not vods:
        return ["no VoDs"]
    vods = sorted(vods, key=lambda vod: -(vod.get("creationDate") if isinstance(vod.get("creationDate"), int) else 0))
    rows = [HEADING] + [(_created(vod), _duration(vod), _size(vod), _text(vod.get("type")), _text(vod.get("streamId")),
                         _text(vod.get("vodName")), _text(vod.get("vodId"))) for vod in vods]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADING) - 1)]
    return [("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]).rstrip()
            for row in rows]


class FilterModule(object):
    def filters(self):
        return {"vod_lines": vod_lines}
