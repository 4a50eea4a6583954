# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-ins for what ansible-core hands an action plugin (task, connection, play context, templar), shared by the
action plugins' unit tests."""

from __future__ import annotations


class Thing(object):
    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class Templar(object):
    def template(self, value):
        return value
