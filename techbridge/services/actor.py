"""Who is acting: the identity every service call receives and checks permissions against."""

from __future__ import annotations

from dataclasses import dataclass, field

from techbridge.domain.roles import Permission, Role, role_allows
from techbridge.errors import AuthenticationRequired, PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The signed-in user (or an anonymous visitor, ``user_id`` None) and what they may do."""

    user_id: int | None = None
    display_name: str = ""
    roles: frozenset[Role] = field(default_factory=frozenset)
    organisation_id: int | None = None
    csrf_token: str = ""

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_operator(self) -> bool:
        return Role.OPERATOR in self.roles

    def can(self, permission: Permission) -> bool:
        return self.is_authenticated and role_allows(self.roles, permission)

    def require(self, permission: Permission) -> None:
        """Raise 401 for anonymous visitors and 403 for users whose roles lack ``permission``."""
        if not self.is_authenticated:
            raise AuthenticationRequired("Please sign in first (登录后再操作)")
        if not role_allows(self.roles, permission):
            raise PermissionDenied(f"Your roles do not allow {permission.value}; ask an operator for access")

    def require_login(self) -> None:
        if not self.is_authenticated:
            raise AuthenticationRequired("Please sign in first (登录后再操作)")


ANONYMOUS = Actor()
SYSTEM = Actor(user_id=0, display_name="system", roles=frozenset({Role.OPERATOR}))
