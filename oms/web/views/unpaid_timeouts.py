"""Administrators set after how many minutes each channel's unpaid orders expire (no other channel page exists)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from oms.accounts.actor import Actor
from oms.channels.models import Channel
from oms.core.errors import ApplicationError
from oms.orders.expiry import CHANGE_CHANNEL, MAX_TIMEOUT_MINUTES, set_unpaid_timeout
from oms.web.access import PermissionRequiredMixin


class UnpaidTimeoutsView(PermissionRequiredMixin, View):
    required_permission = CHANGE_CHANNEL

    def get(self, request):
        return self.show(request)

    def show(self, request, *, errors: dict | None = None, status: int = 200):
        return render(request, "web/channels/unpaid_timeouts.html", {
            "channels": Channel.objects.order_by("id"), "errors": errors or {}, "max": MAX_TIMEOUT_MINUTES,
        }, status=status)

    def post(self, request):
        code = request.POST.get("channel", "")
        raw = (request.POST.get("minutes") or "").strip()
        try:
            minutes = int(raw)
        except ValueError:
            return self.show(request, errors={code: _("Enter a whole number of minutes.")}, status=400)
        try:
            set_unpaid_timeout(channel_code=code, minutes=minutes, actor=Actor.of(request.user))
        except ApplicationError as exc:
            detail = exc.details.get("unpaid_timeout_minutes")
            return self.show(request, errors={code: detail[0] if detail else exc.message}, status=exc.http_status)
        messages.success(request, _("Saved: unpaid orders of %(channel)s expire after %(minutes)s minutes.")
                         % {"channel": code, "minutes": minutes})
        return redirect("web:unpaid_timeouts")
