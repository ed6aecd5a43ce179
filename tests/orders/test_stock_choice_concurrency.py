"""Stock arriving for several waiting orders at once: the oldest gets it (real connections, own transactions)."""
# ruff: noqa: F811  (fixtures imported from tests/orders/stock_choice_fixtures.py)

import pytest

from oms.fulfillment.models import PackageStatus
from oms.inventory.models import Sku, StockLevel
from oms.inventory.verification import verify_stock
from oms.orders.models import Order
from oms.orders.review.triggers import rereview_out_of_stock
from oms.orders.stock_choice import record_stock_choice, supply_waiting_rests
from oms.orders.stock_choice_models import WithheldUnits
from tests.concurrency import run_concurrently
from tests.orders.stock_choice_fixtures import depot, place, receive, work  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def _payload(depot):
    return {"sku_id": Sku.objects.get(code="MUG").pk, "warehouse_id": depot.pk}


def test_two_orders_waiting_for_one_unit_the_older_gets_it_whoever_runs_first(place, actor, depot):
    newer = place(("MUG", 1), placed_at="2026-11-26T12:00:00+08:00")  # created first: the lower id
    older = place(("MUG", 1), placed_at="2026-11-26T08:00:00+08:00")
    for order in (newer, older):
        record_stock_choice(order_no=order.order_no, actor=actor("customer_service"), choice="wait")
    receive(actor, "MUG", 1)  # the worker's message is left pending: two workers take it up at once below

    run_concurrently(2, lambda i: rereview_out_of_stock(_payload(depot)))

    assert Order.objects.get(pk=older.pk).status == "pending_shipment"
    assert Order.objects.get(pk=newer.pk).status == "on_hold"
    mug = StockLevel.objects.get(sku__code="MUG")
    assert (mug.on_hand, mug.reserved) == (1, 1)
    assert verify_stock().ok


def test_two_waiting_rests_and_one_unit_the_older_rest_gets_the_package(place, actor, depot):
    receive(actor, "TEE", 2)
    newer = place(("TEE", 1), ("MUG", 1), placed_at="2026-11-26T12:00:00+08:00")
    older = place(("TEE", 1), ("MUG", 1), placed_at="2026-11-26T08:00:00+08:00")
    for order in (newer, older):
        record_stock_choice(order_no=order.order_no, actor=actor("customer_service"), choice="partial_ship",
                            rest="wait")
    work()  # the TEE parcels are allocated
    receive(actor, "MUG", 1)

    run_concurrently(2, lambda i: supply_waiting_rests(_payload(depot)))

    live = {o.order_no: o.packages.exclude(status=PackageStatus.CANCELLED).count() for o in (older, newer)}
    assert live == {older.order_no: 2, newer.order_no: 1}
    assert WithheldUnits.objects.get(order=older).state == "supplied"
    assert WithheldUnits.objects.get(order=newer).state == "waiting"
    mug = StockLevel.objects.get(sku__code="MUG")
    assert (mug.on_hand, mug.reserved) == (1, 1)
    assert verify_stock().ok
