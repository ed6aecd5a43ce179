"""Two sweeps at once (two workers) open each deadline once and send each notice once."""

from datetime import timedelta

import pytest

from oms.inbox.models import Notice
from oms.timeliness.deadlines import Step
from oms.timeliness.models import Deadline
from oms.timeliness.sweep import sweep
from tests.concurrency import run_concurrently
from tests.timeliness.conftest import shanghai

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY_9 = shanghai(2026, 11, 23, 9, 0)


def test_two_sweeps_at_once_open_each_deadline_once_and_notify_once(paid_order):
    orders = [paid_order(MONDAY_9 + timedelta(minutes=i)) for i in range(6)]
    now = MONDAY_9 + timedelta(hours=47)

    results = run_concurrently(2, lambda i: sweep(now=now, batch_size=2))

    assert Deadline.objects.filter(step=Step.SHIPMENT).count() == 6
    assert Notice.objects.filter(team="warehouse", kind="deadline_at_risk").count() == 6
    assert sum(r.notices["at_risk"] for r in results) == 6
    assert {n.order_id for n in Notice.objects.filter(kind="deadline_at_risk")} == {o.pk for o in orders}
