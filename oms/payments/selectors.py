"""Reads for settlement: a channel's completed orders per business day (Asia/Shanghai), settled or not.

A batch subtracts every succeeded refund of the channel's orders (Asia/Shanghai, by refunded_at) up to
the end of its day that no batch subtracted yet, and records itself on them (Refund.settlement_batch):
a refund paid after a day's last batch is subtracted by the channel's next batch, whatever its day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from oms.aftersales.status import RefundStatus
from oms.channels.models import Channel
from oms.core.money import ZERO
from oms.orders.models import Order
from oms.orders.status import OrderStatus, PaymentMethod
from oms.payments.errors import ChannelNotFound
from oms.payments.mismatches import order_mismatches
from oms.payments.models import Refund, SettlementBatch

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
MAX_DAYS = 62  # the overview's longest range
EARLIEST_DAY = date(2000, 1, 1)  # before any order; also keeps day bounds far from datetime's limits
ORDER_FIELDS = ("id", "order_no", "channel_id", "completed_at", "receipt_confirmed_by", "payment_status",
                "payment_method", "paid_amount", "payable_amount", "transaction_id", "settled_at")


def business_today() -> date:
    return timezone.now().astimezone(BUSINESS_TZ).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a business day, as aware datetimes."""
    start = datetime.combine(day, time.min, tzinfo=BUSINESS_TZ)
    return start, start + timedelta(days=1)


def business_day(moment: datetime) -> date:
    return moment.astimezone(BUSINESS_TZ).date()


@dataclass
class SettlementOrder:
    order_no: str
    completed_at: datetime
    receipt_confirmed_by: str
    payment_status: str
    payment_method: str
    paid_amount: Decimal
    payable_amount: Decimal
    transaction_id: str
    mismatches: list[str]

    @property
    def payment_method_label(self) -> str:
        return dict(PaymentMethod.choices).get(self.payment_method, self.payment_method)


def settlement_order(order: Order) -> SettlementOrder:
    return SettlementOrder(
        order_no=order.order_no, completed_at=order.completed_at, receipt_confirmed_by=order.receipt_confirmed_by,
        payment_status=order.payment_status, payment_method=order.payment_method, paid_amount=order.paid_amount,
        payable_amount=order.payable_amount, transaction_id=order.transaction_id,
        mismatches=order_mismatches(payment_status=order.payment_status, payment_method=order.payment_method,
                                    paid_amount=order.paid_amount, payable_amount=order.payable_amount,
                                    transaction_id=order.transaction_id))


def unsettled_refunds(channel: Channel, day: date):
    """The channel's succeeded refunds up to the end of the day that no batch subtracted yet (a queryset)."""
    _start, end = day_bounds(day)
    return Refund.objects.filter(order__channel=channel, status=RefundStatus.SUCCEEDED, refunded_at__lt=end,
                                 settlement_batch__isnull=True).order_by("refunded_at", "id")


def refunds_for(channel: Channel, day: date) -> list[Refund]:
    """Refunds the next batch of this day subtracts: succeeded up to its end and in no batch yet, whatever their day."""
    return list(unsettled_refunds(channel, day).select_related("order"))


@dataclass
class DaySettlement:
    channel: Channel
    day: date
    pending: list[SettlementOrder]  # completed, not yet settled
    batches: list[SettlementBatch]  # settled, with their items prefetched
    refunds: list = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        return sum((o.paid_amount for o in self.pending), ZERO)

    @property
    def refund_total(self) -> Decimal:
        """Refunds the next batch subtracts (succeeded, in no batch yet)."""
        return sum((r.amount for r in self.refunds), ZERO)

    @property
    def net(self) -> Decimal:
        return self.gross - self.refund_total

    @property
    def mismatch_count(self) -> int:
        return sum(1 for o in self.pending if o.mismatches)

    @property
    def status(self) -> str:
        """open (nothing settled yet), settled, adjustment (settled, and orders completed since), empty."""
        if self.pending:
            return "adjustment" if self.batches else "open"
        return "settled" if self.batches else "empty"


def channel_by_code(code: str) -> Channel:
    """The channel with this code, or ChannelNotFound."""
    channel = Channel.objects.filter(code=code).first()
    if channel is None:
        raise ChannelNotFound(details={"channel": code})
    return channel


def pending_orders(channel: Channel, day: date):
    """The channel's completed orders of the day that no batch holds yet (a queryset, for locking too)."""
    start, end = day_bounds(day)
    return Order.objects.filter(channel=channel, status=OrderStatus.COMPLETED, completed_at__gte=start,
                                completed_at__lt=end, settled_at__isnull=True).order_by("id")


def day_settlement(channel_code: str, day: date) -> DaySettlement:
    """One channel's day: what is waiting to be settled, what was settled, refunds."""
    channel = channel_by_code(channel_code)
    pending = [settlement_order(o) for o in pending_orders(channel, day).only(*ORDER_FIELDS)]
    batches = list(SettlementBatch.objects.filter(channel=channel, day=day).select_related("settled_by", "channel")
                   .prefetch_related("items__order", "settled_refunds__order").order_by("sequence"))
    return DaySettlement(channel=channel, day=day, pending=pending, batches=batches, refunds=refunds_for(channel, day))


@dataclass
class DayRow:
    """One line of the overview: a channel's day, all its completed orders (settled or not)."""

    channel: Channel
    day: date
    orders: int = 0
    pending: int = 0
    gross: Decimal = ZERO
    refunds: Decimal = ZERO
    mismatches: int = 0
    batches: int = 0

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds

    @property
    def status(self) -> str:
        if self.pending:
            return "adjustment" if self.batches else "open"
        return "settled"


def settlement_overview(*, day_from: date, day_to: date, channel_code: str = "", actor=None) -> list[DayRow]:
    """Per channel and business day in the range: orders, received, refunds, net, mismatches, status."""
    channels = {c.pk: c for c in Channel.objects.all()}
    if channel_code:
        channel = channel_by_code(channel_code)
        channels = {channel.pk: channel}
    if actor is not None:  # only the channels the person works for
        from oms.accounts.actor import channel_scope

        scope = channel_scope(actor)
        channels = {pk: c for pk, c in channels.items() if scope is None or pk in scope}
    start, _ = day_bounds(day_from)
    _, end = day_bounds(day_to)
    rows: dict[tuple[int, date], DayRow] = {}

    def row(channel_id: int, day: date) -> DayRow:
        key = (channel_id, day)
        if key not in rows:
            rows[key] = DayRow(channel=channels[channel_id], day=day)
        return rows[key]

    orders = Order.objects.filter(status=OrderStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end,
                                  channel_id__in=list(channels)).only(*ORDER_FIELDS)
    for o in orders.iterator(chunk_size=2000):
        r = row(o.channel_id, business_day(o.completed_at))
        r.orders += 1
        r.gross += o.paid_amount
        if o.settled_at is None:
            r.pending += 1
            r.mismatches += bool(order_mismatches(
                payment_status=o.payment_status, payment_method=o.payment_method, paid_amount=o.paid_amount,
                payable_amount=o.payable_amount, transaction_id=o.transaction_id))
    counts = defaultdict(int)
    for channel_id, day in SettlementBatch.objects.filter(
            day__gte=day_from, day__lte=day_to, channel_id__in=list(channels)).values_list("channel_id", "day"):
        counts[(channel_id, day)] += 1
    for (channel_id, day), n in counts.items():
        row(channel_id, day).batches = n
    refunds = Refund.objects.filter(status=RefundStatus.SUCCEEDED, refunded_at__gte=start, refunded_at__lt=end,
                                    order__channel_id__in=list(channels))
    for channel_id, refunded_at, amount in refunds.values_list("order__channel_id", "refunded_at", "amount"):
        row(channel_id, business_day(refunded_at)).refunds += amount
    return sorted(rows.values(), key=lambda r: (-r.day.toordinal(), r.channel.pk))


def batch_data(batch: SettlementBatch) -> dict:
    """A settled batch as the API shows it."""
    return {
        "channel": batch.channel.code, "day": batch.day.isoformat(), "batch": batch.sequence,
        "orders": batch.order_count, "gross": f"{batch.gross:.2f}", "refunds": f"{batch.refunds:.2f}",
        "net": f"{batch.net:.2f}",
        "reported_amount": None if batch.reported_amount is None else f"{batch.reported_amount:.2f}",
        "difference": None if batch.difference is None else f"{batch.difference:.2f}",
        "mismatches": batch.mismatches, "note": batch.note,
        "settled_at": timezone.localtime(batch.settled_at).isoformat(),
        "settled_by": batch.settled_by.username if batch.settled_by else None,
        "order_numbers": [item.order.order_no for item in batch.items.all()],
    }


def _order_data(o: SettlementOrder) -> dict:
    return {
        "order_no": o.order_no, "completed_at": timezone.localtime(o.completed_at).isoformat(),
        "receipt_confirmed_by": o.receipt_confirmed_by, "payment_status": o.payment_status,
        "payment_method": o.payment_method, "paid_amount": f"{o.paid_amount:.2f}",
        "payable_amount": f"{o.payable_amount:.2f}", "transaction_id": o.transaction_id, "mismatches": o.mismatches,
    }


def refund_row(refund: Refund) -> dict:
    return {"number": refund.number, "order_no": refund.order.order_no, "cause": refund.cause,
            "amount": f"{refund.amount:.2f}", "payment_method": refund.payment_method,
            "external_reference": refund.external_reference,
            "refunded_at": timezone.localtime(refund.refunded_at).isoformat()}


def day_data(day: DaySettlement) -> dict:
    """A channel's day as the API shows it."""
    return {
        "channel": day.channel.code, "day": day.day.isoformat(), "status": day.status,
        "pending": {"orders": [_order_data(o) for o in day.pending], "count": len(day.pending),
                    "gross": f"{day.gross:.2f}", "refunds": f"{day.refund_total:.2f}", "net": f"{day.net:.2f}",
                    "mismatches": day.mismatch_count},
        "refunds": [refund_row(r) for r in day.refunds],
        "batches": [batch_data(b) for b in day.batches],
    }
