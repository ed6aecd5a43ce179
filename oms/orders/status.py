"""Order status vocabulary and the one transition table every status change goes through."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.errors import Conflict


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PENDING_REVIEW = "pending_review", _("Pending review")
    ON_HOLD = "on_hold", _("On hold")
    PENDING_SHIPMENT = "pending_shipment", _("Pending shipment")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")


class PaymentMethod(models.TextChoices):
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    UNIONPAY = "unionpay", _("UnionPay")
    CARD = "card", _("Bank card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    COD = "cod", _("Cash on delivery")
    PLATFORM = "platform", _("Platform settlement")


class DiscountKind(models.TextChoices):
    COUPON = "coupon", _("Coupon")
    PROMOTION = "promotion", _("Promotion")
    MANUAL = "manual", _("Manual discount")


class InvoiceType(models.TextChoices):
    NONE = "", _("No invoice")
    PERSONAL = "personal", _("Personal")
    COMPANY = "company", _("Company")
    VAT_SPECIAL = "vat_special", _("VAT special invoice")


class OrderSource(models.TextChoices):
    API = "api", _("API push")
    IMPORT = "import", _("File import")
    MANUAL = "manual", _("Manual entry")


class InvalidTransition(Conflict):
    code = "invalid_transition"


# status -> statuses it may move to; later capabilities extend their own rows.
TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.DRAFT: {OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_REVIEW, OrderStatus.CANCELLED},
    OrderStatus.PENDING_PAYMENT: {OrderStatus.PENDING_REVIEW, OrderStatus.CANCELLED},
    OrderStatus.PENDING_REVIEW: {OrderStatus.ON_HOLD, OrderStatus.PENDING_SHIPMENT, OrderStatus.CANCELLED},
    OrderStatus.ON_HOLD: {OrderStatus.PENDING_REVIEW, OrderStatus.PENDING_SHIPMENT, OrderStatus.CANCELLED},
    OrderStatus.PENDING_SHIPMENT: {
        OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.ON_HOLD, OrderStatus.CANCELLED,
    },
    OrderStatus.PARTIALLY_SHIPPED: {OrderStatus.SHIPPED},
    # A buyer or a platform may confirm receipt before the carrier reports delivery.
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED, OrderStatus.COMPLETED},
    OrderStatus.DELIVERED: {OrderStatus.COMPLETED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.CANCELLED: set(),
}


def check_transition(current: str, new: str) -> None:
    """Raise InvalidTransition unless the table allows current → new."""
    if new not in TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            f"an order in status {current} cannot move to {new}",
            details={"from": str(current), "to": str(new)},
        )


def intake_status(*, payment_status: str, payment_method: str) -> OrderStatus:
    """Where a newly accepted order starts: paid or cash-on-delivery orders wait for review."""
    if payment_status == PaymentStatus.PAID or payment_method == PaymentMethod.COD:
        return OrderStatus.PENDING_REVIEW
    return OrderStatus.PENDING_PAYMENT
