# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one definition of a recordings item (private API): its options, and the check of one item that the
room_recordings module, its action plugin and the scheduled_recordings filter all run.

``check_item`` returns every error of one item at once, each one line naming the option and the bad value (never a
secret's value, never a Python type name); the caller prefixes the item's label (``antmedia_recordings[2] (room
'x')``). A bad item costs only itself: it becomes a *refused* item (``{"room", "stream_id", "refused": reason}``),
which the module reports and leaves alone while the other rooms converge.
"""

from __future__ import annotations

from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

from ansible_collections.mediaops.antmedia.plugins.module_utils import _broadcast as bc
from ansible_collections.mediaops.antmedia.plugins.module_utils._media_push import (
    ROOM_MUTUALLY_EXCLUSIVE,
    room_options,
)
from ansible_collections.mediaops.antmedia.plugins.module_utils._validation import (
    MAX_HEIGHT,
    MAX_WIDTH,
    ValidationError,
    check_chrome_switches,
    check_dimension,
    check_http_url,
    check_id,
    check_not_yaml_typed,
    check_room,
)

ROOM_SOURCES = ("inventory", "server")
# the key a refused item carries its reason in (set by the action plugin or the scheduled_recordings filter)
REFUSED = "refused"
LIST_NAME = "recordings"
# Names a list item, as the messages show it
KIND_WORDS = {list: "a list", dict: "a mapping", type(None): "empty"}


def item_options():
    """The options of one recordings item: media_push's options of one room, and what only a list item has."""
    options = room_options(record_type_default="mp4")
    options["outside_schedule"] = dict(type="bool", default=False)
    # room is required, but a refused item may have none: check_item requires it instead
    options[REFUSED] = dict(type="str")
    return options


def item_label(index, item, list_name=LIST_NAME):
    """How a message names an item: ``antmedia_recordings[2] (room 'x')``."""
    room = item.get("room") if isinstance(item, dict) else None
    shown = " (room %r)" % room if isinstance(room, str) and room else (
        " (room %s)" % room if isinstance(room, (int, float)) else "")
    return "%s[%d]%s" % (list_name, index, shown)


def shown(value):
    """A value as a message shows it: its repr, cut at 80 characters (a message stays one readable line)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value):
    for kind, word in KIND_WORDS.items():
        if isinstance(value, kind):
            return word
    return "something else"


def _as_text(value, name, secret):
    if isinstance(value, str):
        return value
    if secret:
        raise ValidationError("%s must be text (its value is not shown)" % name)
    if isinstance(value, (bool, int, float)):
        check_not_yaml_typed(value, name)  # raises, saying how YAML read it and to quote it
    raise ValidationError("%s must be text, not %s" % (name, _kind(value)))


def as_int(value, name):
    """An int, also given as digits (as ansible-core converts it); ValidationError in one line naming the value."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValidationError("%s %s is not a whole number" % (name, shown(value)))


def as_bool(value, name):
    """A boolean, also given as yes/no, true/false, 1/0 (as ansible-core converts it)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in BOOLEANS_TRUE | BOOLEANS_FALSE:
        return value.strip().lower() in BOOLEANS_TRUE
    raise ValidationError("%s %s is not a boolean: use true or false" % (name, shown(value)))


def _as_text_list(value, name):
    if isinstance(value, str):
        value = value.split(",")  # as ansible-core reads a string given for a list
    if not isinstance(value, list):
        raise ValidationError("%s must be a list of text, not %s" % (name, _kind(value)))
    for element in value:
        if not isinstance(element, str):
            raise ValidationError("%s item %s must be text" % (name, shown(element)))
    return value


def _typed(value, name, spec):
    """The value in its option's type (as ansible-core converts it), or ValidationError in one line."""
    kind = spec["type"]
    if kind == "raw":
        return value
    if kind == "str":
        value = _as_text(value, name, spec.get("no_log"))
    elif kind == "int":
        value = as_int(value, name)
    elif kind == "bool":
        value = as_bool(value, name)
    elif kind == "list":
        value = _as_text_list(value, name)
    if spec.get("choices") and value not in spec["choices"]:
        raise ValidationError("%s %s must be one of %s" % (name, shown(value), ", ".join(spec["choices"])))
    return value


def _check_room_names(values, source):
    """The room and stream id errors: what a URL, the page and a file name cannot carry and, for names declared in
    inventory, invisible and mixed-script look-alike letters."""
    errors = []
    look_alikes = source != "server"
    room, stream_id = values.get("room"), values.get("stream_id")
    if room is None:
        errors.append("room is required")
    elif isinstance(room, str) or look_alikes:
        try:
            check_room(room, look_alikes=look_alikes)
        except ValidationError as exc:
            errors.append(str(exc))
    if stream_id is not None:
        try:
            check_id(stream_id, "stream_id", look_alikes=look_alikes)
        except ValidationError as exc:
            errors.append(str(exc))
    return errors


def _semantic_errors(values):
    """The errors of the values that have the right type, beyond their type."""
    errors = []
    checks = (
        ("width", lambda value: check_dimension(value, "width", MAX_WIDTH)),
        ("height", lambda value: check_dimension(value, "height", MAX_HEIGHT)),
        ("page_url", lambda value: check_http_url(value, "page_url")),
        ("extra_chrome_switches", check_chrome_switches),
    )
    for key, check in checks:
        if values.get(key) is not None:
            try:
                check(values[key])
            except ValidationError as exc:
                errors.append(str(exc))
    token = values.get("publish_token")
    if token is not None and (not token.strip() or "\n" in token):
        errors.append("publish_token must be one non-empty line")
    if values.get("stream_jwt_secret") == "":
        errors.append("stream_jwt_secret must not be empty")
    for first, second in ROOM_MUTUALLY_EXCLUSIVE:
        if values.get(first) is not None and values.get(second) is not None:
            errors.append("%s and %s are mutually exclusive" % (first, second))
    return errors


class ItemCheck(object):
    """What check_item found in one item: its typed values (defaults filled in), the errors of its room and stream
    id names, and its other errors."""

    def __init__(self, values, name_errors, errors, secrets):
        self.values = values
        self.name_errors = name_errors
        self.errors = errors
        self.secrets = secrets

    @property
    def all_errors(self):
        return self.name_errors + self.errors

    def refusal(self, source="inventory"):
        """The reason the item is refused (all its errors in one line), or None. A name the server holds that the
        module cannot handle is not refused but skipped (see ``skip_reason``)."""
        if self.errors or (self.name_errors and source != "server"):
            return "; ".join(self.all_errors)
        return None

    def skip_reason(self, source="inventory"):
        """Why a name from the server is skipped (the module cannot handle it), or None."""
        if source == "server" and self.name_errors and not self.errors:
            return "; ".join(self.name_errors)
        return None


def check_item(item, source="inventory", options=None):
    """Check one recordings item (all its errors at once). ``options``: the item's options (default item_options())."""
    options = options or item_options()
    if not isinstance(item, dict):
        shown = repr(item) if isinstance(item, (str, int, float, bool)) else _kind(item)
        return ItemCheck({}, [], ["%s is not a mapping of options (write it as: - room: NAME)" % shown], set())
    secrets = secret_values(item, options)
    errors = []
    unknown = sorted(str(key) for key in item if key not in options)
    if unknown:
        known = ", ".join(key for key in options if key != REFUSED)
        errors.append("unknown key%s %s (known: %s)" % ("s" if len(unknown) > 1 else "", ", ".join(unknown), known))
    values, bad_type = {}, set()
    for key, spec in options.items():
        value = item.get(key)
        if value is None:
            value = spec.get("default")
            values[key] = list(value) if isinstance(value, list) else value
            continue
        try:
            values[key] = _typed(value, key, spec)
        except ValidationError as exc:
            errors.append(str(exc))
            values[key] = None
            bad_type.add(key)
    if values.get(REFUSED) is not None:
        return ItemCheck(values, [], [values[REFUSED] or "refused"], secrets)
    name_errors = []
    if "room" not in bad_type and "stream_id" not in bad_type:
        room, stream_id = values.get("room"), values.get("stream_id")
        if room is not None and not isinstance(room, str) or stream_id is not None and not isinstance(stream_id, str):
            # a room or stream id YAML read as a number or a boolean is a mistake in the inventory, never a name
            errors.extend(_check_room_names(values, "inventory"))
        else:
            name_errors = _check_room_names(values, source)
            if room is None:
                errors.extend(name_errors)
                name_errors = []
    errors.extend(_semantic_errors(dict((key, value) for key, value in values.items() if key not in bad_type)))
    return ItemCheck(values, name_errors, errors, secrets)


def push_id(item):
    """The exact stream id of the push an item (checked or refused) is about, or None when it cannot be known
    (no room, or a room or stream id that is not text)."""
    if not isinstance(item, dict):
        return None
    room, stream_id = item.get("room"), item.get("stream_id")
    if stream_id is not None:
        return stream_id if isinstance(stream_id, str) and stream_id else None
    return bc.composite_stream_id(room) if isinstance(room, str) and room else None


def refused_item(item, reason):
    """The item as passed on once refused: its room and stream id as given (when they are one value, to name the item
    and its push), and the reason; no other value (a refused item's secrets go no further)."""
    fields = dict((key, item.get(key) if isinstance(item, dict) else None) for key in ("room", "stream_id"))
    for key, value in fields.items():
        if not isinstance(value, (str, int, float)):
            fields[key] = None  # a list or a mapping: which push the item means is unknown (see push_id)
    return dict(fields, refused=reason)


def screen_items(items, source="inventory"):
    """The items, each either as checked (typed, defaults filled in) or, when refused, as ``refused_item``. A name
    from the server that the module cannot handle is kept as checked: the module skips it with a warning."""
    screened = []
    for item in items:
        found = check_item(item, source)
        reason = found.refusal(source)
        if reason is None:
            screened.append(dict((key, value) for key, value in found.values.items() if value is not None))
        else:
            screened.append(refused_item(item, remove_values(reason, found.secrets)))
    return screened


def secret_values(item, options=None):
    """The values of an item's no_log options (to scrub from what is shown)."""
    options = options or item_options()
    if not isinstance(item, dict):
        return set()
    return set(value for key, value in item.items()
               if key in options and options[key].get("no_log") and isinstance(value, str) and value)
