# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: antmedia_java_home
short_description: The JAVA_HOME of Java 17 for a machine architecture
version_added: 0.3.0
author: mediaops.antmedia contributors
description:
  - Returns the folder that Debian's and Ubuntu's C(openjdk-17-jre-headless) install Java 17 into for the
    architecture, as C(ansible_facts.architecture) or C(dpkg --print-architecture) names it.
  - The C(antmedia.service) that Ant Media Server releases ship names the amd64 folder; on arm64 it does not exist,
    so the O(_input=aarch64) folder is what the unit needs there.
  - An architecture the releases do not support (they ship native libraries for x86_64 and aarch64 only) is refused.
options:
  _input:
    description: The architecture (V(x86_64), V(amd64), V(aarch64) or V(arm64)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The JAVA_HOME of this host
  ansible.builtin.debug:
    msg: "{{ ansible_facts['architecture'] | mediaops.antmedia.antmedia_java_home }}"
"""

RETURN = r"""
_value:
  description: The Java 17 folder, for example V(/usr/lib/jvm/java-17-openjdk-arm64).
  type: str
"""

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
