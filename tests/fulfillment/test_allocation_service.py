"""Approved orders are allocated by the worker: packages per warehouse, reservations moved, all in the timeline."""

import pytest

from oms.accounts.actor import Actor
from oms.channels.models import Channel
from oms.fulfillment.errors import AlreadyAllocated
from oms.fulfillment.services import allocate_order
from oms.inventory.models import Reservation, StockLevel, StockMovement
from oms.inventory.verification import verify_stock
from oms.orders.cancellation import cancel_order
from oms.shipping.models import Carrier

from .conftest import receive

pytestmark = pytest.mark.usefixtures("network")


def packages(order) -> dict[str, list[tuple[str, int]]]:
    return {p.warehouse.code: sorted((ln.sku.code, ln.quantity) for ln in p.lines.all())
            for p in order.packages.filter(status="allocated")}


def test_an_order_whose_skus_sit_in_two_warehouses_is_split_into_two_packages(push, actor):
    receive(actor, "TEE", "hz", 5)
    receive(actor, "MUG", "gz", 5)

    order = push(("TEE", 2), ("MUG", 1))

    assert order.status == "pending_shipment"
    assert packages(order) == {"hz": [("TEE", 2)], "gz": [("MUG", 1)]}
    assert sorted(order.packages.values_list("number", flat=True)) == [f"{order.order_no}-1", f"{order.order_no}-2"]
    event = order.events.get(action="order_allocated")
    assert event.data["strategy"] == "fewest_then_cheapest"
    assert {p["warehouse"] for p in event.data["packages"]} == {"hz", "gz"}
    assert event.data["compared"] == [{"warehouses": ["hz", "gz"], "freight": "14.00"}]
    assert not event.data["reservations_moved"]  # review had reserved the same way
    assert verify_stock().ok


def test_allocation_moves_the_reservation_to_the_cheaper_warehouse_and_the_ledger_says_so(push, actor):
    receive(actor, "TEE", "hz", 5)  # review reserves by priority: Hangzhou
    receive(actor, "TEE", "gz", 5)  # but Guangzhou's contract is cheaper

    order = push(("TEE", 2))

    assert packages(order) == {"gz": [("TEE", 2)]}
    assert order.events.get(action="order_allocated").data["reservations_moved"] is True
    levels = {lv.warehouse.code: lv.reserved for lv in StockLevel.objects.select_related("warehouse")}
    assert levels == {"hz": 0, "gz": 2}
    assert list(Reservation.objects.filter(order=order, status="active").values_list("warehouse__code", "quantity")) \
        == [("gz", 2)]
    assert StockMovement.objects.filter(order=order, kind="release", reason="reallocated").count() == 1
    assert verify_stock().ok


def test_the_channel_strategy_fixed_priority_keeps_the_first_warehouse(push, actor):
    Channel.objects.filter(code="web").update(allocation_strategy="priority")
    receive(actor, "TEE", "hz", 5)
    receive(actor, "TEE", "gz", 5)

    order = push(("TEE", 2))

    assert packages(order) == {"hz": [("TEE", 2)]}


def test_a_cash_on_delivery_order_that_would_need_two_packages_is_not_allocated(push, actor):
    Channel.objects.filter(code="web").update(cod_allowed=True)
    receive(actor, "TEE", "hz", 5)
    receive(actor, "MUG", "gz", 5)

    order = push(("TEE", 1), ("MUG", 1), payment={"method": "cod", "status": "unpaid"}, paid_amount="0.00")

    assert order.status == "pending_shipment" and not order.packages.exists()
    assert order.events.get(action="allocation_failed").data["problem"] == "cod_needs_split"


def test_a_cash_on_delivery_order_without_a_carrier_that_collects_it_says_so(push, actor):
    Channel.objects.filter(code="web").update(cod_allowed=True)
    Carrier.objects.update(supports_cod=False)
    receive(actor, "TEE", "hz", 5)

    order = push(("TEE", 1), payment={"method": "cod", "status": "unpaid"}, paid_amount="0.00")

    assert order.events.get(action="allocation_failed").data["problem"] == "no_cod_carrier"


def test_a_warehouse_without_rate_cards_still_ships_without_a_carrier_or_freight(push, actor, network):
    network["hz"].rate_cards.all().delete()
    receive(actor, "TEE", "hz", 5)

    order = push(("TEE", 1))

    [package] = order.packages.all()
    assert package.warehouse.code == "hz" and package.carrier is None and package.freight == 0


def test_cancelling_an_allocated_order_cancels_its_packages(push, actor):
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1))

    cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request")

    assert list(order.packages.values_list("status", flat=True)) == ["cancelled"]
    assert order.events.get(action="order_cancelled").data["cancelled_packages"] == 1


def test_an_order_is_allocated_once(push, actor):
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1))

    with pytest.raises(AlreadyAllocated):
        allocate_order(order_no=order.order_no, actor=Actor.system())


def test_operations_can_run_allocation_again_through_the_api_and_get_a_clear_error_when_nothing_fits(
        push, actor, api):
    Channel.objects.filter(code="web").update(cod_allowed=True)
    receive(actor, "TEE", "hz", 5)
    receive(actor, "MUG", "gz", 5)
    order = push(("TEE", 1), ("MUG", 1), payment={"method": "cod", "status": "unpaid"}, paid_amount="0.00")

    refused = api("operations").post(f"/api/v1/orders/{order.order_no}/allocate")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "no_allocation"
    assert refused.json()["error"]["details"]["problem"] == "cod_needs_split"

    receive(actor, "MUG", "hz", 5)  # now Hangzhou has both
    done = api("operations").post(f"/api/v1/orders/{order.order_no}/allocate")
    assert done.status_code == 200
    assert [(p["warehouse"], len(p["lines"])) for p in done.json()["packages"]] == [("hz", 2)]
    assert api("customer_service").post(f"/api/v1/orders/{order.order_no}/allocate").status_code == 403


def test_operations_choose_a_channels_strategy_through_the_api_and_it_is_audited(push, actor, api):
    from oms.audit.models import AuditEvent

    url = "/api/v1/channels/web/allocation-strategy"
    assert api("warehouse").put(url, {"strategy": "cheapest"}, format="json").status_code == 403
    bad = api("operations").put(url, {"strategy": "fastest"}, format="json")
    assert bad.status_code == 400 and "cheapest" in bad.json()["error"]["details"]["strategy"]
    assert api("operations").put(url, {"strategy": "priority"}, format="json").json()["strategy"] == "priority"

    assert Channel.objects.get(code="web").allocation_strategy == "priority"
    assert AuditEvent.objects.get(action="allocation_strategy_changed").changes == {
        "allocation_strategy": ["fewest_then_cheapest", "priority"]}
    receive(actor, "TEE", "hz", 5)
    receive(actor, "TEE", "gz", 5)
    assert packages(push(("TEE", 1))) == {"hz": [("TEE", 1)]}  # by priority, not by the cheaper Guangzhou
