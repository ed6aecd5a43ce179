"""Change request pages (申请审批): the approvers' queue, one request with approve/reject/withdraw, and the
"Request a correction" form reached from an order or from the stock adjust page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import REQUEST_CHANGES
from oms.approvals import selectors, services
from oms.approvals.errors import ChangeRequestNotFound
from oms.approvals.fields import PERSONAL_KEYS
from oms.approvals.kinds import CORRECTIONS, CUSTOMER_FIELDS, KINDS
from oms.approvals.selectors import TAB_KEYS, TABS
from oms.approvals.status import ChangeKind, ChangeStatus
from oms.core.errors import ApplicationError
from oms.orders.models import Order
from oms.orders.personal_data import masked_fields
from oms.orders.selectors import scoped_orders
from oms.orders.status import OrderStatus, PaymentStatus
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.labels import action_label
from oms.web.views.action_forms import ActionFormsMixin

PAGE_SIZE = 100
NOTE = {"max_length": services.MAX_NOTE, "widget": forms.Textarea(attrs={"rows": 2})}
MONEY = {"min_value": 0, "max_digits": 10, "decimal_places": 2, "required": False}


class QueueView(PermissionRequiredMixin, View):
    required_permission = REQUEST_CHANGES

    def get(self, request):
        actor = Actor.of(request.user)
        key = request.GET.get("tab", "")
        if key not in TAB_KEYS:
            key = "waiting" if selectors.decidable_kinds(actor) else "mine"
        kind = request.GET.get("kind", "")
        kind = kind if kind in ChangeKind.values else ""
        qs = selectors.queue(tab=key, actor=actor, kind=kind)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        tabs = [{"key": t.key, "label": t.label, "active": t.key == key,
                 "count": selectors.queue(tab=t.key, actor=actor).count() if t.key in ("waiting", "pending") else None}
                for t in TABS]
        return render(request, "web/approvals/queue.html", {
            "tabs": tabs, "tab": key, "page": page, "kinds": ChangeKind.choices, "kind": kind,
            "refunds": selectors.refunds_awaiting_second_approval(actor),
        })


class ApproveForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **NOTE)


class RejectForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Reason for rejection"), **NOTE)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, **NOTE)


FORMS = {"approve": ApproveForm, "reject": RejectForm, "withdraw": WithdrawForm}


def _rows(cr) -> list[dict]:
    """Field, value when requested, proposed value: what the approver compares."""
    # Personal values masked as on every screen; the full ones are behind the audited reveal of the order.
    current, proposed = masked_fields(cr.current), masked_fields(cr.proposed)
    keys = list(proposed) + [k for k in current if k not in proposed]
    return [{"field": k, "current": current.get(k, "—"), "proposed": proposed.get(k, ""),
             "changes": k in proposed} for k in keys]


class RequestView(PermissionRequiredMixin, ActionFormsMixin, View):
    # Seeing a request needs the request right; deciding checks the approval right and role in the service.
    required_permission = REQUEST_CHANGES
    action_forms = FORMS
    not_found = (ChangeRequestNotFound,)

    def show(self, number: str, *, bound: dict | None = None, error: ApplicationError | None = None,
             status: int = 200):
        try:
            cr = services.get_request(number)
        except ChangeRequestNotFound:
            return render(self.request, "web/404.html", {}, status=404)
        actor = Actor.of(self.request.user)
        allowed = []
        if cr.status == ChangeStatus.PENDING:
            own = actor.user_id == cr.requested_by_id
            if not own and KINDS[cr.kind].may_decide(actor):
                allowed = ["approve", "reject"]
            if own:
                allowed = ["withdraw"]
        forms_ = {name: (bound or {}).get(name) or FORMS[name](prefix=name) for name in allowed}
        event = None
        if cr.applied_event_id:
            event = {"e": cr.applied_event, "label": action_label(cr.applied_event.action)}
        return render(self.request, "web/approvals/detail.html", {
            "cr": cr, "kind": KINDS[cr.kind], "rows": _rows(cr), "forms": forms_, "error": error, "event": event,
            "own": actor.user_id == cr.requested_by_id,
        }, status=status)

    def get(self, request, number: str):
        return self.show(number)

    def perform(self, action: str, key: str, data: dict, actor: Actor) -> str:
        if action == "approve":
            services.approve_change(number=key, actor=actor, note=data["note"])
            return _("Approved; the change is applied.")
        if action == "reject":
            services.reject_change(number=key, actor=actor, note=data["note"])
            return _("Change request rejected.")
        services.withdraw_change(number=key, actor=actor, note=data["note"])
        return _("Change request withdrawn.")

    def done_url(self, key: str) -> str:
        return reverse("web:approval_detail", args=[key])


# --- asking for a correction ---------------------------------------------------------------------

class ReasonMixin(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=services.MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Why the data is wrong and where the right value comes from."))


class AmountsForm(ReasonMixin):
    shipping_fee = forms.DecimalField(label=gettext_lazy("Shipping fee"), **MONEY)
    discount_total = forms.DecimalField(label=gettext_lazy("Discounts"), **MONEY)
    paid_amount = forms.DecimalField(label=gettext_lazy("Paid amount"), **MONEY)

    def proposed(self, order: Order) -> dict:
        return {k: f"{self.cleaned_data[k]:.2f}" for k in ("shipping_fee", "discount_total", "paid_amount")
                if self.cleaned_data.get(k) is not None and self.cleaned_data[k] != getattr(order, k)}


class PaymentForm(ReasonMixin):
    payment_status = forms.ChoiceField(label=gettext_lazy("Payment status"), choices=PaymentStatus.choices)
    paid_at = forms.DateTimeField(label=gettext_lazy("Paid at"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    transaction_id = forms.CharField(label=gettext_lazy("Transaction id"), required=False, max_length=64)
    paid_amount = forms.DecimalField(label=gettext_lazy("Paid amount"), **MONEY,
                                     help_text=gettext_lazy("Empty: the payable amount."))

    def proposed(self, order: Order) -> dict:
        d = self.cleaned_data
        if d["payment_status"] == PaymentStatus.UNPAID:
            return {"payment_status": PaymentStatus.UNPAID}
        out = {"payment_status": PaymentStatus.PAID, "paid_at": d["paid_at"].isoformat() if d.get("paid_at") else "",
               "transaction_id": d.get("transaction_id", "")}
        if d.get("paid_amount") is not None:
            out["paid_amount"] = f"{d['paid_amount']:.2f}"
        return out


CUSTOMER_LABELS = {
    "customer_name": gettext_lazy("Buyer name"), "customer_phone": gettext_lazy("Buyer phone"),
    "ship_name": gettext_lazy("Recipient"), "ship_phone": gettext_lazy("Recipient phone"),
    "ship_province": gettext_lazy("Province"), "ship_city": gettext_lazy("City"),
    "ship_district": gettext_lazy("District"), "ship_detail": gettext_lazy("Address detail"),
    "ship_postcode": gettext_lazy("Postcode"),
}


class CustomerForm(ReasonMixin):
    def __init__(self, *args, order: Order | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        masked = masked_fields({k: getattr(order, k) or "" for k in PERSONAL_KEYS & set(CUSTOMER_FIELDS)}) \
            if order is not None else {}
        for name in CUSTOMER_FIELDS:
            field = forms.CharField(label=CUSTOMER_LABELS[name], required=False, max_length=255)
            if name in PERSONAL_KEYS:  # empty = unchanged; the masked value shows what is there now
                field.widget.attrs["placeholder"] = masked.get(name, "")
                field.help_text = gettext_lazy("Leave empty to keep the current value.")
            self.fields[name] = field
        self.order_fields(list(CUSTOMER_FIELDS) + ["reason"])

    def proposed(self, order: Order) -> dict:
        out = {}
        for k in CUSTOMER_FIELDS:
            value = (self.cleaned_data.get(k) or "").strip()
            if k in PERSONAL_KEYS and not value:
                continue  # not pre-filled: empty keeps the current value
            if value != (getattr(order, k) or ""):
                out[k] = value
        return out


class StatusForm(ReasonMixin):
    status = forms.ChoiceField(label=gettext_lazy("Correct status to"),
                               choices=[(to, OrderStatus(to).label) for to in sorted({t for _f, t in CORRECTIONS})])
    delivered_at = forms.DateTimeField(label=gettext_lazy("Delivered at"), required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def proposed(self, order: Order) -> dict:
        out = {"status": self.cleaned_data["status"]}
        if self.cleaned_data.get("delivered_at") and out["status"] == OrderStatus.DELIVERED:
            out["delivered_at"] = self.cleaned_data["delivered_at"].isoformat()
        return out


class StockForm(ReasonMixin):
    sku = forms.CharField(label=gettext_lazy("SKU code"), max_length=64)
    warehouse = forms.CharField(label=gettext_lazy("Warehouse code"), max_length=32)
    delta = forms.IntegerField(label=gettext_lazy("Change of on-hand units"))

    def proposed(self, order) -> dict:
        return {"sku": self.cleaned_data["sku"].strip(), "warehouse": self.cleaned_data["warehouse"].strip(),
                "delta": self.cleaned_data["delta"]}


KIND_FORMS = {
    ChangeKind.ORDER_AMOUNTS: AmountsForm, ChangeKind.PAYMENT_STATUS: PaymentForm,
    ChangeKind.CUSTOMER_DATA: CustomerForm, ChangeKind.STATUS_CORRECTION: StatusForm,
    ChangeKind.STOCK_ADJUSTMENT: StockForm,
}
ORDER_KINDS = [k for k in ChangeKind.values if KINDS[k].on_order]


def _form(kind: str, order: Order | None, **kwargs) -> forms.Form:
    if kind == ChangeKind.CUSTOMER_DATA:
        kwargs["order"] = order
    return KIND_FORMS[kind](**kwargs)


def _initial(kind: str, order: Order | None, get) -> dict:
    if kind == ChangeKind.STOCK_ADJUSTMENT:
        return {k: get[k] for k in ("sku", "warehouse", "delta", "reason") if get.get(k)}
    if order is None:
        return {}
    if kind == ChangeKind.ORDER_AMOUNTS:
        return {k: getattr(order, k) for k in ("shipping_fee", "discount_total", "paid_amount")}
    if kind == ChangeKind.PAYMENT_STATUS:
        return {"payment_status": order.payment_status, "paid_at": order.paid_at,
                "transaction_id": order.transaction_id, "paid_amount": order.paid_amount}
    if kind == ChangeKind.CUSTOMER_DATA:
        # Personal values are not pre-filled: the form would show them in full (masked everywhere, docs/privacy.md).
        return {k: getattr(order, k) for k in CUSTOMER_FIELDS if k not in PERSONAL_KEYS}
    return {}


class NewRequestView(PermissionRequiredMixin, View):
    required_permission = REQUEST_CHANGES

    def _context(self, request):
        src = request.POST if request.method == "POST" else request.GET
        order_no = (src.get("order_no") or "").strip()
        kind = src.get("kind", "")
        if kind not in KIND_FORMS:
            kind = "" if order_no else ChangeKind.STOCK_ADJUSTMENT
        # The order number comes as a parameter, past the route's scope check: an order outside the
        # user's channels/warehouses answers like an unknown one.
        orders = scoped_orders(Actor.of(request.user), Order.objects.filter(order_no=order_no))
        order = orders.first() if order_no else None
        return order_no, kind, order

    def page(self, *, order_no, kind, order, form, error=None, status=200):
        return render(self.request, "web/approvals/new.html", {
            "order_no": order_no, "order": order, "kind": kind, "kind_label": KINDS[kind].label if kind else "",
            "form": form, "error": error, "order_kinds": [(k, ChangeKind(k).label) for k in ORDER_KINDS],
            "threshold": settings.OMS_STOCK_ADJUSTMENT_APPROVAL_ABOVE,
        }, status=status)

    def get(self, request):
        order_no, kind, order = self._context(request)
        if order_no and order is None:
            return render(request, "web/404.html", {}, status=404)
        form = _form(kind, order, initial=_initial(kind, order, request.GET)) if kind else None
        return self.page(order_no=order_no, kind=kind, order=order, form=form)

    def post(self, request):
        order_no, kind, order = self._context(request)
        if not kind or (KINDS[kind].on_order and order is None):
            return render(request, "web/404.html", {}, status=404)
        form = _form(kind, order, data=request.POST)
        if not form.is_valid():
            return self.page(order_no=order_no, kind=kind, order=order, form=form, status=400)
        try:
            cr = services.request_change(kind=kind, order_no=order_no, proposed=form.proposed(order),
                                         reason=form.cleaned_data["reason"], actor=Actor.of(request.user))
        except ApplicationError as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            placed = False
            for key, value in (exc.details or {}).items():
                if key in form.fields and isinstance(value, list):
                    form.add_error(key, [str(v) for v in value])
                    placed = True
            return self.page(order_no=order_no, kind=kind, order=order, form=form,
                             error=None if placed else exc, status=exc.http_status)
        messages.success(request, _("Change request %(no)s sent; an approver decides it.") % {"no": cr.number})
        return redirect(reverse("web:approval_detail", args=[cr.number]))
