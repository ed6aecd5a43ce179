"""Hand-over to carriers: packed parcels onto a list with tracking numbers, then shipped in one step."""

from decimal import Decimal

import pytest
from django.core import mail

from oms.fulfillment import packing, scanning
from oms.fulfillment.models import BoxType, PackageStatus
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.inventory.models import Bin, Reservation, Sku, SkuLocation, StockLevel, StockMovement
from oms.inventory.verification import verify_stock
from oms.notifications.models import Message
from oms.notifications.outbox import deliver_pending
from oms.shipping import handover
from oms.shipping.models import Carrier, HandoverStatus
from tests.fulfillment.conftest import network, push, receive  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def packed(push, actor, network):  # noqa: F811  (fixtures)
    """Make one order of `lines` go through picking, re-check and packing; returns (order, package number)."""
    hz = network["hz"]
    Carrier.objects.filter(code="zto").update(tracking_number_pattern=r"7\d{11,14}")
    for sku, code, aisle in (("TEE", "A01-01-1", 1), ("MUG", "A02-01-1", 2)):
        b = Bin.objects.create(warehouse=hz, code=code, aisle=aisle, bay=1, level=1)
        SkuLocation.objects.create(sku=Sku.objects.get(code=sku), warehouse=hz, bin=b)
    BoxType.objects.create(code="box3", name="3号纸箱", inner_length_mm=350, inner_width_mm=250,
                           inner_height_mm=150, max_weight_g=10000, tare_g=150, cost=Decimal("1.50"))
    receive(actor, "TEE", "hz", 10)
    receive(actor, "MUG", "hz", 10)
    keeper = actor("warehouse")

    def make(*lines, **overrides):
        order = push(*lines, **overrides)
        package = order.packages.get().number
        number = create_pick_list(warehouse_code="hz", actor=keeper, rules=WaveRules(package_numbers=(package,))).number
        bins = {"TEE": "A01-01-1", "MUG": "A02-01-1"}
        for sku, qty in lines:
            scanning.scan(number=number, code=bins[sku], actor=keeper)
            for _ in range(qty):
                scanning.scan(number=number, code=sku, actor=keeper)
        for sku, qty in lines:
            for _ in range(qty):
                packing.recheck_scan(number=package, code=sku, actor=keeper)
        packing.pack(number=package, weight_g=sum(200 * q for _s, q in lines) + 150, actor=keeper, box_code="box3")
        return order, package

    return make


def test_a_packed_parcel_scanned_with_its_tracking_number_and_handed_over_ships_the_order(packed, actor):
    order, package = packed(("TEE", 2), ("MUG", 1))
    keeper = actor("warehouse")
    before = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
    assert (before.on_hand, before.reserved) == (10, 2)

    ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
    scanned = handover.scan_onto_list(list_number=ho.number, code=package, tracking_no=" 731234567890 ", actor=keeper)
    assert scanned.package.tracking_no == "731234567890" and not scanned.already_on_list
    assert handover.scan_onto_list(list_number=ho.number, code="731234567890", actor=keeper).already_on_list

    handover.hand_over(list_number=ho.number, courier_name="王师傅", actor=keeper)

    order.refresh_from_db()
    assert order.status == "shipped" and order.shipped_at is not None
    p = order.packages.get()
    assert p.status == PackageStatus.SHIPPED and p.shipped_at is not None
    after = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
    assert (after.on_hand, after.reserved) == (8, 0)
    assert set(Reservation.objects.filter(order=order).values_list("status", flat=True)) == {"shipped"}
    shipment = StockMovement.objects.filter(order=order, kind="shipment")
    assert sorted(shipment.values_list("on_hand_delta", "reserved_delta")) == [(-2, -2), (-1, -1)]
    assert verify_stock().ok
    ho.refresh_from_db()
    assert ho.status == HandoverStatus.HANDED_OVER and ho.courier_name == "王师傅"
    actions = list(order.events.values_list("action", flat=True))
    assert "package_on_handover_list" in actions and "shipped" in actions and "status_changed" in actions
    deliver_pending()
    shipped = Message.objects.filter(order=order, event="order_shipped")
    assert shipped.exists() and all("731234567890" in m.body for m in shipped)
    assert any("731234567890" in m.body for m in mail.outbox) or shipped.filter(medium="sms").exists()


def test_a_malformed_or_duplicate_tracking_number_is_refused_and_nothing_is_stored(packed, actor):
    keeper = actor("warehouse")
    first, p1 = packed(("TEE", 1))
    second, p2 = packed(("MUG", 1))
    ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)

    with pytest.raises(handover.InvalidTrackingNumber) as bad:
        handover.scan_onto_list(list_number=ho.number, code=p1, tracking_no="SF1234567890", actor=keeper)
    assert bad.value.details["problem"] == "carrier_format"
    with pytest.raises(handover.InvalidTrackingNumber):
        handover.scan_onto_list(list_number=ho.number, code=p1, tracking_no="73 12", actor=keeper)
    with pytest.raises(handover.TrackingNumberRequired):
        handover.scan_onto_list(list_number=ho.number, code=p1, actor=keeper)  # manual carrier: type it

    handover.scan_onto_list(list_number=ho.number, code=p1, tracking_no="731234567890", actor=keeper)
    with pytest.raises(handover.DuplicateTrackingNumber):
        handover.scan_onto_list(list_number=ho.number, code=p2, tracking_no="731234567890", actor=keeper)
    assert second.packages.get().tracking_no == "" and second.packages.get().handover_list_id is None


def test_an_unpacked_package_or_another_carriers_list_is_refused(push, packed, actor, network):  # noqa: F811
    keeper = actor("warehouse")
    receive(actor, "TEE", "hz", 5)
    waiting = push(("TEE", 1))
    sf = Carrier.objects.create(code="sf", name="顺丰速运")
    ho_sf = handover.open_handover_list(carrier_code="sf", warehouse_code="hz", actor=keeper)
    ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)

    with pytest.raises(handover.NotReadyToShip):
        handover.scan_onto_list(list_number=ho.number, code=waiting.packages.get().number, tracking_no="731234567891",
                                actor=keeper)
    order, package = packed(("MUG", 1))
    with pytest.raises(handover.WrongCarrier):
        handover.scan_onto_list(list_number=ho_sf.number, code=package, tracking_no="SF1234567890", actor=keeper)
    assert sf.packages.count() == 0
    with pytest.raises(handover.EmptyHandover):
        handover.hand_over(list_number=ho.number, actor=keeper)


def test_a_handed_over_list_takes_no_more_parcels_and_cannot_ship_twice(packed, actor):
    keeper = actor("warehouse")
    _o1, p1 = packed(("TEE", 1))
    _o2, p2 = packed(("TEE", 1))
    ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
    handover.scan_onto_list(list_number=ho.number, code=p1, tracking_no="731234567890", actor=keeper)
    handover.hand_over(list_number=ho.number, actor=keeper)

    with pytest.raises(handover.HandoverClosed):
        handover.hand_over(list_number=ho.number, actor=keeper)
    with pytest.raises(handover.HandoverClosed):
        handover.scan_onto_list(list_number=ho.number, code=p2, tracking_no="731234567891", actor=keeper)
    assert StockLevel.objects.get(sku__code="TEE", warehouse__code="hz").on_hand == 9


def test_a_parcel_taken_off_the_list_is_not_shipped(packed, actor):
    keeper = actor("warehouse")
    o1, p1 = packed(("TEE", 1))
    o2, p2 = packed(("MUG", 1))
    ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
    handover.scan_onto_list(list_number=ho.number, code=p1, tracking_no="731234567890", actor=keeper)
    handover.scan_onto_list(list_number=ho.number, code=p2, tracking_no="731234567891", actor=keeper)
    handover.remove_from_list(list_number=ho.number, package_number=p2, actor=keeper)
    handover.hand_over(list_number=ho.number, actor=keeper)

    o1.refresh_from_db()
    o2.refresh_from_db()
    assert (o1.status, o2.status) == ("shipped", "pending_shipment")
    assert o2.packages.get().status == "packed"


def test_handing_over_needs_the_permission_and_the_warehouse(packed, actor, users):
    from oms.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=actor("finance"))
