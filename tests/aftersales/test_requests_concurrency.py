"""Two people asking for the same units at once never over-request them (real connections, the order row lock)."""

import pytest
from django.db.models import Sum

from oms.accounts.actor import Actor
from oms.aftersales import requests as svc
from oms.aftersales.errors import QuantityNotAvailable
from oms.aftersales.models import AfterSalesLine
from tests.aftersales.returns_setup import delivered_order, network
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_requests_for_the_same_units_leave_at_most_the_line_quantity_requested(users):
    network()
    order = delivered_order()  # line 1: 2 × TEE
    people = [Actor.of(users["customer_service"]), Actor.of(users["operations"])] * 2

    def ask(i):
        try:
            return svc.submit_request(order_no=order.order_no, kind="return_refund", reason="quality",
                                      actor=people[i], lines=[svc.LineInput(line_no=1, quantity=2)]).number
        except QuantityNotAvailable:
            return None

    results = run_concurrently(4, ask)

    assert len([r for r in results if r]) == 1
    requested = AfterSalesLine.objects.filter(line__order=order, line__line_no=1).aggregate(n=Sum("quantity"))["n"]
    assert requested == 2
