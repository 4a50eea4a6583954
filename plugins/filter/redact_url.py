# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: redact_url
short_description: A URL, or a text holding one, without its credentials
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Replaces the user and password of every URL in the text (C(https://user:secret@host/...)), and its query and
    fragment (where a licence key or a signed token travels), with C(***), so that a message can name the URL.
  - When O(url) is given, every occurrence of that exact URL is replaced by its redacted form first (an error text
    that quotes the URL, percent-encoded or not), and so is its user, password or a query value quoted on its own.
options:
  _input:
    description: The text (a URL or a message).
    type: str
    required: true
  url:
    description: A URL known to be in the text, whose every occurrence is redacted.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Say where the download failed without its password
  ansible.builtin.debug:
    msg: "download from {{ antmedia_server_url | mediaops.antmedia.redact_url }} failed"
"""

RETURN = r"""
_value:
  description: The text with each URL's user, password, query and fragment replaced by C(***).
  type: str
"""

import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s@]*@)?(?P<rest>[^?#\s'\"]*)"
                  r"(?P<tail>[?#][^\s'\"]*)?")


def _one(match):
    userinfo = "***@" if match.group("userinfo") else ""
    tail = match.group("tail")
    return match.group("scheme") + userinfo + match.group("rest") + (tail[0] + "***" if tail else "")


def redact_url(text, url=""):
    text = "" if text is None else str(text)
    url = "" if url is None else str(url)
    if url:
        redacted = _URL.sub(_one, url)
        for form in sorted({url, unquote(url), quote(url, safe=":/@")}, key=len, reverse=True):
            if form:
                text = text.replace(form, redacted)
        userinfo = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://([^@]*)@", url)
        secrets = userinfo.group(1).split(":", 1) if userinfo else []
        secrets += [value for _name, value in parse_qsl(urlsplit(url).query) + parse_qsl(urlsplit(url).fragment)]
        for secret in secrets:
            if len(secret) >= 4:  # the user or password quoted on its own by an error text
                text = text.replace(secret, "***").replace(unquote(secret), "***")
    return _URL.sub(_one, text)


class FilterModule:
    def filters(self):
        return {"redact_url": redact_url}
