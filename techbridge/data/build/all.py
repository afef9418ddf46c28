"""Rebuild every shipped data file: code tables, demo data, statistics and licences.

Run: ``python -m techbridge.data.build.all --shared /work/shared/data``
"""

from __future__ import annotations

import sys

from techbridge.data.build import codes, demo, sources


def main() -> None:
    argv = sys.argv[:]
    for step in (codes.main, demo.main, sources.main):
        sys.argv = argv[:]
        step()


if __name__ == "__main__":
    main()
