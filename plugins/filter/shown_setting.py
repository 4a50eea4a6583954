# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.module_utils._secrets import shown


def shown_setting(value, key):
    return shown(str(key), value)


class FilterModule(object):
    def filters(self):
        return {"shown_setting": shown_setting}
