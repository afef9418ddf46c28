"""Pages, API twins, the error envelope, certificate PDF and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from techbridge.config import Settings
from techbridge.domain.roles import Role
from techbridge.services.contracts import published
from techbridge.storage.db import Database
from tests.conftest import login
from tests.contracts.conftest import linked_record


def test_api_stats_published(client: TestClient, db: Database) -> None:
    published.load_panel(db)
    response = client.get("/api/stats", params={"measure": "value", "by": "seller_region,year", "year": "2023",
                                                "source": "published", "seller_region": "110000"})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["unit"] == "万元"
    assert body["rows"][0]["value"] == 85369394.0 and body["rows"][0]["seller_region_label"] == "北京"
    english = client.get("/api/stats", params={"by": "seller_region", "year": "2023", "source": "published",
                                               "top": "1", "lang": "en"}).json()
    assert english["rows"][0]["seller_region_label"] == "Beijing"


def test_api_stats_errors_use_the_envelope(client: TestClient) -> None:
    response = client.get("/api/stats", params={"by": "colour", "seller_region": "火星"})
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False and body["code"] == "validation_failed"
    assert {e["field"] for e in body["errors"]} == {"by", "seller_region"}
    assert client.get("/api/stats/export", params={"format": "pdf"}).json()["errors"][0]["field"] == "format"


def test_downloads(client: TestClient, db: Database) -> None:
    published.load_panel(db)
    csv_response = client.get("/api/stats/export", params={"format": "csv", "source": "published",
                                                           "by": "seller_region", "year": "2023"})
    assert csv_response.status_code == 200 and csv_response.headers["content-type"].startswith("text/csv")
    assert "北京" in csv_response.content.decode("utf-8-sig")
    xlsx = client.get("/api/stats/export", params={"format": "xlsx", "source": "published", "by": "year"})
    assert xlsx.content[:2] == b"PK"


def test_dashboard_page_shows_official_figures_and_facts(client: TestClient, db: Database) -> None:
    published.load_panel(db)
    page = client.get("/stats?source=published&year=2023", headers={"accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    for figure in ("61,475.7", "8,536.9", "5,024.7", "9800", "3200", "40.8%"):
        assert figure in html, figure
    assert html.count("<svg") >= 4 and "/api/stats/export?format=csv" in html
    twin = client.get("/api/stats/dashboard", params={"source": "published", "year": "2023"}).json()
    assert twin["year"] == 2023 and {p["key"] for p in twin["panels"]} >= {"national_series", "output_ranking"}
    registered = client.get("/stats?source=registered", headers={"accept": "text/html"})
    assert registered.status_code == 200
    english = client.get("/stats?lang=en", headers={"accept": "text/html"})
    assert "Technology contract statistics" in english.text


def test_contract_pages_and_workflow_over_http(client: TestClient, db: Database, make_user: Callable[..., Any],
                                               parties: dict[str, int]) -> None:
    assert "/login" in client.get("/contracts", headers={"accept": "text/html"}).text
    operator = make_user(Role.OPERATOR)
    csrf = login(client, operator)
    assert client.get("/contracts/new", headers={"accept": "text/html"}).status_code == 200
    form = {"csrf_token": csrf, "title": "表单合同", "contract_type": "development", "ipr_type": "none",
            "plan_source": "none", "payment_mode": "lump_sum", "technology_field": "F03", "price": "-3",
            "signed_on": "2026-03-02", "seller.name": "甲大学", "seller.credit_code": "12110000MB0000001",
            "seller.region_code": "110108", "seller.nature": "022"}
    bad = client.post("/contracts/new", data=form, headers={"accept": "text/html"})
    assert bad.status_code == 422 and "price" in bad.text
    created = client.post("/api/contracts", json=linked_record(parties))
    assert created.status_code == 201
    cid = created.json()["id"]
    illegal = client.post(f"/api/contracts/{cid}/actions/register", json={})
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    for step in ("submit", "accept", "start_review"):
        assert client.post(f"/api/contracts/{cid}/actions/{step}", json={}).status_code == 200
    done = client.post(f"/contracts/{cid}/act", data={"csrf_token": csrf, "action": "register"},
                       headers={"accept": "text/html"}, follow_redirects=False)
    assert done.status_code == 303
    detail = client.get(f"/contracts/{cid}", headers={"accept": "text/html"})
    assert "2026110108000001" in detail.text
    cert = client.get(f"/api/contracts/{cid}/certificate").json()["certificate"]
    assert cert["certificate_number"] == "2026110108000001" and cert["tech_value"] == 100.0
    page = client.get(f"/contracts/{cid}/certificate", headers={"accept": "text/html"})
    assert "技术合同认定登记证明" in page.text
    from techbridge.services.contracts.certificate import cjk_font

    pdf = client.get(f"/contracts/{cid}/certificate.pdf")
    if cjk_font() is None:
        assert pdf.status_code == 500 and "fonts-wqy-microhei" in pdf.json()["error"]
    else:
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    codes = client.get("/api/contracts/codes").json()
    assert codes["transitions"]["register"]["to"] == "registered"


def test_api_bad_contract_is_named_and_not_stored(client: TestClient, make_user: Callable[..., Any],
                                                  parties: dict[str, int], count_contracts: Callable[[], int]) -> None:
    login(client, make_user(Role.TECHNOLOGY_MANAGER))
    bad = linked_record(parties, price="-1", tech_value="5")
    bad["buyer"]["credit_code"] = bad["seller"]["credit_code"]
    response = client.post("/api/contracts", json=bad)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"price", "buyer.credit_code"} <= fields
    assert count_contracts() == 0
    start = client.post("/api/contracts/start-from", json={"technology_id": 999999, "source": "case"})
    assert start.status_code == 404


def test_cli_stats_matches_the_api(settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path) -> None:
    from techbridge.cli import _load_commands, app

    published.load_panel(db)
    monkeypatch.setenv("TECHBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TECHBRIDGE_DATA_DIR", str(tmp_path))
    _load_commands()
    runner = CliRunner()
    result = runner.invoke(app, ["stats", "--measure", "value", "--by", "seller_region,year", "--year", "2023",
                                 "--source", "published", "--seller-region", "北京"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert rows[0]["value"] == 85369394.0
    bad = runner.invoke(app, ["stats", "--by", "colour"])
    assert bad.exit_code == 1 and "by:" in bad.output
    out = tmp_path / "s.csv"
    written = runner.invoke(app, ["stats", "--source", "published", "--format", "csv", "--output", str(out)])
    assert written.exit_code == 0
    assert out.read_text(encoding="utf-8-sig").startswith("year,year_label")
