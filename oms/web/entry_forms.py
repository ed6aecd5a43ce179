"""The manual-entry form: fields, line and discount rows, the intake payload they make,
and the way a service's error details find their way back to the right field.

The fields only convert types (a time, a choice); whether something is required or
well-formed is decided by parse_intake, so the page and the API apply one rule set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.orders.models import Order
from oms.orders.status import DiscountKind, InvoiceType, PaymentMethod, PaymentStatus
from oms.web.forms import channel_choices

NEW_LINE_ROWS = 3
NEW_DISCOUNT_ROWS = 2


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _text(label, *, max_length: int = 200, **attrs) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length,
                           widget=forms.TextInput(attrs=attrs or None))


def _money(label) -> forms.CharField:
    # Kept as text: parse_intake reads decimal strings and says what is wrong with them.
    return forms.CharField(label=label, required=False, max_length=20,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}))


class OrderEntryForm(forms.Form):
    # Fields the service requires; shown with a marker, checked by parse_intake.
    REQUIRED = {
        "channel", "customer_name", "customer_phone", "ship_name", "ship_phone", "ship_province",
        "ship_city", "ship_detail", "payment_method", "payment_status",
    }

    channel = forms.ChoiceField(label=_("Channel"), required=False)
    external_id = _text(_("External order id"), max_length=64)
    placed_at = forms.DateTimeField(label=_("Placed at"), required=False, widget=DateTimeInput())

    customer_name = _text(_("Customer name"), max_length=100)
    customer_phone = _text(_("Customer phone"), max_length=32, inputmode="tel")
    customer_email = _text(_("Customer email"), max_length=254, inputmode="email")

    ship_name = _text(_("Recipient"), max_length=100)
    ship_phone = _text(_("Recipient phone"), max_length=32, inputmode="tel")
    ship_province = _text(_("Province"), max_length=32)
    ship_city = _text(_("City"), max_length=32)
    ship_district = _text(_("District"), max_length=32)
    ship_detail = _text(_("Address detail"), max_length=255)
    ship_postcode = _text(_("Postcode"), max_length=12, inputmode="numeric")

    payment_method = forms.ChoiceField(label=_("Payment method"), required=False)
    payment_status = forms.ChoiceField(label=_("Payment status"), required=False)
    paid_amount = _money(_("Paid amount"))
    paid_at = forms.DateTimeField(label=_("Paid at"), required=False, widget=DateTimeInput())
    transaction_id = _text(_("Transaction id"), max_length=64)

    shipping_fee = _money(_("Shipping fee"))

    buyer_remark = forms.CharField(label=_("Buyer remark"), required=False, max_length=1000,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    seller_note = forms.CharField(label=_("Seller note"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    invoice_type = forms.ChoiceField(label=_("Invoice type"), required=False, choices=InvoiceType.choices)
    invoice_title = _text(_("Invoice title"))
    invoice_tax_id = _text(_("Tax id"), max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = channel_choices(active_only=True)
        self.fields["payment_method"].choices = [("", "—"), *PaymentMethod.choices]
        self.fields["payment_status"].choices = PaymentStatus.choices
        for name, f in self.fields.items():
            f.marked_required = name in self.REQUIRED


class LineForm(forms.Form):
    sku = _text(_("SKU"), max_length=64)
    name = _text(_("Item name"))
    spec = _text(_("Specification"))
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=10,
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    unit_price = _money(_("Unit price"))


class DiscountForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *DiscountKind.choices])
    code = _text(_("Code"), max_length=64)
    amount = _money(_("Amount"))


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=500, absolute_max=500)
DiscountFormSet = forms.formset_factory(DiscountForm, extra=0, max_num=20, absolute_max=20)


def _filled(form: forms.Form) -> bool:
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    return any((str(v).strip() if v is not None else "") for v in data.values())


@dataclass
class EntryForms:
    """The order form with its line and discount rows, bound or initial."""

    order: OrderEntryForm
    lines: forms.BaseFormSet
    discounts: forms.BaseFormSet
    # payload index -> row index, filled by payload()
    line_rows: list[int] = field(default_factory=list)
    discount_rows: list[int] = field(default_factory=list)
    general_errors: list[str] = field(default_factory=list)

    @classmethod
    def bind(cls, data) -> EntryForms:
        return cls(
            order=OrderEntryForm(data),
            lines=LineFormSet(data, prefix="lines"),
            discounts=DiscountFormSet(data, prefix="discounts"),
        )

    @classmethod
    def blank(cls) -> EntryForms:
        now = timezone.localtime().replace(second=0, microsecond=0)
        initial = {"channel": "offline", "placed_at": now, "payment_status": PaymentStatus.UNPAID}
        return cls(
            order=OrderEntryForm(initial=initial),
            lines=LineFormSet(prefix="lines", initial=[{}] * NEW_LINE_ROWS),
            discounts=DiscountFormSet(prefix="discounts", initial=[{}] * NEW_DISCOUNT_ROWS),
        )

    @classmethod
    def from_order(cls, order: Order) -> EntryForms:
        initial = {
            "channel": order.channel.code,
            "external_id": order.external_id or "",
            "placed_at": timezone.localtime(order.placed_at).replace(second=0, microsecond=0),
            "customer_name": order.customer_name, "customer_phone": order.customer_phone,
            "customer_email": order.customer_email,
            "ship_name": order.ship_name, "ship_phone": order.ship_phone, "ship_province": order.ship_province,
            "ship_city": order.ship_city, "ship_district": order.ship_district, "ship_detail": order.ship_detail,
            "ship_postcode": order.ship_postcode,
            "payment_method": order.payment_method, "payment_status": order.payment_status,
            "paid_amount": f"{order.paid_amount:.2f}" if order.paid_amount else "",
            "paid_at": timezone.localtime(order.paid_at) if order.paid_at else None,
            "transaction_id": order.transaction_id,
            "shipping_fee": f"{order.shipping_fee:.2f}",
            "buyer_remark": order.buyer_remark, "seller_note": order.seller_note,
            "invoice_type": order.invoice_type, "invoice_title": order.invoice_title,
            "invoice_tax_id": order.invoice_tax_id,
        }
        lines = [
            {"sku": ln.platform_sku or ln.sku_code, "name": ln.name, "spec": ln.spec,
             "quantity": str(ln.quantity), "unit_price": f"{ln.unit_price:.2f}"}
            for ln in order.lines.all()
        ]
        discounts = [
            {"kind": d.kind, "code": d.code, "amount": f"{d.amount:.2f}"} for d in order.discounts.all()
        ]
        return cls(
            order=OrderEntryForm(initial=initial),
            lines=LineFormSet(prefix="lines", initial=lines + [{}]),
            discounts=DiscountFormSet(prefix="discounts", initial=discounts + [{}]),
        )

    @classmethod
    def with_extra_row(cls, data, which: str) -> EntryForms:
        """The submitted forms again with one more empty line or discount row."""
        data = data.copy()
        key = f"{which}-TOTAL_FORMS"
        try:
            data[key] = str(int(data.get(key, "0")) + 1)
        except ValueError:
            data[key] = "1"
        return cls.bind(data)

    def all_forms(self):
        return [self.order, *self.lines.forms, *self.discounts.forms]

    def is_valid(self) -> bool:
        # Everything is bound; collect the type errors of every part before deciding.
        results = [self.order.is_valid(), self.lines.is_valid(), self.discounts.is_valid()]
        return all(results)

    def payload(self) -> dict:
        """The intake payload for parse_intake; empty rows are left out."""
        d = self.order.cleaned_data
        payload: dict = {
            "channel": d.get("channel") or "",
            "external_id": d.get("external_id") or None,
            "customer": {"name": d.get("customer_name", ""), "phone": d.get("customer_phone", ""),
                         "email": d.get("customer_email", "")},
            "shipping_address": {
                "name": d.get("ship_name", ""), "phone": d.get("ship_phone", ""),
                "province": d.get("ship_province", ""), "city": d.get("ship_city", ""),
                "district": d.get("ship_district", ""), "detail": d.get("ship_detail", ""),
                "postcode": d.get("ship_postcode", ""),
            },
            "payment": {
                "method": d.get("payment_method") or "", "status": d.get("payment_status") or "",
                "paid_at": d["paid_at"].isoformat() if d.get("paid_at") else None,
                "transaction_id": d.get("transaction_id", ""),
            },
            "shipping_fee": d.get("shipping_fee") or None,
            "paid_amount": d.get("paid_amount") or None,
            "buyer_remark": d.get("buyer_remark", ""),
            "seller_note": d.get("seller_note", ""),
        }
        if d.get("placed_at"):
            payload["placed_at"] = d["placed_at"].isoformat()
        if d.get("invoice_type") or d.get("invoice_title") or d.get("invoice_tax_id"):
            payload["invoice"] = {"type": d.get("invoice_type") or "", "title": d.get("invoice_title", ""),
                                  "tax_id": d.get("invoice_tax_id", "")}
        self.line_rows, payload["lines"] = [], []
        for i, form in enumerate(self.lines.forms):
            if _filled(form):
                self.line_rows.append(i)
                payload["lines"].append({k: (v or "").strip() or None for k, v in form.cleaned_data.items()})
        self.discount_rows, payload["discounts"] = [], []
        for i, form in enumerate(self.discounts.forms):
            if _filled(form):
                self.discount_rows.append(i)
                payload["discounts"].append({k: (v or "").strip() or None for k, v in form.cleaned_data.items()})
        return payload

    # --- errors from the services ------------------------------------------------

    def show_errors(self, details: dict) -> None:
        """Put each error of ApplicationError.details next to the field it names."""
        for path, messages in details.items():
            if not isinstance(messages, (list, tuple)):
                continue
            for message in messages:
                self._place(str(path), str(message))

    def _place(self, path: str, message: str) -> None:
        row = ROW_PATH.match(path)
        if row:
            group, index, name = row.group(1), int(row.group(2)), row.group(3)
            formset, rows = (self.lines, self.line_rows) if group == "lines" else (self.discounts, self.discount_rows)
            if index < len(rows):
                form = formset.forms[rows[index]]
                target = name if name in form.fields else None
                form.add_error(target, message)
                return
        if path in ("lines", "discounts"):
            formset = self.lines if path == "lines" else self.discounts
            formset.non_form_errors().append(message)
            return
        name = FIELD_FOR_PATH.get(path, path)
        if name in self.order.fields:
            self.order.add_error(name, message)
            return
        self.order.add_error(None, message)


ROW_PATH = re.compile(r"^(lines|discounts)\[(\d+)\](?:\.(\w+))?$")

FIELD_FOR_PATH = {
    "customer.name": "customer_name",
    "customer.phone": "customer_phone",
    "customer.email": "customer_email",
    "customer": "customer_name",
    "shipping_address.name": "ship_name",
    "shipping_address.phone": "ship_phone",
    "shipping_address.province": "ship_province",
    "shipping_address.city": "ship_city",
    "shipping_address.district": "ship_district",
    "shipping_address.detail": "ship_detail",
    "shipping_address.postcode": "ship_postcode",
    "shipping_address": "ship_name",
    "payment.method": "payment_method",
    "payment.status": "payment_status",
    "payment.paid_at": "paid_at",
    "payment.transaction_id": "transaction_id",
    "payment": "payment_method",
    "invoice.type": "invoice_type",
    "invoice.title": "invoice_title",
    "invoice.tax_id": "invoice_tax_id",
    "invoice": "invoice_type",
    "order": NON_FIELD_ERRORS,
}
