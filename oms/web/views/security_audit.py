"""`/audit/security/`: the security audit log — audit events not tied to an order (sign-ins, failed
sign-ins, lockouts, account and permission changes, exports) and, on orders, reveals of personal data and
approvals; newest first."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.roles import VIEW_AUDIT_LOG
from oms.audit.models import AuditEvent
from oms.web.access import PermissionRequiredMixin
from oms.web.labels import action_label

PAGE_SIZE = 100
# Events on an order that are security-relevant too (issue: reveals of personal data and approvals are audited
# with sign-ins): they appear here beside the events not tied to an order, with the order's number.
ORDER_SECURITY_ACTIONS = ("personal_data_revealed", "change_applied", "change_request_rejected",
                          "refund_approved", "refund_second_approved")


class SecurityFilterForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    user = forms.CharField(label=gettext_lazy("User"), required=False, max_length=150)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", gettext_lazy("All actions"))] + [(a, action_label(a)) for a in actions]


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class SecurityLogView(PermissionRequiredMixin, View):
    required_permission = VIEW_AUDIT_LOG

    def get(self, request):
        events = AuditEvent.objects.filter(Q(order__isnull=True) | Q(action__in=ORDER_SECURITY_ACTIONS))
        actions = sorted(set(events.values_list("action", flat=True).distinct()))
        form = SecurityFilterForm(request.GET or None, actions=actions)
        if form.is_valid():
            d = form.cleaned_data
            if d["action"]:
                events = events.filter(action=d["action"])
            if d["user"]:
                events = events.filter(Q(actor_username=d["user"]) | Q(data__username=d["user"]))
            if d["date_from"]:
                events = events.filter(at__gte=_day_start(d["date_from"]))
            if d["date_to"]:
                events = events.filter(at__lt=_day_start(d["date_to"]) + timedelta(days=1))
        events = events.select_related("order").order_by("-at", "-id")
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        for event in page.object_list:
            event.label = action_label(event.action)
        return render(request, "web/accounts/security_log.html", {"form": form, "page": page})
