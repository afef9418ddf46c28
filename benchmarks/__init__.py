"""Benchmark harnesses behind `techbridge bench`."""
