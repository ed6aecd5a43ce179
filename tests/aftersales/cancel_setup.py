"""Shared set-up of the cancellation and interception tests: orders at each warehouse step."""

import pytest

from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.shipping import handover
from tests.fulfillment.conftest import network, push, receive  # noqa: F401  (fixtures)
from tests.shipping.test_handover import packed  # noqa: F401  (fixture)


@pytest.fixture
def on_pick_list(packed, push, actor):  # noqa: F811  (fixtures; `packed` sets up bins, boxes and stock)
    """An order whose package is on a pick list (picking started, nothing picked yet)."""
    packed  # noqa: B018  (bins, box and stock)

    def make(*lines):
        order = push(*lines)
        package = order.packages.get().number
        create_pick_list(warehouse_code="hz", actor=actor("warehouse"), rules=WaveRules(package_numbers=(package,)))
        return order, package

    return make


def ship(actor, package: str, tracking_no: str = "731234567890") -> None:
    keeper = actor("warehouse")
    ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
    handover.scan_onto_list(list_number=ho.number, code=package, tracking_no=tracking_no, actor=keeper)
    handover.hand_over(list_number=ho.number, actor=keeper)
