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
  - Escapes with a backslash only the characters that Markdown (CommonMark with the GitHub table, strikethrough and
    math extensions) reads as markup inside a line, so that text from a server or an inventory cannot add HTML,
    links, images, emphasis, code, math or a table column (C(|)) to a Markdown report, and reads as typed;
    C(ams-a) and C(http://127.0.0.1:5080) stay as they are.
  - Escaped are the backslash, C(`), C(*), C([), C(]), C(<), C(>), C(|), C(~), C(&), C($), and C(_) unless it stands
    between two letters or digits (C(board_composite) is not emphasis).
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

import unicodedata

# the Unicode controls that move text around or break lines although they are not category Cc
_LAYOUT_CONTROLS = frozenset(u"\u2028\u2029\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")


# what starts or ends markup inside a line (HTML, links and images, emphasis, code, tables, strikethrough, entities, math)
_MARKUP = frozenset("\\`*[]<>|~&$")


def _inside_word(text, index):
    return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()


def markdown_escape(value):
    text = "" if value is None else str(value)
    shown = []
    for index, char in enumerate(text):
        if char in _MARKUP or (char == "_" and not _inside_word(text, index)):
            shown.append("\\" + char)
        elif unicodedata.category(char) == "Cc" or char in _LAYOUT_CONTROLS:
            shown.append(" ")
        else:
            shown.append(char)
    return "".join(shown)


class FilterModule(object):
    def filters(self):
        return {"markdown_escape": markdown_escape}
