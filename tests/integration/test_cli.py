"""The command line: help with examples, exit codes, and clear messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from techbridge.cli import _load_commands, app

runner = CliRunner()
_load_commands()


@pytest.fixture
def env(settings: object, database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"TECHBRIDGE_DATA_DIR": str(tmp_path), "TECHBRIDGE_DATABASE_URL": database_url}


@pytest.mark.parametrize("command", ["init", "serve", "import", "export", "match", "create-user", "bench"])
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    if command not in ("bench",):
        assert "Example" in result.output, f"{command} --help should show an example"


def test_serve_help_lists_settings() -> None:
    assert "TECHBRIDGE_DATA_DIR" in runner.invoke(app, ["serve", "--help"]).output


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["import", "planets", "x.csv"], "KIND"),
        (["import", "technologies", "/no/such/file.csv"], "FILE"),
        (["match", "x", "--top", "0"], "--top"),
        (["serve", "--port", "99999"], "--port"),
        (["export", "technologies", "x.csv", "--format", "doc"], "--format"),
        (["match", "x", "--colour"], "--colour"),
    ],
)
def test_wrong_arguments_exit_2_naming_the_option(args: list[str], names: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert names.lower() in result.output.lower(), result.output


def test_import_export_match_cycle(env: dict[str, str], tmp_path: Path) -> None:
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("external_id,name,kind,province_code\nu1,甲大学,university,110000\n", encoding="utf-8")
    assert runner.invoke(app, ["import", "organisations", str(orgs)], env=env).exit_code == 0
    techs = tmp_path / "techs.jsonl"
    techs.write_text(json.dumps({"external_id": "c1", "title": "冷库节能控制系统", "abstract": "降低冷库电耗",
                                 "owner_external_id": "u1"}, ensure_ascii=False) + "\n", encoding="utf-8")
    first = runner.invoke(app, ["import", "technologies", str(techs)], env=env)
    assert first.exit_code == 0 and "created 1" in first.output
    again = runner.invoke(app, ["import", "technologies", str(techs)], env=env)
    assert "unchanged 1" in again.output
    out = tmp_path / "out.xlsx"
    exported = runner.invoke(app, ["export", "technologies", str(out)], env=env)
    assert exported.exit_code == 0 and out.exists()
    matched = runner.invoke(app, ["match", "冷库耗电太多", "--json"], env=env)
    assert matched.exit_code == 0
    assert json.loads(matched.output)["matches"][0]["title"] == "冷库节能控制系统"


def test_bad_import_exits_1_with_report(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("external_id,title,trl\nb1,,12\n", encoding="utf-8")
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["import", "technologies", str(bad), "--report", str(report)], env=env)
    assert result.exit_code == 1
    assert "line 2: title" in result.output and "line 2: trl" in result.output
    assert "Traceback" not in result.output
    assert {e["field"] for e in json.loads(report.read_text(encoding="utf-8"))["errors"]} == {"title", "trl"}
    skipped = runner.invoke(app, ["import", "technologies", str(bad), "--skip-invalid"], env=env)
    assert skipped.exit_code == 0 and "skipped 1" in skipped.output


def test_bad_mapping_and_config_exit_1(env: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "t.csv"
    file.write_text("external_id,title\nx,y\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "technologies", str(file), "--map", "nonsense"], env=env)
    assert result.exit_code == 1 and "--map" in result.output
    broken = runner.invoke(app, ["match", "x"], env={**env, "TECHBRIDGE_PORT": "eighty"})
    assert broken.exit_code == 1 and "TECHBRIDGE_PORT" in broken.output


def test_init_loads_demo_data_idempotently(env: dict[str, str]) -> None:
    first = runner.invoke(app, ["init"], env=env)
    assert first.exit_code == 0, first.output
    assert "technologies +11740" in first.output and "demands +105" in first.output
    second = runner.invoke(app, ["init"], env=env)
    assert "technologies +0 ~0 =11740" in second.output
