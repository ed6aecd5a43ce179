"""Paid orders with refunds at each step, for the refund flow's tests (service, API, pages)."""

from __future__ import annotations

import pytest
from django.db import transaction

from oms.accounts.actor import Actor
from oms.aftersales.status import RefundCause
from oms.orders.entry import lock_order
from oms.payments.refunds import raise_refund_locked
from tests.orders.completion_fixtures import place  # noqa: F401  (fixture)

# ruff: noqa: F811  (fixtures take the imported `place` fixture)


@pytest.fixture
def paid_order(place):
    """paid_order(status="pending_shipment", **fields) -> an order paid 118.00 (2 × 59.00 + 10.00 shipping − 10.00)."""

    def make(status: str = "pending_shipment", **fields):
        return place(status=status, **fields)

    return make


@pytest.fixture
def second_finance(make_user):
    return make_user("finance2", "finance")


@pytest.fixture
def raised(paid_order, actor):
    """raised(cause=RETURN, units=1, order=None, by="customer_service") -> a requested refund (54.00 a unit)."""

    def make(*, cause: str = RefundCause.REFUND_ONLY, units: int = 1, order=None, by: str | None = "customer_service",
             reason: str = "quality"):
        order = order or paid_order()
        who = actor(by) if by else Actor.system()
        with transaction.atomic():
            locked = lock_order(order.order_no)
            line = locked.lines.get(line_no=1)
            return raise_refund_locked(locked, cause=cause, actor=who, lines={line.pk: units}, reason=reason)

    return make
