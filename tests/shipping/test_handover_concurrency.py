"""Hand-overs at the same moment: every unit leaves the ledger once, and a parcel lands on one list only."""

import pytest

from oms.core.errors import ApplicationError
from oms.fulfillment.models import Package
from oms.inventory.models import StockLevel
from oms.inventory.verification import verify_stock
from oms.shipping import handover
from tests.concurrency import run_concurrently
from tests.fulfillment.conftest import network, push  # noqa: F401  (fixtures)

from .test_handover import packed  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("network")]


def test_lists_handed_over_at_once_ship_every_parcel_once_and_the_ledger_balances(packed, actor):  # noqa: F811
    keeper = actor("warehouse")
    parcels = [packed(("TEE", 1), ("MUG", 1))[1] for _ in range(6)]
    lists = []
    for i in range(3):
        ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
        for j, number in enumerate(parcels[2 * i:2 * i + 2]):
            handover.scan_onto_list(list_number=ho.number, code=number, tracking_no=f"7300000000{i}{j}",
                                    actor=keeper)
        lists.append(ho.number)

    run_concurrently(3, lambda i: handover.hand_over(list_number=lists[i], actor=keeper))

    assert set(Package.objects.filter(number__in=parcels).values_list("status", flat=True)) == {"shipped"}
    tee = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
    assert (tee.on_hand, tee.reserved) == (10 - 6, 0)
    assert verify_stock().ok


def test_one_parcel_scanned_onto_two_lists_at_once_lands_on_one(packed, actor):  # noqa: F811
    keeper = actor("warehouse")
    _order, number = packed(("TEE", 1))
    lists = [handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper).number
             for _ in range(4)]

    def scan(i):
        try:
            handover.scan_onto_list(list_number=lists[i], code=number, tracking_no="731234567890", actor=keeper)
            return "added"
        except ApplicationError as exc:
            return exc.code

    outcomes = run_concurrently(4, scan)

    assert outcomes.count("added") == 1 and set(outcomes) <= {"added", "on_another_list"}
    assert Package.objects.get(number=number).handover_list.number == lists[outcomes.index("added")]
