"""Pages of one record with several action forms; a hidden `action` field says which one was sent.

Every such page answers a post the same way: an unknown action or an invalid form shows the page
again (400); a service error goes next to the form field it names, else above the forms, with the
error's status; success redirects back with the action's notice.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor
from oms.core.errors import ApplicationError, ValidationFailed


class ActionFormsMixin:
    action_forms: dict[str, type[forms.Form]] = {}
    not_found: tuple[type[Exception], ...] = ()  # the record is gone: the 404 page

    def show(self, key: str, *, bound: dict | None = None, error: ApplicationError | None = None, status: int = 200):
        raise NotImplementedError

    def perform(self, action: str, key: str, data: dict, actor: Actor) -> str | tuple[str, bool]:
        """Run the action's service; its notice, or (notice, whether it is good news)."""
        raise NotImplementedError

    def done_url(self, key: str) -> str:
        raise NotImplementedError

    def not_found_response(self, request):
        return render(request, "web/404.html", {}, status=404)

    def post(self, request, number: str):
        action = request.POST.get("action", "")
        if action not in self.action_forms:
            return self.show(number, error=ValidationFailed(_("Unknown action.")), status=400)
        form = self.action_forms[action](request.POST, prefix=action)
        if not form.is_valid():
            return self.show(number, bound={action: form}, status=400)
        try:
            outcome = self.perform(action, number, form.cleaned_data, Actor.of(request.user))
        except self.not_found:
            return self.not_found_response(request)
        except ApplicationError as exc:
            field = next((k for k in (exc.details or {}) if k in form.fields), None)
            if field:
                form.add_error(field, exc.message)
            return self.show(number, bound={action: form}, error=None if field else exc, status=exc.http_status)
        notice, good = outcome if isinstance(outcome, tuple) else (outcome, True)
        (messages.success if good else messages.error)(request, notice)
        return redirect(self.done_url(number))
