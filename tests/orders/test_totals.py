"""Money rules without the database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.core.money import InvalidMoney, from_fen, parse_money, to_fen
from oms.orders.totals import compute_totals, totals_problems

D = Decimal


def test_payable_is_goods_plus_shipping_minus_discounts():
    totals = compute_totals(lines=[(2, D("59.00")), (1, D("0.10"))], shipping_fee=D("10.00"), discounts=[D("10.00")])
    assert totals.goods_total == D("118.10")
    assert totals.payable == D("118.10")


def test_discounts_above_goods_total_are_a_problem():
    totals = compute_totals(lines=[(1, D("5.00"))], shipping_fee=D("0"), discounts=[D("6.00")])
    assert "discounts" in totals_problems(totals, paid=False, paid_amount=D("0"))


def test_a_paid_order_must_have_paid_exactly_the_payable_amount():
    totals = compute_totals(lines=[(1, D("5.00"))], shipping_fee=D("1.00"), discounts=[])
    assert "paid_amount" in totals_problems(totals, paid=True, paid_amount=D("5.00"))
    assert totals_problems(totals, paid=True, paid_amount=D("6.00")) == {}


def test_an_unpaid_order_may_not_carry_more_than_the_payable_amount():
    totals = compute_totals(lines=[(1, D("5.00"))], shipping_fee=D("0"), discounts=[])
    assert "paid_amount" in totals_problems(totals, paid=False, paid_amount=D("5.01"))


@pytest.mark.parametrize("bad", [59.0, "59.001", "abc", "", None, True, "NaN", "Infinity", [1], "1e100000", "-9e999"])
def test_money_refuses_floats_and_non_decimals(bad):
    with pytest.raises(InvalidMoney):
        parse_money(bad)


@given(st.decimals(min_value=D("-99999999.99"), max_value=D("99999999.99"), places=2))
def test_money_survives_the_round_trip_through_fen(amount):
    assert from_fen(to_fen(amount)) == amount


@given(st.lists(st.tuples(st.integers(1, 999), st.decimals(min_value=0, max_value=D("99999.99"), places=2)),
                min_size=1, max_size=20))
def test_goods_total_is_the_exact_sum_of_line_subtotals(lines):
    totals = compute_totals(lines=lines, shipping_fee=D("0.00"), discounts=[])
    assert totals.goods_total == sum((q * p for q, p in lines), D("0"))
