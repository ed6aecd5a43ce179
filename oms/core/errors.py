"""The error hierarchy every service raises and every API view maps to one response shape."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    code = "application_error"
    http_status = 400
    default_message = ""

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None):
        self.message = str(message or self.default_message or self.code)
        self.details = details or {}
        super().__init__(self.message)


class ValidationFailed(ApplicationError):
    """Input is malformed: missing fields, wrong types, unknown references."""

    code = "validation_failed"
    http_status = 400


class BusinessRuleViolation(ApplicationError):
    """Input is well-formed but breaks a rule (totals that do not add up, etc.)."""

    code = "unprocessable"
    http_status = 422


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403
