"""Refund amount rules without a database: price adjustments, return postage, units adding up to the line."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from oms.aftersales.status import RefundCause, RequestReason
from oms.payments.refund_amounts import (
    LineMoney,
    net_line_amounts,
    price_adjustment_amount,
    return_postage_compensation,
    shipping_refund,
    unit_net_price,
    units_amount,
)

D = Decimal


def test_a_price_adjustment_is_the_difference_times_the_units_to_the_fen():
    assert price_adjustment_amount(unit_difference=D("5.50"), units=3) == D("16.50")
    assert price_adjustment_amount(unit_difference=D("0.01"), units=1) == D("0.01")


def test_a_price_adjustment_of_nothing_is_zero():
    assert price_adjustment_amount(unit_difference=D("0.00"), units=3) == D("0.00")
    assert price_adjustment_amount(unit_difference=D("5.00"), units=0) == D("0.00")


def test_the_unit_net_price_carries_the_lines_share_of_order_discounts():
    nets = net_line_amounts([LineMoney(1, 2, D("118.00"))], D("10.00"))
    assert unit_net_price(net=nets[1], quantity=2) == D("54.00")
    assert unit_net_price(net=D("10.00"), quantity=3) > D("3.33")  # not rounded down: 3.333…


def test_return_postage_is_what_the_buyer_paid_within_what_is_left_of_the_cap():
    assert return_postage_compensation(claimed=D("12.00"), already=D("0.00"), cap=D("20.00")) == D("12.00")
    assert return_postage_compensation(claimed=D("12.00"), already=D("12.00"), cap=D("20.00")) == D("8.00")
    assert return_postage_compensation(claimed=D("5.00"), already=D("20.00"), cap=D("20.00")) == D("0.00")
    assert return_postage_compensation(claimed=D("5.00"), already=D("25.00"), cap=D("20.00")) == D("0.00")


@given(st.integers(1, 30), st.integers(1, 5_000_000), st.lists(st.integers(1, 30), min_size=1, max_size=30))
def test_units_refunded_in_any_number_of_refunds_add_up_to_the_line_net(quantity, net_fen, chunks):
    net = D(net_fen) / 100
    already, total = 0, D("0.00")
    for chunk in chunks:
        units = min(chunk, quantity - already)
        if units <= 0:
            break
        total += units_amount(net=net, quantity=quantity, already=already, units=units)
        already += units
    if already == quantity:
        assert total == net
    else:
        assert total <= net


@given(st.sampled_from(list(RefundCause)), st.sampled_from(list(RequestReason)), st.booleans(),
       st.integers(0, 5000), st.integers(0, 5000))
def test_the_shipping_part_never_exceeds_what_is_left_of_the_fee(cause, reason, all_units, fee_fen, done_fen):
    fee, done = D(fee_fen) / 100, D(done_fen) / 100
    part = shipping_refund(cause=cause, reason=reason, all_units_refunded=all_units, shipping_fee=fee,
                           shipping_already_refunded=done)
    assert D("0.00") <= part <= max(fee - done, D("0.00"))


def test_causes_customer_service_raises_by_hand_get_no_shipping_from_the_rule():
    for cause in (RefundCause.PRICE_ADJUSTMENT, RefundCause.SHIPPING_COMPENSATION):
        assert shipping_refund(cause=cause, reason="", all_units_refunded=True, shipping_fee=D("10.00"),
                               shipping_already_refunded=D("0.00")) == D("0.00")
