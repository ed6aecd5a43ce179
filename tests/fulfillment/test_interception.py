"""The warehouse resolves interceptions: confirmed (units back to bins, order cancelled) or too late."""

from decimal import Decimal

import pytest

from oms.accounts.actor import Actor
from oms.core.errors import ApplicationError
from oms.fulfillment.interception import confirm_interception, report_too_late
from oms.fulfillment.models import Interception, Package, PackageStatus, PickList
from oms.inventory.models import Reservation, StockLevel, StockMovement
from oms.inventory.verification import verify_stock
from oms.orders.cancellation import cancel_order
from oms.orders.models import Order
from oms.payments.models import Refund
from oms.shipping import handover
from tests.aftersales.cancel_setup import network, on_pick_list, packed, push, receive, ship  # noqa: F401

pytestmark = pytest.mark.usefixtures("network")


def intercept(actor, order):
    return cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request").interceptions


def test_confirming_a_packed_parcel_puts_its_units_back_cancels_the_order_and_refunds_once(packed, actor):  # noqa: F811
    order, package = packed(("TEE", 2))
    [interception] = intercept(actor, order)

    outcome = confirm_interception(interception_id=interception.pk, actor=actor("warehouse"), note="on the shelf")

    assert outcome.changed and outcome.order_cancelled
    assert outcome.returns == [{"sku": "TEE", "bin": "A01-01-1", "units": 2}]
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert Package.objects.get(number=package).status == PackageStatus.CANCELLED
    assert Interception.objects.get(pk=interception.pk).status == "confirmed"
    level = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
    assert (level.on_hand, level.reserved) == (10, 0)  # picking never moved on-hand; the reservation is released
    assert not Reservation.objects.filter(order=order, status="active").exists()
    assert StockMovement.objects.filter(order=order, kind="release", reference=package).exists()
    assert verify_stock().ok
    assert Refund.objects.filter(order=order).count() == 1
    event = order.events.get(action="interception_confirmed")
    assert event.data["returned_to_bins"] == outcome.returns and event.note == "on the shelf"
    assert order.events.filter(action="order_cancelled").count() == 1


def test_confirming_twice_changes_nothing_the_second_time(packed, actor):  # noqa: F811
    order, _package = packed(("TEE", 1))
    [interception] = intercept(actor, order)
    confirm_interception(interception_id=interception.pk, actor=actor("warehouse"))

    again = confirm_interception(interception_id=interception.pk, actor=actor("warehouse"))

    assert not again.changed and Refund.objects.filter(order=order).count() == 1
    with pytest.raises(ApplicationError) as err:
        report_too_late(interception_id=interception.pk, actor=actor("warehouse"))
    assert err.value.code == "interception_resolved"


def test_a_confirmed_package_on_an_open_hand_over_list_leaves_the_list(packed, actor):  # noqa: F811
    order, package = packed(("TEE", 1))
    keeper = actor("warehouse")
    ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
    handover.scan_onto_list(list_number=ho.number, code=package, tracking_no="731234567890", actor=keeper)
    [interception] = intercept(actor, order)

    confirm_interception(interception_id=interception.pk, actor=keeper)

    assert Package.objects.get(number=package).handover_list is None
    assert order.events.get(action="interception_confirmed").data["handover_list"] == ho.number


def test_an_open_pick_list_closes_when_its_only_package_is_intercepted(on_pick_list, actor):  # noqa: F811
    order, package = on_pick_list(("TEE", 1))
    [interception] = intercept(actor, order)

    outcome = confirm_interception(interception_id=interception.pk, actor=actor("warehouse"))

    assert outcome.returns == []  # nothing was picked yet
    assert Package.objects.get(number=package).pick_list.status == "done"
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_hand_over_refuses_a_package_with_an_open_interception(packed, actor):  # noqa: F811
    order, package = packed(("TEE", 1))
    keeper = actor("warehouse")
    ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
    handover.scan_onto_list(list_number=ho.number, code=package, tracking_no="731234567890", actor=keeper)
    intercept(actor, order)

    with pytest.raises(ApplicationError) as err:
        handover.hand_over(list_number=ho.number, actor=keeper)
    assert err.value.code == "package_intercepted" and err.value.details == {"packages": [package]}

    other = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
    handover.remove_from_list(list_number=ho.number, package_number=package, actor=keeper)
    with pytest.raises(ApplicationError) as err:
        handover.scan_onto_list(list_number=other.number, code=package, actor=keeper)
    assert err.value.code == "package_intercepted"
    assert Package.objects.get(number=package).status == PackageStatus.PACKED


def test_too_late_leaves_the_order_and_a_new_cancellation_is_refused(packed, actor):  # noqa: F811
    order, package = packed(("TEE", 1))
    [interception] = intercept(actor, order)

    outcome = report_too_late(interception_id=interception.pk, actor=actor("warehouse"), note="courier took it")

    assert outcome.changed and not outcome.order_cancelled
    assert Interception.objects.get(pk=interception.pk).status == "too_late"
    assert Order.objects.get(pk=order.pk).status == "pending_shipment"
    assert order.events.filter(action="interception_too_late").exists()
    with pytest.raises(ApplicationError) as err:
        intercept(actor, order)
    assert err.value.code == "already_shipped"
    ship(actor, package)  # the hand-over is recorded afterwards: nothing blocks it now
    assert Order.objects.get(pk=order.pk).status == "shipped"


def test_a_shipped_parcel_cannot_be_confirmed(packed, actor):  # noqa: F811
    order, package = packed(("TEE", 1))
    [interception] = intercept(actor, order)
    Package.objects.filter(number=package).update(status=PackageStatus.SHIPPED)  # shipped outside the system

    with pytest.raises(ApplicationError) as err:
        confirm_interception(interception_id=interception.pk, actor=actor("warehouse"))
    assert err.value.code == "package_already_left"


def test_staff_of_another_warehouse_cannot_resolve_it(packed, actor, users, network):  # noqa: F811
    order, _package = packed(("TEE", 1))
    [interception] = intercept(actor, order)
    users["warehouse"].warehouses.add(network["gz"])

    with pytest.raises(ApplicationError) as err:
        confirm_interception(interception_id=interception.pk,
                             actor=Actor.of(type(users["warehouse"]).objects.get(pk=users["warehouse"].pk)))
    assert err.value.code == "out_of_scope"
    with pytest.raises(ApplicationError) as err:
        confirm_interception(interception_id=interception.pk, actor=actor("customer_service"))
    assert err.value.code == "permission_denied"


def test_an_order_of_two_parcels_is_cancelled_once_both_interceptions_are_confirmed(push, actor, network):  # noqa: F811
    from oms.fulfillment.picking import WaveRules, create_pick_list

    receive(actor, "TEE", "hz", 5)
    receive(actor, "MUG", "gz", 5)
    order = push(("TEE", 1), ("MUG", 1))
    packages = list(order.packages.order_by("number"))
    assert len(packages) == 2
    for p in packages:
        create_pick_list(warehouse_code=p.warehouse.code, actor=actor("warehouse"),
                         rules=WaveRules(package_numbers=(p.number,)))
    first, second = intercept(actor, order)

    assert not confirm_interception(interception_id=first.pk, actor=actor("warehouse")).order_cancelled
    assert Order.objects.get(pk=order.pk).status == "pending_shipment"
    assert confirm_interception(interception_id=second.pk, actor=actor("warehouse")).order_cancelled

    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert Refund.objects.get(order=order).amount == Decimal("20.00")
    assert StockLevel.objects.filter(reserved__gt=0).count() == 0 and verify_stock().ok
    assert PickList.objects.filter(status="open").count() == 0
