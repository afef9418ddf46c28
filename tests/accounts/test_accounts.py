"""Sign-in limits, registration and organisation membership, saved searches, my listings, roles, audit."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from techbridge.domain.roles import Role
from techbridge.errors import AuthenticationRequired, Conflict, RateLimited
from techbridge.services import accounts, audit, membership, workspace
from techbridge.services.actor import Actor
from techbridge.web import create_app
from tests.conftest import login


def test_ip_rate_limit_blocks_spraying_over_accounts(db: Any, settings: Any, make_user: Any) -> None:
    strict = settings.with_overrides(login_ip_max_failures=3, login_max_failures=100)
    users = [make_user(Role.EXPERT) for _ in range(2)]
    for attempt in range(3):
        with pytest.raises(AuthenticationRequired):
            accounts.login(db, strict, email=users[attempt % 2].email, password="wrong password", ip="10.0.0.9")
    with pytest.raises(RateLimited) as blocked:
        accounts.login(db, strict, email=users[0].email, password=users[0].password, ip="10.0.0.9")
    assert blocked.value.status == 429
    # another address is not affected
    assert accounts.login(db, strict, email=users[0].email, password=users[0].password, ip="10.0.0.10").token


def test_account_lockout_then_429_over_http(settings: Any, db: Any, make_user: Any) -> None:
    app = create_app(settings.with_overrides(login_max_failures=2), db=db, migrate=False, background=False)
    user = make_user(Role.EXPERT)
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(2):
            assert client.post("/api/auth/login", json={"email": user.email, "password": "nope"}).status_code == 401
        locked = client.post("/api/auth/login", json={"email": user.email, "password": user.password})
        assert locked.status_code == 429 and locked.json()["ok"] is False


def test_registration_creates_admin_membership_and_refuses_existing_org(db: Any, small_catalog: Any) -> None:
    user_id = accounts.register(db, email="boss@example.org", password="long enough pw", display_name="Boss",
                                role="enterprise_member", organisation_name="新公司")
    with db.read() as session:
        from techbridge.storage.tables.accounts import UserRow

        org_id = session.get(UserRow, user_id).organisation_id
    boss = Actor(user_id=user_id, roles=frozenset({Role.ENTERPRISE_MEMBER}), organisation_id=org_id)
    assert membership.members(db, boss, org_id)["members"][0]["is_admin"] is True
    with pytest.raises(Conflict) as joined:
        accounts.register(db, email="spy@example.org", password="long enough pw", display_name="Spy",
                          role="enterprise_member", organisation_name="乙公司")
    assert joined.value.errors[0].field == "organisation_name"


def test_admin_adds_and_removes_members(client: Any, db: Any, make_user: Any) -> None:
    csrf = client.get("/register") and client.cookies.get("tb_csrf")
    client.post("/register", data={"csrf_token": csrf, "email": "admin@example.org", "password": "long enough pw",
                                   "display_name": "Admin", "role": "institution_member",
                                   "organisation_name": "新研究所"})
    org_id = client.get("/api/me").json()["organisation_id"]
    colleague = make_user(Role.INSTITUTION_MEMBER)
    added = client.post(f"/api/organisations/{org_id}/members", json={"email": colleague.email})
    assert added.status_code == 201
    members = client.get(f"/api/organisations/{org_id}/members").json()["members"]
    assert {m["user_id"] for m in members} >= {colleague.user_id}
    admin_id = next(m["user_id"] for m in members if m["is_admin"])
    last_admin = client.delete(f"/api/organisations/{org_id}/members/{admin_id}")
    assert last_admin.status_code == 409
    assert client.delete(f"/api/organisations/{org_id}/members/{colleague.user_id}").status_code == 200
    other = make_user(Role.ENTERPRISE_MEMBER, organisation_id=None)
    client.post("/api/auth/logout")
    login(client, other)
    assert client.post(f"/api/organisations/{org_id}/members", json={"email": other.email}).status_code == 403


def test_saved_searches_and_my_listings(db: Any, settings: Any, make_user: Any, small_catalog: Any) -> None:
    user = make_user(Role.ENTERPRISE_MEMBER, organisation_id=small_catalog["org-b"])
    search_id = workspace.save_search(db, user.actor, name="减糖", kind="demands",
                                      query="?q=减糖&evil=1&technology_field=F09")
    saved = workspace.saved_searches(db, user.actor)
    assert saved[0]["query"] == "q=%E5%87%8F%E7%B3%96&technology_field=F09"
    assert saved[0]["url"].startswith("/demands?")
    stranger = make_user(Role.EXPERT)
    with pytest.raises(Exception, match="no saved search"):
        workspace.delete_search(db, stranger.actor, search_id)
    workspace.delete_search(db, user.actor, search_id)
    mine = workspace.my_listings(db, user.actor)
    assert {r.id for r in mine["demands"]} == {small_catalog["d-sugar"], small_catalog["d-defect"]}
    assert mine["technologies"] == []


def test_operator_sets_roles(client: Any, make_user: Any) -> None:
    operator = make_user(Role.OPERATOR)
    target = make_user(Role.EXPERT)
    login(client, operator)
    ok = client.put(f"/api/users/{target.user_id}/roles", json={"roles": ["technology_manager", "expert"]})
    assert ok.status_code == 200 and ok.json()["roles"] == ["expert", "technology_manager"]
    bad = client.put(f"/api/users/{target.user_id}/roles", json={"roles": ["king"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "roles"
    own = client.put(f"/api/users/{operator.user_id}/roles", json={"roles": ["expert"]})
    assert own.status_code == 422
    entries = client.get("/api/audit", params={"entity_kind": "users", "action": "update"}).json()["items"]
    assert entries and entries[0]["detail"] == {"fields": ["roles"]}
    assert "password_hash" not in str(client.get("/api/audit").json())


def test_audit_search_filters_and_rejects_bad_dates(client: Any, make_user: Any, db: Any) -> None:
    with audit.bound(audit.AuditContext(user_id=42, ip="1.2.3.4", path="test")), db.transaction() as session:
        audit.record(session, "view_confidential", "demands", 7)
    login(client, make_user(Role.OPERATOR))
    found = client.get("/api/audit", params={"user_id": "42"}).json()
    assert found["total"] == 1 and found["items"][0]["ip"] == "1.2.3.4"
    assert client.get("/api/audit", params={"since": "2020-13-01"}).json()["errors"][0]["field"] == "since"
    assert client.get("/api/audit", params={"since": "2030-01-02", "until": "2030-01-01"}).status_code == 422
    page = client.get("/audit", params={"user_id": "42"}, headers={"accept": "text/html"})
    assert page.status_code == 200 and "view_confidential" in page.text


def test_change_rolled_back_leaves_no_audit_entry(db: Any, settings: Any, make_user: Any) -> None:
    from sqlalchemy import func, select

    from techbridge.storage.tables.accounts_ext import AuditRow
    from techbridge.storage.tables.catalog import OrganisationRow

    with audit.bound(audit.AuditContext(user_id=1)), pytest.raises(RuntimeError), db.transaction() as session:
        session.add(OrganisationRow(name="临时", kind="enterprise"))
        session.flush()
        raise RuntimeError("abort")
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditRow)) == 0


def test_cli_set_roles_and_audit(settings: Any, make_user: Any, monkeypatch: Any) -> None:
    from typer.testing import CliRunner

    from techbridge.cli import _load_commands, app

    monkeypatch.setenv("TECHBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TECHBRIDGE_DATA_DIR", str(settings.data_dir))
    _load_commands()
    user = make_user(Role.EXPERT)
    runner = CliRunner()
    done = runner.invoke(app, ["set-roles", str(user.user_id), "--role", "technology_manager"])
    assert done.exit_code == 0, done.output
    found = runner.invoke(app, ["audit", "--entity-kind", "users", "--action", "update"])
    assert found.exit_code == 0 and '"ip": "cli"' in found.output
    missing = runner.invoke(app, ["set-roles", "99999", "--role", "expert"])
    assert missing.exit_code == 1 and "No user" in missing.output


def test_operator_sets_roles_through_the_page(client: Any, make_user: Any) -> None:
    html = {"accept": "text/html"}
    target = make_user(Role.EXPERT)
    csrf = login(client, make_user(Role.OPERATOR))
    page = client.get("/users", headers=html)
    assert page.status_code == 200 and target.email in page.text
    done = client.post(f"/users/{target.user_id}/roles", headers=html, follow_redirects=False,
                       data={"csrf_token": csrf, "role_technology_manager": "on", "role_expert": "on"})
    assert done.status_code == 303
    users = {u["id"]: u for u in client.get("/api/users").json()["items"]}
    assert users[target.user_id]["roles"] == ["expert", "technology_manager"]
    empty = client.post(f"/users/{target.user_id}/roles", headers=html, data={"csrf_token": csrf})
    assert empty.status_code == 422
    client.post("/api/auth/logout")
    csrf = login(client, make_user(Role.TECHNOLOGY_MANAGER))
    assert client.get("/users", headers=html).status_code == 403
    refused = client.post(f"/users/{target.user_id}/roles", headers=html,
                          data={"csrf_token": csrf, "role_operator": "on"})
    assert refused.status_code == 403
