"""Entities, enumerations, code tables, state machines and invariants: standard library only."""
