# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: markdown_escape
short_description: Make any text literal in a Markdown table cell
version_added: 0.2.0
author: mediaops.antmedia contributors
description:
  - Escapes every ASCII punctuation character with a backslash (CommonMark makes each of them literal that way), so
    that text from a server or an inventory cannot add HTML, links, emphasis, code or a table column (C(|)) to a
    Markdown report.
  - Line breaks, tabs and other control characters, and the Unicode line, paragraph and bidirectional controls, become
    one space each, so that the text cannot end a table row or reorder what is shown.
options:
  _input:
    description: The text (any value is turned into text first).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: One table row of a report
  ansible.builtin.debug:
    msg: "| {{ inventory_hostname | mediaops.antmedia.markdown_escape }} | ok |"
"""

RETURN = r"""
_value:
  description: The escaped text.
  type: str
"""

import string
import unicodedata

# the Unicode controls that move text around or break lines although they are not category Cc
_LAYOUT_CONTROLS = frozenset(u"\u2028\u2029\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")


def markdown_escape(value):
    text = "" if value is None else str(value)
    shown = []
    for char in text:
        if char in string.punctuation:
            shown.append("\\" + char)
        elif unicodedata.category(char) == "Cc" or char in _LAYOUT_CONTROLS:
            shown.append(" ")
        else:
            shown.append(char)
    return "".join(shown)


class FilterModule(object):
    def filters(self):
        return {"markdown_escape": markdown_escape}
