"""Races on real connections: two approvers at once, and an approval against a direct change of the same data."""

from decimal import Decimal

import pytest

from oms.approvals import services as svc
from oms.approvals.errors import ChangeRequestPending, NotPending
from oms.approvals.models import ChangeRequest
from oms.approvals.status import ChangeStatus
from oms.audit.models import AuditEvent
from oms.inventory.models import StockLevel, StockMovement
from oms.inventory.services import adjust_stock
from oms.orders.models import Order
from tests.approvals.setup import delivered_order, network, second
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_approvers_approving_the_same_stock_request_apply_it_once(actor):
    network()
    cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="年度盘点",
                            proposed={"sku": "TEE", "warehouse": "hz", "delta": 60})
    approvers = [actor("operations"), second("operations")]

    def approve(i):
        try:
            svc.approve_change(number=cr.number, actor=approvers[i])
            return "approved"
        except NotPending:
            return "conflict"

    assert sorted(run_concurrently(2, approve)) == ["approved", "conflict"]
    assert StockLevel.objects.get(sku__code="TEE", warehouse__code="hz").on_hand == 70
    assert StockMovement.objects.filter(reference=cr.number).count() == 1
    assert AuditEvent.objects.filter(action="change_applied", data__change_request=cr.number).count() == 1


def test_two_approvers_approving_the_same_amounts_request_apply_it_once(actor):
    network()
    order = delivered_order()
    cr = svc.request_change(kind="order_amounts", order_no=order.order_no, actor=actor("customer_service"),
                            reason="r", proposed={"shipping_fee": "0", "paid_amount": "133.20"})
    approvers = [actor("finance"), second("finance")]

    def approve(i):
        try:
            svc.approve_change(number=cr.number, actor=approvers[i])
            return "approved"
        except NotPending:
            return "conflict"

    assert sorted(run_concurrently(2, approve)) == ["approved", "conflict"]
    order.refresh_from_db()
    assert order.payable_amount == Decimal("133.20")
    assert AuditEvent.objects.filter(action="change_applied", data__change_request=cr.number).count() == 1


def test_an_approval_racing_a_direct_adjustment_of_the_same_stock_never_loses_either(actor):
    network()
    cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="年度盘点",
                            proposed={"sku": "TEE", "warehouse": "hz", "delta": 60})
    ops, warehouse = actor("operations"), actor("warehouse")

    def act(i):
        if i == 0:
            svc.approve_change(number=cr.number, actor=ops)
            return "approved"
        try:
            adjust_stock(sku_code="TEE", warehouse_code="hz", delta=-1, reason="破损", actor=warehouse)
            return "adjusted"
        except ChangeRequestPending:
            return "refused"

    results = run_concurrently(2, act)

    assert results[0] == "approved"
    level = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
    moves = StockMovement.objects.filter(sku__code="TEE", warehouse__code="hz")
    assert level.on_hand == sum(m.on_hand_delta for m in moves)
    assert level.on_hand == (69 if results[1] == "adjusted" else 70)
    if results[1] == "adjusted":  # allowed only once the request was decided: after the approval's row
        direct = moves.get(reference="")
        assert direct.pk > moves.get(reference=cr.number).pk and direct.kind == "adjustment"
    assert ChangeRequest.objects.get(pk=cr.pk).status == ChangeStatus.APPROVED


def test_an_approval_racing_a_direct_change_of_the_target_applies_on_fresh_data_or_not_at_all(actor):
    network()
    order = delivered_order()
    cr = svc.request_change(kind="customer_data", order_no=order.order_no, actor=actor("customer_service"),
                            reason="r", proposed={"ship_detail": "文三路102号"})
    ops = actor("operations")

    def act(i):
        if i == 0:
            try:
                svc.approve_change(number=cr.number, actor=ops)
                return "approved"
            except Exception as exc:  # the stale check: TargetChanged
                return exc.code
        from django.db import transaction

        with transaction.atomic():  # a direct edit holding the order row lock, like every write action
            locked = Order.objects.select_for_update().get(pk=order.pk)
            locked.ship_name = "李四"
            locked.save(update_fields=["ship_name", "updated_at"])
        return "edited"

    results = run_concurrently(2, act)

    order.refresh_from_db()
    assert order.ship_name == "李四"
    if results[0] == "approved":
        assert order.ship_detail == "文三路102号"
    else:
        assert results[0] == "target_changed" and order.ship_detail == "文三路100号"
