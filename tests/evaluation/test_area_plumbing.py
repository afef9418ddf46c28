"""The area's plumbing: UI text in both languages for every key the templates use, the error envelope on the
area's routes, the CLI commands (bench schedule included) and the idempotent demo seed."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from techbridge.config import Settings
from techbridge.storage.db import Database

TEMPLATES = Path(__file__).resolve().parents[2] / "techbridge" / "web" / "templates"


def test_every_template_key_has_both_languages() -> None:
    texts = json.loads(resources.files("techbridge.web").joinpath("locales", "evaluation.json").read_text("utf-8"))
    assert all(set(v) == {"zh", "en"} and all(v.values()) for v in texts.values())
    from techbridge.web.i18n import catalog

    known = catalog()
    for area in ("evaluation", "funds", "events"):
        for template in (TEMPLATES / area).glob("*.html"):
            for key in re.findall(r"t\('([a-z_.]+)'\)", template.read_text("utf-8")):
                assert key in known, f"{template.name} uses {key!r}, missing from the locale files"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/api/evaluation/ranking?province_code=999999", 422),
    ("get", "/api/evaluation/technologies/424242", 404),
    ("get", "/api/funds?ticket_wan=abc", 422),
    ("get", "/api/funds/424242", 404),
    ("get", "/api/technologies/424242/funds", 404),
    ("get", "/api/events/424242", 404),
    ("post", "/api/events", 401),
    ("post", "/api/funds", 401),
    ("post", "/api/events/1/participants", 401),
    ("post", "/api/meeting-requests/1/accept", 401),
    ("get", "/api/events/participants/1/agenda", 401),
    ("get", "/api/evaluation/ranking?limit=0", 422),
])
def test_error_envelope_on_area_routes(client: TestClient, method: str, path: str, status: int) -> None:
    kwargs = {"json": {}} if method == "post" else {}
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["error"] and isinstance(body["errors"], list)


def test_cli_bench_schedule_and_recompute(settings: Settings, db: Database, small_catalog: dict[str, int],
                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from techbridge.cli import _load_commands, app

    _load_commands()
    runner = CliRunner()
    out = tmp_path / "bench.json"
    result = runner.invoke(app, ["bench", "schedule", "--projects", "30", "--investors", "15", "--requests", "120",
                                 "--slots", "6", "--tables", "10", "--time-limit", "5", "--workers", "1",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text("utf-8"))
    assert figures["violations"] == 0 and figures["scheduled"] > 0 and 0 <= figures["gap"] < 0.1
    monkeypatch.setenv("TECHBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TECHBRIDGE_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["evaluation", "recompute"])
    assert result.exit_code == 0 and "4 of 4 scores changed" in result.output, result.output
    result = runner.invoke(app, ["evaluation", "show", str(small_catalog["t-sugar"])])
    assert result.exit_code == 0 and '"breakdown"' in result.output
    missing = runner.invoke(app, ["evaluation", "show", "999999"])
    assert missing.exit_code == 1 and "No technology" in missing.output


def test_seed_is_idempotent_and_marks_sample_data(db: Database, settings: Settings,
                                                  small_catalog: dict[str, int]) -> None:
    from techbridge.services import events, funds
    from techbridge.services.seed import evaluation as seed

    first = seed.seed(db, settings)
    assert "5 sample funds" in first and "meetings" in first
    second = seed.seed(db, settings)
    assert "0 sample funds" in second and "event exists" in second
    assert all(f["sample_data"] for f in funds.list_funds(db))
    listed = events.list_events(db)
    assert len(listed) == 1 and listed[0]["sample_data"]
