"""The error tree. Each error carries its HTTP status and a message that tells the user what to fix.

The web layer turns every ``TechbridgeError`` into the one error envelope
``{"ok": false, "error": message, "errors": [{"field", "message"}], "status": status}`` and the CLI
prints the same message and exits non-zero; neither ever shows a stack trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field (``field`` may be dotted, e.g. ``parties.0.region_code``)."""

    field: str
    message: str
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.line is not None:
            data["line"] = self.line
        return data


class TechbridgeError(Exception):
    """Base of every error the user is meant to see."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, errors: list[FieldError] | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.errors: list[FieldError] = list(errors or [])
        if status is not None:
            self.status = status

    def envelope(self) -> dict[str, Any]:
        return {
            "ok": False,
            "error": self.message,
            "code": self.code,
            "errors": [e.as_dict() for e in self.errors],
            "status": self.status,
        }

    def __str__(self) -> str:
        if not self.errors:
            return self.message
        details = "; ".join(
            (f"line {e.line}: " if e.line is not None else "") + f"{e.field}: {e.message}" for e in self.errors
        )
        return f"{self.message}: {details}"


class ValidationFailed(TechbridgeError):
    status = 422
    code = "validation_failed"


class NotFound(TechbridgeError):
    status = 404
    code = "not_found"


class Conflict(TechbridgeError):
    status = 409
    code = "conflict"


class IllegalTransition(TechbridgeError):
    """A workflow action that the current state does not allow."""

    status = 409
    code = "illegal_transition"


class AuthenticationRequired(TechbridgeError):
    status = 401
    code = "authentication_required"


class PermissionDenied(TechbridgeError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(TechbridgeError):
    status = 413
    code = "payload_too_large"


class RateLimited(TechbridgeError):
    status = 429
    code = "rate_limited"


class ConfigurationError(TechbridgeError):
    status = 500
    code = "configuration_error"


class ImportFailed(ValidationFailed):
    """An import whose rows did not all validate; ``errors`` name each bad row, line and field."""

    code = "import_failed"


def require(condition: bool, field: str, message: str) -> FieldError | None:
    """Return a FieldError when ``condition`` is false (helper for validators collecting all problems)."""
    return None if condition else FieldError(field, message)
