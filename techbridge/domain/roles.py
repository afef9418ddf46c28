"""Platform roles and what each may do. Services check permissions here, not only templates."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    TECHNOLOGY_MANAGER = "technology_manager"
    ENTERPRISE_MEMBER = "enterprise_member"
    INSTITUTION_MEMBER = "institution_member"
    INVESTOR = "investor"
    EXPERT = "expert"
    REGISTRY_OFFICER = "registry_officer"


class Permission(StrEnum):
    TECHNOLOGY_CREATE = "technology.create"
    DEMAND_CREATE = "demand.create"
    ORGANISATION_CREATE = "organisation.create"
    PERSON_CREATE = "person.create"
    LISTING_EDIT_ANY = "listing.edit_any"
    IMPORT_DATA = "data.import"
    MATCH_FEEDBACK = "match.feedback"
    AUDIT_READ = "audit.read"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: frozenset(Permission),
    Role.TECHNOLOGY_MANAGER: frozenset(
        {Permission.TECHNOLOGY_CREATE, Permission.DEMAND_CREATE, Permission.MATCH_FEEDBACK, Permission.PERSON_CREATE}
    ),
    Role.ENTERPRISE_MEMBER: frozenset({Permission.DEMAND_CREATE, Permission.MATCH_FEEDBACK}),
    Role.INSTITUTION_MEMBER: frozenset({Permission.TECHNOLOGY_CREATE, Permission.MATCH_FEEDBACK}),
    Role.INVESTOR: frozenset(),
    Role.EXPERT: frozenset(),
    Role.REGISTRY_OFFICER: frozenset(),
}


def role_allows(roles: frozenset[Role], permission: Permission) -> bool:
    return any(permission in ROLE_PERMISSIONS[role] for role in roles)
