"""Settings: one declaration, read from TECHBRIDGE_* variables with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from techbridge.config import Settings
from techbridge.errors import ConfigurationError


def test_defaults_and_sqlite_url(tmp_path: Path) -> None:
    settings = Settings.from_env({"TECHBRIDGE_DATA_DIR": str(tmp_path)})
    assert settings.port == 8000 and settings.host == "127.0.0.1"
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'techbridge.sqlite3'}"
    assert settings.is_sqlite


def test_typed_parsing() -> None:
    settings = Settings.from_env({"TECHBRIDGE_PORT": "9000", "TECHBRIDGE_LOAD_DEMO_DATA": "no",
                                  "TECHBRIDGE_DATABASE_URL": "postgresql+psycopg://u@h/db"})
    assert settings.port == 9000 and settings.load_demo_data is False and not settings.is_sqlite


def test_bad_values_name_the_variable() -> None:
    with pytest.raises(ConfigurationError) as exc:
        Settings.from_env({"TECHBRIDGE_PORT": "eighty", "TECHBRIDGE_LOAD_DEMO_DATA": "maybe"})
    assert {e.field for e in exc.value.errors} == {"TECHBRIDGE_PORT", "TECHBRIDGE_LOAD_DEMO_DATA"}
    with pytest.raises(ConfigurationError):
        Settings.from_env({"TECHBRIDGE_DEFAULT_LANGUAGE": "fr"})


def test_secret_key_is_generated_once(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).ensure_secret_key()
    second = Settings(data_dir=tmp_path).ensure_secret_key()
    assert first.secret_key and first.secret_key == second.secret_key


def test_describe_lists_every_setting() -> None:
    names = [name for name, _default, help_text in Settings.describe() if help_text]
    assert "TECHBRIDGE_DATA_DIR" in names and "TECHBRIDGE_DATABASE_URL" in names
    assert len(names) == len(Settings.describe())


def test_configuration_page_lists_every_setting() -> None:
    page = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name, default, _help in Settings.describe():
        assert f"| `{name}` | `{default}` |" in page, f"docs/configuration.md is missing {name}; regenerate it"
