"""One error shape for the whole API: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from oms.core.errors import ApplicationError


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, path))
    elif isinstance(detail, list) and detail and not all(isinstance(d, (str, drf.ErrorDetail)) for d in detail):
        for i, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}[{i}]"))
    elif isinstance(detail, list):
        out[prefix or "non_field_errors"] = [str(d) for d in detail]
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def exception_handler(exc, context):
    headers = {}
    if isinstance(exc, ApplicationError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if not isinstance(exc, drf.APIException):
        return None
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    if isinstance(exc, drf.ValidationError):
        body = error_body("validation_failed", _("The request has invalid fields."), _flatten(exc.detail))
    elif isinstance(exc, drf.ParseError):
        body = error_body("malformed_request", str(exc.detail))
    else:
        code = {
            drf.NotAuthenticated: "not_authenticated",
            drf.AuthenticationFailed: "authentication_failed",
            drf.PermissionDenied: "permission_denied",
            drf.NotFound: "not_found",
            drf.MethodNotAllowed: "method_not_allowed",
            drf.UnsupportedMediaType: "unsupported_media_type",
            drf.Throttled: "throttled",
        }.get(type(exc), exc.default_code)
        body = error_body(code, str(exc.detail))
    return Response(body, status=exc.status_code, headers=headers)
