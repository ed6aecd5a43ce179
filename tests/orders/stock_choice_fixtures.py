"""Orders held for stock, for the out-of-stock choice tests: one Hangzhou warehouse with ZTO, two SKUs."""

from __future__ import annotations

import pytest

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.inventory import services as stock
from oms.inventory.models import Sku, Warehouse
from oms.notifications.outbox import deliver_pending
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.shipping.models import Carrier, RateCard, RateZone


@pytest.fixture
def depot(db):
    """Hangzhou (浙江省) with ZTO; SKUs TEE (10.00) and MUG (25.00), no stock yet."""
    hz = Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10)
    Sku.objects.create(code="TEE", name="纯棉T恤", spec="白色/M", weight_g=200)
    Sku.objects.create(code="MUG", name="马克杯", spec="350ml", weight_g=400)
    zto = Carrier.objects.create(code="zto", name="中通快递", supports_cod=True)
    card = RateCard.objects.create(carrier=zto, warehouse=hz)
    RateZone.objects.create(rate_card=card, name="华东", provinces=["浙江省"], first_price="8.00", step_price="3.00")
    return hz


def receive(actor, sku: str, quantity: int) -> None:
    stock.receive_stock(sku_code=sku, warehouse_code="hz", quantity=quantity, actor=actor("warehouse"))


def work() -> None:
    """Let the worker do what follows (review, allocation, re-review, waiting rests)."""
    for _ in range(4):
        deliver_pending()


PRICES = {"TEE": 10, "MUG": 25}


@pytest.fixture
def place(users, order_payload, depot):
    """place(("TEE", 3), ("MUG", 2), discount=8, shipping=6, placed_at=…) -> the order after review/allocation."""
    shop = users["integration"]
    shop.all_channels = True
    shop.save()
    counter = iter(range(1, 100_000))

    def make(*lines: tuple[str, int], discount: int = 0, shipping: int = 0, placed_at: str | None = None,
             **overrides) -> Order:
        items = [{"sku": sku, "name": sku, "spec": "", "quantity": qty, "unit_price": f"{PRICES[sku]}.00"}
                 for sku, qty in lines]
        goods = sum(PRICES[sku] * qty for sku, qty in lines)
        payload = order_payload(
            channel="web", external_id=f"W-SC{next(counter)}", lines=items, buyer_remark="",
            discounts=[{"kind": "promotion", "amount": f"{discount}.00"}] if discount else [],
            shipping_fee=f"{shipping}.00", paid_amount=f"{goods + shipping - discount}.00")
        if placed_at:
            payload["placed_at"] = placed_at
        payload.update(overrides)
        order = intake_order(command=parse_intake(payload, channel_lookup=channel_lookup), actor=Actor.of(shop)).order
        work()
        return Order.objects.get(pk=order.pk)

    return make
