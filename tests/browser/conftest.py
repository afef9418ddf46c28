"""Browser tests: Playwright driving Debian's Chromium against a live server this file starts.

Nothing is downloaded: the browser is /usr/bin/chromium (``apt-get install -y chromium fonts-wqy-microhei``;
``.ci/run`` installs it) and the tests are skipped with that reason when it is missing. The server is the real
app under uvicorn in a thread, on a free port, with a temporary data directory and a small seeded catalog.
Each test gets a fresh browser profile and saves a screenshot of its final page under test-artifacts/.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from techbridge.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SECRET = "核心配方：赤藓糖醇与菊粉按三比一复配"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = ""
    if not CHROMIUM.exists():
        reason = "needs Debian's Chromium at /usr/bin/chromium: apt-get install -y chromium fonts-wqy-microhei"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "needs the playwright package: pip install -e '.[dev]'"
    if not reason:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(db: Any, settings: Settings) -> dict[str, int]:
    from sqlalchemy import select

    from techbridge.services.actor import SYSTEM
    from techbridge.services.transfer import import_records
    from techbridge.storage.tables.catalog import DemandRow, OrganisationRow, TechnologyRow

    orgs = [{"external_id": "org-a", "name": "甲大学（示例）", "kind": "university", "province_code": "110000"},
            {"external_id": "org-b", "name": "乙食品公司（示例）", "kind": "enterprise", "size": "small",
             "province_code": "120000"}]
    techs = [
        {"external_id": "t-sugar", "title": "低糖月饼馅料配方及质构仪评价方法", "abstract": "以赤藓糖醇替代蔗糖，"
         "采用质构仪测定馅料硬度和咀嚼性，建立感官评价与仪器指标的对应关系。", "keywords": "低糖;馅料;质构",
         "technology_field": "F09", "industry_code": "14", "owner_external_id": "org-a", "trl": 6},
        {"external_id": "t-battery", "title": "锂离子电池正极材料的制备方法", "abstract": "高镍三元正极材料的共沉淀"
         "制备工艺，提高电池循环寿命。", "keywords": "锂电池;正极", "technology_field": "F06",
         "owner_external_id": "org-a", "trl": 4},
        {"external_id": "t-vision", "title": "基于机器视觉的零件表面缺陷检测系统", "abstract": "利用深度学习对金属"
         "零件表面划痕和凹坑进行在线检测。", "keywords": "机器视觉;缺陷检测", "technology_field": "F01",
         "owner_external_id": "org-a", "trl": 7},
    ]
    demands = [
        {"external_id": "d-sugar", "title": "月饼减糖后馅料口感变差", "description": "减糖后馅料发硬，希望找到低糖"
         "馅料配方，并用仪器测定口感。", "keywords": "减糖;馅料", "technology_field": "F09",
         "owner_external_id": "org-b", "budget_wan": "30"},
        {"external_id": "d-secret", "title": "保密：新型低糖馅料稳定性问题",
         "description": SECRET + "，储存两周后析水。",
         "keywords": "馅料;稳定性", "technology_field": "F09", "owner_external_id": "org-b",
         "visibility": "confidential"},
        {"external_id": "d-battery", "title": "储能电池循环寿命不足", "description": "需要提高正极材料稳定性，"
         "延长锂电池循环寿命。", "keywords": "锂电池;循环寿命", "technology_field": "F06",
         "owner_external_id": "org-b"},
    ]
    for kind, rows in (("organisations", orgs), ("technologies", techs), ("demands", demands)):
        import_records(db, settings, SYSTEM, kind, iter(enumerate(rows, start=2)))  # type: ignore[arg-type]
    ids: dict[str, int] = {}
    with db.read() as session:
        for table in (OrganisationRow, TechnologyRow, DemandRow):
            for external, row_id in session.execute(select(table.external_id, table.id)):
                ids[external] = row_id
    return ids


@dataclass
class LiveServer:
    url: str
    ids: dict[str, int]


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    import uvicorn

    from techbridge.storage.db import Database
    from techbridge.web import create_app

    data_dir = Path(tempfile.mkdtemp(prefix="tb-browser-"))
    settings = Settings(data_dir=data_dir, secret_key="browser-test-key", load_demo_data=False,
                        dense_matching=False)
    db = Database(settings.resolved_database_url)
    app = create_app(settings, db=db, background=False)
    ids = _seed(db, settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", ids)
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def page(playwright_driver: Any, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh Chromium profile per test; the final page is saved to test-artifacts/<test>.png."""
    viewport = getattr(request, "param", None) or {"width": 1280, "height": 900}
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport=viewport, locale="zh-CN")
    context.set_default_timeout(15_000)
    browser_page = context.pages[0] if context.pages else context.new_page()
    try:
        yield browser_page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            browser_page.screenshot(path=str(ARTIFACTS / f"{request.node.originalname}.png"), full_page=True)
        finally:
            context.close()
