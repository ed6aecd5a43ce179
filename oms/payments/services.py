"""Finance's settlement action (款项结清, manual §2.5.1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import SETTLE_ORDERS
from oms.audit.services import build_event
from oms.core.bulk_insert import insert_rows
from oms.core.errors import ValidationFailed
from oms.orders.models import Order
from oms.payments.errors import MismatchesNeedNote, NothingToSettle, SettlementChanged
from oms.payments.mismatches import REPORTED_DIFFERS, reported_difference
from oms.payments.models import Refund, SettlementBatch, SettlementItem
from oms.payments.selectors import (
    business_today,
    channel_by_code,
    pending_orders,
    settlement_order,
    unsettled_refunds,
)

SETTLED = "settled"  # the audit action
MAX_NOTE = 2000


@transaction.atomic
def settle_batch(*, channel_code: str, day: date, actor: Actor, reported_amount: Decimal | None = None,
                 note: str = "", expected_orders: int | None = None) -> SettlementBatch:
    """Settle a channel's unsettled completed orders of one business day as one batch; mismatches need a note."""
    require(actor, SETTLE_ORDERS)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed(details={"note": [_("At most %(n)s characters.") % {"n": MAX_NOTE}]})
    if day > business_today():
        raise ValidationFailed(details={"day": [_("This day has not come yet.")]})
    channel = channel_by_code(channel_code)
    # Locked in id order; a second settlement of the same day waits here and then finds them settled.
    orders = list(pending_orders(channel, day).select_for_update(of=("self",)))
    # Locked after the orders; a concurrent batch waits and then no longer finds them (settlement_batch is set).
    refunds = list(unsettled_refunds(channel, day).select_for_update(of=("self",)))
    if not orders and not refunds:  # a day with refunds only settles as a refunds-only batch
        raise NothingToSettle(details={"channel": channel_code, "day": day.isoformat()})
    if expected_orders is not None and expected_orders != len(orders):
        raise SettlementChanged(details={"expected_orders": expected_orders, "found_orders": len(orders)})
    rows = [settlement_order(o) for o in orders]
    gross = sum((r.paid_amount for r in rows), Decimal("0.00"))
    refund_total = sum((r.amount for r in refunds), Decimal("0.00"))
    net = gross - refund_total
    mismatches = [{"code": code, "order": r.order_no} for r in rows for code in r.mismatches]
    difference = reported_difference(reported=reported_amount, net=net)
    if difference is not None:
        mismatches.append({"code": REPORTED_DIFFERS, "reported": f"{reported_amount:.2f}", "net": f"{net:.2f}",
                           "difference": f"{difference:.2f}"})
    if mismatches and not note:
        raise MismatchesNeedNote(details={"mismatches": mismatches})
    now = timezone.now()
    sequence = (SettlementBatch.objects.filter(channel=channel, day=day).aggregate(n=Max("sequence"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            batch = SettlementBatch.objects.create(
                channel=channel, day=day, sequence=sequence, order_count=len(rows), gross=gross, refunds=refund_total,
                net=net, reported_amount=reported_amount, mismatches=mismatches, note=note, settled_at=now,
                settled_by_id=actor.user_id)
            SettlementItem.objects.bulk_create([SettlementItem(
                batch=batch, order=o, payable_amount=o.payable_amount, paid_amount=o.paid_amount,
                payment_method=o.payment_method, transaction_id=o.transaction_id, completed_at=o.completed_at)
                for o in orders])
    except IntegrityError as exc:  # another settlement of these orders won the race (SQLite has no row locks)
        raise NothingToSettle(details={"channel": channel_code, "day": day.isoformat()}) from exc
    taken = Refund.objects.filter(pk__in=[r.pk for r in refunds], settlement_batch__isnull=True).update(
        settlement_batch=batch)
    if taken != len(refunds):  # another batch took some of them first (SQLite has no row locks)
        raise SettlementChanged(details={"refunds": len(refunds), "still_unsettled": taken})
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(settled_at=now, updated_at=now)
    by_order = {}
    for m in mismatches:
        if "order" in m:
            by_order.setdefault(m["order"], []).append(m["code"])
    insert_rows([build_event(order=o, action=SETTLED, actor=actor, at=now, note=note,
                             changes={"settled_at": [None, now]},
                             data={"channel": channel.code, "day": day.isoformat(), "batch": sequence,
                                   "paid_amount": f"{o.paid_amount:.2f}",
                                   **({"mismatches": ", ".join(by_order[o.order_no])} if o.order_no in by_order
                                      else {})})
                 for o in orders])
    batch.channel = channel
    return batch
