"""Never oversell: many workers review orders for the same last units at once, on real connections."""

import time

import pytest
from django.db import connection

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.inventory import services as stock
from oms.inventory.models import Sku, StockLevel, Warehouse
from oms.inventory.verification import verify_stock
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.orders.review.services import review_order
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 8


@pytest.fixture
def scarce(actor):
    Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10)
    Warehouse.objects.create(code="sh", name="上海仓", province="上海市", city="上海市", priority=20)
    Sku.objects.create(code="SCARCE", name="限量款", spec="")
    stock.receive_stock(sku_code="SCARCE", warehouse_code="hz", quantity=4, actor=actor("warehouse"))
    stock.receive_stock(sku_code="SCARCE", warehouse_code="sh", quantity=3, actor=actor("warehouse"))


def _orders(actor, order_payload, count: int, quantity: int) -> list[str]:
    shop = actor("integration")
    shop.user.all_channels = True
    shop.user.save()
    numbers = []
    for i in range(count):
        payload = order_payload(external_id=f"TB-SCARCE-{i}", paid_amount=f"{59 * quantity:.2f}",
                                shipping_fee="0.00", discounts=[], lines=[
                                    {"sku": "SCARCE", "name": "限量款", "quantity": quantity, "unit_price": "59.00"}])
        numbers.append(intake_order(command=parse_intake(payload, channel_lookup=channel_lookup),
                                    actor=shop).order.order_no)
    return numbers


def _review_all(numbers: list[str]) -> float:
    def worker(i):
        for order_no in numbers[i::WORKERS]:
            review_order(order_no=order_no, actor=Actor.system(), trigger="test")

    started = time.perf_counter()
    run_concurrently(WORKERS, worker)
    return time.perf_counter() - started


def test_concurrent_reviews_reserve_exactly_the_available_units_and_no_more(scarce, actor, order_payload,
                                                                            report_figure):
    available_at_start = sum(lv.available for lv in StockLevel.objects.all())
    numbers = _orders(actor, order_payload, count=30, quantity=1)

    seconds = _review_all(numbers)

    passed = Order.objects.filter(order_no__in=numbers, status="pending_shipment").count()
    held = Order.objects.filter(order_no__in=numbers, status="on_hold", holds__code="out_of_stock").count()
    reserved = sum(lv.reserved for lv in StockLevel.objects.all())
    assert available_at_start == 7
    assert (passed, held) == (7, 23)
    assert reserved == available_at_start
    assert all(lv.reserved <= lv.on_hand for lv in StockLevel.objects.all())
    assert verify_stock().ok
    report_figure(f"oversell test ({connection.vendor}): {len(numbers)} reviews, {passed} reservations by "
                  f"{WORKERS} concurrent workers in {seconds:.2f} s ({len(numbers) / seconds:.0f} reviews/s)")


def test_concurrent_reviews_of_two_unit_orders_leave_the_odd_unit_unreserved(scarce, actor, order_payload):
    numbers = _orders(actor, order_payload, count=12, quantity=2)

    _review_all(numbers)

    passed = Order.objects.filter(order_no__in=numbers, status="pending_shipment").count()
    assert passed == 3  # 7 units: three orders of two, one unit left over
    assert sum(lv.reserved for lv in StockLevel.objects.all()) == 6
    assert verify_stock().ok
