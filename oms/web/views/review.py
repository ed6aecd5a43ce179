"""Review pages: the held-order queue and the review actions on an order.

Rule settings are in review_rules.py, the coupon list and the block list in review_lists.py.

The actions call the review services (oms/orders/review/, oms/orders/cancellation.py,
oms/channels/mapping.py); a service's error is shown next to the field it names, or as a
message when it is about the order's state. The order detail page shows the actions
through `review_panel` and the review events through `event_findings` / `event_data`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import (
    CANCEL_ORDERS,
    MANAGE_CATALOGUE,
    OVERRIDE_REVIEW,
    RECORD_PAYMENT,
    REVIEW_ORDERS,
    VIEW_ORDERS,
)
from oms.audit.models import AuditEvent
from oms.channels.mapping import map_platform_sku
from oms.core.errors import ApplicationError, BusinessRuleViolation, ValidationFailed
from oms.core.money import InvalidMoney, parse_money
from oms.inventory.models import Sku, Warehouse
from oms.orders import selectors
from oms.orders.cancellation import CANCEL_REASONS, INTERCEPT, cancel_order, cancel_preview
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order
from oms.orders.personal_data import masked_contact
from oms.orders.review import corrections
from oms.orders.review.messages import describe, reason_title
from oms.orders.review.models import OrderHold
from oms.orders.review.rules import RULES
from oms.orders.review.services import REVIEWABLE, ReviewOutcome, approve_anyway, review_order
from oms.orders.status import OrderStatus, PaymentMethod, PaymentStatus
from oms.timeliness.deadlines import Step
from oms.timeliness.selectors import markers
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.entry_forms import DateTimeInput
from oms.web.forms import channel_choices
from oms.web.labels import field_label, value_label

PAGE_SIZE = 50
SKU_SUGGESTIONS = 2000  # active SKU codes offered in the swap and mapping forms

# What a person does about each reason (shown in the queue and on the order).
REASON_HINTS = {
    "address_incomplete": gettext_lazy("Complete the address with the buyer and save the correction; "
                                       "the order is reviewed again."),
    "address_invalid": gettext_lazy("Correct the province, city, district or postcode and save; "
                                    "the order is reviewed again."),
    "phone_invalid": gettext_lazy("Correct the phone number and save; the order is reviewed again."),
    "unknown_sku": gettext_lazy("Map the platform SKU to one of ours (all orders held for it are reviewed "
                                "again), or swap the line's SKU on this order."),
    "sku_inactive": gettext_lazy("Swap the line to an active SKU, or cancel the order."),
    "quantity_mismatch": gettext_lazy("Check the specification or quantity with the buyer, then swap the SKU, "
                                      "approve anyway or cancel."),
    "out_of_stock": gettext_lazy("Nothing to do: the order is reviewed again automatically when stock arrives. "
                                 "You may also swap the SKU or cancel the order."),
    "unpaid": gettext_lazy("Record the payment once it has arrived; the order is then reviewed again."),
    "coupon_invalid": gettext_lazy("Check the coupon list, then approve anyway or cancel."),
    "remark_attention": gettext_lazy("Read the remark and handle it, then mark it as read."),
    "amount_over_limit": gettext_lazy("Check the order with risk control, then approve anyway or cancel."),
    "blacklisted": gettext_lazy("Check with risk control, then approve anyway or cancel."),
}
LINE_REASONS = {"unknown_sku", "sku_inactive", "quantity_mismatch", "out_of_stock"}
CONTACT_REASONS = {"address_incomplete", "address_invalid", "phone_invalid", "blacklisted"}
CANCELLABLE = (OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_REVIEW, OrderStatus.ON_HOLD,
               OrderStatus.PENDING_SHIPMENT)

TRIGGER_LABELS = {
    "received": gettext_lazy("new order"),
    "payment": gettext_lazy("payment arrived"),
    "manual": gettext_lazy("run by a person"),
    "correction": gettext_lazy("after a correction"),
    "sku_swap": gettext_lazy("after a SKU swap"),
    "remark_acknowledged": gettext_lazy("after the remark was read"),
    "stock_available": gettext_lazy("stock arrived"),
    "mapping_fixed": gettext_lazy("SKU mapping fixed"),
}


# --- small helpers ---------------------------------------------------------------------------

def safe_next(request, value: str | None) -> str:
    """A local path to go back to after an action (the queue), or ""."""
    if value and value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def detail_url(order_no: str, next_url: str = "") -> str:
    url = reverse("web:order_detail", args=[order_no])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _titles(codes) -> str:
    return ", ".join(reason_title(c) for c in dict.fromkeys(codes))


def announce(request, order_no: str, outcome: ReviewOutcome | None) -> None:
    """Say what the review that followed an action decided."""
    if outcome is None:
        return
    if outcome.passed:
        messages.success(request, _("Order %(no)s passed review: stock is reserved and it waits for shipment.")
                         % {"no": order_no})
    else:
        messages.warning(request, _("Order %(no)s is still on hold: %(reasons)s.")
                         % {"no": order_no, "reasons": _titles(f.code for f in outcome.findings)})


def sku_suggestions() -> list[tuple[str, str]]:
    return list(Sku.objects.filter(active=True).order_by("code").values_list("code", "name")[:SKU_SUGGESTIONS])


# --- the queue -------------------------------------------------------------------------------

class QueueFilterForm(forms.Form):
    reason = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", gettext_lazy("All channels")), *channel_choices()]

    def values(self) -> tuple[str, str]:
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return (data.get("reason") or "").strip(), data.get("channel") or ""


def held_orders(*, reason: str, channel: str, actor: Actor | None = None):
    """Orders on hold (for one reason if given), the longest held first, with their open reasons."""
    orders = Order.objects.filter(status=OrderStatus.ON_HOLD, archived_at__isnull=True)
    if actor is not None:
        orders = selectors.scoped_orders(actor, orders)
    if channel:
        orders = orders.filter(channel__code=channel)
    if reason:
        orders = orders.filter(
            pk__in=OrderHold.objects.filter(code=reason, cleared_at__isnull=True).values("order_id")
        )
    went_on_hold = (
        AuditEvent.objects.filter(order=OuterRef("pk"), action="review_held", changes__has_key="status")
        .order_by("-at", "-id").values("at")[:1]
    )
    return (
        orders.select_related("channel")
        .annotate(held_since=Subquery(went_on_hold))
        .prefetch_related(Prefetch("holds", queryset=OrderHold.objects.filter(cleared_at__isnull=True)
                                   .order_by("id"), to_attr="open_holds"))
        .order_by(F("held_since").asc(nulls_last=True), "placed_at", "id")
    )


def held_counts(*, channel: str, actor: Actor | None = None) -> tuple[dict[str, int], int]:
    """Held orders per reason code, and held orders in all."""
    holds = OrderHold.objects.filter(cleared_at__isnull=True, order__status=OrderStatus.ON_HOLD)
    orders = Order.objects.filter(status=OrderStatus.ON_HOLD)
    if actor is not None:
        orders = selectors.scoped_orders(actor, orders)
        holds = holds.filter(order__in=orders.values("pk"))
    if channel:
        holds = holds.filter(order__channel__code=channel)
        orders = orders.filter(channel__code=channel)
    counts = dict(holds.values_list("code").annotate(n=Count("order_id", distinct=True)).order_by())
    return counts, orders.count()


class ReviewQueueView(PermissionRequiredMixin, View):
    required_permission = VIEW_ORDERS

    def get(self, request):
        form = QueueFilterForm(request.GET)
        reason, channel = form.values()
        actor = Actor.of(request.user)
        counts, total = held_counts(channel=channel, actor=actor)
        codes = list(RULES) + sorted(set(counts) - set(RULES))
        tabs = [{"code": "", "label": _("All held"), "count": total, "active": not reason}]
        tabs += [{"code": c, "label": reason_title(c), "count": counts.get(c, 0), "active": reason == c}
                 for c in codes]
        paginator = Paginator(held_orders(reason=reason, channel=channel, actor=actor), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        here = request.get_full_path()
        rows = []
        for order in page:
            holds = sorted(order.open_holds, key=lambda h: h.code != reason)
            rows.append({
                "order": order,
                "detail_url": detail_url(order.order_no, here),
                "reasons": [{"code": h.code, "title": reason_title(h.code), "text": describe(h.code, h.details)}
                            for h in holds],
                "held_since": order.held_since or min((h.created_at for h in holds), default=None),
            })
        context = {
            "form": form, "tabs": tabs, "reason": reason, "reason_title": reason_title(reason) if reason else "",
            "hint": REASON_HINTS.get(reason, ""), "rule": RULES.get(reason), "channel": channel,
            "page": page, "rows": rows, "here": here,
            "page_numbers": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "can_review": request.user.has_perm(REVIEW_ORDERS),
            "deadline_markers": markers(step=Step.REVIEW, subject_ids=[r["order"].pk for r in rows],
                                        now=timezone.now()),
        }
        return render(request, "web/review/queue.html", context)


# --- forms of the order actions ----------------------------------------------------------------

class OrderForm(forms.Form):
    """A form about one order; `order` fills choices and initial values."""

    def __init__(self, *args, order: Order, **kwargs):
        self.order = order
        super().__init__(*args, **kwargs)


def _note_field(label=None) -> forms.CharField:
    return forms.CharField(label=label or gettext_lazy("Note (optional)"), required=False, max_length=1000,
                           widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Anything worth recording")}))


MASKED_IN_FORM = ("ship_name", "ship_phone", "customer_phone", "ship_detail")


class CorrectionForm(OrderForm):
    ship_name = forms.CharField(label=gettext_lazy("Recipient"), max_length=100, required=False)
    ship_phone = forms.CharField(label=gettext_lazy("Recipient phone"), max_length=32, required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "tel"}))
    customer_phone = forms.CharField(label=gettext_lazy("Customer phone"), max_length=32, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))
    ship_province = forms.CharField(label=gettext_lazy("Province"), max_length=32, required=False)
    ship_city = forms.CharField(label=gettext_lazy("City"), max_length=32, required=False)
    ship_district = forms.CharField(label=gettext_lazy("District"), max_length=32, required=False)
    ship_detail = forms.CharField(label=gettext_lazy("Address detail"), max_length=255, required=False)
    ship_postcode = forms.CharField(label=gettext_lazy("Postcode"), max_length=12, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    seller_note = forms.CharField(label=gettext_lazy("Seller note"), max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    note = _note_field(gettext_lazy("Why (optional)"))

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        masked = masked_contact(order)
        for name in corrections.CORRECTABLE_FIELDS:
            if name in MASKED_IN_FORM:
                # Personal data is not put in the page (§3.3): the masked value shows what is there,
                # and a field left empty keeps it.
                self.fields[name].widget.attrs["placeholder"] = masked[name]
            else:
                self.fields[name].initial = getattr(order, name)

    def changes(self) -> dict[str, str]:
        """The correctable fields whose value differs from the order's (an empty personal field: unchanged)."""
        return {f: self.cleaned_data[f] for f in corrections.CORRECTABLE_FIELDS
                if self.cleaned_data[f] != (getattr(self.order, f) or "").strip()
                and not (f in MASKED_IN_FORM and not self.cleaned_data[f])}

    def clean(self):
        data = super().clean()
        if not self.errors and not self.changes():
            raise forms.ValidationError(_("Nothing was changed."))
        return data


class SwapSkuForm(OrderForm):
    line = forms.TypedChoiceField(label=gettext_lazy("Line"), coerce=int)
    sku_code = forms.CharField(label=gettext_lazy("Our SKU code"), max_length=64,
                               widget=forms.TextInput(attrs={"list": "sku-codes", "autocomplete": "off"}))
    note = _note_field()

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        lines = list(order.lines.all())
        self.fields["line"].choices = [(ln.line_no, f"#{ln.line_no} {ln.sku_code} · {ln.name}") for ln in lines]
        wanted = [ln.line_no for ln in lines if ln.sku_id is None] or [ln.line_no for ln in lines[:1]]
        if wanted:
            self.fields["line"].initial = wanted[0]


class MapSkuForm(OrderForm):
    channel = forms.ChoiceField(label=gettext_lazy("Channel"))
    platform_sku = forms.CharField(label=gettext_lazy("Platform SKU"), max_length=64)
    sku_code = forms.CharField(label=gettext_lazy("Our SKU code"), max_length=64,
                               widget=forms.TextInput(attrs={"list": "sku-codes", "autocomplete": "off"}))

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.fields["channel"].choices = channel_choices()
        self.fields["channel"].initial = order.channel.code
        unknown = [ln.platform_sku or ln.sku_code for ln in order.lines.all() if ln.sku_id is None]
        if unknown:
            self.fields["platform_sku"].initial = unknown[0]


class AcknowledgeForm(OrderForm):
    note = _note_field(gettext_lazy("How it was handled (optional)"))


class ApproveForm(OrderForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Why the order may go on")}))


class CancelForm(OrderForm):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"))
    note = forms.CharField(label=gettext_lazy("Note (required for “Other”)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.fields["reason"].choices = [("", "—"), *CANCEL_REASONS.items()]


class PaymentForm(OrderForm):
    method = forms.ChoiceField(label=gettext_lazy("Payment method"))
    amount = forms.CharField(label=gettext_lazy("Amount"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}))
    transaction_id = forms.CharField(label=gettext_lazy("Transaction id"), max_length=64, required=False)
    paid_at = forms.DateTimeField(label=gettext_lazy("Paid at"), required=False, widget=DateTimeInput(),
                                  help_text=gettext_lazy("Empty: now."))

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.fields["method"].choices = [c for c in PaymentMethod.choices if c[0] != PaymentMethod.COD]
        if order.payment_method and order.payment_method != PaymentMethod.COD:
            self.fields["method"].initial = order.payment_method
        self.fields["amount"].initial = f"{order.payable_amount:.2f}"
        self.fields["transaction_id"].initial = order.transaction_id

    def clean_amount(self):
        try:
            return parse_money(self.cleaned_data["amount"])
        except InvalidMoney:
            raise forms.ValidationError(_("Enter an amount such as 59.00.")) from None


class EmptyForm(OrderForm):
    pass


ACTION_FORMS = {
    "correct": CorrectionForm, "swap": SwapSkuForm, "map": MapSkuForm, "acknowledge": AcknowledgeForm,
    "approve": ApproveForm, "cancel": CancelForm, "payment": PaymentForm,
}


def review_panel(request, order: Order, bound: dict[str, forms.Form] | None = None) -> dict:
    """What the order page shows about review: open reasons, reservations and the actions the user may take."""
    bound = bound or {}
    user = request.user
    holds = order.open_holds if hasattr(order, "open_holds") else list(
        order.holds.filter(cleared_at__isnull=True).order_by("id"))
    codes = {h.code for h in holds}
    status = order.status
    unknown_lines = [ln for ln in order.lines.all() if ln.sku_id is None]
    before_approval = status in corrections.BEFORE_APPROVAL
    can = {
        "rereview": user.has_perm(REVIEW_ORDERS) and status in REVIEWABLE,
        "correct": user.has_perm(REVIEW_ORDERS) and before_approval,
        "swap": user.has_perm(REVIEW_ORDERS) and status in REVIEWABLE and bool(codes & LINE_REASONS),
        "map": user.has_perm(MANAGE_CATALOGUE) and status in REVIEWABLE and bool(unknown_lines),
        "acknowledge": user.has_perm(REVIEW_ORDERS) and status == OrderStatus.ON_HOLD
        and bool(codes & set(corrections.ACKNOWLEDGEABLE)),
        # Approving anyway cannot conjure stock or a SKU (the service refuses it): do not offer it then.
        "approve": user.has_perm(OVERRIDE_REVIEW) and status == OrderStatus.ON_HOLD
        and not codes & {"unknown_sku", "sku_inactive", "out_of_stock"},
        "cancel": user.has_perm(CANCEL_ORDERS) and status in CANCELLABLE,
        "payment": user.has_perm(RECORD_PAYMENT) and before_approval
        and (order.payment_status != PaymentStatus.PAID or "unpaid" in codes),
    }
    for key in bound:  # a form sent back with errors stays visible whatever the state
        can[key] = True
    action_forms = {key: bound.get(key) or cls(order=order) for key, cls in ACTION_FORMS.items() if can.get(key)}
    next_url = safe_next(request, request.POST.get("next") if request.method == "POST" else request.GET.get("next"))
    return {
        "holds": [{"code": h.code, "title": reason_title(h.code), "text": describe(h.code, h.details),
                   "hint": REASON_HINTS.get(h.code, ""), "at": h.created_at} for h in holds],
        "can": can,
        "forms": action_forms,
        "any_action": any(can.values()),
        "waiting_for_stock": "out_of_stock" in codes,
        "correction_open": "correct" in bound or bool(codes & CONTACT_REASONS),
        "cancel_intercepts": bool(can.get("cancel")) and cancel_preview(order) == INTERCEPT,
        "sku_suggestions": sku_suggestions() if can["swap"] or can["map"] else [],
        "next": next_url,
        "back_to_queue": next_url.startswith(reverse("web:review_queue")),
    }


# --- the review events on the order timeline ----------------------------------------------------

def event_findings(data: dict) -> list[str]:
    """The one-line texts of the reasons a review event names (held or overridden)."""
    items = data.get("findings") or data.get("overridden") or []
    return [describe(f.get("code", ""), {k: v for k, v in f.items() if k != "code"})
            for f in items if isinstance(f, dict)]


def event_data(data: dict, *, warehouses: dict[int, str]) -> list[tuple[str, str]] | None:
    """Readable (label, value) pairs for the data of review events; None when no key is a review key."""
    known = {"trigger", "rules", "reserved", "resolved_lines", "reasons", "findings", "overridden", "line",
             "released_units"}
    if not known & set(data):
        return None
    rows = []
    if data.get("trigger"):
        rows.append((_("Started by"), str(TRIGGER_LABELS.get(data["trigger"], data["trigger"]))))
    if isinstance(data.get("rules"), list):
        rows.append((_("Rules checked"), str(len(data["rules"]))))
    if data.get("reserved"):
        rows.append((_("Reserved"), "; ".join(
            f"{r.get('sku')} × {r.get('quantity')} ({warehouses.get(r.get('warehouse_id'), r.get('warehouse_id'))})"
            for r in data["reserved"] if isinstance(r, dict))))
    if data.get("resolved_lines"):
        rows.append((_("SKU found through the mapping"), "; ".join(
            _("line %(line)s: %(sent)s → %(sku)s") % r for r in data["resolved_lines"] if isinstance(r, dict))))
    if data.get("reasons"):
        rows.append((_("Reasons"), _titles(data["reasons"])))
    if data.get("line"):
        rows.append((_("Line"), str(data["line"])))
    if "released_units" in data:
        rows.append((_("Units released"), str(data["released_units"])))
    rows += [(field_label(k), value_label(k, v)) for k, v in sorted(data.items())
             if k not in known and v not in ("", None)]
    return rows


def warehouse_names() -> dict[int, str]:
    return dict(Warehouse.objects.values_list("id", "name"))


# --- the order actions -------------------------------------------------------------------------

def render_detail(request, order_no: str, bound: dict[str, forms.Form], *, status: int = 400):
    from oms.web.views.orders import detail_context, not_found

    try:
        order = selectors.order_detail(order_no)
    except OrderNotFound:
        return not_found(request, order_no)
    if any(form.errors for form in bound.values()):
        # The form with the error sits far down the page; say so where the eye starts.
        messages.error(request, _("Nothing was changed: see the form marked in red further down."))
    return render(request, "web/orders/detail.html", detail_context(request, order, review_forms=bound),
                  status=status)


class OrderActionView(PermissionRequiredMixin, View):
    """POST one action on an order: the form, the service, then back to the queue or the order."""

    key = ""  # the form's name in ACTION_FORMS ("" for no fields)
    error_fields: dict[str, str] = {}  # service detail key -> form field

    def act(self, request, order: Order, form: forms.Form, actor: Actor) -> None:
        raise NotImplementedError

    def post(self, request, order_no: str):
        from oms.web.views.orders import not_found

        order = Order.objects.select_related("channel").filter(order_no=order_no).first()
        if order is None:
            return not_found(request, order_no)
        form = ACTION_FORMS.get(self.key, EmptyForm)(request.POST, order=order)
        next_url = safe_next(request, request.POST.get("next"))
        if form.is_valid():
            try:
                self.act(request, order, form, Actor.of(request.user))
            except ApplicationError as exc:
                if exc.code == "permission_denied":
                    return forbidden(request)
                if not self.key or not self.place(form, exc):
                    messages.error(request, exc.message)
                    return redirect(detail_url(order_no, next_url))
                return render_detail(request, order_no, {self.key: form}, status=exc.http_status)
            return redirect(next_url or detail_url(order_no))
        return render_detail(request, order_no, {self.key: form})

    def place(self, form: forms.Form, exc: ApplicationError) -> bool:
        """Put the service's complaint next to the field it is about; False when it is about the order."""
        names = [self.error_fields.get(k, k) for k in exc.details]
        if exc.details.get("field") in form.fields:
            names.append(exc.details["field"])
        placed = [n for n in dict.fromkeys(names) if n in form.fields]
        for name in placed:
            form.add_error(name, exc.message)
        if not placed and isinstance(exc, ValidationFailed | BusinessRuleViolation):
            form.add_error(None, exc.message)
            return True
        return bool(placed)


class RereviewView(OrderActionView):
    required_permission = REVIEW_ORDERS

    def act(self, request, order, form, actor):
        announce(request, order.order_no, review_order(order_no=order.order_no, actor=actor, trigger="manual"))


class CorrectView(OrderActionView):
    required_permission = REVIEW_ORDERS
    key = "correct"

    def act(self, request, order, form, actor):
        outcome = corrections.correct_order(order_no=order.order_no, actor=actor, changes=form.changes(),
                                            note=form.cleaned_data["note"])
        messages.success(request, _("Correction saved on order %(no)s.") % {"no": order.order_no})
        announce(request, order.order_no, outcome)


class SwapSkuView(OrderActionView):
    required_permission = REVIEW_ORDERS
    key = "swap"
    error_fields = {"sku": "sku_code", "line_no": "line"}

    def act(self, request, order, form, actor):
        d = form.cleaned_data
        outcome = corrections.swap_line_sku(order_no=order.order_no, line_no=d["line"], sku_code=d["sku_code"],
                                            actor=actor, note=d["note"])
        messages.success(request, _("Line %(line)s of order %(no)s now ships %(sku)s.")
                         % {"line": d["line"], "no": order.order_no, "sku": d["sku_code"]})
        announce(request, order.order_no, outcome)


class MapSkuView(OrderActionView):
    required_permission = MANAGE_CATALOGUE
    key = "map"
    error_fields = {"sku": "sku_code"}

    def act(self, request, order, form, actor):
        d = form.cleaned_data
        map_platform_sku(channel_code=d["channel"], platform_sku=d["platform_sku"], sku_code=d["sku_code"],
                         actor=actor)
        messages.success(request, _("Platform SKU %(platform)s now means %(sku)s; other orders held for it are "
                                    "reviewed again automatically.")
                         % {"platform": d["platform_sku"], "sku": d["sku_code"]})
        if actor.has(REVIEW_ORDERS) and Order.objects.filter(pk=order.pk, status__in=REVIEWABLE).exists():
            announce(request, order.order_no, review_order(order_no=order.order_no, actor=actor, trigger="manual"))


class AcknowledgeView(OrderActionView):
    required_permission = REVIEW_ORDERS
    key = "acknowledge"

    def act(self, request, order, form, actor):
        outcome = corrections.acknowledge_remark(order_no=order.order_no, actor=actor,
                                                 note=form.cleaned_data["note"])
        messages.success(request, _("The remark on order %(no)s is marked as read.") % {"no": order.order_no})
        announce(request, order.order_no, outcome)


class ApproveView(OrderActionView):
    required_permission = OVERRIDE_REVIEW
    key = "approve"

    def act(self, request, order, form, actor):
        approve_anyway(order_no=order.order_no, actor=actor, reason=form.cleaned_data["reason"])
        messages.success(request, _("Order %(no)s approved anyway: stock is reserved and it waits for shipment.")
                         % {"no": order.order_no})


class CancelView(OrderActionView):
    required_permission = CANCEL_ORDERS
    key = "cancel"

    def act(self, request, order, form, actor):
        outcome = cancel_order(order_no=order.order_no, actor=actor, reason=form.cleaned_data["reason"],
                               note=form.cleaned_data["note"], via="back_office")
        if outcome.cancelled:
            messages.success(request, _("Order %(no)s cancelled.") % {"no": order.order_no})
        else:
            messages.warning(request, _("Picking has started: interception requested from the warehouse for "
                                        "%(packages)s. The order is cancelled when the warehouse confirms.")
                             % {"packages": ", ".join(i.package.number for i in outcome.interceptions)})


class PaymentView(OrderActionView):
    required_permission = RECORD_PAYMENT
    key = "payment"

    def act(self, request, order, form, actor):
        d = form.cleaned_data
        outcome = corrections.record_payment(order_no=order.order_no, actor=actor, method=d["method"],
                                             amount=d["amount"], transaction_id=d["transaction_id"],
                                             paid_at=d["paid_at"])
        messages.success(request, _("Payment recorded on order %(no)s.") % {"no": order.order_no})
        announce(request, order.order_no, outcome)
