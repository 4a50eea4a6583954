# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks run before any request is sent (private API).

Every function raises ValidationError with one line that names the option and the bad value.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# Room and stream ids end up in URL paths, in JavaScript the plugin builds with quotes, and in
# recording file names (the server caps those at 120 characters, and a room's push adds
# "_composite"): 100 characters leaves room for all of that.
MAX_ID_LENGTH = 100
# Characters that would change the meaning of a URL path or query, escape a file name, or break
# out of the quoted JavaScript strings the Media Push plugin builds around the stream id.
FORBIDDEN_ID_CHARACTERS = "/\\?#%&'\"<>"
MAX_WIDTH = 7680
MAX_HEIGHT = 4320
RECORD_TYPES = ("mp4", "webm")


class ValidationError(ValueError):
    """A value that must not reach the server."""


def _shown(value):
    """The value as it appears in a message: repr, so empty strings and control characters show."""
    return repr(value)


def check_id(value, option):
    """Check a room, stream or application id; return it unchanged."""
    if not isinstance(value, str) or value == "":
        raise ValidationError("%s must not be empty" % option)
    if len(value) > MAX_ID_LENGTH:
        raise ValidationError(
            "%s %s is %d characters long; at most %d are allowed"
            % (option, _shown(value[:20] + "..."), len(value), MAX_ID_LENGTH)
        )
    if ".." in value:
        raise ValidationError("%s %s must not contain '..'" % (option, _shown(value)))
    for char in value:
        if char in FORBIDDEN_ID_CHARACTERS:
            raise ValidationError("%s %s must not contain %r" % (option, _shown(value), char))
        if char.isspace():
            raise ValidationError("%s %s must not contain spaces or other whitespace" % (option, _shown(value)))
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ValidationError("%s %s must not contain control characters" % (option, _shown(value)))
    return value


def check_dimension(value, option, maximum):
    """Check a width or height in pixels (None means: not given)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or value > maximum:
        raise ValidationError("%s %s must be a whole number from 1 to %d" % (option, _shown(value), maximum))
    return value


def check_record_type(value, option="record_type"):
    if value is not None and value not in RECORD_TYPES:
        raise ValidationError("%s %s must be one of %s" % (option, _shown(value), ", ".join(RECORD_TYPES)))
    return value


def check_http_url(value, option, allow_query=True):
    """Check an absolute http(s) URL with a host; return it unchanged."""
    if not isinstance(value, str) or value.strip() == "":
        raise ValidationError("%s must not be empty" % option)
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError("%s %s must not contain spaces or control characters" % (option, _shown(value)))
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValidationError("%s %s is not a valid URL (%s)" % (option, _shown(value), exc))
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError("%s %s must be an http:// or https:// URL" % (option, _shown(value)))
    if not parts.hostname:
        raise ValidationError("%s %s has no host" % (option, _shown(value)))
    if port == 0:
        raise ValidationError("%s %s has port 0" % (option, _shown(value)))
    if not allow_query and (parts.query or parts.fragment):
        raise ValidationError("%s %s must not have a query or fragment" % (option, _shown(value)))
    return value


def check_chrome_switches(values, option="extra_chrome_switches"):
    """Each switch goes into one comma-separated string: no commas, must start with '--'."""
    for switch in values or []:
        if not isinstance(switch, str) or not switch.startswith("--") or len(switch) < 3:
            raise ValidationError("%s item %s must start with '--'" % (option, _shown(switch)))
        if "," in switch:
            raise ValidationError(
                "%s item %s must not contain ',' (the plugin splits the switches on commas)" % (option, _shown(switch))
            )
        if any(char.isspace() or unicodedata.category(char) == "Cc" for char in switch):
            raise ValidationError("%s item %s must not contain spaces or control characters" % (option, _shown(switch)))
    return values


def check_seconds(value, option, maximum=3600):
    """A number of seconds to wait, 0 to maximum."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > maximum:
        raise ValidationError("%s %s must be a whole number of seconds from 0 to %d" % (option, _shown(value), maximum))
    return value
