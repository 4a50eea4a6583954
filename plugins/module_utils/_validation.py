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
# recording file names: a file name is at most 255 bytes (ext4, XFS), and the server appends to the
# stream id a date (24), resolution and bitrate (about 15), a custom text, "_N" for a duplicate and
# ".webm" plus its temporary extension. 120 bytes of UTF-8 leave room for all of that, and equal the
# server's cap of 120 characters on a recording's fileName.
MAX_ID_BYTES = 120
MAX_ID_LENGTH = MAX_ID_BYTES  # kept for callers; the limit is in UTF-8 bytes
# A room's push is ROOM_composite: the room may use what the suffix leaves.
COMPOSITE_SUFFIX = "_composite"
MAX_ROOM_BYTES = MAX_ID_BYTES - len(COMPOSITE_SUFFIX)
# Characters that take no room on screen yet make another name (Unicode Default_Ignorable_Code_Point
# outside the C* categories, which are refused as a whole): Hangul fillers, the combining grapheme
# joiner, Khmer inherent vowels, Mongolian free variation selectors, variation selectors, tag characters.
INVISIBLE = frozenset([0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2800, 0x3164, 0xFFA0]
                      + list(range(0xFE00, 0xFE10)) + list(range(0xE0100, 0xE01F0)))
# Letters of other scripts drawn like Latin ones (the common part of Unicode's confusables.txt).
CONFUSABLES = {
    # Cyrillic
    "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0443": "y", "\u0445": "x",
    "\u0456": "i", "\u0458": "j", "\u0455": "s", "\u0501": "d", "\u04cf": "l", "\u0491": "r", "\u051b": "q",
    "\u051d": "w", "\u04bb": "h", "\u0432": "b", "\u043a": "k", "\u043c": "m", "\u043d": "h", "\u0442": "t",
    # Greek
    "\u03bf": "o", "\u03b1": "a", "\u03bd": "v", "\u03b9": "i", "\u03ba": "k", "\u03c1": "p", "\u03c4": "t",
    "\u03c5": "u", "\u03c7": "x", "\u03b5": "e", "\u03b7": "n", "\u03b2": "b", "\u03b6": "z", "\u03bc": "u",
    # Latin look-alikes of digits and letters
    "\u0131": "i", "\u0261": "g", "\u01c0": "l", "0": "o", "1": "l",
}
YAML_BOOLEANS = "yes, no, true, false, on, off, y, n"
# Characters that would change the meaning of a URL path or query, escape a file name, or break
# out of the quoted JavaScript strings the Media Push plugin builds around the stream id.
FORBIDDEN_ID_CHARACTERS = "/\\?#%&'\"<>"
MAX_WIDTH = 7680
MAX_HEIGHT = 4320
RECORD_TYPES = ("mp4", "webm")


class ValidationError(ValueError):
    """A value that must not reach the server."""


def kind_of(value):
    """What a value is, in the user's words (never a Python class name such as _AnsibleLazyTemplateDict)."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict) or hasattr(value, "keys"):
        return "a mapping"
    if isinstance(value, (list, tuple, set)) or hasattr(value, "__iter__"):
        return "a list"
    return "an unsupported value"


class JwtSecretError(ValidationError):
    """A JWT secret that cannot sign anything (defined here, so that a run without a secret never loads _jwt)."""


def _shown(value):
    """The value as it appears in a message: repr, so empty strings and control characters show."""
    return repr(value)


def _yaml_number_forms(value):
    """How an unquoted YAML 1.1 scalar may have been written to give this int: decimal, octal, base 60."""
    forms = ["'%d'" % value]
    if value >= 8:
        forms.append("'0%o'" % value)
    if value >= 60:
        hours, minutes = divmod(value, 60)
        forms.append("'%d:%02d'" % (hours, minutes))
    return forms


def check_not_yaml_typed(value, option):
    """A name that YAML turned into a boolean or number is refused: what reached us is not what was written."""
    written = option.split(" (")[0]  # "antmedia_app (app)": the example is written as the inventory writes it
    if isinstance(value, bool):
        raise ValidationError(
            "%s is the boolean %s, not a name: YAML reads unquoted %s as booleans; quote it, for example %s: '%s'"
            % (option, value, YAML_BOOLEANS, written, "yes" if value else "no"))
    if isinstance(value, int):
        raise ValidationError(
            "%s is the number %d, not a name: YAML reads unquoted digits as numbers (010 is octal 8, 12:30 is "
            "base-60 750); quote it as written, for example %s: %s"
            % (option, value, written, " or ".join(_yaml_number_forms(value))))
    if isinstance(value, float):
        raise ValidationError("%s is the number %r, not a name: YAML reads unquoted numbers so; quote it, for example "
                              "%s: '%s'" % (option, value, written, value))
    if value is not None and not isinstance(value, str):
        raise ValidationError("%s must be a string, not %s" % (option, kind_of(value)))
    return value


def check_id(value, option, max_bytes=MAX_ID_BYTES, look_alikes=True):
    """Check a room, stream or application id; return it unchanged.

    ``look_alikes=False`` for a name the server already holds: only what a URL, the plugin's page and a file name
    cannot carry is refused, not invisible or mixed-script letters (the server's name is the room's real name)."""
    check_not_yaml_typed(value, option)
    if not isinstance(value, str) or value == "":
        raise ValidationError("%s must not be empty" % option)
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ValidationError(
            "%s %s is %d bytes in UTF-8 (%d characters); at most %d bytes are allowed, as the server's recording "
            "file names need them" % (option, _shown(value[:20] + "..."), size, len(value), max_bytes)
        )
    if ".." in value:
        raise ValidationError("%s %s must not contain '..'" % (option, _shown(value)))
    for char in value:
        if char in FORBIDDEN_ID_CHARACTERS:
            raise ValidationError("%s %s must not contain %r" % (option, _shown(value), char))
        if char.isspace():
            raise ValidationError("%s %s must not contain spaces or other whitespace (U+%04X)"
                                  % (option, _shown(value), ord(char)))
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ValidationError("%s %s must not contain control characters (U+%04X)"
                                  % (option, _shown(value), ord(char)))
        if look_alikes and ord(char) in INVISIBLE:
            raise ValidationError("%s %s must not contain invisible characters (U+%04X %s)" % (
                option, _shown(value), ord(char), unicodedata.name(char, "")))
    mixed = _mixed_script_confusable(value) if look_alikes else None
    if mixed:
        raise ValidationError("%s %s mixes Latin letters with %s, which looks like Latin %r; write it in one script"
                              % (option, _shown(value), mixed[0], mixed[1]))
    return value


def check_room(value, option="room", look_alikes=True):
    """A room: an id that still fits once the server's push id ROOM_composite is made from it."""
    return check_id(value, option, max_bytes=MAX_ROOM_BYTES, look_alikes=look_alikes)


def _script(char):
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if char.isalpha() else None


def _mixed_script_confusable(value):
    """(the foreign letter described, its Latin twin) when a Latin word hides a look-alike letter of another script.

    Word by word: "совет_composite" (a Cyrillic room's push) is two words, each in one script."""
    word = []
    for char in value + "_":
        if char.isalpha():
            word.append(char)
            continue
        scripts = set(_script(letter) for letter in word)
        if "LATIN" in scripts and len(scripts) > 1:
            for letter in word:
                if _script(letter) != "LATIN" and letter.lower() in CONFUSABLES:
                    return ("%s (U+%04X)" % (unicodedata.name(letter).lower(), ord(letter)),
                            CONFUSABLES[letter.lower()])
        word = []
    return None


def name_key(value):
    """How names are compared: NFC (the same text however it was composed)."""
    return unicodedata.normalize("NFC", value)


def skeleton(value):
    """The shape of a name: NFKC, case-folded, look-alike letters mapped to Latin ones (UTS #39's idea)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return "".join(CONFUSABLES.get(char, char) for char in folded)


def check_distinct(named_items, what):
    """named_items: [(label, name)]; refuse two names that are the same in NFC, or look the same (NFKC,
    case, look-alike letters), naming both."""
    by_nfc, by_shape = {}, {}
    for label, name in named_items:
        if not isinstance(name, str):
            continue
        key = name_key(name)
        if key in by_nfc and by_nfc[key][1] != name:
            raise ValidationError("%s: %s %s is the same as %s %s of %s after Unicode normalisation (NFC)" % (
                label, what, _shown(name), what, _shown(by_nfc[key][1]), by_nfc[key][0]))
        by_nfc.setdefault(key, (label, name))
        shape = skeleton(name)
        if shape in by_shape and name_key(by_shape[shape][1]) != key:
            raise ValidationError("%s: %s %s looks the same as %s %s of %s (case, compatibility forms or look-alike "
                                  "letters); use names that differ visibly" % (
                                      label, what, _shown(name), what, _shown(by_shape[shape][1]), by_shape[shape][0]))
        by_shape.setdefault(shape, (label, name))


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
