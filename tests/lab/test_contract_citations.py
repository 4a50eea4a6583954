# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every citation of docs/server-contract.md in the repository names a section that exists, so a reader can find the
server fact a test or the stand-in relies on (a renamed or merged section would otherwise leave citations pointing
nowhere)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CITATION = re.compile(r'server-contract\.md,\s*"([^"]+)"')


def sections():
    text = (REPO / "docs" / "server-contract.md").read_text(encoding="utf-8")
    return set(line[3:].strip() for line in text.splitlines() if line.startswith("## "))


def citations():
    for folder in ("tests", "lab", "plugins", "extensions", "roles", "benchmarks", "docs"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix not in (".py", ".yml", ".md") or path.name == "server-contract.md" or not path.is_file():
                continue
            for match in CITATION.finditer(path.read_text(encoding="utf-8", errors="replace")):
                # a title broken over lines of a comment or docstring: join its words again
                title = " ".join(match.group(1).replace("#", " ").split())
                yield path.relative_to(REPO), title


def test_every_citation_names_a_section_of_the_contract():
    known = sections()
    found = list(citations())
    assert len(found) > 20, found  # the tests do cite it
    missing = sorted(set((str(path), title) for path, title in found if title not in known))
    assert missing == [], "citations of sections docs/server-contract.md does not have: %s" % missing
