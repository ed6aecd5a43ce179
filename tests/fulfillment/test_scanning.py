"""Scan-to-pick: bin then units, wrong scans refused with nothing changed, short picks take the stock path."""

import pytest

from oms.fulfillment import scanning
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.inventory.models import Bin, Sku, SkuLocation, StockLevel
from oms.inventory.verification import verify_stock

from .conftest import receive

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def wave(push, actor, network):
    """Two orders in Hangzhou: TEE (bin A01-02) for both, MUG (bin A02-05) for the first."""
    hz = network["hz"]
    for sku, code, aisle, bay in (("TEE", "A01-02-1", 1, 2), ("MUG", "A02-05-1", 2, 5)):
        b = Bin.objects.create(warehouse=hz, code=code, aisle=aisle, bay=bay, level=1)
        SkuLocation.objects.create(sku=Sku.objects.get(code=sku), warehouse=hz, bin=b)
    Sku.objects.filter(code="MUG").update(barcode="6901234567892")
    receive(actor, "TEE", "hz", 10)
    receive(actor, "MUG", "hz", 3)
    first = push(("TEE", 2), ("MUG", 1))
    second = push(("TEE", 1))
    pick_list = create_pick_list(warehouse_code="hz", actor=actor("warehouse"), rules=WaveRules())
    return {"number": pick_list.number, "first": first, "second": second}


def scan(actor, number, code):
    return scanning.scan(number=number, code=code, actor=actor("warehouse"))


def test_a_picker_confirms_the_bin_then_scans_each_unit_until_the_list_is_picked(wave, actor):
    number = wave["number"]
    assert scanning.pick_progress(number).stop.bin == "A01-02-1"

    assert scan(actor, number, "A01-02-1").event == "bin_confirmed"
    for _ in range(3):
        state = scan(actor, number, "TEE")
    assert state.stop.bin == "A02-05-1" and not state.bin_confirmed  # on to the next stop
    scan(actor, number, "A02-05-1")
    done = scan(actor, number, "6901234567892")  # the SKU's barcode works as well as its code

    assert done.event == "done" and done.status == "done" and done.picked == done.total == 4
    assert wave["first"].events.filter(action="item_picked").count() == 3


@pytest.mark.parametrize(("code", "error"), [
    ("TEE", scanning.ScanBinFirst),
    ("A02-05-1", scanning.WrongBin),
    ("MUG", scanning.WrongSku),
    ("NO-SUCH-CODE", scanning.UnknownCode),
])
def test_a_wrong_scan_is_refused_and_changes_nothing(wave, actor, code, error):
    before = scanning.pick_progress(wave["number"])

    with pytest.raises(error):
        scan(actor, wave["number"], code)

    assert scanning.pick_progress(wave["number"]) == before


def test_one_unit_too_many_is_refused(wave, actor):
    number = wave["number"]
    scan(actor, number, "A01-02-1")
    for _ in range(3):
        scan(actor, number, "TEE")
    scan(actor, number, "A02-05-1")

    with pytest.raises(scanning.TooMany):
        scan(actor, number, "TEE")


def test_a_short_pick_holds_the_orders_for_stock_and_writes_the_missing_units_off(wave, actor):
    number = wave["number"]
    scan(actor, number, "A01-02-1")
    scan(actor, number, "TEE")  # one unit found, for the first order; the bin is then empty

    state = scanning.report_short(number=number, actor=actor("warehouse"))

    first, second = (wave[k] for k in ("first", "second"))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("on_hold", "on_hold")
    hold = second.holds.get(cleared_at__isnull=True)
    assert hold.code == "out_of_stock" and hold.details["short_pick"]["missing"] == 1
    assert not second.reservations.filter(status="active").exists()
    assert set(first.packages.values_list("status", flat=True)) == {"cancelled"}
    # The first order's MUG is no longer to be picked: its package is cancelled. Nothing is left.
    assert state.status == "done" and state.stop is None
    tee = StockLevel.objects.get(sku__code="TEE")
    assert (tee.on_hand, tee.reserved) == (8, 0)  # 10 − 2 missing (3 wanted, 1 found)
    assert second.events.get(action="short_picked").data["missing"] == 1
    assert verify_stock().ok
