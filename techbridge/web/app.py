"""The application factory: settings in, a configured FastAPI app out.

Routers are discovered from techbridge/web/routers (each module exposes ``router`` and optionally
``NAV``), so an area adds pages without editing this file.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from techbridge import __version__
from techbridge.config import Settings
from techbridge.errors import FieldError, PayloadTooLarge, TechbridgeError
from techbridge.services.matching import DENSE_ENCODERS, MatchingService
from techbridge.storage.db import Database
from techbridge.web import routers
from techbridge.web.deps import CSRF_COOKIE, LANG_COOKIE

log = logging.getLogger("techbridge.web")
UPLOAD_PATH_MARKERS = ("/import", "/upload", "/documents")


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api") or request.url.path in ("/openapi.json", "/docs"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _error_response(request: Request, error: TechbridgeError) -> Response:
    if _wants_html(request):
        from techbridge.web.render import render

        return render(request, "error.html", {"error": error}, status_code=error.status)
    return JSONResponse(error.envelope(), status_code=error.status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TechbridgeError)
    async def _domain_error(request: Request, exc: TechbridgeError) -> Response:
        return _error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = []
        for item in exc.errors():
            loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "form")]
            errors.append(FieldError(".".join(loc) or "request", str(item.get("msg", "is invalid"))))
        error = TechbridgeError("The request has invalid fields", errors=errors, status=422)
        error.code = "validation_failed"
        return _error_response(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "Not found: check the address", 405: "This method is not allowed here"}
        error = TechbridgeError(messages.get(exc.status_code, str(exc.detail)), status=exc.status_code)
        error.code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error_response(request, error)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        error = TechbridgeError("Something went wrong on our side; nothing was changed. Please try again.",
                                status=500)
        error.code = "internal_error"
        return _error_response(request, error)


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    @app.middleware("http")
    async def _limits_and_language(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        limit = settings.max_body_bytes
        if any(marker in request.url.path for marker in UPLOAD_PATH_MARKERS):
            limit = settings.max_upload_bytes
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            return _error_response(request, PayloadTooLarge(
                f"The request is {int(length):,} bytes; the limit here is {limit:,} bytes"))
        if request.method in ("POST", "PUT", "PATCH") and not length:
            body = await request.body()
            if len(body) > limit:
                return _error_response(request, PayloadTooLarge(f"The request exceeds {limit:,} bytes"))
        chosen = request.query_params.get("lang")
        lang = chosen if chosen in ("zh", "en") else request.cookies.get(LANG_COOKIE)
        request.state.lang = lang if lang in ("zh", "en") else settings.default_language
        new_csrf = ""
        if not request.cookies.get(CSRF_COOKIE):
            new_csrf = secrets.token_urlsafe(24)
            request.state.csrf = new_csrf
        response = await call_next(request)
        if chosen in ("zh", "en"):
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax",
                                secure=settings.secure_cookies)
        if new_csrf:
            response.set_cookie(CSRF_COOKIE, new_csrf, httponly=True, samesite="lax",
                                secure=settings.secure_cookies)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def discover_routers() -> list[Any]:
    modules = []
    for info in sorted(pkgutil.iter_modules(routers.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        modules.append(importlib.import_module(f"{routers.__name__}.{info.name}"))
    return modules


def create_app(settings: Settings | None = None, *, db: Database | None = None, migrate: bool = True,
               background: bool = True) -> FastAPI:
    """Build the application. Runs migrations unless told not to (tests may migrate once)."""
    settings = (settings or Settings.from_env()).ensure_secret_key()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = db or Database(settings.resolved_database_url)
    if migrate:
        from techbridge.storage.migrate import upgrade

        upgrade(database)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        starters: list[Callable[[FastAPI], None]] = app.state.on_start
        for start in starters:
            start(app)
        if app.state.background:
            app.state.matching.start_background()
        yield
        app.state.matching.stop()
        if db is None:
            database.dispose()

    app = FastAPI(title="techbridge 技术桥", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Technology-transfer and technology-trading platform: every page has a JSON "
                              "twin here; every failure uses the envelope {ok, error, code, errors, status}.")
    app.state.settings = settings
    app.state.db = database
    app.state.matching = MatchingService(
        database, index_dir=settings.data_dir / "index",
        background_encoders=DENSE_ENCODERS if settings.dense_matching else ())
    app.state.background = background
    app.state.on_start = []
    nav: list[tuple[int, str, str]] = []
    for module in discover_routers():
        app.include_router(module.router)
        nav.extend(getattr(module, "NAV", []))
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)
    app.state.nav = sorted(nav)
    _install_error_handlers(app)
    _install_middleware(app, settings)
    _install_api_docs(app)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).with_name("static"))), name="static")
    return app


def _install_api_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs from the swagger-ui-bundle package (no CDN)."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="techbridge API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")
