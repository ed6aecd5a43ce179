"""Several people starting waves in one warehouse at once never put a package on two pick lists."""

import pytest

from oms.fulfillment.models import Package, PickList
from oms.fulfillment.picking import NothingToPick, WaveRules, create_pick_list
from tests.concurrency import run_concurrently

from .conftest import receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("network")]


def test_concurrent_waves_share_out_the_waiting_packages_without_overlap(push, actor):
    receive(actor, "TEE", "hz", 50)
    orders = [push(("TEE", 1)) for _ in range(12)]
    keeper = actor("warehouse")

    def start_wave(i):
        try:
            return create_pick_list(warehouse_code="hz", actor=keeper, rules=WaveRules(max_lines=3)).number
        except NothingToPick:
            return None

    numbers = [n for n in run_concurrently(6, start_wave) if n]

    assert len(numbers) == len(set(numbers)) == PickList.objects.count() == 4  # 12 one-line packages, 3 a wave
    on_lists = list(Package.objects.filter(order__in=orders, pick_list__isnull=False).values_list("pk", flat=True))
    assert len(on_lists) == len(set(on_lists)) == 3 * len(numbers)
    per_list = [PickList.objects.get(number=n).lines.count() for n in numbers]
    assert all(count == 3 for count in per_list)
