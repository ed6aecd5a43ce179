"""Refuse NUL characters in query strings, paths and request bodies before any view sees them.

PostgreSQL cannot store or compare text containing NUL, so a filter such as `?sku=%00`
would end as a server error deep in a query; a clear 400 belongs at the edge.
"""

from __future__ import annotations

import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class NulCharacterGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = sorted({key for key, values in request.GET.lists() if "\x00" in key or any("\x00" in v for v in values)})
        if bad:
            message = _("Query parameters may not contain NUL characters.")
        elif "\x00" in request.path_info:
            bad, message = ["path"], _("The address may not contain NUL characters.")
        elif bad := _nul_fields(request):
            message = _("Text may not contain NUL characters.")
        if bad:
            if request.path_info.startswith("/api/"):
                return JsonResponse({"error": {"code": "validation_failed", "message": message,
                                               "details": {name.replace("\x00", "\\0"): [message] for name in bad}}},
                                    status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


def _nul_fields(request) -> list[str]:
    """Fields of a JSON or form body whose name or text holds a NUL (named like `lines[0].name`); uploaded
    files are not looked into."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return sorted({k for k, values in request.POST.lists() if "\x00" in k or any("\x00" in v for v in values)})
    if not content_type.startswith("application/json") or b"\\u0000" not in request.body:
        return []
    try:
        data = json.loads(request.body)
    except ValueError:
        return []  # the view reports malformed JSON itself
    found: list[str] = []
    _walk(data, "", found)
    return found or ["body"]


def _walk(value, path: str, found: list[str]) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            found.append(path or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                found.append(name)
            else:
                _walk(item, name, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", found)
