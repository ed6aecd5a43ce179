"""Stopped parcels of an order that is not cancelled in the end, and merged parcels, at interception."""

from decimal import Decimal

import pytest

from oms.core.errors import ApplicationError
from oms.fulfillment import merging
from oms.fulfillment.interception import confirm_interception, report_too_late
from oms.fulfillment.models import Interception, Package, PackageStatus
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.inventory.models import StockLevel
from oms.inventory.verification import verify_stock
from oms.orders.cancellation import cancel_order
from oms.orders.models import Order
from oms.orders.stock_choice_models import WithheldUnits
from oms.payments.models import Refund
from oms.shipping import handover
from tests.fulfillment.conftest import receive

pytestmark = pytest.mark.usefixtures("network")


def intercept(actor, order):
    return cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request").interceptions


def ship(actor, package: Package) -> None:
    keeper = actor("warehouse")
    Package.objects.filter(pk=package.pk).update(status=PackageStatus.PACKED)  # packing is tested elsewhere
    ho = handover.open_handover_list(carrier_code="zto", warehouse_code=package.warehouse.code, actor=keeper)
    handover.scan_onto_list(list_number=ho.number, code=package.number, tracking_no="731234567890", actor=keeper)
    handover.hand_over(list_number=ho.number, actor=keeper)


@pytest.fixture
def two_parcels(push, actor):
    """A paid order of a TEE from Hangzhou and a MUG from Guangzhou, both parcels on pick lists, both intercepted."""
    receive(actor, "TEE", "hz", 5)
    receive(actor, "MUG", "gz", 5)
    order = push(("TEE", 1), ("MUG", 1))
    tee, mug = sorted(order.packages.select_related("warehouse"), key=lambda p: p.warehouse.code != "hz")
    for p in (tee, mug):
        create_pick_list(warehouse_code=p.warehouse.code, actor=actor("warehouse"),
                         rules=WaveRules(package_numbers=(p.number,)))
    by_package = {i.package_id: i for i in intercept(actor, order)}
    return order, tee, mug, by_package[tee.pk], by_package[mug.pk]


def assert_tee_cancelled_and_refunded(order, tee):
    refund = Refund.objects.get(order=order)
    assert (refund.cause, refund.amount) == ("partial_cancellation", Decimal("10.00"))
    assert [(r.line_id, r.quantity, r.state, r.package_id) for r in WithheldUnits.objects.filter(order=order)] == [
        (tee.lines.get().line_id, 1, "cancelled", tee.pk)]
    assert order.events.filter(action="intercepted_units_cancelled").count() == 1


def test_a_parcel_stopped_after_the_other_left_is_refunded_and_the_order_counts_as_shipped(two_parcels, actor):
    order, tee, mug, tee_stop, mug_stop = two_parcels
    report_too_late(interception_id=mug_stop.pk, actor=actor("warehouse"))
    assert not Refund.objects.filter(order=order).exists()  # the TEE parcel is still open
    ship(actor, mug)
    assert Order.objects.get(pk=order.pk).status == "partially_shipped"

    outcome = confirm_interception(interception_id=tee_stop.pk, actor=actor("warehouse"))

    assert not outcome.order_cancelled
    assert_tee_cancelled_and_refunded(order, tee)
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert StockLevel.objects.get(sku__code="TEE", warehouse__code="hz").reserved == 0 and verify_stock().ok


def test_a_parcel_confirmed_before_the_other_is_reported_too_late_is_refunded_then(two_parcels, actor):
    order, tee, mug, tee_stop, mug_stop = two_parcels
    assert not confirm_interception(interception_id=tee_stop.pk, actor=actor("warehouse")).order_cancelled
    assert not Refund.objects.filter(order=order).exists()  # the whole order may still be cancelled

    report_too_late(interception_id=mug_stop.pk, actor=actor("warehouse"))

    assert_tee_cancelled_and_refunded(order, tee)
    ship(actor, mug)
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert Refund.objects.filter(order=order).count() == 1 and verify_stock().ok


@pytest.fixture
def merged_on_pick_list(push, actor):
    """Two orders of one buyer merged into one package that is on a pick list."""
    receive(actor, "TEE", "hz", 10)
    receive(actor, "MUG", "hz", 10)
    first = push(("TEE", 1), placed_at="2026-11-26T09:00:00+08:00")
    second = push(("MUG", 2), placed_at="2026-11-26T15:00:00+08:00")
    [group] = merging.merge_candidates()
    merged = merging.merge_packages(package_numbers=[p.number for p in group], actor=actor("warehouse"))
    create_pick_list(warehouse_code="hz", actor=actor("warehouse"), rules=WaveRules(package_numbers=(merged.number,)))
    return first, second, merged


def test_a_merged_order_whose_parcel_is_being_picked_is_intercepted_not_cancelled_at_once(merged_on_pick_list, actor):
    _first, second, merged = merged_on_pick_list

    outcome = cancel_order(order_no=second.order_no, actor=actor("customer_service"), reason="buyer_request")

    assert not outcome.cancelled
    [interception] = outcome.interceptions
    assert interception.package.merged_into_id == merged.pk
    assert Order.objects.get(pk=second.pk).status == "pending_shipment"
    assert StockLevel.objects.get(sku__code="MUG", warehouse__code="hz").reserved == 2


def test_a_merged_parcel_cannot_be_confirmed_as_stopped_only_reported_too_late(merged_on_pick_list, actor):
    first, second, merged = merged_on_pick_list
    [mine] = cancel_order(order_no=second.order_no, actor=actor("customer_service"),
                          reason="buyer_request").interceptions
    [primary] = [i for i in intercept(actor, first) if i.package_id == merged.pk]

    for interception in (mine, primary):
        with pytest.raises(ApplicationError) as err:
            confirm_interception(interception_id=interception.pk, actor=actor("warehouse"))
        assert err.value.code == "merged_package_not_stoppable" and err.value.http_status == 409
    assert Package.objects.get(pk=merged.pk).status == PackageStatus.ALLOCATED
    assert StockLevel.objects.get(sku__code="MUG", warehouse__code="hz").reserved == 2

    report_too_late(interception_id=mine.pk, actor=actor("warehouse"))

    assert Interception.objects.get(pk=mine.pk).status == "too_late"
    with pytest.raises(ApplicationError) as err:  # the parcel counts as gone: after-sales is the path
        cancel_order(order_no=second.order_no, actor=actor("customer_service"), reason="buyer_request")
    assert err.value.code == "already_shipped"
    assert not Refund.objects.filter(order=second).exists() and verify_stock().ok
