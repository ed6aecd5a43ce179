"""Several people raising refunds on one order at once never refund more than was paid (real connections)."""

from decimal import Decimal

import pytest
from django.db import transaction

from oms.accounts.actor import Actor
from oms.aftersales.status import LIVE_REFUND_STATUSES, InvalidAfterSalesTransition, RefundCause, RefundStatus
from oms.orders.entry import lock_order
from oms.payments.models import Refund
from oms.payments.refund_errors import PriceAdjustmentExceedsLine, RefundExceedsPaid, RefundQuantityTooLarge
from oms.payments.refund_flow import approve_refund, execute_refund, raise_price_adjustment
from oms.payments.refunds import raise_refund_locked
from tests.concurrency import run_concurrently
from tests.payments.refund_fixtures import paid_order, place  # noqa: F401

# ruff: noqa: F811

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
WORKERS = 8


def live_total(order) -> Decimal:
    return sum((r.amount for r in Refund.objects.filter(order=order, status__in=LIVE_REFUND_STATUSES)), D("0.00"))


def test_concurrent_price_adjustments_stop_exactly_at_what_was_paid(paid_order, actor):
    order = paid_order()  # paid 118.00
    cs = actor("customer_service")

    def adjust(i):
        try:
            return raise_price_adjustment(order_no=order.order_no, actor=cs, line_no=1, units=1,
                                          unit_difference=D("30.00")).number
        except (RefundExceedsPaid, PriceAdjustmentExceedsLine):
            return None

    results = run_concurrently(WORKERS, adjust)

    assert len([r for r in results if r]) == 3  # 3 × 30.00 fit in the line's net 108.00, a fourth would not
    assert live_total(order) == D("90.00")


def test_concurrent_unit_refunds_take_each_unit_once_and_the_total_stays_within_paid(paid_order):
    order = paid_order()  # one line of 2 units, 54.00 each net

    def refund_one_unit(i):
        try:
            with transaction.atomic():
                locked = lock_order(order.order_no)
                line = locked.lines.get(line_no=1)
                return raise_refund_locked(locked, cause=RefundCause.REFUND_ONLY, actor=Actor.system(),
                                           lines={line.pk: 1}, reason="quality").number
        except (RefundQuantityTooLarge, RefundExceedsPaid):
            return None

    results = run_concurrently(WORKERS, refund_one_unit)

    assert len([r for r in results if r]) == 2
    assert live_total(order) == D("118.00")  # 54.00 + 54.00 + the shipping fee with the last unit
    assert live_total(order) <= order.paid_amount


def test_two_finance_users_executing_one_refund_at_once_pay_it_once(paid_order, actor):
    order = paid_order()
    with transaction.atomic():
        refund = raise_refund_locked(lock_order(order.order_no), cause=RefundCause.CANCELLATION, actor=Actor.system())
    approve_refund(number=refund.number, actor=actor("finance"))
    finance = actor("finance")

    def execute(i):
        try:
            return execute_refund(number=refund.number, actor=finance, adapter="test").status
        except InvalidAfterSalesTransition:
            return None

    results = run_concurrently(4, execute)

    assert [r for r in results if r] == [RefundStatus.SUCCEEDED]
    refund.refresh_from_db()
    assert refund.attempts == 1
