"""Size figures of the package, as quoted in issue notes: modules, lines, internal import edges.

    python scripts/metrics.py

Uses the architecture test's own reader of imports (tests/test_architecture.py), so the
edge count is the one the layer rules are checked on.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_architecture as architecture  # noqa: E402


def main() -> None:
    modules = sorted((ROOT / "audience_cli").rglob("*.py"))
    lines = sum(len(path.read_text().splitlines()) for path in modules)
    edges = sum(len(architecture.internal_edges(path)) for path in modules)
    print(f"modules {len(modules)}, lines {lines:,}, internal import edges {edges}")
    largest = sorted(modules, key=lambda p: -len(p.read_text().splitlines()))[:5]
    for path in largest:
        size = len(path.read_text().splitlines())
        print(f"  {path.relative_to(ROOT / 'audience_cli')}: {size} lines")


if __name__ == "__main__":
    main()
