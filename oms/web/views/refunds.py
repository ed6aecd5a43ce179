"""Refund pages: the queue by step (CS verifies, finance approves and executes), one refund with the buttons
the user's role allows, and customer service raising a price adjustment or shipping compensation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import APPROVE_REFUNDS, VERIFY_REFUNDS, VIEW_REFUNDS
from oms.aftersales.status import RefundCause, RefundStatus
from oms.core.errors import ApplicationError, ValidationFailed
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order
from oms.payments import refund_flow
from oms.payments.refund_adapters import allowed_adapter_names, default_adapter_name
from oms.payments.refund_errors import RefundNotFound
from oms.payments.refund_flow import ShippingCompensation
from oms.payments.refund_selectors import QUEUE_TABS, TABS_BY_KEY, refund_by_number, refund_queue, status_counts
from oms.timeliness.deadlines import Step
from oms.timeliness.selectors import markers
from oms.web.access import PermissionRequiredMixin
from oms.web.labels import action_label
from oms.web.views.action_forms import ActionFormsMixin

PAGE_SIZE = 100
NOTE = {"max_length": refund_flow.MAX_NOTE, "widget": forms.Textarea(attrs={"rows": 2})}
MONEY = {"min_value": 0.01, "max_digits": 10, "decimal_places": 2}


class QueueFilterForm(forms.Form):
    cause = forms.ChoiceField(label=gettext_lazy("Cause"), required=False,
                              choices=[("", gettext_lazy("All causes")), *RefundCause.choices])
    order_no = forms.CharField(label=gettext_lazy("Order number"), required=False, max_length=32)


class RefundQueueView(PermissionRequiredMixin, View):
    required_permission = VIEW_REFUNDS

    def get(self, request):
        key = request.GET.get("tab", "")
        tab = TABS_BY_KEY.get(key) or self.default_tab(request.user)
        form = QueueFilterForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        actor = Actor.of(request.user)
        qs = refund_queue(status=tab.statuses[0], cause=data.get("cause", ""), order_no=data.get("order_no", ""),
                          actor=actor)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        counts = status_counts(actor)
        tabs = [{"key": t.key, "label": t.label, "count": sum(counts.get(s, 0) for s in t.statuses),
                 "active": t.key == tab.key} for t in QUEUE_TABS]
        return render(request, "web/refunds/queue.html", {
            "tab": tab, "tabs": tabs, "form": form, "page": page,
            "deadline_markers": markers(step=Step.REFUND, subject_ids=[r.pk for r in page.object_list],
                                        now=timezone.now()),
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        })

    @staticmethod
    def default_tab(user):
        """Finance starts where its work is; customer service on refunds to verify."""
        return TABS_BY_KEY["to_approve" if user.has_perm(APPROVE_REFUNDS) else "to_verify"]


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **NOTE)


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for rejection"), max_length=refund_flow.MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ExecuteForm(forms.Form):
    adapter = forms.ChoiceField(label=gettext_lazy("Payment adapter"), choices=())
    reference = forms.CharField(label=gettext_lazy("Refund reference in the payment platform"), required=False,
                                max_length=64,
                                help_text=gettext_lazy("Required for manual refunds: the reference the platform "
                                                       "shows for the refund you made there."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read per form, not at import: only the adapters this installation allows (never "test" in production).
        self.fields["adapter"].choices = [(n, n) for n in allowed_adapter_names()]


FORMS = {"verify": NoteForm, "approve": NoteForm, "second_approve": NoteForm, "reject": RejectForm,
         "execute": ExecuteForm}
# Which buttons a refund in each status offers, and the permission each needs.
ACTIONS = {
    RefundStatus.REQUESTED: (("verify", VERIFY_REFUNDS), ("reject", VERIFY_REFUNDS)),
    RefundStatus.VERIFIED: (("approve", APPROVE_REFUNDS), ("reject", APPROVE_REFUNDS)),
    RefundStatus.AWAITING_SECOND_APPROVAL: (("second_approve", APPROVE_REFUNDS), ("reject", APPROVE_REFUNDS)),
    RefundStatus.APPROVED: (("execute", APPROVE_REFUNDS),),
    RefundStatus.FAILED: (("execute", APPROVE_REFUNDS), ("reject", APPROVE_REFUNDS)),
}


def _run(action: str, number: str, data: dict, actor: Actor) -> tuple[str, bool]:
    """Call the action's service; the message to show and whether it is good news."""
    if action == "verify":
        refund_flow.verify_refund(number=number, actor=actor, note=data["note"])
        return _("Refund verified; finance approves it next."), True
    if action == "approve":
        refund = refund_flow.approve_refund(number=number, actor=actor, note=data["note"])
        if refund.status == RefundStatus.AWAITING_SECOND_APPROVAL:
            return _("Approved; this amount also needs a second finance user's approval."), True
        return _("Refund approved; it can be executed."), True
    if action == "second_approve":
        refund_flow.second_approve_refund(number=number, actor=actor, note=data["note"])
        return _("Second approval recorded; the refund can be executed."), True
    if action == "reject":
        refund_flow.reject_refund(number=number, actor=actor, reason=data["reason"])
        return _("Refund rejected."), True
    refund = refund_flow.execute_refund(number=number, actor=actor, reference=data["reference"],
                                        adapter=data["adapter"])
    if refund.status == RefundStatus.SUCCEEDED:
        return _("Refund issued; the buyer will be told."), True
    return _("The payment platform refused the refund: %(why)s. Execute it again when the problem is fixed.") % {
        "why": refund.failure}, False


class RefundDetailView(PermissionRequiredMixin, ActionFormsMixin, View):
    # Viewing needs the refund view permission; each action checks its own permission in the service.
    required_permission = VIEW_REFUNDS
    action_forms = FORMS
    not_found = (RefundNotFound,)

    def show(self, number: str, *, bound: dict | None = None, error: ApplicationError | None = None,
             status: int = 200):
        try:
            refund = refund_by_number(number)
        except RefundNotFound:
            return render(self.request, "web/404.html", {}, status=404)
        user = self.request.user
        allowed = [name for name, perm in ACTIONS.get(refund.status, ()) if user.has_perm(perm)]
        forms_ = {name: (bound or {}).get(name) or FORMS[name](prefix=name) for name in allowed}
        if "execute" in forms_ and not (bound or {}).get("execute"):
            forms_["execute"] = ExecuteForm(prefix="execute", initial={"adapter": default_adapter_name()})
        events = [{"e": e, "label": action_label(e.action)}
                  for e in refund.order.events.order_by("at", "id") if (e.data or {}).get("refund") == refund.number]
        own = user.pk in {refund.requested_by_id, refund.verified_by_id, refund.approved_by_id} - {None}
        return render(self.request, "web/refunds/detail.html", {
            "r": refund, "forms": forms_, "events": events, "error": error, "own_step": own,
            "lines": list(refund.lines.all()),
        }, status=status)

    def get(self, request, number: str):
        return self.show(number)

    def perform(self, action: str, key: str, data: dict, actor: Actor) -> tuple[str, bool]:
        return _run(action, key, data, actor)

    def done_url(self, key: str) -> str:
        return reverse("web:refund_detail", args=[key])


class PriceAdjustmentForm(forms.Form):
    line_no = forms.TypedChoiceField(label=gettext_lazy("Line"), coerce=int)
    units = forms.IntegerField(label=gettext_lazy("Units"), min_value=1)
    unit_difference = forms.DecimalField(label=gettext_lazy("Price difference per unit"), **MONEY)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **NOTE)

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line_no"].choices = [
            (ln.line_no, f"#{ln.line_no} {ln.sku_code} {ln.name} ×{ln.quantity} @{ln.unit_price:.2f}")
            for ln in order.lines.order_by("line_no")]


class ShippingCompensationForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Compensation"), choices=[
        (ShippingCompensation.SHIPPING_FEE, gettext_lazy("The order's shipping fee")),
        (ShippingCompensation.RETURN_POSTAGE, gettext_lazy("The buyer's return postage (capped per order)"))])
    postage = forms.DecimalField(label=gettext_lazy("Return postage the buyer paid"), required=False, **MONEY)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **NOTE)


RAISE_PREFIX = {RefundCause.PRICE_ADJUSTMENT: "price", RefundCause.SHIPPING_COMPENSATION: "shipping"}


class RaiseRefundView(PermissionRequiredMixin, View):
    """Customer service raises a price adjustment or shipping compensation on an order."""

    required_permission = VERIFY_REFUNDS

    def forms_for(self, order: Order, data=None, cause: str = ""):
        price = PriceAdjustmentForm(data if cause == RefundCause.PRICE_ADJUSTMENT else None, order=order,
                                    prefix=RAISE_PREFIX[RefundCause.PRICE_ADJUSTMENT])
        shipping = ShippingCompensationForm(data if cause == RefundCause.SHIPPING_COMPENSATION else None,
                                            prefix=RAISE_PREFIX[RefundCause.SHIPPING_COMPENSATION])
        return price, shipping

    def page(self, order: Order, price, shipping, *, error=None, status: int = 200):
        return render(self.request, "web/refunds/raise.html", {
            "order": order, "price_form": price, "shipping_form": shipping, "error": error,
            "cap": refund_flow.return_postage_cap(),
        }, status=status)

    def order(self, order_no: str) -> Order | None:
        return Order.objects.select_related("channel").filter(order_no=order_no).first()

    def raise_cancellation(self, order: Order, note: str):
        try:
            refund = refund_flow.raise_cancellation_refund(order_no=order.order_no, actor=Actor.of(self.request.user),
                                                           note=note)
        except ApplicationError as exc:
            messages.error(self.request, exc.message)
            return redirect(reverse("web:order_detail", args=[order.order_no]) + "#refunds")
        messages.success(self.request, _("Refund %(no)s of %(amount)s raised; finance can approve it.") % {
            "no": refund.number, "amount": f"{refund.amount:.2f}"})
        return redirect("web:refund_detail", number=refund.number)

    def get(self, request, order_no: str):
        order = self.order(order_no)
        if order is None:
            return render(request, "web/404.html", {"order_no": order_no}, status=404)
        return self.page(order, *self.forms_for(order))

    def post(self, request, order_no: str):
        order = self.order(order_no)
        if order is None:
            return render(request, "web/404.html", {"order_no": order_no}, status=404)
        cause = request.POST.get("cause", "")
        if cause == RefundCause.CANCELLATION:
            return self.raise_cancellation(order, request.POST.get("cancellation-note", ""))
        if cause not in RAISE_PREFIX:
            return self.page(order, *self.forms_for(order), error=ValidationFailed(_("Choose what to refund.")),
                             status=400)
        price, shipping = self.forms_for(order, request.POST, cause)
        form = price if cause == RefundCause.PRICE_ADJUSTMENT else shipping
        if not form.is_valid():
            return self.page(order, price, shipping, status=400)
        data = form.cleaned_data
        actor = Actor.of(request.user)
        try:
            if cause == RefundCause.PRICE_ADJUSTMENT:
                refund = refund_flow.raise_price_adjustment(
                    order_no=order_no, actor=actor, line_no=data["line_no"], units=data["units"],
                    unit_difference=data["unit_difference"], note=data["note"])
            else:
                refund = refund_flow.raise_shipping_compensation(
                    order_no=order_no, actor=actor, kind=data["kind"], postage=data["postage"], note=data["note"])
        except OrderNotFound:
            return render(request, "web/404.html", {"order_no": order_no}, status=404)
        except ApplicationError as exc:
            field = next((k for k in (exc.details or {}) if k in form.fields), None)
            if field:
                form.add_error(field, exc.message)
                return self.page(order, price, shipping, status=exc.http_status)
            return self.page(order, price, shipping, error=exc, status=exc.http_status)
        messages.success(request, _("Refund %(no)s of %(amount)s raised; verify it to pass it to finance.") % {
            "no": refund.number, "amount": f"{refund.amount:.2f}"})
        return redirect("web:refund_detail", number=refund.number)
