# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Media Push plugin release belongs to a server release (private API).

Ant Media builds io.antmedia.plugin:media-push from the server's parent pom, so the plugin's version is the
server's, except where no jar of that version was ever built."""

from __future__ import annotations

import re

# At tag ams-v3.0.2 the plugin's pom parent is still 3.0.1 and its code is 3.0.1's: no media-push-3.0.2.jar exists.
NO_OWN_JAR = {(3, 0, 2): "3.0.1"}


def media_push_version(server_version):
    """The media-push version to install on a server of server_version (a versionName such as "3.0.2"); "" when
    the server's version is not known."""
    text = str(server_version or "").strip()
    numbers = re.match(r"^(\d+)\.(\d+)\.(\d+)$", text)
    if numbers:
        return NO_OWN_JAR.get(tuple(int(part) for part in numbers.groups()), text)
    return text
