"""Orders set up as shipped, delivered or completed before the hand-over and tracking code lands:
taken in through the intake service, then moved on by writing the row (as the carrier's report would)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.orders.status import OrderStatus


@pytest.fixture
def place(users, order_payload):
    """place(status=…, delivered_at=…, completed_at=…, channel=…, **order fields) -> Order (payable 118.00)."""
    shop = users["integration"]
    shop.all_channels = True
    shop.save()
    counter = iter(range(1, 100_000))

    def make(*, status: str = OrderStatus.DELIVERED, channel: str = "taobao", delivered_at: datetime | None = None,
             completed_at: datetime | None = None, **fields) -> Order:
        payload = order_payload(channel=channel, external_id=f"CMP-{channel}-{next(counter)}")
        order = intake_order(command=parse_intake(payload, channel_lookup=channel_lookup), actor=Actor.of(shop)).order
        now = timezone.now()
        row = {"status": status, **fields}
        if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            row.setdefault("shipped_at", (delivered_at or completed_at or now) - timedelta(days=2))
        if status == OrderStatus.DELIVERED or (status == OrderStatus.COMPLETED and delivered_at):
            row["delivered_at"] = delivered_at or now - timedelta(days=1)
        if status == OrderStatus.COMPLETED:
            row["completed_at"] = completed_at or now
            row.setdefault("receipt_confirmed_by", "buyer")
        Order.objects.filter(pk=order.pk).update(**row)
        return Order.objects.get(pk=order.pk)

    return make
