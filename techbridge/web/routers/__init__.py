"""One module per area; each exposes ``router`` (pages and /api twins) and optionally ``NAV``."""
