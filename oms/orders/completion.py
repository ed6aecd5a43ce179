"""Order completion (manual §2.5.1): receipt confirmed by the buyer, the platform or customer service,
or automatically N days after the carrier reported delivery.

A buyer or a platform may confirm before the carrier reports delivery, so shipped orders may
complete too. The automatic sweep only takes delivered orders: a shipped order without a
delivery report is a tracking question (logistics exceptions), not something to close by timer.
Marketplace channels have no setting of their own yet: the platform's confirmation arrives through
the same API (by=platform), and the sweep treats them like every channel, never before N days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import CONFIRM_RECEIPT, INTEGRATION
from oms.audit.services import build_event, record
from oms.core.bulk_insert import insert_rows
from oms.core.errors import Conflict, ValidationFailed
from oms.notifications.outbox import enqueue, enqueue_many
from oms.orders.errors import ChannelNotAllowed, OrderNotFound
from oms.orders.models import Order
from oms.orders.status import OrderStatus, check_transition

RECEIPT_CONFIRMED = "receipt_confirmed"  # the audit action, for people and for the sweep alike
COMPLETED_TOPIC = "order.completed"
# How far ahead of our clock a channel's confirmation time may be (clocks drift a little).
CLOCK_SKEW = timedelta(minutes=5)


class ReceiptBy(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    PLATFORM = "platform", _("Platform")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    AUTO = "auto", _("Automatically after delivery")


CONFIRMABLE = {OrderStatus.SHIPPED, OrderStatus.DELIVERED}
# Who a person may say confirmed: channels speak for the buyer or the platform, staff for themselves.
BY_PEOPLE = {ReceiptBy.BUYER, ReceiptBy.PLATFORM, ReceiptBy.CUSTOMER_SERVICE}


class ReceiptNotConfirmable(Conflict):
    code = "receipt_not_confirmable"
    default_message = _("Only shipped or delivered orders can have their receipt confirmed.")


@dataclass(frozen=True)
class ReceiptOutcome:
    order: Order
    changed: bool  # False when the order was already completed (a channel's resend)


def auto_complete_days() -> int:
    return int(getattr(settings, "OMS_AUTO_COMPLETE_DAYS", 7))


@transaction.atomic
def confirm_receipt(*, order_no: str, actor: Actor, by: str, at: datetime | None = None) -> ReceiptOutcome:
    """Complete a shipped or delivered order on the buyer's, the platform's or customer service's word."""
    require(actor, CONFIRM_RECEIPT)
    if by not in BY_PEOPLE:
        raise ValidationFailed(details={"by": [_("One of: buyer, platform, customer_service.")]})
    now = timezone.now()
    if at is not None:
        if timezone.is_naive(at):
            raise ValidationFailed(details={"confirmed_at": [_("A date and time with its offset.")]})
        if at > now + CLOCK_SKEW:
            raise ValidationFailed(details={"confirmed_at": [_("This time is in the future.")]})
        if at.year < 2000:
            raise ValidationFailed(details={"confirmed_at": [_("This time is before any order.")]})
    order = Order.objects.select_for_update(of=("self",)).select_related("channel").filter(
        order_no=order_no).first()
    if order is None:
        raise OrderNotFound(details={"order_no": order_no})
    if actor.user is not None and INTEGRATION in actor.roles and not actor.user.may_act_for_channel(
            order.channel_id):
        raise ChannelNotAllowed(details={"channel": order.channel.code})
    if order.status == OrderStatus.COMPLETED:
        # A channel may resend its confirmation; the order stays as the first word left it.
        return ReceiptOutcome(order=order, changed=False)
    if order.status not in CONFIRMABLE:
        raise ReceiptNotConfirmable(details={"order_no": order_no, "status": order.status})
    at = at or now
    if order.shipped_at and at < order.shipped_at:
        raise ValidationFailed(details={"confirmed_at": [_("Receipt cannot be confirmed before the order shipped.")]})
    old = order.status
    check_transition(old, OrderStatus.COMPLETED)
    order.status, order.completed_at, order.receipt_confirmed_by = OrderStatus.COMPLETED, at, by
    order.save(update_fields=["status", "completed_at", "receipt_confirmed_by", "updated_at"])
    record(order, RECEIPT_CONFIRMED, actor=actor, at=now,
           changes={"status": [old, OrderStatus.COMPLETED], "receipt_confirmed_by": ["", by]},
           data={"confirmed_at": at.isoformat()})
    enqueue(COMPLETED_TOPIC, {"order": order.order_no, "by": by})
    return ReceiptOutcome(order=order, changed=True)


def complete_delivered(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Complete orders delivered at least OMS_AUTO_COMPLETE_DAYS ago, in short batches; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=auto_complete_days())
    actor = Actor.system()
    total = 0
    while True:
        done = _complete_batch(cutoff=cutoff, now=now, actor=actor, batch_size=batch_size)
        total += done
        if done < batch_size:
            return total


@transaction.atomic
def _complete_batch(*, cutoff: datetime, now: datetime, actor: Actor, batch_size: int) -> int:
    # SKIP LOCKED: an order a person is confirming (or anything else holding it) is left for the next run.
    orders = list(Order.objects.filter(status=OrderStatus.DELIVERED, delivered_at__lte=cutoff)
                  .select_for_update(skip_locked=True, of=("self",)).order_by("id")
                  .only("id", "order_no", "status", "delivered_at")[:batch_size])
    if not orders:
        return 0
    for order in orders:
        check_transition(order.status, OrderStatus.COMPLETED)
    Order.objects.filter(pk__in=[o.pk for o in orders], status=OrderStatus.DELIVERED).update(
        status=OrderStatus.COMPLETED, completed_at=now, receipt_confirmed_by=ReceiptBy.AUTO, updated_at=now)
    insert_rows([build_event(order=o, action=RECEIPT_CONFIRMED, actor=actor, at=now,
                             changes={"status": [OrderStatus.DELIVERED, OrderStatus.COMPLETED],
                                      "receipt_confirmed_by": ["", ReceiptBy.AUTO]},
                             data={"delivered_at": o.delivered_at.isoformat(), "after_days": auto_complete_days()})
                 for o in orders])
    enqueue_many(COMPLETED_TOPIC, [{"order": o.order_no, "by": ReceiptBy.AUTO} for o in orders])
    return len(orders)
