"""The mismatch rules finance sees, as pure functions (no database)."""

from decimal import Decimal

from oms.payments.mismatches import order_mismatches, reported_difference

D = Decimal


def flags(**overrides):
    facts = {"payment_status": "paid", "payment_method": "alipay", "paid_amount": D("118.00"),
             "payable_amount": D("118.00"), "transaction_id": "2026112622001"}
    facts.update(overrides)
    return order_mismatches(**facts)


def test_a_fully_paid_order_with_its_transaction_id_has_no_mismatch():
    assert flags() == []


def test_a_paid_amount_other_than_the_payable_amount_is_flagged():
    assert flags(paid_amount=D("108.00")) == ["amount_differs"]


def test_a_paid_non_cod_order_without_transaction_id_is_flagged():
    assert flags(transaction_id="  ") == ["missing_transaction_id"]


def test_a_collected_cod_order_needs_no_transaction_id():
    assert flags(payment_method="cod", transaction_id="") == []


def test_a_completed_cod_order_not_paid_is_cash_not_collected():
    assert flags(payment_method="cod", payment_status="unpaid", paid_amount=D("0")) == ["cod_not_collected"]


def test_several_mismatches_of_one_order_are_all_named():
    assert flags(paid_amount=D("1.00"), transaction_id="") == ["amount_differs", "missing_transaction_id"]


def test_the_reported_difference_is_reported_minus_net_and_none_when_equal_or_missing():
    assert reported_difference(reported=D("100.00"), net=D("118.00")) == D("-18.00")
    assert reported_difference(reported=D("118.00"), net=D("118.00")) is None
    assert reported_difference(reported=None, net=D("118.00")) is None
