"""Two people settling the same day at once settle it once (real connections, each its own transaction)."""

import pytest

from oms.orders.models import Order
from oms.payments.errors import NothingToSettle
from oms.payments.models import SettlementBatch, SettlementItem
from oms.payments.services import settle_batch
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_settlements_of_one_day_make_one_batch(completed, day, actor):
    orders = [completed(9 + i) for i in range(6)]
    finance = actor("finance")

    def settle(i):
        try:
            return settle_batch(channel_code="taobao", day=day, actor=finance).sequence
        except NothingToSettle:
            return None

    results = run_concurrently(4, settle)

    assert sorted(r for r in results if r is not None) == [1]
    assert SettlementBatch.objects.count() == 1
    assert SettlementItem.objects.count() == 6
    assert Order.objects.filter(pk__in=[o.pk for o in orders], settled_at__isnull=True).count() == 0
