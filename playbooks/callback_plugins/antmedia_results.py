# -*- coding: utf-8 -*-
# Copyright: mediaops.antmedia contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enables the callback mediaops.antmedia.results for the playbooks of this directory (a callback next to a
playbook loads without callbacks_enabled): each play ends with one line per host, long tasks show progress."""

from __future__ import annotations

from ansible_collections.mediaops.antmedia.plugins.callback.results import CallbackModule as _ResultsCallback


class CallbackModule(_ResultsCallback):
    CALLBACK_NAME = "antmedia_results"
    CALLBACK_NEEDS_ENABLED = False
