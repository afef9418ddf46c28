"""Working-day arithmetic for registration deadlines, and the configurable registration rules.

Registries count their time limits in working days: weekends do not count, public holidays do not
count, and the State Council's adjusted working days (调休上班, a Saturday or Sunday) do count. The
holiday schedule and the rule values are data files (techbridge/data/contracts), because the schedule
is published year by year and the 2026 rules were only known in draft; a copy of either file in
``DATA_DIR/contracts/`` replaces the shipped one. Stdlib only.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from techbridge.errors import ConfigurationError, FieldError

HOLIDAYS_FILE = "holidays_cn.csv"
RULES_FILE = "rules.json"


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and adjusted working days; everything else follows Monday–Friday."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    years: frozenset[int] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def covers(self, day: dt.date) -> bool:
        """Whether the holiday schedule of ``day``'s year is in the file (else only weekends count)."""
        return day.year in self.years

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself is day 0, as registries count)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining > 0:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end ≤ start)."""
        count = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


@dataclass(frozen=True)
class RuleValue:
    value: Any
    basis: str
    note: str = ""


@dataclass(frozen=True)
class RegistrationRules:
    """The registration rules in force: thresholds (万元) and deadlines (working days)."""

    expert_review_threshold_wan: int = 500
    decision_deadline_working_days: int = 15
    decision_deadline_large_working_days: int = 30
    acceptance_deadline_working_days: int = 5
    supplement_deadline_working_days: int = 10
    objection_deadline_working_days: int = 15
    sources: dict[str, RuleValue] = field(default_factory=dict)

    @property
    def expert_review_threshold_yuan(self) -> int:
        return self.expert_review_threshold_wan * 10_000


_INT_RULES = (
    "expert_review_threshold_wan", "decision_deadline_working_days", "decision_deadline_large_working_days",
    "acceptance_deadline_working_days", "supplement_deadline_working_days", "objection_deadline_working_days",
)


def _read_shipped(name: str) -> str:
    return resources.files("techbridge.data").joinpath("contracts", name).read_text(encoding="utf-8-sig")


def _read(name: str, data_dir: Path | None) -> tuple[str, str]:
    if data_dir is not None:
        override = data_dir / "contracts" / name
        if override.is_file():
            return override.read_text(encoding="utf-8-sig"), str(override)
    return _read_shipped(name), f"techbridge/data/contracts/{name}"


def parse_calendar(text: str, origin: str = HOLIDAYS_FILE) -> WorkCalendar:
    """Read the holiday CSV (date, kind = holiday | workday, …); errors name the line."""
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    problems: list[FieldError] = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            day = dt.date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            problems.append(FieldError("date", f"{row.get('date')!r} is not a YYYY-MM-DD date", line=line))
            continue
        kind = (row.get("kind") or "").strip()
        if kind == "holiday":
            holidays.add(day)
        elif kind == "workday":
            workdays.add(day)
        else:
            problems.append(FieldError("kind", f"must be 'holiday' or 'workday', got {kind!r}", line=line))
    if problems:
        raise ConfigurationError(f"The holiday file {origin} has errors", errors=problems)
    years = frozenset(d.year for d in holidays | workdays)
    return WorkCalendar(frozenset(holidays), frozenset(workdays), years)


def parse_rules(text: str, origin: str = RULES_FILE) -> RegistrationRules:
    """Read rules.json: each rule is ``{"value": …, "basis": "draft" | "project", "note": …}``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{origin} is not valid JSON: {exc}") from None
    values: dict[str, Any] = {}
    sources: dict[str, RuleValue] = {}
    problems: list[FieldError] = []
    for key, entry in data.items():
        if key.startswith("_") or not isinstance(entry, dict):
            continue
        sources[key] = RuleValue(entry.get("value"), str(entry.get("basis", "")), str(entry.get("note", "")))
        if key in _INT_RULES:
            value = entry.get("value")
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(FieldError(key, f"must be a whole number ≥ 0, got {value!r}"))
            else:
                values[key] = value
    if problems:
        raise ConfigurationError(f"The rules file {origin} has errors", errors=problems)
    return RegistrationRules(**values, sources=sources)


_CACHE: dict[tuple[str, str], Any] = {}


def load_calendar(data_dir: Path | None = None) -> WorkCalendar:
    text, origin = _read(HOLIDAYS_FILE, data_dir)
    key = ("calendar", text)
    if key not in _CACHE:
        _CACHE[key] = parse_calendar(text, origin)
    calendar: WorkCalendar = _CACHE[key]
    return calendar


def load_rules(data_dir: Path | None = None) -> RegistrationRules:
    text, origin = _read(RULES_FILE, data_dir)
    key = ("rules", text)
    if key not in _CACHE:
        _CACHE[key] = parse_rules(text, origin)
    rules: RegistrationRules = _CACHE[key]
    return rules
