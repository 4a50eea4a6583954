# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

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
