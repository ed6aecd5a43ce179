"""Logistics exception pages: the queue (oldest first, by carrier and reason) and a ticket with its actions."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.models import User
from oms.accounts.roles import HANDLE_LOGISTICS_EXCEPTIONS
from oms.core.errors import ApplicationError
from oms.shipping import exception_selectors as selectors
from oms.shipping import exceptions as services
from oms.shipping.exceptions import ExceptionNotFound, Outcome
from oms.shipping.models import Carrier, ExceptionReason, ExceptionStatus
from oms.timeliness.deadlines import Step
from oms.timeliness.selectors import markers
from oms.web.access import PermissionRequiredMixin
from oms.web.labels import action_label
from oms.web.views.action_forms import ActionFormsMixin

PAGE_SIZE = 100
NOTE = {"max_length": services.NOTE_MAX, "widget": forms.Textarea(attrs={"rows": 2})}


class QueueFilterForm(forms.Form):
    carrier = forms.ChoiceField(label=gettext_lazy("Carrier"), required=False)
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), required=False,
                               choices=[("", gettext_lazy("All reasons")), *ExceptionReason.choices])
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Open")), ("closed", gettext_lazy("Closed")),
                                        ("all", gettext_lazy("All"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [("", _("All carriers")), *Carrier.objects.values_list("code", "name")]

    def filters(self) -> selectors.QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        status = {"": ExceptionStatus.OPEN, "closed": ExceptionStatus.CLOSED, "all": ""}[data.get("status", "")]
        return selectors.QueueFilters(carrier=data.get("carrier", ""), reason=data.get("reason", ""), status=status)


def age_label(hours: int) -> str:
    """Age as people say it: hours under two days, then days and hours."""
    if hours < 48:
        return _("%(h)s h") % {"h": hours}
    return _("%(d)s d %(h)s h") % {"d": hours // 24, "h": hours % 24}


class QueueView(PermissionRequiredMixin, View):
    required_permission = HANDLE_LOGISTICS_EXCEPTIONS

    def get(self, request):
        form = QueueFilterForm(request.GET)
        filters = form.filters()
        actor = Actor.of(request.user)
        page = Paginator(selectors.queue(filters, actor), PAGE_SIZE).get_page(request.GET.get("page"))
        now = timezone.now()
        rows = [{"t": t, "age": age_label(selectors.age_hours(t, now))} for t in page.object_list]
        return render(request, "web/logistics/queue.html", {
            "form": form, "page": page, "rows": rows, "filters": filters,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "by_carrier": selectors.open_counts_by_carrier(filters.reason, actor),
            "deadline_markers": markers(step=Step.EXCEPTION_RESPONSE, subject_ids=[r["t"].pk for r in rows], now=now),
        })


class AssignForm(forms.Form):
    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **NOTE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        handlers = (User.objects.filter(is_active=True, groups__permissions__codename="handle_logistics_exceptions")
                    .distinct().order_by("username").values_list("username", "username"))
        self.fields["owner"].choices = [("", _("Nobody")), *handlers]


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), **NOTE)


class ReshipForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **NOTE)


class ClaimForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Amount claimed"), min_value=0.01, max_digits=10,
                                decimal_places=2)
    reference = forms.CharField(label=gettext_lazy("Carrier's claim reference"), max_length=64)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **NOTE)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Outcome.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **NOTE)


FORMS = {"assign": AssignForm, "contact_carrier": NoteForm, "contact_buyer": NoteForm, "reship": ReshipForm,
         "claim": ClaimForm, "close": CloseForm}


def _run(action: str, number: str, data: dict, actor: Actor) -> str:
    """Call the action's service; the message to show."""
    if action == "assign":
        services.assign_owner(number=number, owner_username=data["owner"], actor=actor, note=data["note"])
        return _("Owner changed.")
    if action == "contact_carrier":
        services.contact_carrier(number=number, note=data["note"], actor=actor)
        return _("Contact with the carrier recorded.")
    if action == "contact_buyer":
        services.contact_buyer(number=number, note=data["note"], actor=actor)
        return _("Contact with the buyer recorded.")
    if action == "reship":
        package = services.reship(number=number, actor=actor, note=data["note"])
        return _("Package %(no)s created to send the goods again; its stock is reserved.") % {"no": package.number}
    if action == "claim":
        services.claim(number=number, amount=data["amount"], reference=data["reference"], actor=actor,
                       note=data["note"])
        return _("Claim recorded.")
    services.close_exception(number=number, outcome=data["outcome"], actor=actor, note=data["note"])
    return _("Ticket closed.")


class TicketView(PermissionRequiredMixin, ActionFormsMixin, View):
    required_permission = HANDLE_LOGISTICS_EXCEPTIONS
    action_forms = FORMS
    not_found = (ExceptionNotFound,)

    def show(self, number: str, *, bound: dict | None = None, error: ApplicationError | None = None,
             status: int = 200):
        try:
            ticket = selectors.ticket(number)
        except ExceptionNotFound:
            return render(self.request, "web/404.html", {}, status=404)
        forms_ = {name: (bound or {}).get(name) or cls(prefix=name) for name, cls in FORMS.items()}
        if ticket.owner_id and not (bound or {}).get("assign"):
            forms_["assign"] = AssignForm(prefix="assign", initial={"owner": ticket.owner.username})
        events = [{"e": e, "label": action_label(e.action), "data": e.data or {}} for e in selectors.history(ticket)]
        return render(self.request, "web/logistics/ticket.html", {
            "t": ticket, "forms": forms_, "events": events, "error": error,
            "age": age_label(selectors.age_hours(ticket)), "claimed": services.claimed_total(ticket),
            "outcome_label": Outcome.labels.get(ticket.outcome, ticket.outcome),
            "is_open": ticket.status == ExceptionStatus.OPEN,
        }, status=status)

    def get(self, request, number: str):
        return self.show(number)

    def perform(self, action: str, key: str, data: dict, actor: Actor) -> str:
        return _run(action, key, data, actor)

    def done_url(self, key: str) -> str:
        return reverse("web:logistics_ticket", args=[key])
