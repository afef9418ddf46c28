"""Statistics: /api/stats (rows as JSON), downloads, and the /stats dashboard with its JSON twin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from techbridge.errors import FieldError, ValidationFailed
from techbridge.services.contracts import export, published
from techbridge.services.contracts import stats as stats_service
from techbridge.services.contracts.dashboard import dashboard
from techbridge.web.deps import DatabaseDep, LangDep
from techbridge.web.render import render
from techbridge.web.routers._charts import bar_chart, line_chart, sankey

router = APIRouter()
NAV = [(70, "stats.nav", "/stats")]
Text = Annotated[str, Query(max_length=400)]


def stats_params(
    measure: Annotated[str, Query(max_length=20, description="count, value (成交额), tech_value or ratio")]
    = "value",
    by: Annotated[str, Query(max_length=200, description="comma-separated dimensions, e.g. seller_region,year")]
    = "year",
    source: Annotated[str, Query(max_length=20, description="registered or published")] = "registered",
    year: Text = "", month: Text = "", contract_type: Text = "", technology_field: Text = "", ipr_type: Text = "",
    plan_source: Text = "", seller_nature: Text = "", buyer_nature: Text = "", seller_region: Text = "",
    buyer_region: Text = "", seller_bloc: Text = "", buyer_bloc: Text = "",
    top: Annotated[str, Query(max_length=5, description="keep the top N rows by the measure")] = "",
) -> dict[str, Any]:
    return dict(locals())


ParamsDep = Annotated[dict[str, Any], Depends(stats_params)]


@router.get("/api/stats", tags=["stats"],
            summary="Count, 成交额, 技术交易额 and ratio by any combination of dimensions")
def api_stats(db: DatabaseDep, lang: LangDep, params: ParamsDep) -> dict[str, Any]:
    """Amounts in 万元. Example: /api/stats?measure=value&by=seller_region,year&year=2023&source=published"""
    return stats_service.query(db, params, lang=lang).as_dict()


@router.get("/api/stats/export", tags=["stats"], summary="The same rows as a CSV or XLSX download")
def api_export(db: DatabaseDep, lang: LangDep, params: ParamsDep,
               format_: Annotated[str, Query(alias="format", max_length=5)] = "csv") -> Response:
    if format_ not in ("csv", "xlsx"):
        raise ValidationFailed("Unknown download format", errors=[FieldError("format", "use csv or xlsx")])
    result = stats_service.query(db, params, lang=lang)
    name = f"techbridge-stats-{result.query.source}-{'-'.join(result.query.by) or 'total'}.{format_}"
    if format_ == "csv":
        return Response(export.to_csv(result, lang), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return Response(export.to_xlsx(result, lang),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _dashboard(db: Any, lang: str, year: int | None, source: str) -> dict[str, Any]:
    if source not in ("registered", "published"):
        raise ValidationFailed("Unknown source", errors=[FieldError("source", "use registered or published")])
    return dashboard(db, year=year, source=source, lang=lang)


Year = Annotated[int | None, Query(ge=1900, le=2100)]
Source = Annotated[str, Query(max_length=20)]


@router.get("/api/stats/dashboard", tags=["stats"], summary="Every dashboard panel's rows and the sourced facts")
def api_dashboard(db: DatabaseDep, lang: LangDep, year: Year = None, source: Source = "published") -> dict[str, Any]:
    return {"ok": True, **_dashboard(db, lang, year, source)}


@router.get("/api/stats/national-series", tags=["stats"],
            summary="The published national series 1998–2024 (技术市场成交额, R&D, patents), kept apart")
def api_national_series() -> dict[str, Any]:
    return {"ok": True, "source": published.NATIONAL_SERIES_SOURCE, "rows": published.national_series()}


@router.get("/api/stats/facts", tags=["stats"], summary="Sourced facts shipped with the platform (URL per row)")
def api_facts() -> dict[str, Any]:
    return {"ok": True, **published.facts()}


def _chart(panel: dict[str, Any], title: str, lang: str) -> Any:
    rows = panel["rows"]
    by = panel["by"]
    unit = "万元" if lang == "zh" else "10k CNY"
    if panel["chart"] == "line":
        series: dict[str, list[tuple[Any, float]]] = {}
        x_dim = by[-1]
        for row in rows:
            name = " · ".join(str(row[f"{d}_label"]) for d in by[:-1]) or title
            series.setdefault(name, []).append((row[x_dim], row["value"]))
        return line_chart(series, title=title, unit=unit)
    if panel["chart"] == "sankey":
        flows = [(str(r[f"{by[0]}_label"]), f"{r[f'{by[1]}_label']} ", r["value"] or 0.0) for r in rows]
        return sankey(flows, title=title, unit=unit)
    ordered = sorted(rows, key=lambda r: -(r["value"] or 0))
    return bar_chart([(" · ".join(str(r[f"{d}_label"]) for d in by), r["value"]) for r in ordered],
                     title=title, unit=unit)


@router.get("/stats", include_in_schema=False)
def stats_page(request: Request, db: DatabaseDep, lang: LangDep, year: Year = None,
               source: Source = "published") -> Response:
    data = _dashboard(db, lang, year, source)
    from techbridge.web.i18n import translator

    t = translator(lang)
    charts = {p["key"]: _chart(p, t(f"stats.panel.{p['key']}"), lang) for p in data["panels"]}
    national = published.national_series() if data["source"] == "published" else []
    if national:
        title = t("stats.national.title")
        charts["national_series"] = line_chart({title: [(r["year"], r["tech_market_yi"]) for r in national]},
                                               title=title, unit="亿元" if lang == "zh" else "100m CNY")
    return render(request, "stats/dashboard.html", {"data": data, "charts": charts, "national": national,
                                                    "national_source": published.NATIONAL_SERIES_SOURCE})
