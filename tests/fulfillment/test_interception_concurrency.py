"""Cancellations and interceptions at the same moment as hand-overs or each other: one wins, stock stays exact."""

import pytest

from oms.core.errors import ApplicationError
from oms.fulfillment.interception import confirm_interception
from oms.fulfillment.models import Interception, Package
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.inventory.models import StockLevel
from oms.inventory.verification import verify_stock
from oms.orders.cancellation import cancel_order
from oms.orders.models import Order
from oms.payments.models import Refund
from oms.shipping import handover
from tests.aftersales.cancel_setup import network, packed, push, receive  # noqa: F401
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("network")]


def outcome_of(fn):
    try:
        return fn()
    except ApplicationError as exc:
        return exc.code


def test_a_cancellation_racing_the_hand_over_of_its_parcel_leaves_exactly_one_winner(packed, actor):  # noqa: F811
    keeper, clerk = actor("warehouse"), actor("customer_service")
    for round_ in range(4):
        order, package = packed(("TEE", 1))
        ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
        handover.scan_onto_list(list_number=ho.number, code=package, tracking_no=f"73123456789{round_}", actor=keeper)
        before = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")

        def race(i, order_no=order.order_no, list_number=ho.number):
            if i == 0:
                return outcome_of(lambda: cancel_order(order_no=order_no, actor=clerk, reason="buyer_request")
                                  and "interception_requested")
            return outcome_of(lambda: handover.hand_over(list_number=list_number, actor=keeper) and "shipped")

        cancel, hand = run_concurrently(2, race)

        after = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
        status = Package.objects.get(number=package).status
        if hand == "shipped":
            assert cancel == "already_shipped" and status == "shipped"
            assert not Interception.objects.filter(order=order).exists()
            assert (after.on_hand, after.reserved) == (before.on_hand - 1, before.reserved - 1)
        else:
            assert (cancel, hand) == ("interception_requested", "package_intercepted") and status == "packed"
            assert Interception.objects.filter(order=order, status="requested").count() == 1
            assert (after.on_hand, after.reserved) == (before.on_hand, before.reserved)
            handover.remove_from_list(list_number=ho.number, package_number=package, actor=keeper)
        assert verify_stock().ok


def test_two_interceptions_of_one_order_confirmed_at_once_cancel_it_once_with_one_refund(push, actor):  # noqa: F811
    receive(actor, "TEE", "hz", 5)
    receive(actor, "MUG", "gz", 5)
    order = push(("TEE", 1), ("MUG", 1))
    for p in order.packages.order_by("number"):
        create_pick_list(warehouse_code=p.warehouse.code, actor=actor("warehouse"),
                         rules=WaveRules(package_numbers=(p.number,)))
    ids = [i.pk for i in cancel_order(order_no=order.order_no, actor=actor("customer_service"),
                                      reason="buyer_request").interceptions]
    keeper = actor("warehouse")

    results = run_concurrently(2, lambda i: confirm_interception(interception_id=ids[i], actor=keeper))

    assert sorted(r.order_cancelled for r in results) == [False, True]
    order = Order.objects.get(pk=order.pk)
    assert order.status == "cancelled" and order.events.filter(action="order_cancelled").count() == 1
    assert Refund.objects.filter(order=order).count() == 1
    assert StockLevel.objects.filter(reserved__gt=0).count() == 0 and verify_stock().ok


def test_the_same_interception_confirmed_twice_at_once_is_resolved_once(packed, actor):  # noqa: F811
    order, _package = packed(("TEE", 1))
    [interception] = cancel_order(order_no=order.order_no, actor=actor("customer_service"),
                                  reason="risk").interceptions
    keeper = actor("warehouse")

    results = run_concurrently(3, lambda i: confirm_interception(interception_id=interception.pk, actor=keeper))

    assert sorted(r.changed for r in results) == [False, False, True]
    assert Refund.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).events.filter(action="order_cancelled").count() == 1
    assert verify_stock().ok
