"""One cancellation path: at once before picking, an interception after it started, refused once a parcel left."""

from decimal import Decimal

import pytest
from django.utils import translation

from oms.aftersales.status import RefundCause, RefundStatus
from oms.core.errors import ApplicationError
from oms.fulfillment.models import Interception, PackageStatus
from oms.inventory.models import Reservation, StockLevel
from oms.inventory.verification import verify_stock
from oms.notifications.models import Message, OutboxMessage
from oms.notifications.outbox import deliver_pending
from oms.orders.cancellation import CANCEL_REASONS, INTERCEPT, LEFT, NOW, cancel_order, cancellation_path
from oms.orders.models import Order
from oms.payments.models import Refund
from oms.payments.refunds import raise_refund_locked
from tests.aftersales.cancel_setup import network, on_pick_list, packed, push, receive, ship  # noqa: F401


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions below read the English texts

pytestmark = pytest.mark.usefixtures("network")


def test_the_path_is_now_before_picking_intercept_after_it_started_and_left_once_a_parcel_left():
    assert cancellation_path(order_status="pending_shipment", package_statuses=["allocated"],
                             started_packages=0) == NOW
    assert cancellation_path(order_status="pending_review", package_statuses=[], started_packages=0) == NOW
    assert cancellation_path(order_status="pending_shipment", package_statuses=["packed"],
                             started_packages=1) == INTERCEPT
    assert cancellation_path(order_status="pending_shipment", package_statuses=["shipped", "packed"],
                             started_packages=1) == LEFT
    assert cancellation_path(order_status="shipped", package_statuses=[], started_packages=0) == LEFT


def test_an_order_not_yet_picked_is_cancelled_at_once_its_stock_released_and_its_payment_refunded(push, actor):  # noqa: F811
    receive(actor, "TEE", "hz", 10)
    order = push(("TEE", 2))
    assert order.status == "pending_shipment"

    outcome = cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="out_of_stock")

    assert outcome.cancelled and not outcome.interceptions
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancel_reason == "out_of_stock"
    assert set(order.packages.values_list("status", flat=True)) == {PackageStatus.CANCELLED}
    assert not Reservation.objects.filter(order=order, status="active").exists()
    level = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
    assert (level.on_hand, level.reserved) == (10, 0)
    assert verify_stock().ok
    refund = Refund.objects.get(order=order)
    assert refund == outcome.refund
    assert (refund.cause, refund.status, refund.amount) == (RefundCause.CANCELLATION, RefundStatus.VERIFIED,
                                                           Decimal("20.00"))
    assert refund.payment_method == "alipay" and refund.original_transaction_id == order.transaction_id
    event = order.events.get(action="order_cancelled")
    assert event.data["refund"] == refund.number and event.reason == "out_of_stock"


def test_the_buyer_is_told_the_reason_in_the_language_of_the_channels_messages(push, actor):  # noqa: F811
    receive(actor, "TEE", "hz", 10)
    order = push(("TEE", 1))

    cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="item_withdrawn")
    assert OutboxMessage.objects.filter(topic="order.cancelled", payload__order_no=order.order_no).exists()
    deliver_pending()

    with translation.override("zh-hans"):
        label = str(CANCEL_REASONS["item_withdrawn"])
    messages = Message.objects.filter(order=order, event="order_cancelled")
    assert messages.exists() and all(label in m.body for m in messages)
    assert {m.dedup_key for m in messages} == {f"order_cancelled:{order.order_no}"}


def test_a_cash_on_delivery_order_is_cancelled_without_a_refund(push, actor):  # noqa: F811
    receive(actor, "TEE", "hz", 10)
    order = push(("TEE", 1), paid_amount="0.00", payment={"method": "cod", "status": "unpaid"})

    outcome = cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="risk")

    assert outcome.cancelled and outcome.refund is None
    assert not Refund.objects.filter(order=order).exists()


def test_an_unpaid_order_is_cancelled_without_a_refund(push, actor):  # noqa: F811
    order = push(("TEE", 1), paid_amount="0.00", payment={"method": "alipay", "status": "unpaid"})
    assert order.status == "pending_payment"

    outcome = cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request")

    assert outcome.cancelled and not Refund.objects.filter(order=order).exists()


def test_an_order_whose_refunds_already_cover_the_payment_is_cancelled_without_another_refund(push, actor):  # noqa: F811
    receive(actor, "TEE", "hz", 10)
    order = push(("TEE", 1))
    locked = Order.objects.get(pk=order.pk)
    raise_refund_locked(locked, cause=RefundCause.PRICE_ADJUSTMENT, actor=actor("customer_service"),
                        extra_amount=Decimal("10.00"))

    outcome = cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request")

    assert outcome.cancelled and outcome.refund is None
    assert Refund.objects.filter(order=order).count() == 1


def test_other_needs_a_note_and_an_unknown_reason_is_refused(push, actor):  # noqa: F811
    receive(actor, "TEE", "hz", 10)
    order = push(("TEE", 1))
    for reason, note in (("other", " "), ("bored", "")):
        with pytest.raises(ApplicationError) as err:
            cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason=reason, note=note)
        assert err.value.code == "unknown_cancel_reason"
    assert Order.objects.get(pk=order.pk).status == "pending_shipment"


def test_cancelling_after_picking_started_requests_one_interception_and_leaves_the_order_as_it_is(
        on_pick_list, actor):  # noqa: F811
    order, package = on_pick_list(("TEE", 2))

    first = cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request")
    second = cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request")

    assert not first.cancelled and [i.package.number for i in first.interceptions] == [package]
    assert [i.pk for i in second.interceptions] == [i.pk for i in first.interceptions]
    assert Interception.objects.filter(order=order).count() == 1
    order.refresh_from_db()
    assert order.status == "pending_shipment" and not Refund.objects.filter(order=order).exists()
    assert Reservation.objects.filter(order=order, status="active").exists()
    assert order.events.filter(action="interception_requested").count() == 1


def test_a_packed_parcel_is_intercepted_too(packed, actor):  # noqa: F811
    order, package = packed(("TEE", 1))

    outcome = cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="risk")

    assert not outcome.cancelled and outcome.interceptions[0].package.number == package


def test_cancelling_after_the_parcel_left_is_refused_and_points_to_after_sales(packed, actor):  # noqa: F811
    order, package = packed(("TEE", 1))
    ship(actor, package)

    with pytest.raises(ApplicationError) as err:
        cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request")

    assert err.value.code == "already_shipped" and err.value.http_status == 409
    assert "after-sales" in str(err.value.message)
    assert Order.objects.get(pk=order.pk).status == "shipped" and not Interception.objects.exists()


def test_an_integration_client_cancels_for_the_buyer_only(push, actor):  # noqa: F811
    receive(actor, "TEE", "hz", 10)
    order = push(("TEE", 1))

    with pytest.raises(ApplicationError) as err:
        cancel_order(order_no=order.order_no, actor=actor("integration"), reason="out_of_stock")
    assert err.value.code == "cancel_reason_not_allowed"

    outcome = cancel_order(order_no=order.order_no, actor=actor("integration"), reason="buyer_request", via="channel")
    assert outcome.cancelled and outcome.order.events.get(action="order_cancelled").data["via"] == "channel"


def test_a_channel_repush_with_a_cancellation_after_picking_started_requests_an_interception(
        on_pick_list, actor, users, order_payload):  # noqa: F811
    from oms.channels.selectors import channel_lookup
    from oms.orders.intake.services import intake_order
    from oms.orders.intake.validation import parse_intake

    order, package = on_pick_list(("TEE", 1))
    payload = order_payload(channel="web", external_id=order.external_id,
                            lines=[{"sku": "TEE", "name": "TEE", "spec": "", "quantity": 1, "unit_price": "10.00"}],
                            discounts=[], shipping_fee="0.00", paid_amount="10.00", buyer_remark="",
                            cancellation={"reason": "buyer_request"}, status="cancelled")
    result = intake_order(command=parse_intake(payload, channel_lookup=channel_lookup),
                          actor=actor("integration"))

    assert "interception_requested" in result.applied
    assert Interception.objects.get(order=order).via == "channel_repush"
