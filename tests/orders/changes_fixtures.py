"""Orders for the changes-before-shipment tests: two warehouses serving different provinces, one carrier
with two zones from Hangzhou, orders taken in through the web shop and moved on by the worker."""

from __future__ import annotations

from decimal import Decimal

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

EAST = ["浙江省", "江苏省", "上海市"]
SOUTH = ["广东省", "广西壮族自治区"]
HZ_ADDRESS = {"name": "张三", "phone": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区",
              "detail": "文三路100号", "postcode": "310012"}


@pytest.fixture
def network(db, actor):
    """Hangzhou serves the east, Guangzhou the south; ZTO from Hangzhou has an east and a south zone."""
    hz = Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10,
                                  service_provinces=EAST + ["广东省"])
    gz = Warehouse.objects.create(code="gz", name="广州仓", province="广东省", city="广州市", priority=20,
                                  service_provinces=SOUTH)
    Sku.objects.create(code="TEE", name="纯棉T恤", spec="白色/M", weight_g=200)
    Sku.objects.create(code="MUG", name="马克杯", spec="350ml", weight_g=400)
    Sku.objects.create(code="OLD", name="旧款", spec="", weight_g=100, active=False)
    zto = Carrier.objects.create(code="zto", name="中通快递", supports_cod=True)
    card = RateCard.objects.create(carrier=zto, warehouse=hz)
    RateZone.objects.create(rate_card=card, name="华东", provinces=EAST, first_price="8.00", step_price="3.00")
    RateZone.objects.create(rate_card=card, name="华南", provinces=["广东省"], first_price="12.00",
                            step_price="5.00")
    card = RateCard.objects.create(carrier=zto, warehouse=gz)
    RateZone.objects.create(rate_card=card, name="华南", provinces=SOUTH, first_price="6.00", step_price="2.00")
    keeper = actor("warehouse")
    for sku, wh, qty in (("TEE", "hz", 20), ("MUG", "hz", 20), ("TEE", "gz", 20), ("MUG", "gz", 20)):
        stock.receive_stock(sku_code=sku, warehouse_code=wh, quantity=qty, actor=keeper)
    return {"hz": hz, "gz": gz}


@pytest.fixture
def shop(users):
    user = users["integration"]
    user.all_channels = True
    user.save()
    return Actor.of(user)


@pytest.fixture
def take(shop, order_payload, network):
    """take(("TEE", 2), ..., worker=True, **payload) -> Order: lines at 10.00 each, no shipping, no discounts, paid.

    With worker=False the order stays pending review (the worker has not reviewed it yet)."""
    counter = iter(range(1, 100_000))

    def do(*lines: tuple[str, int], worker: bool = True, **overrides) -> Order:
        items = [{"sku": sku, "name": sku, "spec": "", "quantity": qty, "unit_price": "10.00"} for sku, qty in lines]
        goods = sum(10 * qty for _sku, qty in lines)
        payload = order_payload(channel="web", external_id=f"W-C{next(counter)}", lines=items, discounts=[],
                                shipping_fee="0.00", paid_amount=f"{goods:.2f}", buyer_remark="")
        payload.update(overrides)
        order = intake_order(command=parse_intake(payload, channel_lookup=channel_lookup), actor=shop).order
        if worker:
            for _ in range(3):  # review, then allocation, then what follows
                deliver_pending()
        return Order.objects.get(pk=order.pk)

    return do


def money(value: str) -> Decimal:
    return Decimal(value)
