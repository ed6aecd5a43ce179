"""Refuse NUL characters in query strings before any view sees them.

PostgreSQL cannot store or compare text containing NUL, so a filter such as `?sku=%00`
would end as a server error deep in a query; a clear 400 belongs at the edge.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class NulCharacterGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = sorted({key for key, values in request.GET.lists() if "\x00" in key or any("\x00" in v for v in values)})
        if bad:
            message = _("Query parameters may not contain NUL characters.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"error": {"code": "validation_failed", "message": message,
                                               "details": {name.replace("\x00", "\\0"): [message] for name in bad}}},
                                    status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
