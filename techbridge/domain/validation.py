"""Declarative field specifications and a cleaner that collects every problem at once.

Forms, the JSON API and file imports all feed raw values (strings from a form or a CSV cell, typed
values from JSON) through the same specs, so a rule lives in one place and every channel reports
the same message naming the field and the fix.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal

from techbridge.errors import FieldError, ValidationFailed

Kind = Literal["str", "text", "int", "decimal", "bool", "date", "list", "enum", "code"]


@dataclass(frozen=True)
class FieldSpec:
    """How to read and check one input field."""

    name: str
    kind: Kind = "str"
    required: bool = False
    max_length: int = 200
    min_value: float | None = None
    max_value: float | None = None
    enum: type[StrEnum] | None = None
    codes: Callable[[], Iterable[str]] | None = None
    code_hint: str = ""
    max_items: int | None = None
    min_items: int | None = None


_LIST_SPLIT = re.compile(r"[,，;；、|\n]+")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def clean_field(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """Return (clean value, None) or (None, message saying what is wrong and how to fix it)."""
    if _is_blank(value):
        return (None, "is required" if spec.required else None)
    if spec.kind in ("str", "text"):
        text = str(value).strip()
        limit = spec.max_length if spec.kind == "str" else max(spec.max_length, 20_000)
        if len(text) > limit:
            return None, f"is {len(text)} characters long; shorten it to at most {limit}"
        return text, None
    if spec.kind == "int":
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None:
            return None, f"must be a whole number, got {value!r}"
        return _check_range(spec, number)
    if spec.kind == "decimal":
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            return None, f"must be a number (e.g. 120.5), got {value!r}"
        if not amount.is_finite():
            return None, f"must be a finite number, got {value!r}"
        return _check_range(spec, amount)
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value, None
        lowered = str(value).strip().lower()
        if lowered in ("1", "true", "yes", "y", "是", "on"):
            return True, None
        if lowered in ("0", "false", "no", "n", "否", "off"):
            return False, None
        return None, f"must be yes or no (true/false), got {value!r}"
    if spec.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]), None
        except ValueError:
            return None, f"must be a date written YYYY-MM-DD, got {value!r}"
    if spec.kind == "list":
        return _clean_list(spec, value)
    if spec.kind == "enum":
        assert spec.enum is not None
        text = str(value).strip()
        for member in spec.enum:
            if text in (member.value, getattr(member, "zh", None), getattr(member, "en", None)):
                return member.value, None
        return None, f"must be one of: {', '.join(m.value for m in spec.enum)}; got {text!r}"
    if spec.kind == "code":
        assert spec.codes is not None
        text = str(value).strip()
        if text not in set(spec.codes()):
            return None, f"{text!r} is not a known code; {spec.code_hint or 'see /api/codes'}"
        return text, None
    raise AssertionError(f"unknown field kind {spec.kind}")


def _check_range(spec: FieldSpec, number: int | Decimal) -> tuple[Any, str | None]:
    if spec.min_value is not None and number < spec.min_value:
        return None, f"must be at least {spec.min_value:g}, got {number}"
    if spec.max_value is not None and number > spec.max_value:
        return None, f"must be at most {spec.max_value:g}, got {number}"
    return number, None


def _clean_list(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                return None, "is not a valid JSON list; write items separated by commas instead"
        else:
            value = list(_LIST_SPLIT.split(text))
    if not isinstance(value, list | tuple):
        return None, "must be a list of items (or text with items separated by commas)"
    items: list[str] = []
    for item in value:
        text = str(item).strip()
        if text and text not in items:
            items.append(text)
    for item in items:
        if len(item) > spec.max_length:
            return None, f"has an item longer than {spec.max_length} characters: {item[:20]}…"
    if spec.max_items is not None and len(items) > spec.max_items:
        return None, f"has {len(items)} items; keep at most {spec.max_items}"
    if spec.min_items is not None and len(items) < spec.min_items:
        return None, f"needs at least {spec.min_items} item(s)"
    if spec.codes is not None:
        known = set(spec.codes())
        unknown = [i for i in items if i not in known]
        if unknown:
            return None, f"unknown code(s) {', '.join(unknown[:5])}; {spec.code_hint or 'see /api/codes'}"
    return items, None


def clean(
    specs: Iterable[FieldSpec], data: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean every field of ``data`` against ``specs``.

    With ``partial`` (an edit), only the fields present in ``data`` are read and required fields
    may be absent. Unknown keys are reported so that a typo in a column name never passes silently.
    """
    known = {spec.name: spec for spec in specs}
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key in data:
        if key not in known:
            errors.append(FieldError(key, f"is not a field here; known fields: {', '.join(known)}"))
    for name, spec in known.items():
        if partial and name not in data:
            continue
        value, problem = clean_field(spec, data.get(name))
        if problem:
            errors.append(FieldError(name, problem))
        else:
            values[name] = value
    return values, errors


def raise_if(errors: list[FieldError], message: str = "Some fields need correcting") -> None:
    if errors:
        raise ValidationFailed(message, errors=errors)
