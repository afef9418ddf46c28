"""Reading challenge-call and application input (JSON or form text) into clean values, collecting
every problem with its field name and fix, so the API, the pages and the CLI report the same thing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from techbridge.domain.challenges import BASIS_POINTS, check_shares, fen_from_yuan
from techbridge.errors import FieldError, ValidationFailed

CALL_TEXT_FIELDS = {"title": 300, "background": 20_000, "goals": 20_000, "deliverables": 20_000,
                    "eligibility": 5_000, "contact": 200, "technology_field": 10, "industry_code": 10}
CALL_REQUIRED = ("title", "background", "goals", "deliverables", "deadline", "period_months", "reward_yuan",
                 "milestones")
CALL_FIELDS = (*CALL_TEXT_FIELDS, "deadline", "period_months", "reward_yuan", "cofunding_yuan", "metrics",
               "milestones", "notice_days", "min_reviews", "demand_id", "issuer_org_id", "external_id")
APPLICATION_FIELDS = ("team_name", "plan", "budget_yuan", "team", "member_person_ids", "prior_technology_ids",
                      "prior_results")


def _text(data: Mapping[str, Any], key: str, limit: int, errors: list[FieldError]) -> str | None:
    value = data.get(key)
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if len(text) > limit:
        errors.append(FieldError(key, f"is {len(text)} characters; shorten it to at most {limit}"))
    return text


def _int(data: Mapping[str, Any], key: str, low: int, high: int, errors: list[FieldError]) -> int | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.append(FieldError(key, f"write a whole number from {low} to {high}"))
        return None
    if not low <= number <= high:
        errors.append(FieldError(key, f"must be from {low} to {high}"))
        return None
    return number


def _money(data: Mapping[str, Any], key: str, errors: list[FieldError]) -> int | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return fen_from_yuan(value)
    except ValidationFailed:
        errors.append(FieldError(key, "write a non-negative amount in yuan (元) with at most 2 decimals"))
        return None


def parse_metrics(value: Any) -> list[dict[str, str]]:
    """Metrics as a list of {name, target}; text input takes one per line, ``name: target``."""
    if value is None:
        return []
    if isinstance(value, str):
        items = []
        for line in value.splitlines():
            if line.strip():
                name, _sep, target = line.replace("：", ":").partition(":")
                items.append({"name": name.strip(), "target": target.strip()})
        return items
    if isinstance(value, list):
        return [{"name": str(m.get("name", "")).strip(), "target": str(m.get("target", "")).strip()}
                if isinstance(m, dict) else {"name": str(m), "target": ""} for m in value]
    raise ValidationFailed("Bad metrics", errors=[FieldError("metrics", "give a list of {name, target}")])


def parse_milestones(value: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    """Milestones as a list of {title, due_month, share_percent or share_bp, criteria}; text input takes one
    per line: ``title | due month | share % | acceptance criteria``."""
    raw: list[dict[str, Any]] = []
    if isinstance(value, str):
        for line in value.splitlines():
            if line.strip():
                parts = [p.strip() for p in line.split("|")]
                raw.append({"title": parts[0], "due_month": parts[1] if len(parts) > 1 else "",
                            "share_percent": parts[2].rstrip("%") if len(parts) > 2 else "",
                            "criteria": parts[3] if len(parts) > 3 else ""})
    elif isinstance(value, list):
        raw = [m for m in value if isinstance(m, dict)]
        if len(raw) != len(value):
            errors.append(FieldError("milestones", "each milestone is an object with title, due_month, share"))
    elif value is not None:
        errors.append(FieldError("milestones", "give a list of milestones"))
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        title = str(item.get("title", "")).strip()
        if not title:
            errors.append(FieldError(f"milestones.{i}.title", "name the milestone"))
        sub: list[FieldError] = []
        due = _int(item, "due_month", 1, 240, sub)
        errors.extend(FieldError(f"milestones.{i}.{e.field}", e.message) for e in sub)
        if due is None and not sub:
            errors.append(FieldError(f"milestones.{i}.due_month", "give the month after award it is due"))
        share_bp: int | None = None
        try:
            if item.get("share_bp") not in (None, ""):
                share_bp = int(item["share_bp"])
            elif item.get("share_percent") not in (None, ""):
                share_bp = round(float(str(item["share_percent"])) * BASIS_POINTS / 100)
        except ValueError:
            pass
        if share_bp is None:
            errors.append(FieldError(f"milestones.{i}.share_percent", "give the share of funding it releases, "
                                                                      "e.g. 30"))
            share_bp = 0
        out.append({"title": title, "due_month": due or 0, "share_bp": share_bp,
                    "criteria": str(item.get("criteria", "")).strip()})
    if out and not any(e.field.startswith("milestones.") and "share" in e.field for e in errors):
        errors.extend(check_shares([m["share_bp"] for m in out]))
    if out:
        months = [m["due_month"] for m in out]
        if months != sorted(months):
            errors.append(FieldError("milestones", "list milestones in the order they fall due"))
    return out


def clean_call(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate a call; returns column values (money in fen, milestones as dicts)."""
    errors: list[FieldError] = []
    unknown = set(data) - set(CALL_FIELDS) - {"csrf_token"}
    errors.extend(FieldError(k, "not a field of a challenge call; remove it") for k in sorted(unknown))
    out: dict[str, Any] = {}
    for key, limit in CALL_TEXT_FIELDS.items():
        if key in data:
            out[key] = _text(data, key, limit, errors)
    if "external_id" in data:
        out["external_id"] = _text(data, "external_id", 100, errors)
    if "deadline" in data:
        raw = data.get("deadline")
        try:
            out["deadline"] = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            errors.append(FieldError("deadline", "write the date as YYYY-MM-DD"))
    for key, low, high in (("period_months", 1, 240), ("notice_days", 1, 60), ("min_reviews", 1, 25),
                           ("demand_id", 1, 2**31), ("issuer_org_id", 1, 2**31)):
        if key in data:
            out[key] = _int(data, key, low, high, errors)
    if "reward_yuan" in data:
        out["reward_fen"] = _money(data, "reward_yuan", errors)
    if "cofunding_yuan" in data:
        out["cofunding_fen"] = _money(data, "cofunding_yuan", errors) or 0
    if "metrics" in data:
        out["metrics"] = parse_metrics(data.get("metrics"))
        if any(not m["name"] for m in out["metrics"]):
            errors.append(FieldError("metrics", "every metric needs a name (name: target)"))
    if "milestones" in data:
        out["milestones"] = parse_milestones(data.get("milestones"), errors)
    if not partial:
        for key in CALL_REQUIRED:
            column = {"reward_yuan": "reward_fen"}.get(key, key)
            if out.get(column) in (None, "", []) and not any(e.field == key for e in errors):
                errors.append(FieldError(key, "is required"))
        if not out.get("metrics") and not any(e.field == "metrics" for e in errors):
            errors.append(FieldError("metrics", "add at least one quantified acceptance metric (name: target)"))
    if errors:
        raise ValidationFailed("Some fields of the call need correcting", errors=errors)
    return {k: v for k, v in out.items() if v is not None or k in ("demand_id",)}


def _id_list(value: Any, key: str, errors: list[FieldError]) -> list[int]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else str(value).replace("，", ",").split(",")
    out = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if not text.isdigit():
            errors.append(FieldError(key, f"{text!r} is not an id; list numeric ids separated by commas"))
        else:
            out.append(int(text))
    return out


def clean_application(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    unknown = set(data) - set(APPLICATION_FIELDS) - {"csrf_token"}
    errors.extend(FieldError(k, "not a field of an application; remove it") for k in sorted(unknown))
    out: dict[str, Any] = {
        "team_name": _text(data, "team_name", 200, errors),
        "plan": _text(data, "plan", 20_000, errors),
        "prior_results": _text(data, "prior_results", 20_000, errors) or "",
        "budget_fen": _money(data, "budget_yuan", errors),
        "member_person_ids": _id_list(data.get("member_person_ids"), "member_person_ids", errors),
        "prior_technology_ids": _id_list(data.get("prior_technology_ids"), "prior_technology_ids", errors),
    }
    team = data.get("team") or []
    if isinstance(team, str):
        team = [{"name": line.partition(":")[0].strip(), "role": line.partition(":")[2].strip()}
                for line in team.replace("：", ":").splitlines() if line.strip()]
    if not isinstance(team, list) or not all(isinstance(m, dict) for m in team):
        errors.append(FieldError("team", "give the team as a list of {name, role}"))
        team = []
    out["team"] = [{"name": str(m.get("name", "")).strip(), "role": str(m.get("role", "")).strip()} for m in team]
    for key, message in (("team_name", "name the team"), ("plan", "describe the technical plan"),
                         ("budget_fen", "give the budget in yuan (budget_yuan)")):
        if out[key] is None and not any(e.field in (key, "budget_yuan") for e in errors):
            errors.append(FieldError("budget_yuan" if key == "budget_fen" else key, message))
    if errors:
        raise ValidationFailed("Some fields of the application need correcting", errors=errors)
    return out
