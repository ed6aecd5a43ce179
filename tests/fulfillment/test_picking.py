"""Pick lists: waves of waiting packages, bins in walking order, the sort-to-order view, and the API."""

import pytest

from oms.fulfillment.models import Package
from oms.fulfillment.picking import NothingToPick, WaveRules, create_pick_list
from oms.fulfillment.selectors import pick_list_sheet
from oms.inventory.models import Bin, Sku, SkuLocation, Warehouse
from oms.shipping.models import Carrier

from .conftest import receive

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def faces(network):
    """Hangzhou bins: TEE in aisle 3 bay 4, MUG in aisle 1 bay 10; 10 bays of 1 m per aisle, aisles 3 m apart."""
    hz = network["hz"]
    Warehouse.objects.filter(pk=hz.pk).update(bays_per_block=10, bay_width_m=1.0, aisle_width_m=3.0,
                                              cross_aisle_width_m=2.0)
    for sku, (aisle, bay) in {"TEE": (3, 4), "MUG": (1, 10)}.items():
        b = Bin.objects.create(warehouse=hz, code=f"A{aisle:02d}-{bay:02d}-1", aisle=aisle, bay=bay, level=1)
        SkuLocation.objects.create(sku=Sku.objects.get(code=sku), warehouse=hz, bin=b)


def wave(actor, **rules):
    return create_pick_list(warehouse_code="hz", actor=actor("warehouse"), rules=WaveRules(**rules))


def test_a_wave_lists_every_package_line_at_its_bin_in_walking_order_with_a_slot_per_package(push, actor, faces):
    receive(actor, "TEE", "hz", 10)
    receive(actor, "MUG", "hz", 10)
    first = push(("TEE", 2), ("MUG", 1))
    second = push(("TEE", 1))

    pick_list = wave(actor)
    sheet = pick_list_sheet(pick_list.number)

    assert pick_list.number.startswith("PL-HZ-")
    # From the depot (front of aisle 1): MUG deep in aisle 1, then TEE in aisle 3.
    assert [(s["stop"], s["bin"], s["sku"], s["quantity"]) for s in sheet["stops"]] == [
        (1, "A01-10-1", "MUG", 1), (2, "A03-04-1", "TEE", 3)]
    tee = sheet["stops"][1]
    assert sorted((o["order_no"], o["quantity"]) for o in tee["orders"]) == sorted(
        [(first.order_no, 2), (second.order_no, 1)])
    assert [(s["slot"], s["order_no"]) for s in sheet["sort_to_order"]] == [(1, first.order_no), (2, second.order_no)]
    assert sheet["packages"] == 2 and sheet["units"] == 4
    # Up aisle 1 to bay 10 (10.5 m), on through the back cross aisle (1.5), across 6 m, down aisle 3 to bay 4
    # (7.5), then out to the front (4.5) and back along it to the depot (6).
    assert pick_list.route_m == pytest.approx(10.5 + 1.5 + 6 + 7.5 + 4.5 + 6)
    assert set(Package.objects.values_list("pick_list__number", flat=True)) == {pick_list.number}
    assert first.events.filter(action="pick_list_created", data__pick_list=pick_list.number).exists()


def test_packages_already_on_a_pick_list_are_not_picked_twice(push, actor, faces):
    receive(actor, "TEE", "hz", 10)
    push(("TEE", 1))
    wave(actor)

    with pytest.raises(NothingToPick):
        wave(actor)


def test_a_wave_stops_before_it_exceeds_the_line_limit_taking_the_oldest_orders_first(push, actor, faces):
    receive(actor, "TEE", "hz", 10)
    receive(actor, "MUG", "hz", 10)
    older = push(("TEE", 1), ("MUG", 1), placed_at="2026-11-26T08:00:00+08:00")
    newer = push(("TEE", 1), ("MUG", 1), placed_at="2026-11-26T09:00:00+08:00")
    push(("TEE", 1), ("MUG", 1), placed_at="2026-11-26T10:00:00+08:00")

    sheet = pick_list_sheet(wave(actor, max_lines=4).number)

    assert [s["order_no"] for s in sheet["sort_to_order"]] == [older.order_no, newer.order_no]


def test_a_wave_can_be_limited_to_one_carrier_or_to_given_packages(push, actor, faces):
    receive(actor, "TEE", "hz", 10)
    chosen = push(("TEE", 1))
    other = push(("TEE", 1))
    Carrier.objects.create(code="sf", name="顺丰速运")

    with pytest.raises(NothingToPick):
        wave(actor, carrier="sf")
    sheet = pick_list_sheet(wave(actor, package_numbers=(f"{chosen.order_no}-1",)).number)

    assert [s["order_no"] for s in sheet["sort_to_order"]] == [chosen.order_no]
    assert other.packages.get().pick_list is None


def test_a_sku_without_a_bin_comes_last_and_says_so(push, actor, faces):
    SkuLocation.objects.filter(sku__code="MUG").delete()
    receive(actor, "TEE", "hz", 10)
    receive(actor, "MUG", "hz", 10)
    push(("MUG", 1), ("TEE", 1))

    sheet = pick_list_sheet(wave(actor).number)

    assert [(s["stop"], s["bin"], s["sku"]) for s in sheet["stops"]] == [(1, "A03-04-1", "TEE"), (2, None, "MUG")]


def test_the_api_creates_and_shows_pick_lists_for_the_warehouse_role_only(push, actor, faces, api):
    receive(actor, "TEE", "hz", 10)
    push(("TEE", 1))

    assert api("customer_service").post("/api/v1/pick-lists", {"warehouse": "hz"}, format="json").status_code == 403
    bad = api("warehouse").post("/api/v1/pick-lists", {"warehouse": "hz", "max_lines": 0}, format="json")
    assert bad.status_code == 400 and "max_lines" in bad.json()["error"]["details"]
    created = api("warehouse").post("/api/v1/pick-lists", {"warehouse": "hz"}, format="json")
    assert created.status_code == 201
    number = created.json()["number"]
    shown = api("warehouse").get(f"/api/v1/pick-lists/{number}")
    assert shown.status_code == 200 and shown.json()["stops"][0]["bin"] == "A03-04-1"
    assert api("warehouse").get("/api/v1/pick-lists/PL-NONE").status_code == 404
    again = api("warehouse").post("/api/v1/pick-lists", {"warehouse": "hz"}, format="json")
    assert again.status_code in (400, 422) and again.json()["error"]["code"] == "nothing_to_pick"


def test_a_cutoff_leaves_orders_placed_later_for_the_next_wave(push, actor, faces, api):
    receive(actor, "TEE", "hz", 10)
    early = push(("TEE", 1), placed_at="2026-11-26T15:00:00+08:00")
    late = push(("TEE", 1), placed_at="2026-11-26T17:00:00+08:00")

    bad = api("warehouse").post("/api/v1/pick-lists", {"warehouse": "hz", "cutoff": "tomorrow"}, format="json")
    assert bad.status_code == 400 and "cutoff" in bad.json()["error"]["details"]
    body = api("warehouse").post("/api/v1/pick-lists", {"warehouse": "hz", "cutoff": "2026-11-26T16:00:00+08:00"},
                                 format="json").json()

    assert [s["order_no"] for s in body["sort_to_order"]] == [early.order_no]
    assert late.packages.get().pick_list is None


def test_operations_set_a_skus_pick_face_through_the_api_and_waves_use_it(push, actor, api, network):
    from oms.audit.models import AuditEvent

    Bin.objects.create(warehouse=network["hz"], code="B07-03-2", aisle=7, bay=3, level=2)
    url = "/api/v1/skus/TEE/pick-face"
    assert api("warehouse").put(url, {"warehouse": "hz", "bin": "B07-03-2"}, format="json").status_code == 403
    bad = api("operations").put(url, {"warehouse": "hz", "bin": "NOPE"}, format="json")
    assert bad.status_code == 400 and "bin" in bad.json()["error"]["details"]
    done = api("operations").put(url, {"warehouse": "hz", "bin": "B07-03-2"}, format="json")
    assert done.status_code == 200 and done.json()["bin"] == "B07-03-2"
    assert AuditEvent.objects.get(action="pick_face_changed").changes == {"bin": [None, "B07-03-2"]}

    receive(actor, "TEE", "hz", 5)
    push(("TEE", 1))
    sheet = pick_list_sheet(wave(actor).number)
    assert sheet["stops"][0]["bin"] == "B07-03-2"
