"""Line edits before allocation: money recomputed, refunds on a decrease, a hold for payment on an increase,
stock exact, refused once the order is allocated."""
# ruff: noqa: F811  (`take` and its fixtures come from tests/orders/changes_fixtures.py)

from decimal import Decimal

import pytest

from oms.inventory.models import Reservation, StockLevel
from oms.inventory.verification import verify_stock
from oms.orders import line_edits
from oms.orders.models import Order, OrderDiscount
from oms.orders.review import corrections
from oms.orders.status import OrderStatus
from oms.payments.models import Refund
from tests.orders.changes_fixtures import network, shop, take  # noqa: F401  (fixtures)


def open_holds(order):
    return set(order.holds.filter(cleared_at__isnull=True).values_list("code", flat=True))


def test_a_lower_quantity_recomputes_money_and_raises_an_exact_partial_refund(take, actor):
    order = take(("TEE", 3), worker=False)  # paid 30.00, waiting for review
    assert order.status == OrderStatus.PENDING_REVIEW

    result = line_edits.change_line(order_no=order.order_no, line_no=1, quantity=1, actor=actor("customer_service"))

    order.refresh_from_db()
    assert (order.goods_total, order.payable_amount, order.paid_amount) == (Decimal("10.00"), Decimal("10.00"),
                                                                           Decimal("30.00"))
    refund = Refund.objects.get()
    assert result.refund == refund.number
    assert (refund.cause, refund.amount, refund.shipping_amount, refund.status) == (
        "order_edit", Decimal("20.00"), Decimal("0.00"), "verified")
    assert refund.payment_method == "alipay" and refund.original_transaction_id == order.transaction_id
    event = order.events.get(action="order_line_changed")
    assert event.changes["payable_amount"] == ["30.00", "10.00"]
    assert event.data["lines_before"][0]["quantity"] == 3 and event.data["lines_after"][0]["quantity"] == 1
    assert event.data["refund_amount"] == "20.00"
    assert order.status == OrderStatus.PENDING_SHIPMENT  # reviewed again in the same transaction
    assert order.reservations.get(status="active").quantity == 1
    assert verify_stock().ok


def test_an_added_line_holds_a_paid_order_until_the_top_up_is_recorded(take, actor):
    order = take(("TEE", 1), worker=False)

    line_edits.add_line(order_no=order.order_no, sku="MUG", quantity=2, unit_price="15.50",
                        actor=actor("customer_service"))

    order.refresh_from_db()
    assert order.payable_amount == Decimal("41.00") and order.paid_amount == Decimal("10.00")
    assert order.status == OrderStatus.ON_HOLD and open_holds(order) == {"unpaid"}
    assert order.holds.get(cleared_at__isnull=True).details["problem"] == "paid_short"
    assert not Refund.objects.exists()
    assert order.lines.get(line_no=2).subtotal == Decimal("31.00")

    outcome = corrections.record_payment(order_no=order.order_no, actor=actor("finance"), method="wechat",
                                         amount=Decimal("31.00"), transaction_id="WX-TOPUP-1", top_up=True)

    order.refresh_from_db()
    assert outcome.passed and order.status == OrderStatus.PENDING_SHIPMENT
    assert order.paid_amount == Decimal("41.00")
    assert (order.payment_method, order.transaction_id) == ("alipay", "2026112622001")  # the refund route
    assert order.events.get(action="payment_recorded").data["transaction_id"] == "WX-TOPUP-1"


def test_a_swap_keeps_the_unit_price_unless_a_new_one_is_given(take, actor):
    order = take(("TEE", 2), worker=False, buyer_remark="请加急")  # stays held for its remark

    line_edits.change_line(order_no=order.order_no, line_no=1, sku="MUG", actor=actor("customer_service"))
    line = order.lines.get()
    assert (line.sku_code, line.name, line.unit_price, line.subtotal) == ("MUG", "马克杯", Decimal("10.00"),
                                                                          Decimal("20.00"))
    assert not Refund.objects.exists()

    line_edits.change_line(order_no=order.order_no, line_no=1, unit_price="8.00", actor=actor("customer_service"))
    assert Refund.objects.get().amount == Decimal("4.00")


def test_removing_a_line_keeps_it_in_the_timeline_and_the_last_line_stays(take, actor):
    order = take(("TEE", 1), ("MUG", 1), worker=False, buyer_remark="请加急")

    line_edits.remove_line(order_no=order.order_no, line_no=2, actor=actor("customer_service"))

    assert list(order.lines.values_list("line_no", flat=True)) == [1]
    assert order.events.get(action="order_line_removed").data["removed"]["sku"] == "MUG"
    with pytest.raises(line_edits.LastLine):
        line_edits.remove_line(order_no=order.order_no, line_no=1, actor=actor("customer_service"))


def test_discounts_are_kept_but_never_above_the_goods(take, actor):
    order = take(("TEE", 3), worker=False, discounts=[{"kind": "manual", "amount": "25.00"}], paid_amount="5.00")

    line_edits.change_line(order_no=order.order_no, line_no=1, quantity=2, actor=actor("customer_service"))

    order.refresh_from_db()
    assert (order.goods_total, order.discount_total, order.payable_amount) == (
        Decimal("20.00"), Decimal("20.00"), Decimal("0.00"))
    assert OrderDiscount.objects.get(order=order).amount == Decimal("25.00")
    assert Refund.objects.get().amount == Decimal("5.00")


def test_bad_input_names_the_fields_and_changes_nothing(take, actor):
    order = take(("TEE", 1), worker=False)

    with pytest.raises(line_edits.InvalidLineEdit) as exc:
        line_edits.add_line(order_no=order.order_no, sku="OLD", quantity=0, unit_price="1.234",
                            actor=actor("customer_service"))
    assert set(exc.value.details) == {"sku", "quantity", "unit_price"}
    with pytest.raises(line_edits.LineNotFound):
        line_edits.change_line(order_no=order.order_no, line_no=9, quantity=2, actor=actor("customer_service"))
    assert order.lines.count() == 1 and not order.events.filter(action__startswith="order_line").exists()


def test_lines_cannot_be_edited_once_the_order_is_allocated(take, actor):
    order = take(("TEE", 1))
    assert order.status == OrderStatus.PENDING_SHIPMENT

    with pytest.raises(line_edits.LinesNotEditable) as exc:
        line_edits.change_line(order_no=order.order_no, line_no=1, quantity=2, actor=actor("customer_service"))

    assert exc.value.http_status == 409 and exc.value.details["status"] == "pending_shipment"
    assert order.lines.get().quantity == 1


def test_held_stock_is_released_and_reserved_again_for_the_new_lines(take, actor):
    order = take(("TEE", 4), worker=False)
    line_edits.change_line(order_no=order.order_no, line_no=1, quantity=3, actor=actor("customer_service"))
    # Put it back on hold with its stock still reserved, as a person holding an approved order would.
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.ON_HOLD)

    line_edits.change_line(order_no=order.order_no, line_no=1, quantity=2, actor=actor("customer_service"))

    active = Reservation.objects.filter(order=order, status="active")
    assert [r.quantity for r in active] == [2]
    assert StockLevel.objects.get(sku__code="TEE", warehouse__code="hz").reserved == 2
    assert verify_stock().ok


def test_an_increase_after_an_edit_refund_is_refused(take, actor):
    order = take(("TEE", 3), worker=False)
    line_edits.change_line(order_no=order.order_no, line_no=1, quantity=1, actor=actor("customer_service"))
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.ON_HOLD)
    Reservation.objects.filter(order=order).delete()  # keep the ledger out of this money-only check
    with pytest.raises(line_edits.RefundUnderWay):
        line_edits.change_line(order_no=order.order_no, line_no=1, quantity=3, actor=actor("customer_service"))


def test_a_top_up_above_what_is_still_owed_is_refused_and_nothing_changes(take, actor):
    order = take(("TEE", 1), worker=False)
    line_edits.add_line(order_no=order.order_no, sku="MUG", quantity=1, unit_price="5.00",
                        actor=actor("customer_service"))  # 5.00 now owed

    with pytest.raises(corrections.InvalidCorrection) as refused:
        corrections.record_payment(order_no=order.order_no, actor=actor("finance"), method="wechat",
                                   amount=Decimal("50.00"), transaction_id="WX-TOO-MUCH", top_up=True)

    assert refused.value.details["owed"] == "5.00"
    order.refresh_from_db()
    assert order.paid_amount == Decimal("10.00")
    assert not order.events.filter(action="payment_recorded").exists()


def test_a_line_with_units_held_back_by_an_out_of_stock_choice_cannot_be_edited(take, actor):
    from oms.orders.stock_choice_models import WithheldState, WithheldUnits

    order = take(("TEE", 3), ("MUG", 1), worker=False)
    line = order.lines.get(line_no=1)
    WithheldUnits.objects.create(order=order, line=line, quantity=1, state=WithheldState.CANCELLED)

    with pytest.raises(line_edits.LineUnitsSettled):
        line_edits.change_line(order_no=order.order_no, line_no=1, quantity=1, actor=actor("customer_service"))
    with pytest.raises(line_edits.LineHasHistory):
        line_edits.remove_line(order_no=order.order_no, line_no=1, actor=actor("customer_service"))

    assert order.lines.get(line_no=1).quantity == 3 and not Refund.objects.exists()
