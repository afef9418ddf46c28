"""Platform roles and what each may do. Services check permissions here, not only templates.

docs/roles.md explains each role in words; ``ROLE_PERMISSIONS`` is the single source of truth and a test
checks the document lists every permission of every role.
"""

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
    MATCH_TUNE = "match.tune"
    AUDIT_READ = "audit.read"
    # accounts area
    USER_MANAGE = "user.manage"
    MEMBERS_MANAGE_ANY = "members.manage_any"
    MANAGER_ASSIGN = "manager.assign"
    NDA_ACCEPT = "nda.accept"
    SAVED_SEARCH = "search.save"
    CONFIDENTIAL_READ_ANY = "confidential.read_any"


_SIGNED_IN = frozenset({Permission.NDA_ACCEPT, Permission.SAVED_SEARCH})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: frozenset(Permission),
    Role.TECHNOLOGY_MANAGER: _SIGNED_IN | frozenset(
        {Permission.TECHNOLOGY_CREATE, Permission.DEMAND_CREATE, Permission.MATCH_FEEDBACK, Permission.PERSON_CREATE}
    ),
    Role.ENTERPRISE_MEMBER: _SIGNED_IN | frozenset({Permission.DEMAND_CREATE, Permission.MATCH_FEEDBACK}),
    Role.INSTITUTION_MEMBER: _SIGNED_IN | frozenset({Permission.TECHNOLOGY_CREATE, Permission.MATCH_FEEDBACK}),
    Role.INVESTOR: _SIGNED_IN,
    Role.EXPERT: _SIGNED_IN,
    Role.REGISTRY_OFFICER: _SIGNED_IN,
}


def role_allows(roles: frozenset[Role], permission: Permission) -> bool:
    return any(permission in ROLE_PERMISSIONS[role] for role in roles)
