"""Human labels for audit actions and for the fields and values an event's changes name."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from oms.accounts.roles import ROLE_LABELS
from oms.aftersales.status import RefundCause, RefundStatus, RequestStatus
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
    "address_changed": _("Address or phone changed"),
    "redirection_requested": _("Carrier redirection requested"),
    "order_line_changed": _("Order line changed"),
    "order_line_added": _("Order line added"),
    "order_line_removed": _("Order line removed"),
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
    "after_sales_requested": _("After-sales request opened"),
    "after_sales_approved": _("After-sales request approved"),
    "after_sales_rejected": _("After-sales request rejected"),
    "after_sales_withdrawn": _("After-sales request withdrawn"),
    "after_sales_received": _("Returned parcel received and inspected"),
    "after_sales_completed": _("After-sales request completed"),
    "after_sales_replacement_created": _("Exchange replacement package created"),
    "after_sales_replacement_waiting": _("Exchange replacement waits for stock"),
    "after_sales_exchange_priced": _("Exchange price difference settled"),
    "after_sales_difference_collected": _("Exchange price difference collected"),
    "after_sales_photos_added": _("After-sales photos added"),
    "interception_requested": _("Interception requested"),
    "interception_confirmed": _("Interception confirmed"),
    "interception_too_late": _("Interception too late: the parcel had left"),
    "refund_requested": _("Refund raised"),
    "refund_verified": _("Refund verified"),
    "refund_approved": _("Refund approved"),
    "refund_second_approved": _("Refund approved by a second person"),
    "refund_rejected": _("Refund rejected"),
    "refund_failed": _("Refund failed"),
    "refund_issued": _("Refund issued"),
    # change requests (oms/approvals)
    "change_requested": _("Correction requested"),
    "change_applied": _("Correction approved and applied"),
    "change_request_rejected": _("Correction request rejected"),
    "change_request_withdrawn": _("Correction request withdrawn"),
    "stock_choice_recorded": _("Buyer's out-of-stock choice recorded"),
    "stock_choice_rest_allocated": _("Waiting rest allocated to a new package"),
    "stock_choice_rest_cancelled": _("Waiting rest cancelled"),
    # accounts and sign-in (accounts/security_events.py, accounts/administration.py)
    "signed_in": _("Signed in"),
    "signed_out": _("Signed out"),
    "sign_in_failed": _("Failed sign-in"),
    "locked_out": _("Locked out"),
    "user_created": _("Account created"),
    "user_changed": _("Account changed"),
    "user_deactivated": _("Account deactivated"),
    "user_reactivated": _("Account reactivated"),
    "user_unlocked": _("Account unlocked"),
    "user_warehouses_changed": _("Warehouses of an account changed"),
    "password_changed": _("Password changed"),
    "password_reset": _("Password reset by an administrator"),
    "two_factor_enrolled": _("Second factor set up"),
    "two_factor_disabled": _("Second factor turned off"),
    "two_factor_reset": _("Second factor reset by an administrator"),
    "role_policy_changed": _("Second-factor policy changed"),
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
    "lines_before": _("lines before"),
    "lines_after": _("lines after"),
    "removed": _("removed line"),
    "reprint": _("print again"),
    "reprinted": _("printed again after"),
    "reallocation_needed": _("re-allocation needed"),
    "reallocated_from": _("re-allocated from"),
    "tickets": _("tickets"),
    "refund_amount": _("refund amount"),
    "awaiting_payment": _("awaiting payment"),
    "discount_capped": _("discounts capped (were)"),
    "top_up": _("top-up"),
    "cancelled_packages": _("packages cancelled"),
    "after_sales_request": _("after-sales request"),
    "packages": _("packages"),
    "package": _("package"),
    "interception": _("interception"),
    "returned_to_bins": _("back to bins"),
    "pick_list": _("pick list"),
    "handover_list": _("hand-over list"),
    "order_not_cancelled": _("order not cancelled"),
    "unpaid_timeout_minutes": _("unpaid timeout (minutes)"),
    "refund_status": _("refund status"),
    "refund": _("refund"),
    "cause": _("cause"),
    "amount": _("amount"),
    "adapter": _("payment adapter"),
    "attempt": _("attempt"),
    "external_reference": _("refund reference"),
    "second_approval_above": _("second approval above"),
}

# Values that event data carries besides field values.
OTHER_VALUE_LABELS = {
    "channel_repush": _("the channel sent the order again"),
    "cs_decides": _("wrong-item and missing units are not refunded automatically: customer service decides"),
    "nothing_left_to_refund": _("nothing is left of what was paid to refund"),
    "nothing_passed_inspection": _("no unit came back resellable or damaged: customer service decides what follows"),
    "waits_for_stock": _("the replacement waits for stock; send it from the request page once stock is in"),
    "replacement_sent": _("replacement package created"),
    "replacement_out_of_stock": _("replacement waits for stock"),
    "replacement_waits_for_difference": _("replacement waits until the price difference is collected"),
    "replacement_not_needed": _("no replacement: no unit passed inspection"),
    "unpaid_sweep": _("unpaid order expired"),
    "interception": _("interception confirmed by the warehouse"),
    "back_office": _("back office"),
    "part_shipped": _("another parcel of the order had already shipped"),
}

VALUE_CHOICES = {
    "status": OrderStatus,
    "entry_check": EntryCheck,
    "payment_status": PaymentStatus,
    "payment_method": PaymentMethod,
    "invoice_type": InvoiceType,
    "source": OrderSource,
    "receipt_confirmed_by": ReceiptBy,
    "after_sales_request": RequestStatus,
    "cause": RefundCause,
    "refund_status": RefundStatus,
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def field_label(name: str) -> str:
    if name in EXTRA_FIELD_LABELS:
        return EXTRA_FIELD_LABELS[name]
    try:
        return getattr(Order._meta.get_field(name), "verbose_name", name)  # a reverse relation has none
    except FieldDoesNotExist:
        return name


def value_label(field: str, value, *, channels: dict[int, str] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if field == "returned_to_bins" and isinstance(value, list):
        return "; ".join(f"{r.get('sku')} × {r.get('units')} → {r.get('bin') or '?'}"
                         for r in value if isinstance(r, dict)) or "—"
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
