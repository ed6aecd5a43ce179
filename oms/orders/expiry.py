"""Unpaid orders expire (manual §2.6.3): an order still waiting for payment longer than its channel's
`unpaid_timeout_minutes` is cancelled by a periodic sweep, its stock released and the buyer told.

One sweep, not a timer per order: every minute the worker takes the timed-out orders in short
batches with SKIP LOCKED, so an order someone is recording a payment for is left for the next run
(and is then no longer unpaid).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.audit.services import record
from oms.channels.models import Channel
from oms.core.errors import NotFound, ValidationFailed
from oms.orders.cancellation import UNPAID_TIMEOUT, cancel_now_locked
from oms.orders.models import Order
from oms.orders.status import OrderStatus, PaymentStatus

CHANGE_CHANNEL = "channels.change_channel"
MAX_TIMEOUT_MINUTES = 60 * 24 * 30


class UnknownChannel(NotFound):
    code = "channel_not_found"
    default_message = _("There is no channel with this code.")


def expire_unpaid(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Cancel every order unpaid for longer than its channel's timeout; returns how many."""
    now = now or timezone.now()
    actor = Actor.system()
    total = 0
    for channel_id, minutes in Channel.objects.order_by("id").values_list("id", "unpaid_timeout_minutes"):
        if not minutes:  # 0: this channel's unpaid orders never expire
            continue
        cutoff = now - timedelta(minutes=minutes)
        while True:
            done = _expire_batch(channel_id=channel_id, cutoff=cutoff, minutes=minutes, actor=actor,
                                 batch_size=batch_size)
            total += done
            if done < batch_size:
                break
    return total


@transaction.atomic
def _expire_batch(*, channel_id: int, cutoff: datetime, minutes: int, actor: Actor, batch_size: int) -> int:
    orders = list(Order.objects.filter(channel_id=channel_id, status=OrderStatus.PENDING_PAYMENT,
                                       payment_status=PaymentStatus.UNPAID, placed_at__lte=cutoff)
                  .select_for_update(skip_locked=True, of=("self",)).order_by("id")[:batch_size])
    for order in orders:
        cancel_now_locked(order, actor=actor, reason=UNPAID_TIMEOUT, via="unpaid_sweep",
                          data={"unpaid_timeout_minutes": minutes})
    return len(orders)


@transaction.atomic
def set_unpaid_timeout(*, channel_code: str, minutes, actor: Actor) -> Channel:
    """Set after how many minutes a channel's unpaid orders expire (0: never); the change is audited."""
    require(actor, CHANGE_CHANNEL)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= MAX_TIMEOUT_MINUTES:
        raise ValidationFailed(details={"unpaid_timeout_minutes": [
            _("A whole number of minutes from 0 (never) to %(max)s.") % {"max": MAX_TIMEOUT_MINUTES}]})
    channel = Channel.objects.select_for_update().filter(code=channel_code).first()
    if channel is None:
        raise UnknownChannel(details={"channel": channel_code})
    before = channel.unpaid_timeout_minutes
    if before != minutes:
        channel.unpaid_timeout_minutes = minutes
        channel.save(update_fields=["unpaid_timeout_minutes", "updated_at"])
        record(None, "unpaid_timeout_changed", actor=actor, changes={"unpaid_timeout_minutes": [before, minutes]},
               data={"channel": channel_code})
    return channel
