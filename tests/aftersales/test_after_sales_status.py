"""The after-sales transition tables and the derived after-sales state: pure rules, no database."""

from decimal import Decimal

import pytest

from oms.aftersales.status import (
    REFUND_TRANSITIONS,
    REQUEST_TRANSITIONS,
    AfterSalesStatus,
    InvalidAfterSalesTransition,
    RefundStatus,
    RequestStatus,
    check_refund_transition,
    check_request_transition,
    derived_after_sales_status,
)


def _state(**kw):
    base = dict(open_requests=0, refunds_in_progress=0, refunded=Decimal("0"), paid=Decimal("100.00"),
                returned_units=0, shipped_units=3)
    return derived_after_sales_status(**{**base, **kw})


def test_every_status_has_a_row_in_its_table():
    assert set(REQUEST_TRANSITIONS) == set(RequestStatus.values)
    assert set(REFUND_TRANSITIONS) == set(RefundStatus.values)


def test_a_refund_cannot_be_issued_without_finance_approval():
    with pytest.raises(InvalidAfterSalesTransition):
        check_refund_transition(RefundStatus.VERIFIED, RefundStatus.SUCCEEDED)
    with pytest.raises(InvalidAfterSalesTransition):
        check_refund_transition(RefundStatus.REQUESTED, RefundStatus.APPROVED)
    check_refund_transition(RefundStatus.APPROVED, RefundStatus.SUCCEEDED)


def test_a_failed_refund_can_be_retried_but_a_succeeded_one_is_final():
    check_refund_transition(RefundStatus.FAILED, RefundStatus.SUCCEEDED)
    assert REFUND_TRANSITIONS[RefundStatus.SUCCEEDED] == set()


def test_a_rejected_request_cannot_be_approved_later():
    with pytest.raises(InvalidAfterSalesTransition):
        check_request_transition(RequestStatus.REJECTED, RequestStatus.APPROVED)


def test_an_order_with_no_requests_or_refunds_has_no_after_sales_state():
    assert _state() == AfterSalesStatus.NONE


def test_an_open_request_or_a_refund_under_way_means_in_progress():
    assert _state(open_requests=1) == AfterSalesStatus.IN_PROGRESS
    assert _state(refunds_in_progress=1, refunded=Decimal("100.00")) == AfterSalesStatus.IN_PROGRESS


def test_refunds_below_the_paid_amount_are_a_partial_refund_and_the_whole_amount_a_refund():
    assert _state(refunded=Decimal("30.00")) == AfterSalesStatus.PARTIALLY_REFUNDED
    assert _state(refunded=Decimal("100.00")) == AfterSalesStatus.REFUNDED


def test_every_shipped_unit_back_in_the_warehouse_means_returned():
    assert _state(returned_units=3, refunded=Decimal("100.00")) == AfterSalesStatus.RETURNED
    assert _state(returned_units=2, refunded=Decimal("60.00")) == AfterSalesStatus.PARTIALLY_REFUNDED
