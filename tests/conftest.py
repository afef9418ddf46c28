"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when
TECHBRIDGE_TEST_DATABASE_URL is set), the app, an in-process client, users and a small catalog.

Migrations run once per session into a template; each test gets its own copy, so tests never share
or wipe a database.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from techbridge.config import Settings
from techbridge.domain.roles import Role
from techbridge.services import accounts
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.migrate import upgrade
from techbridge.web import create_app

PG_URL = os.environ.get("TECHBRIDGE_TEST_DATABASE_URL", "")
_counter = itertools.count()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests are skipped unless a server is configured."""
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="set TECHBRIDGE_TEST_DATABASE_URL (.ci/run starts PostgreSQL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated template database (a file for SQLite, a database for PostgreSQL)."""
    if PG_URL:
        name = f"tb_template_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        db = Database(url)
        upgrade(db)
        db.dispose()
        yield name
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        yield str(path)


@pytest.fixture
def database_url(_template: str, tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        name = f"tb_test_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_template}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        target = tmp_path / "techbridge.sqlite3"
        shutil.copy(_template, target)
        yield f"sqlite:///{target}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, secret_key="test-secret-key",
                    load_demo_data=False, dense_matching=False)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.resolved_database_url)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings, db: Database) -> Any:
    return create_app(settings, db=db, migrate=False, background=False)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class TestUser:
    __test__ = False  # not a test class, despite the name

    user_id: int
    email: str
    password: str
    roles: list[Role]
    organisation_id: int | None

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, display_name=self.email, roles=frozenset(self.roles),
                     organisation_id=self.organisation_id)


@pytest.fixture
def make_user(db: Database) -> Callable[..., TestUser]:
    """Create a user with the given roles (and organisation id)."""

    def make(*roles: Role, organisation_id: int | None = None, email: str | None = None) -> TestUser:
        address = email or f"user{next(_counter)}@example.org"
        password = "correct horse battery"
        user_id = accounts.create_user(db, email=address, password=password, display_name=address,
                                       roles=list(roles), organisation_id=organisation_id)
        return TestUser(user_id, address, password, list(roles), organisation_id)

    return make


def login(client: TestClient, user: TestUser) -> str:
    """Sign ``user`` in on ``client``; returns the form CSRF token of the visitor."""
    response = client.post("/api/auth/login", json={"email": user.email, "password": user.password})
    assert response.status_code == 200, response.text
    client.get("/")
    return client.cookies.get("tb_csrf") or ""


@pytest.fixture
def small_catalog(db: Database, settings: Settings) -> dict[str, int]:
    """A tiny fixed catalog: two organisations, four technologies, two demands (ids by external id)."""
    from techbridge.services.actor import SYSTEM
    from techbridge.services.transfer import import_records

    orgs = [
        {"external_id": "org-a", "name": "甲大学", "kind": "university", "province_code": "110000"},
        {"external_id": "org-b", "name": "乙公司", "kind": "enterprise", "size": "small", "province_code": "120000"},
    ]
    techs = [
        {"external_id": "t-sugar", "title": "低糖月饼馅料配方及质构仪评价方法", "abstract": "以赤藓糖醇替代蔗糖，"
         "采用质构仪测定馅料硬度和咀嚼性，建立感官评价与仪器指标的对应关系。", "keywords": "低糖;馅料;质构",
         "technology_field": "F09", "owner_external_id": "org-a", "province_code": "110000", "trl": 6},
        {"external_id": "t-battery", "title": "锂离子电池正极材料的制备方法", "abstract": "一种高镍三元正极材料的"
         "共沉淀制备工艺，提高电池循环寿命。", "keywords": "锂电池;正极", "technology_field": "F06",
         "owner_external_id": "org-a", "province_code": "110000", "trl": 4},
        {"external_id": "t-irrigation", "title": "旱作区甜菜膜下滴灌节水技术", "abstract": "膜下滴灌结合土壤墒情"
         "监测，实现甜菜节水增产。", "keywords": "滴灌;甜菜;节水", "technology_field": "F09",
         "owner_external_id": "org-a", "province_code": "150000", "trl": 8},
        {"external_id": "t-vision", "title": "基于机器视觉的零件表面缺陷检测系统", "abstract": "利用深度学习对"
         "金属零件表面划痕和凹坑进行在线检测。", "keywords": "机器视觉;缺陷检测", "technology_field": "F01",
         "owner_external_id": "org-a", "province_code": "110000", "trl": 7},
    ]
    demands = [
        {"external_id": "d-sugar", "title": "月饼减糖后馅料口感变差", "description": "减糖后馅料发硬，"
         "希望找到低糖馅料配方，并用仪器测定口感。", "keywords": "减糖;馅料", "technology_field": "F09",
         "owner_external_id": "org-b", "province_code": "120000", "budget_wan": "30"},
        {"external_id": "d-defect", "title": "零件表面划痕人工检测效率低", "description": "需要自动检测金属零件表面"
         "划痕的系统。", "technology_field": "F01", "owner_external_id": "org-b", "province_code": "120000"},
    ]
    for kind, rows in (("organisations", orgs), ("technologies", techs), ("demands", demands)):
        import_records(db, settings, SYSTEM, kind, iter(enumerate(rows, start=2)))  # type: ignore[arg-type]
    from sqlalchemy import select

    from techbridge.storage.tables.catalog import DemandRow, OrganisationRow, TechnologyRow

    ids: dict[str, int] = {}
    with db.read() as session:
        for table in (OrganisationRow, TechnologyRow, DemandRow):
            for external, row_id in session.execute(select(table.external_id, table.id)):
                ids[external] = row_id
    return ids
