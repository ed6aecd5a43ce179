"""Change request statuses and their one transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from oms.approvals.errors import NotPending


class ChangeStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("change request", "Pending")
    APPROVED = "approved", pgettext_lazy("change request", "Approved and applied")
    REJECTED = "rejected", pgettext_lazy("change request", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("change request", "Withdrawn")


TRANSITIONS: dict[str, set[str]] = {
    ChangeStatus.PENDING: {ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN},
    ChangeStatus.APPROVED: set(),
    ChangeStatus.REJECTED: set(),
    ChangeStatus.WITHDRAWN: set(),
}


def check_transition(current: str, new: str, *, number: str = "") -> None:
    """Raise NotPending unless the table allows current → new."""
    if new not in TRANSITIONS.get(current, set()):
        raise NotPending(details={"number": number, "status": str(current), "to": str(new)})


class ChangeKind(models.TextChoices):
    ORDER_AMOUNTS = "order_amounts", pgettext_lazy("change request", "Order amounts")
    PAYMENT_STATUS = "payment_status", pgettext_lazy("change request", "Payment status")
    CUSTOMER_DATA = "customer_data", pgettext_lazy("change request", "Customer data after shipment")
    STATUS_CORRECTION = "status_correction", pgettext_lazy("change request", "Order status correction")
    STOCK_ADJUSTMENT = "stock_adjustment", pgettext_lazy("change request", "Stock adjustment above the threshold")
