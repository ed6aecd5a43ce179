"""After-sales vocabulary and the transition tables of its two state machines (requests, refunds).

The order's after-sales state is not set by hand: `derived_after_sales_status` computes it from the
order's requests and refunds (a pure function, tested without a database).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.core.errors import Conflict


class RequestKind(models.TextChoices):
    RETURN_REFUND = "return_refund", _("Return and refund")
    REFUND_ONLY = "refund_only", _("Refund only")
    EXCHANGE = "exchange", _("Exchange")


class RequestReason(models.TextChoices):
    QUALITY = "quality", _("Quality problem")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    DAMAGED_IN_TRANSIT = "damaged_in_transit", _("Damaged in transit")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    NO_REASON = "no_reason", _("No reason (within the no-questions window)")
    NOT_RECEIVED = "not_received", _("Not received")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("after-sales request", "Submitted")
    APPROVED = "approved", pgettext_lazy("after-sales request", "Approved")
    REJECTED = "rejected", pgettext_lazy("after-sales request", "Rejected")
    RECEIVED = "received", pgettext_lazy("after-sales request", "Received and inspected")
    COMPLETED = "completed", pgettext_lazy("after-sales request", "Completed")
    WITHDRAWN = "withdrawn", pgettext_lazy("after-sales request", "Withdrawn")


# Refund-only requests skip receiving: approved → completed once their refund is raised.
REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.SUBMITTED: {RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN},
    RequestStatus.APPROVED: {RequestStatus.RECEIVED, RequestStatus.COMPLETED, RequestStatus.WITHDRAWN},
    RequestStatus.RECEIVED: {RequestStatus.COMPLETED},
    RequestStatus.REJECTED: set(),
    RequestStatus.COMPLETED: set(),
    RequestStatus.WITHDRAWN: set(),
}
OPEN_REQUEST_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.APPROVED, RequestStatus.RECEIVED)


class ItemCondition(models.TextChoices):
    RESELLABLE = "resellable", _("Resellable")
    DAMAGED = "damaged", _("Damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    MISSING = "missing", _("Missing")


class RefundCause(models.TextChoices):
    CANCELLATION = "cancellation", _("Order cancelled")
    PARTIAL_CANCELLATION = "partial_cancellation", _("Lines cancelled")
    RETURN = "return", _("Goods returned")
    REFUND_ONLY = "refund_only", _("Refund without return")
    PRICE_ADJUSTMENT = "price_adjustment", _("Price adjustment (优惠补差)")
    SHIPPING_COMPENSATION = "shipping_compensation", _("Shipping fee compensation")
    EXCHANGE_DIFFERENCE = "exchange_difference", _("Exchange price difference")
    ORDER_EDIT = "order_edit", _("Order changed before shipment")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("refund", "Requested")
    VERIFIED = "verified", pgettext_lazy("refund", "Verified by customer service")
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval", _("Awaiting second approval")
    APPROVED = "approved", pgettext_lazy("refund", "Approved")
    SUCCEEDED = "succeeded", pgettext_lazy("refund", "Refunded")
    FAILED = "failed", pgettext_lazy("refund", "Failed")
    REJECTED = "rejected", pgettext_lazy("refund", "Rejected")


# CS verifies → finance approves (a second finance user above the threshold) → execution through
# the payment adapter; a failed execution stays visible and can be retried or rejected.
REFUND_TRANSITIONS: dict[str, set[str]] = {
    RefundStatus.REQUESTED: {RefundStatus.VERIFIED, RefundStatus.REJECTED},
    RefundStatus.VERIFIED: {RefundStatus.APPROVED, RefundStatus.AWAITING_SECOND_APPROVAL, RefundStatus.REJECTED},
    RefundStatus.AWAITING_SECOND_APPROVAL: {RefundStatus.APPROVED, RefundStatus.REJECTED},
    RefundStatus.APPROVED: {RefundStatus.SUCCEEDED, RefundStatus.FAILED},
    RefundStatus.FAILED: {RefundStatus.SUCCEEDED, RefundStatus.FAILED, RefundStatus.REJECTED},
    RefundStatus.SUCCEEDED: set(),
    RefundStatus.REJECTED: set(),
}
# Refunds that hold part of what was paid: the cap counts them all, not only the executed ones.
LIVE_REFUND_STATUSES = (
    RefundStatus.REQUESTED, RefundStatus.VERIFIED, RefundStatus.AWAITING_SECOND_APPROVAL,
    RefundStatus.APPROVED, RefundStatus.SUCCEEDED, RefundStatus.FAILED,
)


class AfterSalesStatus(models.TextChoices):
    NONE = "", _("None")
    IN_PROGRESS = "in_progress", _("After-sales in progress")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")
    RETURNED = "returned", _("Returned")


class InvalidAfterSalesTransition(Conflict):
    code = "invalid_transition"


def check_request_transition(current: str, new: str) -> None:
    """Raise unless the after-sales request table allows current → new."""
    if new not in REQUEST_TRANSITIONS.get(current, set()):
        raise InvalidAfterSalesTransition(f"an after-sales request in status {current} cannot move to {new}",
                                          details={"from": str(current), "to": str(new)})


def check_refund_transition(current: str, new: str) -> None:
    """Raise unless the refund table allows current → new."""
    if new not in REFUND_TRANSITIONS.get(current, set()):
        raise InvalidAfterSalesTransition(f"a refund in status {current} cannot move to {new}",
                                          details={"from": str(current), "to": str(new)})


def derived_after_sales_status(*, open_requests: int, refunds_in_progress: int, refunded: Decimal,
                               paid: Decimal, returned_units: int, shipped_units: int) -> str:
    """The order's after-sales state from its requests and refunds; never set by hand."""
    if open_requests or refunds_in_progress:
        return AfterSalesStatus.IN_PROGRESS
    if shipped_units and returned_units >= shipped_units:
        return AfterSalesStatus.RETURNED
    if refunded > 0 and refunded >= paid:
        return AfterSalesStatus.REFUNDED
    if refunded > 0:
        return AfterSalesStatus.PARTIALLY_REFUNDED
    return AfterSalesStatus.NONE
