# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: the in-memory server at the lowest level the client uses, and a fake clock."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.mediaops.antmedia.tests.unit.plugins.fake_ams import FakeAMS, FakeClock


@pytest.fixture
def ams(monkeypatch):
    """The fake server, answering every requests.Session.request of the test."""
    server = FakeAMS()

    def request(session, method, url, **kwargs):
        return server(session, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", request)
    return server


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("time.sleep", fake.sleep)
    monkeypatch.setattr("time.monotonic", fake.monotonic)
    return fake
