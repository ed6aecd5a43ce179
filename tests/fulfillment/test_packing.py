"""Re-check and packing: every unit scanned before packing, mismatches refused and recorded, box and weight."""

from decimal import Decimal

import pytest

from oms.fulfillment import packing, scanning
from oms.fulfillment.models import BoxType
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.inventory.models import Bin, Sku, SkuLocation

from .conftest import receive

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def picked(push, actor, network):
    """One order (2 TEE, 1 MUG) picked completely; a bag and a box in the catalogue."""
    hz = network["hz"]
    Sku.objects.filter(code="TEE").update(length_mm=280, width_mm=200, height_mm=20)
    Sku.objects.filter(code="MUG").update(length_mm=120, width_mm=90, height_mm=95, fragile=True)
    for sku, code, aisle in (("TEE", "A01-01-1", 1), ("MUG", "A02-01-1", 2)):
        b = Bin.objects.create(warehouse=hz, code=code, aisle=aisle, bay=1, level=1)
        SkuLocation.objects.create(sku=Sku.objects.get(code=sku), warehouse=hz, bin=b)
    BoxType.objects.create(code="bag", name="快递袋", inner_length_mm=300, inner_width_mm=250, inner_height_mm=30,
                           max_weight_g=2000, tare_g=20, cost=Decimal("0.30"))
    BoxType.objects.create(code="box3", name="3号纸箱", inner_length_mm=350, inner_width_mm=250,
                           inner_height_mm=150, max_weight_g=10000, tare_g=150, cost=Decimal("1.50"))
    receive(actor, "TEE", "hz", 5)
    receive(actor, "MUG", "hz", 5)
    order = push(("TEE", 2), ("MUG", 1))
    number = create_pick_list(warehouse_code="hz", actor=actor("warehouse"), rules=WaveRules()).number
    keeper = actor("warehouse")
    for code in ("A01-01-1", "TEE", "TEE", "A02-01-1", "MUG"):
        scanning.scan(number=number, code=code, actor=keeper)
    return order, order.packages.get().number


def test_every_unit_is_rechecked_then_the_package_is_packed_in_the_suggested_box(picked, actor):
    order, package = picked
    keeper = actor("warehouse")
    assert packing.packing_state(package).suggestion.box.code == "box3"  # a fragile mug: padding, so no bag

    with pytest.raises(packing.RecheckIncomplete):
        packing.pack(number=package, weight_g=1000, actor=keeper)
    for code in ("TEE", "TEE", "MUG"):
        state = packing.recheck_scan(number=package, code=code, actor=keeper)
    assert state.checked

    state, off = packing.pack(number=package, weight_g=950, actor=keeper)

    assert state.package.status == "packed" and state.package.box.code == "box3" and not off
    assert state.expected_weight_g == 800 + 150  # 2 × 200 g + 400 g, and the box
    packed = order.events.get(action="package_packed").data
    assert packed["protective_material"] is True and packed["weight_off"] is False
    assert order.events.filter(action="package_checked").exists()


def test_a_wrong_item_or_one_unit_too_many_is_a_recorded_mismatch_that_changes_nothing(picked, actor):
    order, package = picked
    keeper = actor("warehouse")
    packing.recheck_scan(number=package, code="MUG", actor=keeper)

    for code in ("MUG", "NOT-A-SKU"):
        with pytest.raises(packing.RecheckMismatch):
            packing.recheck_scan(number=package, code=code, actor=keeper)

    assert [ln["checked"] for ln in packing.packing_state(package).lines] == [0, 1]
    assert order.events.filter(action="recheck_mismatch").count() == 2


def test_a_weight_far_from_the_expected_one_is_flagged_and_another_box_can_be_chosen(picked, actor):
    order, package = picked
    keeper = actor("warehouse")
    for code in ("TEE", "TEE", "MUG"):
        packing.recheck_scan(number=package, code=code, actor=keeper)

    state, off = packing.pack(number=package, weight_g=2000, box_code="bag", actor=keeper)

    assert off and state.package.box.code == "bag"
    assert order.events.get(action="package_packed").data["suggested"] == "box3"


def test_a_package_not_yet_picked_cannot_be_rechecked(push, actor, network):
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1))

    with pytest.raises(packing.NotPicked):
        packing.recheck_scan(number=order.packages.get().number, code="TEE", actor=actor("warehouse"))


def test_the_api_rechecks_and_packs_for_the_warehouse_role(picked, api):
    _order, package = picked
    client = api("warehouse")
    assert client.get(f"/api/v1/packages/{package}/packing").json()["suggested_box"] == "box3"
    refused = client.post(f"/api/v1/packages/{package}/recheck", {"code": "NOPE"}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "recheck_mismatch"
    for code in ("TEE", "TEE", "MUG"):
        assert client.post(f"/api/v1/packages/{package}/recheck", {"code": code}, format="json").status_code == 200
    bad = client.post(f"/api/v1/packages/{package}/pack", {"weight_g": "heavy"}, format="json")
    assert bad.status_code == 400 and "weight_g" in bad.json()["error"]["details"]
    packed = client.post(f"/api/v1/packages/{package}/pack", {"weight_g": 960}, format="json").json()
    assert packed["status"] == "packed" and packed["box"] == "box3" and packed["weight_off"] is False
    assert api("customer_service").get(f"/api/v1/packages/{package}/packing").status_code == 403
