"""Change requests against the database: each kind applied on approval, and the rules around it."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from oms.approvals import services as svc
from oms.approvals.errors import (
    ApprovalRequired,
    ChangeNotAllowed,
    ChangeRequestPending,
    InvalidChangeRequest,
    NotApprover,
    NotPending,
    NotRequester,
    OwnRequest,
    TargetChanged,
    UseChangeAddress,
)
from oms.approvals.status import ChangeStatus
from oms.audit.models import AuditEvent
from oms.inbox.models import Notice
from oms.inventory.models import StockLevel, StockMovement
from oms.inventory.services import adjust_stock
from oms.orders.models import Order
from oms.orders.review.corrections import record_payment
from oms.orders.status import OrderStatus, PaymentStatus
from tests.aftersales.returns_setup import unshipped_order
from tests.approvals.setup import delivered_order, network, second, shipped_order, unpaid_order

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _network():
    network()


def _applied_event(number: str) -> AuditEvent:
    return AuditEvent.objects.get(action="change_applied", data__change_request=number)


def test_approved_amounts_change_is_applied_with_old_and_new_values_in_the_timeline(actor):
    order = delivered_order()  # goods 148, shipping 10, discount 14.80, paid 143.20
    cr = svc.request_change(kind="order_amounts", order_no=order.order_no, actor=actor("customer_service"),
                            reason="运费应免", proposed={"shipping_fee": "0", "paid_amount": "133.20"})
    order.refresh_from_db()
    assert order.shipping_fee == D("10.00")  # nothing changes before approval

    svc.approve_change(number=cr.number, actor=actor("finance"), note="ok")

    order.refresh_from_db()
    assert (order.shipping_fee, order.paid_amount, order.payable_amount) == (D("0.00"), D("133.20"), D("133.20"))
    event = _applied_event(cr.number)
    assert event.order_id == order.pk
    assert event.changes["shipping_fee"] == ["10.00", "0.00"]
    assert event.changes["payable_amount"] == ["143.20", "133.20"]
    cr.refresh_from_db()
    assert cr.status == ChangeStatus.APPROVED and cr.applied_event_id == event.pk


def test_amounts_that_would_leave_a_paid_order_inconsistent_are_refused_at_request(actor):
    order = delivered_order()
    with pytest.raises(ChangeNotAllowed) as caught:
        svc.request_change(kind="order_amounts", order_no=order.order_no, actor=actor("customer_service"),
                           reason="运费应免", proposed={"shipping_fee": "0"})
    assert "paid_amount" in caught.value.details


def test_marking_an_unpaid_order_paid_is_applied_on_approval(actor):
    order = unpaid_order()
    cr = svc.request_change(kind="payment_status", order_no=order.order_no, actor=actor("finance"), reason="银行回单",
                            proposed={"payment_status": "paid", "paid_at": "2026-11-26T10:16:00+08:00",
                                      "transaction_id": "BANK-1"})
    svc.approve_change(number=cr.number, actor=second("finance"))
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PAID
    assert order.paid_amount == order.payable_amount
    assert order.paid_at == datetime(2026, 11, 26, 2, 16, tzinfo=UTC)
    assert _applied_event(cr.number).changes["payment_status"] == ["unpaid", "paid"]


def test_customer_data_after_shipment_is_changed_on_approval(actor):
    order = shipped_order()
    cr = svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                            reason="买家来电更正门牌号", proposed={"ship_detail": "文三路102号"})
    svc.approve_change(number=cr.number, actor=actor("operations"))
    order.refresh_from_db()
    assert order.ship_detail == "文三路102号"
    assert "ship_detail" in _applied_event(cr.number).changes


def test_customer_data_before_shipment_points_to_the_change_address_action(actor):
    order = unshipped_order()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PENDING_SHIPMENT)
    with pytest.raises(UseChangeAddress):
        svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                           reason="改地址", proposed={"ship_detail": "文三路102号"})


def test_customer_data_with_an_invalid_phone_is_refused(actor):
    order = shipped_order()
    with pytest.raises(InvalidChangeRequest) as caught:
        svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                           reason="买家换号", proposed={"ship_phone": "12345"})
    assert "ship_phone" in caught.value.details


def test_a_shipped_order_is_corrected_to_delivered_and_back(actor):
    order = shipped_order()
    first = svc.request_change(kind="status_correction", order_no=order.order_no, actor=actor("logistics"),
                               reason="承运商未回传签收", proposed={"status": "delivered"})
    svc.approve_change(number=first.number, actor=actor("operations"))
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.delivered_at is not None

    back = svc.request_change(kind="status_correction", order_no=order.order_no, actor=actor("logistics"),
                              reason="误报签收", proposed={"status": "shipped"})
    svc.approve_change(number=back.number, actor=actor("operations"))
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and order.delivered_at is None
    assert _applied_event(back.number).changes["status"] == ["delivered", "shipped"]


def test_a_status_correction_outside_the_table_is_refused(actor):
    order = delivered_order(status=OrderStatus.COMPLETED)
    with pytest.raises(ChangeNotAllowed):
        svc.request_change(kind="status_correction", order_no=order.order_no, actor=actor("logistics"),
                           reason="x", proposed={"status": "shipped"})


def test_approving_ones_own_request_is_refused(actor):
    order = delivered_order()
    cr = svc.request_change(kind="order_amounts", order_no=order.order_no, actor=actor("finance"), reason="r",
                            proposed={"discount_total": "4.80", "paid_amount": "153.20"})
    with pytest.raises(OwnRequest) as caught:
        svc.approve_change(number=cr.number, actor=actor("finance"))
    assert caught.value.http_status == 403
    cr.refresh_from_db()
    assert cr.status == ChangeStatus.PENDING


def test_a_role_that_does_not_own_the_kind_cannot_decide_it(actor):
    order = delivered_order()
    cr = svc.request_change(kind="order_amounts", order_no=order.order_no, actor=actor("customer_service"),
                            reason="r", proposed={"discount_total": "4.80", "paid_amount": "153.20"})
    with pytest.raises(NotApprover):
        svc.approve_change(number=cr.number, actor=actor("operations"))
    with pytest.raises(NotApprover):
        svc.reject_change(number=cr.number, actor=actor("logistics"), note="no")


def test_a_request_whose_target_changed_since_is_refused_as_stale(actor):
    order = delivered_order()
    cr = svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                            reason="r", proposed={"ship_detail": "文三路102号"})
    Order.objects.filter(pk=order.pk).update(ship_name="李四")  # changed behind the request's back

    with pytest.raises(TargetChanged):
        svc.approve_change(number=cr.number, actor=actor("operations"))
    order.refresh_from_db()
    assert order.ship_detail == "文三路100号"


def test_a_pending_request_blocks_a_second_one_on_the_same_data_naming_it(actor):
    order = delivered_order()
    cr = svc.request_change(kind="order_amounts", order_no=order.order_no, actor=actor("customer_service"),
                            reason="r", proposed={"discount_total": "4.80", "paid_amount": "153.20"})
    with pytest.raises(ChangeRequestPending) as caught:
        svc.request_change(kind="payment_status", order_no=order.order_no, actor=actor("finance"), reason="r",
                           proposed={"payment_status": "unpaid"})
    assert caught.value.details["change_request"] == cr.number
    # another family of the same order is independent
    svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                       reason="r", proposed={"ship_detail": "文三路102号"})


def test_a_pending_money_request_blocks_recording_a_payment(actor):
    order = unpaid_order()
    cr = svc.request_change(kind="payment_status", order_no=order.order_no, actor=actor("finance"), reason="r",
                            proposed={"payment_status": "paid", "paid_at": "2026-11-26T10:16:00+08:00"})
    with pytest.raises(ChangeRequestPending) as caught:
        record_payment(order_no=order.order_no, actor=actor("customer_service"), method="alipay",
                       amount=order.payable_amount)
    assert caught.value.details["change_request"] == cr.number


def test_a_stock_adjustment_above_the_threshold_is_refused_directly(actor, settings):
    settings.OMS_STOCK_ADJUSTMENT_APPROVAL_ABOVE = 50
    with pytest.raises(ApprovalRequired) as caught:
        adjust_stock(sku_code="TEE", warehouse_code="hz", delta=51, reason="盘盈", actor=actor("warehouse"))
    assert caught.value.code == "approval_required" and caught.value.details["threshold"] == 50
    adjust_stock(sku_code="TEE", warehouse_code="hz", delta=50, reason="盘盈", actor=actor("warehouse"))


def test_a_large_stock_adjustment_is_applied_on_approval_with_a_ledger_row(actor):
    cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="年度盘点",
                            proposed={"sku": "TEE", "warehouse": "hz", "delta": 60})
    svc.approve_change(number=cr.number, actor=actor("operations"))
    level = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
    assert level.on_hand == 70
    move = StockMovement.objects.get(reference=cr.number)
    assert move.on_hand_delta == 60 and move.on_hand_after == 70
    event = _applied_event(cr.number)
    assert event.order_id is None and event.data["sku"] == "TEE" and event.changes["on_hand"] == [10, 70]


def test_a_stock_request_still_applies_its_difference_after_goods_moved_since(actor):
    from oms.inventory.services import receive_stock

    cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="盘点：少 8 件",
                            proposed={"sku": "TEE", "warehouse": "hz", "delta": -8})
    receive_stock(sku_code="TEE", warehouse_code="hz", quantity=5, actor=actor("warehouse"))  # 10 → 15

    svc.approve_change(number=cr.number, actor=actor("operations"))

    assert StockLevel.objects.get(sku__code="TEE", warehouse__code="hz").on_hand == 7
    assert _applied_event(cr.number).changes["on_hand"] == [15, 7]


def test_a_pending_stock_request_blocks_direct_adjustments_of_that_sku_and_warehouse(actor):
    cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="年度盘点",
                            proposed={"sku": "TEE", "warehouse": "hz", "delta": -8})
    with pytest.raises(ChangeRequestPending) as caught:
        adjust_stock(sku_code="TEE", warehouse_code="hz", delta=-1, reason="破损", actor=actor("operations"))
    assert caught.value.details["change_request"] == cr.number
    adjust_stock(sku_code="MUG", warehouse_code="hz", delta=-1, reason="破损", actor=actor("operations"))


def test_the_requester_may_withdraw_and_nobody_else(actor):
    cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="r",
                            proposed={"sku": "TEE", "warehouse": "hz", "delta": 60})
    with pytest.raises(NotRequester):
        svc.withdraw_change(number=cr.number, actor=actor("operations"))
    svc.withdraw_change(number=cr.number, actor=actor("warehouse"))
    with pytest.raises(NotPending):
        svc.approve_change(number=cr.number, actor=actor("operations"))


def test_rejecting_needs_a_note_and_changes_nothing(actor):
    order = shipped_order()
    cr = svc.request_change(kind="status_correction", order_no=order.order_no, actor=actor("logistics"),
                            reason="r", proposed={"status": "delivered"})
    with pytest.raises(InvalidChangeRequest):
        svc.reject_change(number=cr.number, actor=actor("operations"), note=" ")
    svc.reject_change(number=cr.number, actor=actor("operations"), note="承运商已回传")
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    cr.refresh_from_db()
    assert cr.status == ChangeStatus.REJECTED


def test_a_reason_is_required(actor):
    with pytest.raises(InvalidChangeRequest) as caught:
        svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="  ",
                           proposed={"sku": "TEE", "warehouse": "hz", "delta": 60})
    assert "reason" in caught.value.details


def test_the_approving_team_and_then_the_requester_are_told(actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="r",
                                proposed={"sku": "TEE", "warehouse": "hz", "delta": 60})
    assert Notice.objects.filter(team="operations", link=f"/approvals/{cr.number}/").exists()
    with django_capture_on_commit_callbacks(execute=True):
        svc.approve_change(number=cr.number, actor=actor("operations"))
    assert Notice.objects.filter(recipient=actor("warehouse").user, kind="change_request_decided").exists()


def test_the_paid_amount_cannot_drop_below_live_refunds_nor_the_order_become_unpaid(actor):
    from django.db import transaction

    from oms.accounts.actor import Actor
    from oms.aftersales.status import RefundCause
    from oms.payments.refunds import raise_refund_locked

    order = delivered_order()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        raise_refund_locked(locked, cause=RefundCause.PRICE_ADJUSTMENT, actor=Actor.system(),
                            extra_amount=D("100.00"))
    with pytest.raises(ChangeNotAllowed) as caught:
        svc.request_change(kind="order_amounts", order_no=order.order_no, actor=actor("customer_service"),
                           reason="r", proposed={"paid_amount": "99.99"})
    assert caught.value.details["refunded"] == "100.00"
    with pytest.raises(ChangeNotAllowed):
        svc.request_change(kind="payment_status", order_no=order.order_no, actor=actor("finance"), reason="r",
                           proposed={"payment_status": "unpaid"})


def test_a_made_up_request_number_does_not_let_a_large_adjustment_through(actor):
    with pytest.raises(ApprovalRequired):
        adjust_stock(sku_code="TEE", warehouse_code="hz", delta=60, reason="r", actor=actor("operations"),
                     change_request="CR999999")
    assert StockLevel.objects.get(sku__code="TEE", warehouse__code="hz").on_hand == 10
