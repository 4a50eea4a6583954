# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""markdown_escape: only what Markdown reads as markup is escaped; names and URLs read as typed."""
from __future__ import annotations

import pytest

from ansible_collections.mediaops.antmedia.plugins.filter.markdown_escape import markdown_escape


@pytest.mark.parametrize("plain", ["ams-a", "http://127.0.0.1:5080/live", "board_composite", "media-push 2.11.3 (ok)",
                                   "a.b+c=d#e!f", "hlsMuxingEnabled=True"])
def test_plain_text_reads_as_typed(plain):
    assert markdown_escape(plain) == plain


@pytest.mark.parametrize("text,escaped", [
    ("a|b", "a\\|b"), ("<script>", "\\<script\\>"), ("[x](http://e)", "\\[x\\](http://e)"),
    ("![i](x)", "!\\[i\\](x)"), ("*bold*", "\\*bold\\*"), ("_em_", "\\_em\\_"), ("`code`", "\\`code\\`"),
    ("~~s~~", "\\~\\~s\\~\\~"), ("&lt;", "\\&lt;"), ("$x$", "\\$x\\$"), ("a\\b", "a\\\\b"), ("x_ y", "x\\_ y"),
])
def test_markup_is_escaped(text, escaped):
    assert markdown_escape(text) == escaped


def test_line_breaks_and_layout_controls_become_spaces():
    assert markdown_escape("a\nb\r\tc\u2028d\u202ee") == "a b  c d e"
    assert markdown_escape(None) == "" and markdown_escape(12) == "12"
