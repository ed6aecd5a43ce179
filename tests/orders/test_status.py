import pytest

from oms.orders.status import (
    TRANSITIONS,
    InvalidTransition,
    OrderStatus,
    check_transition,
    intake_status,
)


def test_every_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(OrderStatus.values)


def test_a_cancelled_order_cannot_move_anywhere():
    for status in OrderStatus.values:
        with pytest.raises(InvalidTransition):
            check_transition(OrderStatus.CANCELLED, status)


def test_a_shipped_order_cannot_be_cancelled():
    with pytest.raises(InvalidTransition):
        check_transition(OrderStatus.SHIPPED, OrderStatus.CANCELLED)


def test_paid_and_cash_on_delivery_orders_start_in_review_and_unpaid_ones_wait_for_payment():
    assert intake_status(payment_status="paid", payment_method="alipay") == OrderStatus.PENDING_REVIEW
    assert intake_status(payment_status="unpaid", payment_method="cod") == OrderStatus.PENDING_REVIEW
    assert intake_status(payment_status="unpaid", payment_method="alipay") == OrderStatus.PENDING_PAYMENT
