# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make `ansible_collections.mediaops.antmedia` importable from the checkout."""
from __future__ import annotations

import os
import sys

_COLLECTIONS = os.path.join(os.path.dirname(__file__), "..", "..", ".work", "collections")
if os.path.isdir(_COLLECTIONS) and os.path.abspath(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, os.path.abspath(_COLLECTIONS))
