# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: the in-memory server at the lowest level the client uses, and a fake clock."""

from __future__ import annotations

import pytest

from ansible_collections.mediaops.antmedia.plugins.module_utils._client import Transport
from ansible_collections.mediaops.antmedia.tests.unit.plugins.fake_ams import FakeAMS, FakeClock


@pytest.fixture
def ams(monkeypatch):
    """The fake server, answering every Transport.request (the client's lowest level) of the test."""
    server = FakeAMS()

    def request(transport, method, url, **kwargs):
        return server(transport, method, url, **kwargs)

    monkeypatch.setattr(Transport, "request", request)
    return server


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("time.sleep", fake.sleep)
    monkeypatch.setattr("time.monotonic", fake.monotonic)
    return fake
