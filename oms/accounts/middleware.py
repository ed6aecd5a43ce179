"""Session rules of the back office: idle sessions end; a due password change or second-factor enrolment comes first.

Only session (back-office) sign-ins are concerned: API token requests authenticate in the API view,
so request.user is anonymous here and integration clients are never redirected.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

LAST_ACTIVITY = "oms_last_activity"
# The session is written at most once a minute for activity alone.
TOUCH_EVERY_S = 60


def _exempt(path: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return path.startswith(static) or path.startswith(reverse("web:set_language").rsplit("/", 2)[0] + "/") or path in (
        reverse("web:logout"), reverse("web:login"),
    )


class AccountPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._idle_expired(request)
            if expired is not None:
                return expired
            forced = self._forced_step(request, user)
            if forced is not None:
                return forced
        return self.get_response(request)

    def _idle_expired(self, request):
        minutes = settings.OMS_IDLE_TIMEOUT_MINUTES
        if minutes <= 0:
            return None
        now = time.time()
        last = request.session.get(LAST_ACTIVITY)
        if last is not None and now - float(last) > minutes * 60:
            logout(request)
            messages.info(request, _("You were signed out after %(n)d minutes without activity.") % {"n": minutes})
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "session_expired", "message": _("Session expired."),
                                               "details": {}}}, status=401)
            return self._to(request, redirect_to_login(request.get_full_path()))
        if last is None or now - float(last) > TOUCH_EVERY_S:
            request.session[LAST_ACTIVITY] = now
        return None

    def _forced_step(self, request, user):
        from oms.accounts.administration import totp_required
        from oms.accounts.passwords import change_due

        if _exempt(request.path):
            return None
        if change_due(user):
            target, code = reverse("web:password_change"), "password_change_required"
            message = _("Please choose a new password before you go on.")
        elif not user.has_two_factor and totp_required(user):
            target, code = reverse("web:two_factor"), "two_factor_required"
            message = _("Your role requires a second factor: set it up before you go on.")
        else:
            return None
        if request.path == target:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": code, "message": message, "details": {}}}, status=403)
        return self._to(request, redirect(target))

    @staticmethod
    def _to(request, response):
        # htmx follows a plain redirect inside the swapped fragment; make it a whole-page visit instead.
        if request.headers.get("HX-Request") == "true":
            from django_htmx.http import HttpResponseClientRedirect

            return HttpResponseClientRedirect(response["Location"])
        return response
