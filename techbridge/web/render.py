"""Page rendering: one Jinja2 environment with the helpers every template needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from techbridge.domain.codes import code_tables
from techbridge.domain.enums import TRL_LABELS
from techbridge.web.deps import csrf_token, get_actor, get_lang
from techbridge.web.i18n import translator

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def _money(value: Decimal | float | None, lang: str = "zh") -> str:
    if value is None:
        return "面议" if lang == "zh" else "Negotiable"
    return f"{float(value):,.2f} 万元" if lang == "zh" else f"{float(value):,.2f} × 10k CNY"


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d")


templates.env.filters["money"] = _money
templates.env.filters["date"] = _date


def page_url(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters changed (used by pagination and filters)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    lang = get_lang(request)
    base: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "t": translator(lang),
        "actor": get_actor(request),
        "csrf_token": csrf_token(request),
        "nav": request.app.state.nav,
        "codes": code_tables(),
        "trl_labels": TRL_LABELS,
        "page_url": lambda **kw: page_url(request, **kw),
    }
    base.update(context or {})
    return templates.TemplateResponse(request, template, base, status_code=status_code)
