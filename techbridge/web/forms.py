"""Reading HTML forms into the raw dicts the domain validators take."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from techbridge.web.deps import check_csrf


async def read_form(request: Request, *, allowed: set[str] | None = None) -> dict[str, Any]:
    """The submitted fields (blank ones dropped), after checking the CSRF token."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    data: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key == "csrf_token" or not isinstance(value, str):
            continue
        if allowed is not None and key not in allowed:
            continue
        if value.strip():
            data[key] = value
    return data
