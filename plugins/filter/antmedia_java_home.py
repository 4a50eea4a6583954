# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible.errors import AnsibleFilterError

_DEBIAN_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def antmedia_java_home(architecture):
    name = _DEBIAN_ARCH.get(str(architecture).strip().lower()) if isinstance(architecture, str) else None
    if name is None:
        raise AnsibleFilterError(
            "architecture '%s' has no Java 17 for Ant Media Server (x86_64 or aarch64)" % (architecture,))
    return "/usr/lib/jvm/java-17-openjdk-%s" % name


class FilterModule:
    def filters(self):
        return {"antmedia_java_home": antmedia_java_home}
