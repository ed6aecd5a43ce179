"""Customer service's out-of-stock queue (缺货处理): orders waiting for stock, oldest first, with the buyer's choice."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import RECORD_STOCK_CHOICE
from oms.core.errors import ApplicationError
from oms.orders.models import Order
from oms.orders.stock_choice import (
    PartialRest,
    Shortage,
    StockChoice,
    record_stock_choice,
    shortage_of_order,
    shortage_queue,
)
from oms.web.access import PermissionRequiredMixin
from oms.web.views.orders import not_found


class StockChoiceForm(forms.Form):
    """One order's choice; for cancel_lines, the units to cancel per line (line_<no>)."""

    choice = forms.ChoiceField(label=gettext_lazy("Buyer's choice"), choices=StockChoice.choices)
    rest = forms.ChoiceField(label=gettext_lazy("The rest (partial shipment)"), required=False,
                             choices=[("", "—"), *PartialRest.choices])
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args, shortage: Shortage, **kwargs):
        kwargs.setdefault("prefix", shortage.order_no)
        super().__init__(*args, **kwargs)
        self.shortage = shortage
        rest_only = shortage.kind == "rest_waiting"  # only its waiting units can still be cancelled
        if rest_only:
            self.fields["choice"].choices = [(StockChoice.CANCEL_LINES, _("Cancel waiting units"))]
            del self.fields["rest"]
        for ln in shortage.lines:
            most = ln.missing if rest_only else ln.open
            if most > 0:
                self.fields[f"line_{ln.line_no}"] = forms.IntegerField(
                    label=f"#{ln.line_no} {ln.sku}", required=False, min_value=0, max_value=most,
                    initial=ln.missing or None, help_text=_("units to cancel, of %(open)s") % {"open": most})

    @property
    def line_fields(self):
        return [self[name] for name in self.fields if name.startswith("line_")]

    def clean(self):
        data = super().clean()
        choice = data.get("choice")
        if choice == StockChoice.PARTIAL_SHIP and not data.get("rest"):
            self.add_error("rest", _("Say what happens to the rest: wait or cancel."))
        if choice != StockChoice.PARTIAL_SHIP or "rest" not in self.fields:
            data["rest"] = ""
        lines = [{"line_no": int(name[5:]), "quantity": data[name]} for name in self.fields
                 if name.startswith("line_") and data.get(name)]
        if choice == StockChoice.CANCEL_LINES and not lines:
            self.add_error(None, _("Enter the units to cancel on at least one line."))
        data["lines"] = lines if choice == StockChoice.CANCEL_LINES else None
        return data


def _queue_context(request, bound: StockChoiceForm | None = None) -> dict:
    can_choose = request.user.has_perm(RECORD_STOCK_CHOICE)
    rows = []
    for shortage in shortage_queue(actor=Actor.of(request.user)):
        form = None
        if can_choose:
            form = bound if bound is not None and bound.shortage.order_no == shortage.order_no else \
                StockChoiceForm(shortage=shortage)
        rows.append({"s": shortage, "form": form})
    return {"rows": rows, "can_choose": can_choose}


class ShortageQueueView(PermissionRequiredMixin, View):
    required_permission = RECORD_STOCK_CHOICE  # customer service's queue (the API lists it to every reader)

    def get(self, request):
        return render(request, "web/stock_choices/queue.html", _queue_context(request))


def _back(request, order_no: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("web:stock_shortages")


class RecordChoiceView(PermissionRequiredMixin, View):
    required_permission = RECORD_STOCK_CHOICE

    def post(self, request, order_no: str):
        order = Order.objects.filter(order_no=order_no).first()
        if order is None:
            return not_found(request, order_no)
        shortage = shortage_of_order(order)
        if shortage is None:
            messages.error(request, _("Only an order on hold for missing stock takes the buyer's out-of-stock "
                                      "choice."))
            return _back(request, order_no)
        form = StockChoiceForm(request.POST, shortage=shortage)
        if not form.is_valid():
            context = _queue_context(request, bound=form)
            return render(request, "web/stock_choices/queue.html", context, status=400)
        data = form.cleaned_data
        try:
            outcome = record_stock_choice(order_no=order_no, actor=Actor.of(request.user), choice=data["choice"],
                                          rest=data["rest"], lines=data["lines"], note=data.get("note") or "")
        except ApplicationError as exc:
            messages.error(request, f"{order_no}: {exc.message}")
            return _back(request, order_no)
        text = _("%(no)s: the buyer's choice is recorded (%(choice)s).") % {
            "no": order_no, "choice": StockChoice(outcome.choice).label}
        if outcome.refund:
            text += " " + _("Refund %(refund)s raised.") % {"refund": outcome.refund}
        if outcome.approved:
            text += " " + _("The rest is approved for shipment.")
        messages.success(request, text)
        return _back(request, order_no)
