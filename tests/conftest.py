# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared pytest set-up: the lab (lab/ams_standin, the Ant Media Server stand-in) is importable, and
fixtures run stand-in processes for the tests that need a server."""

from __future__ import annotations

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.path.join(REPO, "lab")
if LAB not in sys.path:
    sys.path.insert(0, LAB)

# The recordings' source clips are encoded once and reused by every stand-in of every run.
STANDIN_MEDIA_CACHE = os.path.join(REPO, ".work", "ams-standin-media")
# A media push start blocks this long (a real server: 30-90 s): enough to overlap calls, fast to test.
STANDIN_PUSH_START_DELAY = 0.2


def _standin(root, **options):
    from ams_standin.harness import Standin  # pylint: disable=import-outside-toplevel

    options.setdefault("push_start_delay", STANDIN_PUSH_START_DELAY)
    options.setdefault("media_cache", STANDIN_MEDIA_CACHE)
    return Standin(root=root, **options)


@pytest.fixture
def make_standin(tmp_path):
    """Starts stand-ins with the given harness options (fresh root each); all stopped at the end."""
    started = []

    def make(start=True, **options):
        ams = _standin(tmp_path / ("ams%d" % len(started)), **options)
        started.append(ams)
        return ams.start() if start else ams

    yield make
    for ams in started:
        ams.close()


@pytest.fixture
def standin(make_standin):
    """A fresh stand-in server (apps live, LiveApp, WebRTCAppEE) without the media push plugin."""
    return make_standin()


@pytest.fixture
def standin_push(make_standin):
    """A fresh stand-in server with the media push plugin loaded."""
    return make_standin(media_push=True)


@pytest.fixture(scope="module")
def standin_shared(tmp_path_factory):
    """One stand-in with the media push plugin for a whole test module: for tests that only add
    state under ids of their own."""
    ams = _standin(tmp_path_factory.mktemp("ams-shared"), media_push=True).start()
    yield ams
    ams.close()
