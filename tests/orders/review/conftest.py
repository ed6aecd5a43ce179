from datetime import timedelta

import pytest
from django.utils import timezone

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.inventory import services as stock
from oms.inventory.models import Sku, Warehouse
from oms.notifications.outbox import deliver_pending
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.orders.review.models import Coupon


@pytest.fixture
def catalogue(db, actor):
    """Two warehouses, two SKUs with stock in Hangzhou, one coupon of the web shop."""
    Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10)
    Warehouse.objects.create(code="gz", name="广州仓", province="广东省", city="广州市", priority=20,
                             service_provinces=["广东省", "广西壮族自治区"])
    Sku.objects.create(code="TSHIRT-RED-M", name="纯棉T恤", spec="红色/M")
    Sku.objects.create(code="MUG-WHITE", name="白色马克杯", spec="350ml")
    stock.receive_stock(sku_code="TSHIRT-RED-M", warehouse_code="hz", quantity=10, actor=actor("warehouse"))
    stock.receive_stock(sku_code="MUG-WHITE", warehouse_code="hz", quantity=3, actor=actor("warehouse"))
    Coupon.objects.create(code="NEW10", amount="10.00", min_spend="50.00",
                          valid_until=timezone.now() + timedelta(days=30))


@pytest.fixture
def shop(users):
    user = users["integration"]
    user.all_channels = True
    user.save()
    return Actor.of(user)


@pytest.fixture
def push(shop, order_payload):
    """Push an order as the shop integration and let the worker do what follows (the review)."""

    def do(**overrides) -> Order:
        result = intake_order(command=parse_intake(order_payload(**overrides), channel_lookup=channel_lookup),
                              actor=shop)
        deliver_pending()
        return Order.objects.get(pk=result.order.pk)

    return do


def holds(order: Order) -> set[str]:
    return set(order.holds.filter(cleared_at__isnull=True).values_list("code", flat=True))
