"""After-sales requests against the database: submit, approve, reject, withdraw, with their refusals."""

from datetime import timedelta
from decimal import Decimal

import pytest

from oms.accounts.actor import Actor
from oms.aftersales import requests as svc
from oms.aftersales.errors import (
    InvalidRequestInput,
    NotEligible,
    NotShippedUseCancellation,
    OverrideNeedsSupervisor,
    QuantityNotAvailable,
)
from oms.aftersales.models import AfterSalesRequest
from oms.aftersales.status import InvalidAfterSalesTransition, RefundCause, RequestStatus
from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied
from oms.notifications.models import Message, OutboxMessage
from oms.notifications.outbox import deliver_pending
from oms.orders.errors import ChannelNotAllowed
from oms.payments.models import Refund
from tests.aftersales.returns_setup import delivered_order, network, unshipped_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def net(db):
    return network()


@pytest.fixture
def cs(users):
    return Actor.of(users["customer_service"])


@pytest.fixture
def supervisor(users):
    return Actor.of(users["operations"])


def submit(order, actor, *, kind="return_refund", reason="quality", lines=((1, 1),), **kw):
    return svc.submit_request(order_no=order.order_no, kind=kind, reason=reason, actor=actor,
                              lines=[svc.LineInput(line_no=n, quantity=q) for n, q in lines], **kw)


def test_a_request_within_the_rules_is_submitted_with_its_number_lines_and_a_timeline_event(net, cs):
    order = delivered_order()
    request = submit(order, cs, description="领口开线", lines=((1, 2), (2, 1)))
    assert request.number.startswith(f"AS{order.order_no}-") and request.status == RequestStatus.SUBMITTED
    assert [(al.line.line_no, al.quantity) for al in request.lines.order_by("line__line_no")] == [(1, 2), (2, 1)]
    assert request.ineligible == [] and request.via == "back_office"
    event = AuditEvent.objects.get(order=order, action="after_sales_requested")
    assert event.data["request"] == request.number and event.reason == "quality"
    order.refresh_from_db()
    assert order.after_sales_status == "in_progress"


def test_a_late_no_reason_return_is_refused_with_its_findings(net, cs):
    order = delivered_order(days_ago=10)
    with pytest.raises(NotEligible) as caught:
        submit(order, cs, reason="no_reason")
    assert caught.value.http_status == 422
    assert [f["code"] for f in caught.value.details["findings"]] == ["outside_no_reason_window"]
    assert not AfterSalesRequest.objects.exists()


def test_customer_service_cannot_accept_a_request_outside_the_rules(net, cs):
    order = delivered_order(days_ago=10)
    with pytest.raises(OverrideNeedsSupervisor):
        submit(order, cs, reason="no_reason", override_reason="老客户")


def test_a_supervisor_accepts_a_request_outside_the_rules_with_a_reason(net, supervisor):
    order = delivered_order(days_ago=10)
    request = submit(order, supervisor, reason="no_reason", override_reason="老客户，特批")
    assert request.override_reason == "老客户，特批" and request.override_by_id == supervisor.user_id
    assert [f["code"] for f in request.ineligible] == ["outside_no_reason_window"]
    event = AuditEvent.objects.get(order=order, action="after_sales_requested")
    assert event.data["override_reason"] == "老客户，特批"


def test_more_units_than_the_line_has_left_are_refused_even_for_a_supervisor(net, cs, supervisor):
    order = delivered_order()
    submit(order, cs, lines=((1, 2),))
    with pytest.raises(QuantityNotAvailable) as caught:
        submit(order, supervisor, lines=((1, 1),), override_reason="试试")
    assert caught.value.details["lines"] == [{"line_no": 1, "asked": 1, "left": 0}]


def test_an_order_that_has_not_shipped_points_to_cancellation(net, cs):
    with pytest.raises(NotShippedUseCancellation):
        submit(unshipped_order(), cs)


def test_unknown_lines_and_exchange_fields_on_a_return_are_bad_input(net, cs):
    order = delivered_order()
    with pytest.raises(InvalidRequestInput) as caught:
        submit(order, cs, lines=((9, 1),))
    assert "lines" in caught.value.details
    with pytest.raises(InvalidRequestInput):
        svc.submit_request(order_no=order.order_no, kind="return_refund", reason="quality", actor=cs,
                           lines=[svc.LineInput(line_no=1, quantity=1, exchange_sku="TEE-L")])
    with pytest.raises(InvalidRequestInput) as caught:
        svc.parse_lines([{"line_no": "1", "quantity": 0}])
    assert set(caught.value.details) == {"lines[0].line_no", "lines[0].quantity"}


def test_warehouse_staff_cannot_open_requests(net, users):
    with pytest.raises(PermissionDenied):
        submit(delivered_order(), Actor.of(users["warehouse"]))


def test_a_channel_client_can_only_open_requests_for_its_own_channels(net, users):
    order = delivered_order()
    shop = users["integration"]
    shop.all_channels = False
    shop.save()
    with pytest.raises(ChannelNotAllowed):
        submit(order, Actor.of(shop))
    shop.channels.add(order.channel)
    assert submit(order, Actor.of(shop), via="channel").via == "channel"


def test_approving_a_return_sends_the_buyer_the_return_address_and_number_through_the_outbox(net, cs, settings):
    settings.OMS_RETURN_CONTACT = "售后组 0571-88886666"
    order = delivered_order()
    request = submit(order, cs)
    svc.approve_request(number=request.number, actor=cs)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.return_warehouse.code == "hz"
    payload = OutboxMessage.objects.get(topic="after_sales.approved").payload
    assert payload["return_address"] == "杭州仓 售后组 0571-88886666 浙江省杭州市余杭区文一西路1500号"
    assert payload["request_no"] == request.number
    deliver_pending()
    messages = Message.objects.filter(order=order, event="return_approved")
    assert messages.exists()
    assert all(request.number in m.body and "文一西路1500号" in m.body for m in messages)
    assert AuditEvent.objects.get(order=order, action="after_sales_approved").data["return_warehouse"] == "hz"


def test_approval_may_name_another_receiving_warehouse(net, cs):
    request = submit(delivered_order(), cs)
    svc.approve_request(number=request.number, actor=cs, return_warehouse="sh")
    request.refresh_from_db()
    assert request.return_warehouse.code == "sh"


def test_approving_a_refund_only_request_raises_its_refund_and_completes(net, cs):
    order = delivered_order()
    request = submit(order, cs, kind="refund_only", reason="quality", lines=((2, 1),))
    svc.approve_request(number=request.number, actor=cs)
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    refund = Refund.objects.get(request=request)
    assert refund.cause == RefundCause.REFUND_ONLY and refund.amount == Decimal("27.00")
    assert not OutboxMessage.objects.filter(topic="after_sales.approved").exists()


def test_refund_only_for_a_parcel_still_on_the_road(net, cs):
    order = delivered_order(delivered=False, status="shipped")
    request = submit(order, cs, kind="refund_only", reason="not_received", lines=((1, 2), (2, 1)))
    svc.approve_request(number=request.number, actor=cs)
    refund = Refund.objects.get(request=request)
    assert refund.amount == order.paid_amount  # every unit, and the shipping fee: the seller's side failed


def test_rejecting_needs_a_reason_and_tells_the_buyer(net, cs):
    order = delivered_order()
    request = submit(order, cs)
    with pytest.raises(Exception) as caught:
        svc.reject_request(number=request.number, actor=cs, reason="  ")
    assert "reason" in caught.value.details
    svc.reject_request(number=request.number, actor=cs, reason="照片显示为人为损坏")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED and request.reject_reason == "照片显示为人为损坏"
    deliver_pending()
    assert all("人为损坏" in m.body for m in Message.objects.filter(order=order, event="after_sales_rejected"))
    assert Message.objects.filter(order=order, event="after_sales_rejected").exists()
    order.refresh_from_db()
    assert order.after_sales_status == ""


def test_a_rejected_request_cannot_be_approved_or_withdrawn(net, cs):
    request = submit(delivered_order(), cs)
    svc.reject_request(number=request.number, actor=cs, reason="不符合")
    with pytest.raises(InvalidAfterSalesTransition):
        svc.approve_request(number=request.number, actor=cs)
    with pytest.raises(InvalidAfterSalesTransition):
        svc.withdraw_request(number=request.number, actor=cs)


def test_withdrawing_frees_the_units_for_a_new_request(net, cs):
    order = delivered_order()
    first = submit(order, cs, lines=((1, 2),))
    svc.approve_request(number=first.number, actor=cs)
    svc.withdraw_request(number=first.number, actor=cs, note="买家不退了")
    assert AfterSalesRequest.objects.get(pk=first.pk).status == RequestStatus.WITHDRAWN
    assert submit(order, cs, lines=((1, 2),)).status == RequestStatus.SUBMITTED


def test_approval_measures_the_window_when_the_buyer_asked_not_when_cs_gets_to_it(net, cs):
    order = delivered_order(days_ago=6)
    request = submit(order, cs, reason="no_reason")
    # CS reviews three days later: day 9 after delivery, but the buyer asked on day 6.
    AfterSalesRequest.objects.filter(pk=request.pk).update(created_at=request.created_at - timedelta(days=3))
    type(order).objects.filter(pk=order.pk).update(delivered_at=order.delivered_at - timedelta(days=3))
    svc.approve_request(number=request.number, actor=cs)
    assert AfterSalesRequest.objects.get(pk=request.pk).status == RequestStatus.APPROVED
