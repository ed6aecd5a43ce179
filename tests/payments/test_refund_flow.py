"""The refund flow against the database: verify → approve (twice above the threshold) → execute, refusals,
maker-checker, adapter failure and retry, the buyer's message, and the causes CS raises by hand."""

from decimal import Decimal

import pytest
from django.db import transaction

from oms.accounts.actor import Actor
from oms.aftersales.status import AfterSalesStatus, InvalidAfterSalesTransition, RefundCause, RefundStatus
from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied, ValidationFailed
from oms.notifications import outbox
from oms.notifications.models import Message, OutboxMessage
from oms.orders.entry import lock_order
from oms.orders.models import Order
from oms.payments.models import Refund
from oms.payments.refund_errors import (
    NothingToRefund,
    OrderNotShippedForReturnPostage,
    PriceAdjustmentExceedsLine,
    PriceDifferenceTooLarge,
    RefundExceedsPaid,
    RefundNeedsAnotherPerson,
    RefundNotFound,
    RefundQuantityTooLarge,
    RefundReasonRequired,
    RefundReferenceRequired,
    ReturnPostageCapReached,
    UnknownRefundAdapter,
)
from oms.payments.refund_flow import (
    approve_refund,
    execute_refund,
    raise_price_adjustment,
    raise_shipping_compensation,
    reject_refund,
    second_approve_refund,
    verify_refund,
)
from oms.payments.refunds import raise_refund_locked
from tests.payments.refund_fixtures import paid_order, place, raised, second_finance  # noqa: F401


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions below read the English texts

# ruff: noqa: F811

pytestmark = pytest.mark.django_db
D = Decimal


def events(order, action):
    return list(AuditEvent.objects.filter(order=order, action=action).order_by("id"))


def approved(raised, actor, **kw):
    refund = raised(**kw)
    verify_refund(number=refund.number, actor=actor("customer_service"))
    return approve_refund(number=refund.number, actor=actor("finance"))


def test_customer_service_verifies_a_requested_refund_with_one_audit_event(raised, actor):
    refund = raised()

    verified = verify_refund(number=refund.number, actor=actor("customer_service"), note="photo shows the stain")

    assert (verified.status, verified.verified_by.username) == (RefundStatus.VERIFIED, "customer_service")
    [event] = events(refund.order, "refund_verified")
    assert event.changes == {"refund_status": ["requested", "verified"]}
    assert (event.data["refund"], event.data["amount"], event.note) == (refund.number, "54.00", "photo shows the stain")


def test_finance_cannot_verify_a_refund(raised, actor):
    refund = raised()
    with pytest.raises(PermissionDenied):
        verify_refund(number=refund.number, actor=actor("finance"))


def test_an_unknown_refund_number_is_not_found(actor):
    with pytest.raises(RefundNotFound) as caught:
        verify_refund(number="RF-NOPE", actor=actor("customer_service"))
    assert caught.value.http_status == 404


def test_finance_approves_a_verified_refund_below_the_threshold(raised, actor):
    refund = approved(raised, actor)

    assert refund.status == RefundStatus.APPROVED
    assert refund.approved_by.username == "finance" and refund.approved_at is not None
    assert events(refund.order, "refund_approved")[0].changes == {"refund_status": ["verified", "approved"]}


def test_a_requested_refund_cannot_be_approved_before_verification(raised, actor):
    refund = raised()
    with pytest.raises(InvalidAfterSalesTransition) as caught:
        approve_refund(number=refund.number, actor=actor("finance"))
    assert caught.value.http_status == 409
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.REQUESTED


def test_above_the_threshold_a_second_finance_user_must_approve(raised, actor, second_finance, settings):
    settings.OMS_REFUND_SECOND_APPROVAL_ABOVE = D("50.00")
    refund = approved(raised, actor)
    assert refund.status == RefundStatus.AWAITING_SECOND_APPROVAL

    with pytest.raises(RefundNeedsAnotherPerson) as caught:
        second_approve_refund(number=refund.number, actor=actor("finance"))
    assert caught.value.http_status == 422

    done = second_approve_refund(number=refund.number, actor=Actor.of(second_finance))
    assert (done.status, done.second_approved_by.username) == (RefundStatus.APPROVED, "finance2")


def test_a_refund_awaiting_second_approval_cannot_be_approved_again_by_the_first_action(
        raised, actor, second_finance, settings):
    settings.OMS_REFUND_SECOND_APPROVAL_ABOVE = D("50.00")
    refund = approved(raised, actor)
    with pytest.raises(InvalidAfterSalesTransition):
        approve_refund(number=refund.number, actor=Actor.of(second_finance))


def test_at_the_threshold_one_approval_is_enough(raised, actor, settings):
    settings.OMS_REFUND_SECOND_APPROVAL_ABOVE = D("54.00")
    assert approved(raised, actor).status == RefundStatus.APPROVED


def test_whoever_raised_a_refund_cannot_approve_it(raised, actor):
    refund = raised(by="finance")  # finance raised it (e.g. through an order edit it made)
    verify_refund(number=refund.number, actor=actor("customer_service"))
    with pytest.raises(RefundNeedsAnotherPerson):
        approve_refund(number=refund.number, actor=actor("finance"))


def test_a_refund_the_system_raised_and_verified_is_approved_by_any_finance_user(paid_order, actor):
    order = paid_order()
    with transaction.atomic():
        refund = raise_refund_locked(lock_order(order.order_no), cause=RefundCause.CANCELLATION,
                                     actor=Actor.system())
    assert (refund.status, refund.amount) == (RefundStatus.VERIFIED, D("118.00"))

    assert approve_refund(number=refund.number, actor=actor("finance")).status == RefundStatus.APPROVED


def test_rejecting_needs_a_reason(raised, actor):
    refund = raised()
    with pytest.raises(RefundReasonRequired) as caught:
        reject_refund(number=refund.number, actor=actor("customer_service"), reason="  ")
    assert caught.value.http_status == 400 and "reason" in caught.value.details


def test_customer_service_rejects_before_verification_and_finance_after(raised, actor):
    early, late = raised(), raised()
    reject_refund(number=early.number, actor=actor("customer_service"), reason="duplicate of another refund")
    verify_refund(number=late.number, actor=actor("customer_service"))

    with pytest.raises(PermissionDenied):
        reject_refund(number=late.number, actor=actor("customer_service"), reason="changed my mind")
    rejected = reject_refund(number=late.number, actor=actor("finance"), reason="buyer kept the goods")

    assert Refund.objects.get(pk=early.pk).reject_reason == "duplicate of another refund"
    assert rejected.status == RefundStatus.REJECTED
    assert events(late.order, "refund_rejected")[-1].reason == "buyer kept the goods"


def test_a_rejected_refund_frees_its_amount_for_another(paid_order, actor):
    order = paid_order()
    first = raise_price_adjustment(order_no=order.order_no, actor=actor("customer_service"), line_no=1, units=2,
                                   unit_difference=D("54.00"))
    with pytest.raises(PriceAdjustmentExceedsLine):
        raise_price_adjustment(order_no=order.order_no, actor=actor("customer_service"), line_no=1, units=2,
                               unit_difference=D("10.00"))
    reject_refund(number=first.number, actor=actor("customer_service"), reason="wrong cause")
    assert raise_price_adjustment(order_no=order.order_no, actor=actor("customer_service"), line_no=1, units=2,
                                  unit_difference=D("10.00")).amount == D("20.00")


def test_executing_with_the_test_adapter_issues_the_refund_and_queues_the_buyer_message(raised, actor):
    refund = approved(raised, actor)

    done = execute_refund(number=refund.number, actor=actor("finance"), adapter="test")

    assert done.status == RefundStatus.SUCCEEDED
    assert (done.attempts, done.adapter, done.external_reference) == (1, "test", f"TEST-{refund.number}-1")
    assert done.refunded_at is not None
    [message] = OutboxMessage.objects.filter(topic="refund.issued")
    assert message.payload == {"refund": refund.number, "order_no": refund.order.order_no, "refund_amount": "54.00"}
    assert events(refund.order, "refund_issued")[0].data["external_reference"] == done.external_reference
    assert Order.objects.get(pk=refund.order_id).after_sales_status == AfterSalesStatus.PARTIALLY_REFUNDED


def test_the_buyer_gets_one_refund_issued_message_per_refund(raised, actor):
    refund = approved(raised, actor)
    execute_refund(number=refund.number, actor=actor("finance"), adapter="test")

    outbox.deliver_pending()
    outbox.enqueue("refund.issued", {"refund": refund.number})  # a repeated trigger
    outbox.deliver_pending()

    messages = list(Message.objects.filter(event="refund_issued"))
    assert messages and {m.dedup_key for m in messages} == {f"refund_issued:{refund.number}"}
    assert all("54.00" in m.body for m in messages)
    assert len(messages) == len({m.medium for m in messages})


def test_an_adapter_failure_is_recorded_visible_and_retryable(raised, paid_order, actor):
    order = paid_order(transaction_id="FAIL-2026112622001")
    refund = approved(raised, actor, order=order)

    failed = execute_refund(number=refund.number, actor=actor("finance"), adapter="test")
    assert (failed.status, failed.attempts) == (RefundStatus.FAILED, 1)
    assert "FAIL-2026112622001" in failed.failure
    assert events(order, "refund_failed")[0].changes == {"refund_status": ["approved", "failed"]}
    assert not OutboxMessage.objects.filter(topic="refund.issued").exists()
    assert Order.objects.get(pk=order.pk).after_sales_status == AfterSalesStatus.IN_PROGRESS

    again = execute_refund(number=refund.number, actor=actor("finance"), adapter="test")
    assert again.status == RefundStatus.FAILED and again.attempts == 2

    # Finance sorted it out with the platform and refunded by hand: the manual adapter records it.
    done = execute_refund(number=refund.number, actor=actor("finance"), adapter="manual", reference="ALI-RF-778")
    assert (done.status, done.attempts, done.external_reference, done.failure) == (
        RefundStatus.SUCCEEDED, 3, "ALI-RF-778", "")


def test_the_manual_adapter_needs_the_reference_and_writes_nothing_without_it(raised, actor):
    refund = approved(raised, actor)

    with pytest.raises(RefundReferenceRequired) as caught:
        execute_refund(number=refund.number, actor=actor("finance"), adapter="manual", reference=" ")

    assert caught.value.http_status == 400 and "reference" in caught.value.details
    fresh = Refund.objects.get(pk=refund.pk)
    assert (fresh.status, fresh.attempts) == (RefundStatus.APPROVED, 0)


def test_the_configured_adapter_is_used_when_none_is_named(raised, actor, settings):
    settings.OMS_REFUND_ADAPTER = "test"
    refund = approved(raised, actor)
    assert execute_refund(number=refund.number, actor=actor("finance")).adapter == "test"


def test_an_unknown_adapter_is_refused(raised, actor):
    refund = approved(raised, actor)
    with pytest.raises(UnknownRefundAdapter):
        execute_refund(number=refund.number, actor=actor("finance"), adapter="paypal")


def test_a_refund_not_yet_approved_or_already_issued_cannot_be_executed(raised, actor):
    refund = raised()
    verify_refund(number=refund.number, actor=actor("customer_service"))
    with pytest.raises(InvalidAfterSalesTransition):
        execute_refund(number=refund.number, actor=actor("finance"), adapter="test")
    approve_refund(number=refund.number, actor=actor("finance"))
    execute_refund(number=refund.number, actor=actor("finance"), adapter="test")
    with pytest.raises(InvalidAfterSalesTransition):
        execute_refund(number=refund.number, actor=actor("finance"), adapter="test")


def test_customer_service_cannot_execute(raised, actor):
    refund = approved(raised, actor)
    with pytest.raises(PermissionDenied):
        execute_refund(number=refund.number, actor=actor("customer_service"), adapter="test")


def test_refunding_everything_marks_the_order_refunded(paid_order, actor):
    order = paid_order()
    with transaction.atomic():
        refund = raise_refund_locked(lock_order(order.order_no), cause=RefundCause.CANCELLATION, actor=Actor.system())
    approve_refund(number=refund.number, actor=actor("finance"))
    execute_refund(number=refund.number, actor=actor("finance"), adapter="test")
    assert Order.objects.get(pk=order.pk).after_sales_status == AfterSalesStatus.REFUNDED


# --- causes customer service raises by hand ---

def test_a_price_adjustment_is_the_unit_difference_times_the_units(paid_order, actor):
    order = paid_order()

    refund = raise_price_adjustment(order_no=order.order_no, actor=actor("customer_service"), line_no=1, units=2,
                                    unit_difference=D("5.50"), note="promotion started a day later")

    assert (refund.cause, refund.status, refund.amount) == (RefundCause.PRICE_ADJUSTMENT, RefundStatus.REQUESTED,
                                                            D("11.00"))
    assert (refund.goods_amount, refund.shipping_amount) == (D("11.00"), D("0.00"))
    assert refund.note.startswith("Line 1: 2 × 5.50")
    assert refund.lines.count() == 0  # the buyer keeps the goods: no units count as refunded
    assert (refund.payment_method, refund.original_transaction_id) == ("alipay", "2026112622001")


def test_a_price_difference_above_the_units_net_price_is_refused(paid_order, actor):
    order = paid_order()  # 2 × 59.00 with 10.00 off the order: 54.00 a unit net
    with pytest.raises(PriceDifferenceTooLarge) as caught:
        raise_price_adjustment(order_no=order.order_no, actor=actor("customer_service"), line_no=1, units=1,
                               unit_difference=D("54.01"))
    assert caught.value.details["unit_net_price"] == "54.00"
    assert not Refund.objects.exists()


@pytest.mark.parametrize(("line_no", "units", "diff", "error"), [
    (2, 1, D("1.00"), ValidationFailed),
    (1, 0, D("1.00"), ValidationFailed),
    (1, 3, D("1.00"), RefundQuantityTooLarge),
    (1, 1, D("0.00"), ValidationFailed),
])
def test_price_adjustment_input_is_checked(paid_order, actor, line_no, units, diff, error):
    order = paid_order()
    with pytest.raises(error):
        raise_price_adjustment(order_no=order.order_no, actor=actor("customer_service"), line_no=line_no,
                               units=units, unit_difference=diff)


def test_units_already_refunded_get_no_price_adjustment(raised, paid_order, actor):
    order = paid_order()
    raised(order=order, units=1)
    with pytest.raises(RefundQuantityTooLarge):
        raise_price_adjustment(order_no=order.order_no, actor=actor("customer_service"), line_no=1, units=2,
                               unit_difference=D("1.00"))


def test_finance_cannot_raise_a_price_adjustment(paid_order, actor):
    with pytest.raises(PermissionDenied):
        raise_price_adjustment(order_no=paid_order().order_no, actor=actor("finance"), line_no=1, units=1,
                               unit_difference=D("1.00"))


def test_shipping_fee_compensation_pays_back_the_shipping_fee_once(paid_order, actor):
    order = paid_order()

    refund = raise_shipping_compensation(order_no=order.order_no, actor=actor("customer_service"),
                                         kind="shipping_fee")

    assert (refund.cause, refund.amount, refund.shipping_amount, refund.goods_amount) == (
        RefundCause.SHIPPING_COMPENSATION, D("10.00"), D("10.00"), D("0.00"))
    with pytest.raises(NothingToRefund):
        raise_shipping_compensation(order_no=order.order_no, actor=actor("customer_service"), kind="shipping_fee")


def test_a_cancellation_after_shipping_compensation_does_not_pay_the_fee_twice(paid_order, actor):
    order = paid_order()
    raise_shipping_compensation(order_no=order.order_no, actor=actor("customer_service"), kind="shipping_fee")
    with transaction.atomic():
        rest = raise_refund_locked(lock_order(order.order_no), cause=RefundCause.CANCELLATION, actor=Actor.system())
    assert (rest.amount, rest.shipping_amount) == (D("108.00"), D("0.00"))


def test_return_postage_is_compensated_up_to_the_cap_per_order(paid_order, actor, settings):
    settings.OMS_RETURN_SHIPPING_COMPENSATION_MAX = D("20.00")
    order = paid_order(status="delivered")
    cs = actor("customer_service")

    first = raise_shipping_compensation(order_no=order.order_no, actor=cs, kind="return_postage", postage=D("12.00"))
    second = raise_shipping_compensation(order_no=order.order_no, actor=cs, kind="return_postage",
                                         postage=D("12.00"))

    assert (first.amount, second.amount) == (D("12.00"), D("8.00"))
    with pytest.raises(ReturnPostageCapReached):
        raise_shipping_compensation(order_no=order.order_no, actor=cs, kind="return_postage", postage=D("1.00"))


def test_return_postage_needs_shipped_goods_and_an_amount(paid_order, actor):
    order = paid_order()  # not shipped
    cs = actor("customer_service")
    with pytest.raises(OrderNotShippedForReturnPostage):
        raise_shipping_compensation(order_no=order.order_no, actor=cs, kind="return_postage", postage=D("5.00"))
    with pytest.raises(ValidationFailed) as caught:
        raise_shipping_compensation(order_no=order.order_no, actor=cs, kind="return_postage")
    assert "postage" in caught.value.details
    with pytest.raises(ValidationFailed):
        raise_shipping_compensation(order_no=order.order_no, actor=cs, kind="gift")


def test_no_cause_pays_back_more_than_was_paid(paid_order, actor):
    order = paid_order()
    cs = actor("customer_service")
    raise_price_adjustment(order_no=order.order_no, actor=cs, line_no=1, units=2, unit_difference=D("54.00"))
    assert raise_shipping_compensation(order_no=order.order_no, actor=cs, kind="shipping_fee").amount == D("10.00")

    with pytest.raises(PriceAdjustmentExceedsLine) as caught:
        raise_price_adjustment(order_no=order.order_no, actor=cs, line_no=1, units=1, unit_difference=D("0.01"))

    assert caught.value.details["line_left"] == "0.00"
    assert sum(r.amount for r in Refund.objects.filter(order=order)) == D("118.00")


def test_price_adjustments_of_a_line_together_never_pass_its_net_amount(paid_order, actor):
    order = paid_order()  # line 1: 2 units, net 108.00
    cs = actor("customer_service")
    first = raise_price_adjustment(order_no=order.order_no, actor=cs, line_no=1, units=2, unit_difference=D("30.00"))

    with pytest.raises(PriceAdjustmentExceedsLine) as caught:
        raise_price_adjustment(order_no=order.order_no, actor=cs, line_no=1, units=2, unit_difference=D("30.00"))

    assert caught.value.details == {"amount": "60.00", "line_left": "48.00", "line_no": 1}
    assert (first.adjusted_line.line_no, first.adjusted_units) == (1, 2)
    assert raise_price_adjustment(order_no=order.order_no, actor=cs, line_no=1, units=2,
                                  unit_difference=D("24.00")).amount == D("48.00")


def test_units_refunded_after_a_price_adjustment_pay_the_net_less_the_adjustment(paid_order, raised, actor):
    order = paid_order()
    raise_price_adjustment(order_no=order.order_no, actor=actor("customer_service"), line_no=1, units=2,
                           unit_difference=D("10.00"))

    one = raised(order=order, units=1)
    two = raised(order=order, units=1)

    assert (one.goods_amount, two.goods_amount, two.shipping_amount) == (D("44.00"), D("44.00"), D("10.00"))
    assert sum(r.goods_amount for r in Refund.objects.filter(order=order)) == D("108.00")


def test_a_return_refund_capped_to_what_is_left_refunds_what_is_left(paid_order, actor):
    order = paid_order(status="delivered")
    cs = actor("customer_service")
    raise_shipping_compensation(order_no=order.order_no, actor=cs, kind="shipping_fee")
    raise_shipping_compensation(order_no=order.order_no, actor=cs, kind="return_postage", postage=D("20.00"))
    with transaction.atomic():
        locked = lock_order(order.order_no)
        line = locked.lines.get(line_no=1)
        with pytest.raises(RefundExceedsPaid):
            with transaction.atomic():
                raise_refund_locked(locked, cause=RefundCause.RETURN, actor=cs, lines={line.pk: 2}, reason="quality")
        refund = raise_refund_locked(locked, cause=RefundCause.RETURN, actor=cs, lines={line.pk: 2}, reason="quality",
                                     cap_to_refundable=True)

    assert (refund.amount, refund.goods_amount, refund.shipping_amount) == (D("88.00"), D("88.00"), D("0.00"))
    assert [(rl.quantity, rl.amount) for rl in refund.lines.all()] == [(2, D("88.00"))]
    assert sum(r.amount for r in Refund.objects.filter(order=order)) == D("118.00")


def test_the_test_adapter_is_refused_unless_the_settings_list_it(raised, actor, settings):
    settings.OMS_REFUND_ADAPTERS = ("manual",)
    refund = approved(raised, actor)

    with pytest.raises(UnknownRefundAdapter) as caught:
        execute_refund(number=refund.number, actor=actor("finance"), adapter="test")

    assert caught.value.details == {"adapter": ["one of: manual"]}
    assert Refund.objects.get(pk=refund.pk).attempts == 0
