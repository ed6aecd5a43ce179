"""The kinds' validation of proposed values: pure, no database."""

import pytest

from oms.approvals.errors import InvalidChangeRequest
from oms.approvals.kinds import (
    CORRECTIONS,
    KINDS,
    clean_amounts,
    clean_customer,
    clean_payment,
    clean_status,
    clean_stock,
)
from oms.approvals.status import TRANSITIONS, ChangeStatus
from oms.orders.status import OrderStatus


def test_amounts_are_normalised_to_two_decimals():
    assert clean_amounts({"shipping_fee": "8", "paid_amount": "120.5"}) == {"shipping_fee": "8.00",
                                                                          "paid_amount": "120.50"}


@pytest.mark.parametrize("value", ["-1.00", "1.234", "abc", 1.5, True, None, ""])
def test_negative_malformed_or_inexact_amounts_are_refused(value):
    with pytest.raises(InvalidChangeRequest) as caught:
        clean_amounts({"discount_total": value})
    assert "discount_total" in caught.value.details


def test_an_amounts_request_cannot_name_other_fields():
    with pytest.raises(InvalidChangeRequest) as caught:
        clean_amounts({"goods_total": "1.00"})
    assert "goods_total" in caught.value.details


def test_an_empty_proposal_is_refused():
    with pytest.raises(InvalidChangeRequest):
        clean_amounts({})


def test_marking_paid_needs_a_time_with_its_zone():
    with pytest.raises(InvalidChangeRequest) as caught:
        clean_payment({"payment_status": "paid", "paid_at": "2026-11-26 10:00"})
    assert "paid_at" in caught.value.details


def test_marking_unpaid_takes_no_payment_details():
    assert clean_payment({"payment_status": "unpaid"}) == {"payment_status": "unpaid"}
    with pytest.raises(InvalidChangeRequest) as caught:
        clean_payment({"payment_status": "unpaid", "transaction_id": "T1"})
    assert "transaction_id" in caught.value.details


def test_customer_values_are_stripped_and_required_ones_cannot_be_blanked():
    assert clean_customer({"ship_detail": "  文三路1号 "}) == {"ship_detail": "文三路1号"}
    with pytest.raises(InvalidChangeRequest) as caught:
        clean_customer({"ship_name": "  "})
    assert "ship_name" in caught.value.details


def test_status_corrections_are_only_those_of_the_table():
    assert clean_status({"status": "delivered"}) == {"status": "delivered"}
    with pytest.raises(InvalidChangeRequest):
        clean_status({"status": "completed"})
    assert (OrderStatus.SHIPPED, OrderStatus.DELIVERED) in CORRECTIONS
    assert all(b != OrderStatus.COMPLETED for _a, b in CORRECTIONS)


@pytest.mark.parametrize("delta", [0, "x", 1.5, True])
def test_a_stock_adjustment_needs_a_whole_non_zero_delta(delta):
    with pytest.raises(InvalidChangeRequest) as caught:
        clean_stock({"sku": "TEE", "warehouse": "hz", "delta": delta})
    assert "delta" in caught.value.details


def test_finance_approves_money_and_operations_the_rest():
    assert {KINDS[k].approver_role for k in ("order_amounts", "payment_status")} == {"finance"}
    assert {KINDS[k].approver_role for k in ("customer_data", "status_correction", "stock_adjustment")} == {
        "operations"}


def test_decided_requests_cannot_move_again():
    assert TRANSITIONS[ChangeStatus.PENDING] == {ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN}
    assert all(not TRANSITIONS[s] for s in (ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN))
