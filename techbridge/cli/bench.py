"""``techbridge bench`` is a command group; areas register their benchmarks on ``bench_app``."""

from __future__ import annotations

from techbridge.cli.common import bench_app

__all__ = ["bench_app"]
