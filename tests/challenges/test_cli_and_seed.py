"""The CLI over the same services (illegal steps exit 1 with the envelope's message) and the demo seed (a call in
every state, cases in every stage, idempotent)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from techbridge.cli.challenges import register
from techbridge.config import Settings
from techbridge.domain.cases import Stage
from techbridge.domain.challenges import CallState
from techbridge.services.accounts import create_user
from techbridge.services.actor import SYSTEM
from techbridge.services.seed import challenges as seed_challenges
from techbridge.services.seed.catalog import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_records
from techbridge.services.transfer import import_records
from techbridge.storage.db import Database
from techbridge.storage.tables.cases import CaseHandoffRow, CaseRow
from techbridge.storage.tables.catalog import OrganisationRow
from techbridge.storage.tables.challenges import ChallengeCallRow
from tests.challenges.conftest import World, call_data


@pytest.fixture
def cli(settings: Settings, db: Database) -> tuple[typer.Typer, dict[str, str]]:
    app = typer.Typer()
    register(app)
    env = {"TECHBRIDGE_DATABASE_URL": settings.resolved_database_url, "TECHBRIDGE_DATA_DIR": str(settings.data_dir)}
    return app, env


def test_cli_call_and_case_commands(cli: tuple[typer.Typer, dict[str, str]], world: World, tmp_path: Path) -> None:
    app, env = cli
    runner = CliRunner()
    file = tmp_path / "call.json"
    file.write_text(json.dumps(call_data()), encoding="utf-8")
    created = runner.invoke(app, ["challenges", "create", str(file), "--as", "issuer@example.org"], env=env)
    assert created.exit_code == 0, created.output
    call_id = created.output.strip()
    illegal = runner.invoke(app, ["challenges", "step", call_id, "publish"], env=env)
    assert illegal.exit_code == 1 and "Cannot publish a call that is draft" in illegal.output
    assert runner.invoke(app, ["challenges", "step", call_id, "submit", "--as", "issuer@example.org"],
                         env=env).output.strip() == "submitted"
    assert runner.invoke(app, ["challenges", "step", call_id, "publish"], env=env).output.strip() == "published"
    listed = runner.invoke(app, ["challenges", "list"], env=env)
    assert "published" in listed.output
    shown = json.loads(runner.invoke(app, ["challenges", "show", call_id], env=env).output)
    assert shown["state"] == "published"
    assert "close_applications" in runner.invoke(app, ["challenges", "workflow"], env=env).output
    unknown = runner.invoke(app, ["challenges", "list", "--as", "nobody@example.org"], env=env)
    assert unknown.exit_code == 1 and "No active account" in unknown.output
    opened = runner.invoke(app, ["cases", "open", "CLI 案件", "--demand", str(world["d-ent"]), "--as",
                                 "manager@example.org"], env=env)
    assert opened.exit_code == 0, opened.output
    case_id = opened.output.strip()
    back = runner.invoke(app, ["cases", "move", case_id, "move_back", "--to", "discovery", "--as",
                               "manager@example.org"], env=env)
    assert back.exit_code == 1 and "earlier stage" in back.output
    assert runner.invoke(app, ["cases", "move", case_id, "advance", "--as", "manager@example.org"],
                         env=env).output.strip() == "evaluation"
    assert runner.invoke(app, ["cases", "handoff", case_id, str(world["inc"]), "incubator", "--note", "入驻",
                               "--as", "manager@example.org"], env=env).exit_code == 0
    assert runner.invoke(app, ["cases", "task", case_id, "约谈", "--due", "2020-01-01", "--as",
                               "manager@example.org"], env=env).exit_code == 0
    desk = json.loads(runner.invoke(app, ["cases", "desk", "--as", "manager@example.org"], env=env).output)
    assert desk["board"]["evaluation"] == 1 and desk["overdue_tasks"]
    history = json.loads(runner.invoke(app, ["cases", "show", case_id, "--as", "manager@example.org"],
                                       env=env).output)["history"]
    assert [h["kind"] for h in history] == ["open", "stage", "handoff", "task"]
    assert runner.invoke(app, ["challenges", "remind"], env=env).exit_code == 0
    drained = runner.invoke(app, ["challenges", "outbox", "--send"], env=env)
    assert drained.exit_code == 0 and "pending 0" in drained.output


def _small_demo_catalog(db: Database, settings: Settings) -> None:
    for kind in ("organisations", "people", "demands"):
        import_records(db, settings, SYSTEM, kind, demo_records(kind))
    import_records(db, settings, SYSTEM, "technologies", itertools.islice(demo_records("technologies"), 400))
    with db.read() as session:
        orgs = dict(session.execute(select(OrganisationRow.external_id, OrganisationRow.id)).all())
    for email, name, roles, org in DEMO_ACCOUNTS:
        create_user(db, email=email, password=DEMO_PASSWORD, display_name=name, roles=list(roles),
                    organisation_id=orgs.get(org) if org else None)


@pytest.mark.slow
def test_seed_has_every_state_and_stage_and_is_idempotent(db: Database, settings: Settings) -> None:
    assert seed_challenges.seed(db, settings).startswith("skipped")
    _small_demo_catalog(db, settings)
    summary = seed_challenges.seed(db, settings)
    assert summary.startswith("9 new calls")
    with db.read() as session:
        states = set(session.scalars(select(ChallengeCallRow.state)))
        stages = set(session.scalars(select(CaseRow.stage)))
        sources = set(session.scalars(select(CaseRow.source)))
        handoffs = session.scalar(select(CaseHandoffRow.id))
        samples = set(session.scalars(select(ChallengeCallRow.sample_data)))
    assert states == {s.value for s in CallState}
    assert stages == {s.value for s in Stage}
    assert sources == {"manual", "match", "challenge"} and handoffs and samples == {True}
    assert seed_challenges.seed(db, settings).startswith("0 new calls")
