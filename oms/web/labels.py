"""Human labels for audit actions and for the fields and values an event's changes name."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from oms.accounts.roles import ROLE_LABELS
from oms.orders.completion import ReceiptBy
from oms.orders.models import EntryCheck, Order
from oms.orders.review.messages import reason_title
from oms.orders.status import InvoiceType, OrderSource, OrderStatus, PaymentMethod, PaymentStatus

ACTION_LABELS = {
    "order_received": _("Order received"),
    "payment_received": _("Payment received"),
    "order_cancelled": _("Order cancelled"),
    "order_entered": _("Order entered by hand"),
    "draft_edited": _("Draft edited"),
    "entry_confirmed": _("Entry confirmed"),
    "entry_returned": _("Entry sent back"),
    "review_passed": _("Review passed"),
    "review_held": _("Held in review"),
    "review_overridden": _("Approved despite hold reasons"),
    "order_corrected": _("Order corrected"),
    "line_sku_swapped": _("Line SKU swapped"),
    "remark_acknowledged": _("Remark read and handled"),
    "payment_recorded": _("Payment recorded"),
    "sku_mapping_changed": _("SKU mapping changed"),
    "order_allocated": _("Allocated to warehouses"),
    "allocation_failed": _("Allocation failed"),
    "carrier_chosen_again": _("Carrier chosen again"),
    "package_carrier_set": _("Carrier set by hand"),
    "logistics_exception_opened": _("Logistics exception opened"),
    "logistics_exception_assigned": _("Logistics exception assigned"),
    "logistics_exception_carrier_contacted": _("Carrier contacted about a logistics exception"),
    "logistics_exception_buyer_contacted": _("Buyer contacted about a logistics exception"),
    "logistics_exception_reshipped": _("Parcel sent again"),
    "logistics_exception_claimed": _("Claim lodged with the carrier"),
    "logistics_exception_closed": _("Logistics exception closed"),
    "receipt_confirmed": _("Receipt confirmed"),
    "settled": _("Settled"),
}

# Changes name model fields, plus a few summaries that are not fields.
EXTRA_FIELD_LABELS = {
    "lines": _("lines"),
    "discounts": _("discounts"),
    "channel_id": _("channel"),
    "channel": _("channel"),
    "file": _("file"),
    "released_units": _("units released"),
    "via": _("via"),
    "hold_reasons": _("hold reasons"),
    "cancelled_packages": _("packages cancelled"),
}

# Values that event data carries besides field values.
OTHER_VALUE_LABELS = {
    "channel_repush": _("the channel sent the order again"),
}

VALUE_CHOICES = {
    "status": OrderStatus,
    "entry_check": EntryCheck,
    "payment_status": PaymentStatus,
    "payment_method": PaymentMethod,
    "invoice_type": InvoiceType,
    "source": OrderSource,
    "receipt_confirmed_by": ReceiptBy,
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def field_label(name: str) -> str:
    if name in EXTRA_FIELD_LABELS:
        return EXTRA_FIELD_LABELS[name]
    try:
        return Order._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


def value_label(field: str, value, *, channels: dict[int, str] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if field == "hold_reasons" and isinstance(value, list):
        return ", ".join(reason_title(code) for code in value) or "—"
    if field == "channel_id" and channels and value in channels:
        return channels[value]
    if field.endswith("_at") and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return date_format(timezone.localtime(moment), "Y-m-d H:i")
        return value
    choices = VALUE_CHOICES.get(field)
    if choices is not None:
        labels = dict(choices.choices)
        if value in labels:
            return labels[value]
    if isinstance(value, str) and value in OTHER_VALUE_LABELS:
        return OTHER_VALUE_LABELS[value]
    return str(value)


def role_labels(codes: str | tuple[str, ...]) -> str:
    if isinstance(codes, str):
        codes = tuple(c for c in codes.split(",") if c)
    return ", ".join(str(ROLE_LABELS.get(c, c)) for c in codes)
