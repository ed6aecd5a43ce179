"""Finance pages: settlement (款项结清) per channel and business day, and a day's orders with the settle form."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import SETTLE_ORDERS
from oms.channels.models import Channel
from oms.core.errors import ApplicationError
from oms.payments.errors import ChannelNotFound, MismatchesNeedNote
from oms.payments.mismatches import MISMATCH_LABELS
from oms.payments.selectors import EARLIEST_DAY, MAX_DAYS, business_today, day_settlement, settlement_overview
from oms.payments.services import MAX_NOTE, settle_batch
from oms.web.access import PermissionRequiredMixin

DEFAULT_DAYS = 7


class SettlementFilterForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    day_from = forms.DateField(label=gettext_lazy("From"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    day_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("All channels"))] + list(
            Channel.objects.order_by("id").values_list("code", "name"))

    def clean(self):
        data = super().clean()
        today = business_today()
        day_to = data.get("day_to") or today
        day_from = data.get("day_from") or day_to - timedelta(days=DEFAULT_DAYS - 1)
        if day_from < EARLIEST_DAY:
            self.add_error("day_from", _("From 2000-01-01."))
        elif day_from > day_to:
            self.add_error("day_from", _("The start is after the end."))
        elif (day_to - day_from).days >= MAX_DAYS:
            self.add_error("day_from", _("At most %(n)s days at a time.") % {"n": MAX_DAYS})
        data["day_from"], data["day_to"] = day_from, day_to
        return data


class SettleForm(forms.Form):
    reported_amount = forms.DecimalField(
        label=gettext_lazy("Amount the channel reported"), required=False, max_digits=12, decimal_places=2,
        help_text=gettext_lazy("From the platform's or the payment provider's statement; left empty, nothing is "
                               "compared."))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=MAX_NOTE,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Required when there are mismatches: say how they were resolved."))
    expected_orders = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SettlementListView(PermissionRequiredMixin, View):
    required_permission = SETTLE_ORDERS

    def get(self, request):
        form = SettlementFilterForm(request.GET or None)
        rows = []
        if form.is_bound and not form.is_valid():
            status = 400
        else:
            status = 200
            data = form.cleaned_data if form.is_bound else {"channel": "", "day_to": business_today(),
                                                            "day_from": business_today() - timedelta(
                                                                days=DEFAULT_DAYS - 1)}
            rows = settlement_overview(day_from=data["day_from"], day_to=data["day_to"],
                                       channel_code=data.get("channel", ""), actor=Actor.of(request.user))
        return render(request, "web/finance/settlement.html", {"form": form, "rows": rows}, status=status)


def _day(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if day >= EARLIEST_DAY else None


class SettlementDayView(PermissionRequiredMixin, View):
    required_permission = SETTLE_ORDERS

    def show(self, request, channel: str, day: date, *, form: SettleForm | None = None, error=None,
             status: int = 200):
        settlement = day_settlement(channel, day)
        if form is None:
            form = SettleForm(initial={"expected_orders": len(settlement.pending)})
        pending = [{"o": o, "flags": [MISMATCH_LABELS[c] for c in o.mismatches]} for o in settlement.pending]
        batches = [{"b": b, "flags": [{"label": MISMATCH_LABELS.get(m.get("code"), m.get("code")),
                                       "order": m.get("order", ""), "difference": m.get("difference", "")}
                                      for m in b.mismatches]}
                   for b in settlement.batches]
        return render(request, "web/finance/day.html", {
            "s": settlement, "pending": pending, "batches": batches, "form": form, "error": error,
            "future": day > business_today(),
        }, status=status)

    def get(self, request, channel: str, day: str):
        parsed = _day(day)
        if parsed is None:
            return render(request, "web/404.html", {}, status=404)
        try:
            return self.show(request, channel, parsed)
        except ChannelNotFound:
            return render(request, "web/404.html", {}, status=404)

    def post(self, request, channel: str, day: str):
        parsed = _day(day)
        if parsed is None:
            return render(request, "web/404.html", {}, status=404)
        form = SettleForm(request.POST)
        if not form.is_valid():
            return self.show(request, channel, parsed, form=form, status=400)
        try:
            batch = settle_batch(channel_code=channel, day=parsed, actor=Actor.of(request.user),
                                 reported_amount=form.cleaned_data["reported_amount"],
                                 note=form.cleaned_data["note"], expected_orders=form.cleaned_data["expected_orders"])
        except ChannelNotFound:
            return render(request, "web/404.html", {}, status=404)
        except MismatchesNeedNote as exc:
            form.add_error("note", exc.message)
            return self.show(request, channel, parsed, form=form, status=exc.http_status)
        except ApplicationError as exc:
            return self.show(request, channel, parsed, error=exc, status=exc.http_status)
        messages.success(request, _("Settled %(n)s orders (batch %(seq)s), net %(net)s.")
                         % {"n": batch.order_count, "seq": batch.sequence, "net": f"{batch.net:.2f}"})
        return redirect("web:settlement_day", channel=channel, day=parsed.isoformat())
