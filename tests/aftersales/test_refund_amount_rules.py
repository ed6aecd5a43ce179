"""Refund amounts: pro-rated discounts and the shipping rule, without a database."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from oms.aftersales.status import RefundCause, RequestReason
from oms.payments.refund_amounts import LineMoney, net_line_amounts, shipping_refund, units_amount

D = Decimal


def test_a_discount_is_spread_over_the_lines_by_subtotal_to_the_fen():
    nets = net_line_amounts([LineMoney(1, 1, D("100.00")), LineMoney(2, 2, D("50.00"))], D("10.00"))
    assert nets == {1: D("93.33"), 2: D("46.67")}


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 100_000)), min_size=1, max_size=6),
       st.integers(0, 100))
def test_net_line_amounts_always_add_up_to_goods_minus_discounts(lines, discount_percent):
    money = [LineMoney(i, qty, D(fen) / 100) for i, (qty, fen) in enumerate(lines)]
    goods = sum(m.subtotal for m in money)
    discount = (goods * discount_percent / 100).quantize(D("0.01"))
    nets = net_line_amounts(money, discount)
    assert sum(nets.values()) == goods - discount
    assert all(v >= 0 for v in nets.values())


@given(st.integers(1, 20), st.integers(1, 10_000_000), st.data())
def test_refunding_a_line_unit_by_unit_adds_up_to_its_net_amount(quantity, net_fen, data):
    net = D(net_fen) / 100
    chunks, left = [], quantity
    while left:
        take = data.draw(st.integers(1, left))
        chunks.append(take)
        left -= take
    done, total = 0, D("0")
    for take in chunks:
        total += units_amount(net=net, quantity=quantity, already=done, units=take)
        done += take
    assert total == net


def test_a_no_reason_return_keeps_the_shipping_fee_and_a_wrong_item_gives_it_back():
    common = dict(all_units_refunded=True, shipping_fee=D("10.00"), shipping_already_refunded=D("0"))
    assert shipping_refund(cause=RefundCause.RETURN, reason=RequestReason.NO_REASON, **common) == D("0")
    assert shipping_refund(cause=RefundCause.RETURN, reason=RequestReason.WRONG_ITEM, **common) == D("10.00")


def test_shipping_is_refunded_only_once_and_only_when_every_unit_is():
    assert shipping_refund(cause=RefundCause.PARTIAL_CANCELLATION, reason="", all_units_refunded=False,
                           shipping_fee=D("10.00"), shipping_already_refunded=D("0")) == D("0")
    assert shipping_refund(cause=RefundCause.CANCELLATION, reason="", all_units_refunded=True,
                           shipping_fee=D("10.00"), shipping_already_refunded=D("10.00")) == D("0")
