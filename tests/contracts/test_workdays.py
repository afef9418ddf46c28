"""Working days: weekends, State Council holidays and adjusted working days, configurable files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from techbridge.domain.workdays import load_calendar, load_rules, parse_calendar, parse_rules
from techbridge.errors import ConfigurationError

D = dt.date


def test_weekends_do_not_count() -> None:
    cal = parse_calendar("date,kind\n")
    assert cal.add_working_days(D(2024, 3, 1), 1) == D(2024, 3, 4)  # Friday + 1 → Monday
    assert cal.add_working_days(D(2024, 3, 4), 5) == D(2024, 3, 11)
    assert cal.working_days_between(D(2024, 3, 1), D(2024, 3, 11)) == 6


@pytest.mark.parametrize(("start", "days", "due"), [
    (D(2025, 9, 30), 1, D(2025, 10, 9)),     # National Day + Mid-Autumn 10-01..10-08 are holidays
    (D(2025, 9, 26), 1, D(2025, 9, 28)),     # Sunday 09-28 is an adjusted working day
    (D(2025, 1, 27), 1, D(2025, 2, 5)),      # Spring Festival 01-28..02-04
    (D(2025, 2, 7), 1, D(2025, 2, 8)),       # Saturday 02-08 is a working day
    (D(2026, 2, 13), 1, D(2026, 2, 14)),     # Saturday 2026-02-14 is a working day
    (D(2026, 2, 14), 1, D(2026, 2, 24)),     # Spring Festival 2026-02-15..02-23
    (D(2026, 4, 30), 15, D(2026, 5, 25)),    # Labour Day 05-01..05 off, 05-09 Saturday on
])
def test_state_council_schedule(start: dt.date, days: int, due: dt.date) -> None:
    assert load_calendar().add_working_days(start, days) == due


def test_shipped_calendar_covers_2025_and_2026() -> None:
    cal = load_calendar()
    assert cal.covers(D(2025, 6, 1)) and cal.covers(D(2026, 6, 1))
    assert not cal.covers(D(2027, 6, 1))
    assert all(d.weekday() >= 5 for d in cal.workdays), "adjusted working days fall on weekends"


def test_bad_calendar_file_names_the_line() -> None:
    with pytest.raises(ConfigurationError) as err:
        parse_calendar("date,kind\n2025-13-01,holiday\n2025-01-02,party\n")
    assert [(e.field, e.line) for e in err.value.errors] == [("date", 2), ("kind", 3)]


def test_rules_are_configuration(tmp_path: Path) -> None:
    shipped = load_rules()
    assert shipped.expert_review_threshold_wan == 500
    assert shipped.decision_deadline_working_days == 15
    assert shipped.decision_deadline_large_working_days == 30
    assert shipped.sources["expert_review_threshold_wan"].basis == "draft"
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "rules.json").write_text('{"expert_review_threshold_wan": {"value": 300, "basis": "final"}}',
                                       encoding="utf-8")
    assert load_rules(tmp_path).expert_review_threshold_wan == 300
    with pytest.raises(ConfigurationError) as err:
        parse_rules('{"decision_deadline_working_days": {"value": -1}}')
    assert err.value.errors[0].field == "decision_deadline_working_days"
