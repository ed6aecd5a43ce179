"""Reviewing many orders in one transaction (the worker's path for bursts) decides as one by one would."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.inventory import services as stock
from oms.inventory.models import Reservation, StockLevel
from oms.inventory.verification import verify_stock
from oms.notifications import outbox
from oms.notifications.models import OutboxMessage
from oms.notifications.outbox import deliver_pending
from oms.orders.cancellation import cancel_order
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.orders.review.models import Coupon
from oms.orders.review.services import review_orders

from .conftest import holds

pytestmark = pytest.mark.usefixtures("catalogue")
MUG = {"sku": "MUG-WHITE", "name": "白色马克杯", "spec": "350ml", "unit_price": "20.00"}


@pytest.fixture
def take_in(shop, order_payload):
    """Take orders in without letting the worker run: they wait in pending_review."""
    counter = iter(range(1, 10_000))

    def do(quantity: int = 1, **overrides) -> str:
        n = next(counter)
        goods = 20 * quantity
        payload = order_payload(channel="web", external_id=f"W-B{n}", discounts=[], shipping_fee="0.00",
                                paid_amount=f"{goods:.2f}", buyer_remark="",
                                lines=[{**MUG, "quantity": quantity}])
        payload.update(overrides)
        return intake_order(command=parse_intake(payload, channel_lookup=channel_lookup), actor=shop).order.order_no

    return do


def test_a_batch_gives_scarce_stock_to_the_orders_in_the_order_given_and_holds_the_rest(take_in):
    first, second, third = take_in(2), take_in(2), take_in(1)  # 3 mugs in stock

    outcomes = review_orders(order_nos=[first, second, third], actor=Actor.system(), trigger="received")

    assert [(o.order.order_no, o.passed) for o in outcomes] == [(first, True), (second, False), (third, True)]
    assert outcomes[1].findings[0].code == "out_of_stock"
    assert outcomes[1].findings[0].details == {"skus": [{"sku": "MUG-WHITE", "wanted": 2, "available": 1}]}
    level = StockLevel.objects.get(sku__code="MUG-WHITE")
    assert (level.on_hand, level.reserved) == (3, 3)
    assert sorted(Reservation.objects.values_list("order__order_no", "quantity")) == sorted([(first, 2), (third, 1)])
    assert verify_stock().ok
    assert Order.objects.get(order_no=second).status == "on_hold"


def test_a_batch_ends_exactly_as_reviewing_the_same_orders_one_by_one(take_in, actor):
    batch = [take_in(q) for q in (1, 2, 1, 1)]
    outcomes = review_orders(order_nos=batch, actor=Actor.system(), trigger="received")
    batched = [(o.passed, sorted(f.code for f in o.findings)) for o in outcomes]
    for order_no in batch:
        cancel_order(order_no=order_no, actor=actor("customer_service"), reason="buyer_request")

    single = []
    for q in (1, 2, 1, 1):
        order_no = take_in(q)
        [outcome] = review_orders(order_nos=[order_no], actor=Actor.system(), trigger="received")
        single.append((outcome.passed, sorted(f.code for f in outcome.findings)))

    assert batched == single == [(True, []), (True, []), (False, ["out_of_stock"]), (False, ["out_of_stock"])]
    assert verify_stock().ok


def test_a_coupon_used_up_by_an_earlier_order_of_the_batch_holds_the_later_one(take_in):
    Coupon.objects.filter(code="NEW10").update(max_uses=1, min_spend="0.00")
    coupon = {"discounts": [{"kind": "coupon", "code": "NEW10", "amount": "10.00"}], "paid_amount": "10.00"}
    first, second = take_in(1, **coupon), take_in(1, **coupon)

    outcomes = review_orders(order_nos=[first, second], actor=Actor.system(), trigger="received")

    assert [o.passed for o in outcomes] == [True, False]
    assert outcomes[1].findings[0].details == {"coupons": [{"coupon": "NEW10", "problem": "use_limit_reached"}]}
    assert Coupon.objects.get(code="NEW10").used_count == 1
    assert Order.objects.get(order_no=first).discounts.get().use_counted
    assert not Order.objects.get(order_no=second).discounts.get().use_counted


def test_orders_no_longer_awaiting_review_are_skipped_and_the_rest_reviewed(take_in, actor):
    done, waiting = take_in(1), take_in(1)
    cancel_order(order_no=done, actor=actor("customer_service"), reason="buyer_request")

    outcomes = review_orders(order_nos=[done, waiting, "NO-SUCH-ORDER"], actor=Actor.system(), trigger="received")

    assert [o.order.order_no for o in outcomes] == [waiting]
    assert Order.objects.get(order_no=done).status == "cancelled"
    assert not Order.objects.get(order_no=done).events.filter(action__startswith="review").exists()


def test_each_order_of_a_batch_gets_its_own_audit_event_holds_and_approval_message(take_in):
    passing, failing = take_in(1), take_in(1, buyer_remark="请改地址")

    review_orders(order_nos=[passing, failing], actor=Actor.system(), trigger="received")

    assert Order.objects.get(order_no=passing).events.get(action="review_passed").data["reserved"] == [
        {"sku": "MUG-WHITE", "warehouse_id": StockLevel.objects.get(sku__code="MUG-WHITE").warehouse_id, "quantity": 1}]
    held = Order.objects.get(order_no=failing)
    assert held.events.get(action="review_held").changes == {
        "status": ["pending_review", "on_hold"], "hold_reasons": [[], ["remark_attention"]]}
    assert holds(held) == {"remark_attention"}
    approved = OutboxMessage.objects.filter(topic="order.approved").values_list("payload", flat=True)
    assert list(approved) == [{"order_no": passing}]


def _statements(order_nos: list[str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        review_orders(order_nos=order_nos, actor=Actor.system(), trigger="received")
    return len(ctx.captured_queries)


def test_a_batch_costs_the_same_statements_for_three_orders_as_for_twelve(take_in, actor):
    stock.receive_stock(sku_code="MUG-WHITE", warehouse_code="hz", quantity=100, actor=actor("warehouse"))
    small = _statements([take_in(1) for _ in range(3)])
    large = _statements([take_in(1) for _ in range(12)])

    assert small == large
    assert large <= 22  # the budget for a batch that passes: reads per kind of fact, writes per kind of row


def test_the_worker_reviews_a_burst_of_new_orders_together(take_in, actor):
    stock.receive_stock(sku_code="MUG-WHITE", warehouse_code="hz", quantity=100, actor=actor("warehouse"))
    deliver_pending()  # the receipt's own message
    burst = [take_in(1) for _ in range(12)]

    with CaptureQueriesContext(connection) as ctx:
        sent = deliver_pending()

    assert sent == 12
    assert set(Order.objects.filter(order_no__in=burst).values_list("status", flat=True)) == {"pending_shipment"}
    assert len(ctx.captured_queries) < 12 * 5  # one review alone takes about 18


def test_a_failing_batch_is_delivered_one_by_one_so_only_the_bad_message_fails(db, monkeypatch):
    seen: list[list[str]] = []

    def picky(payloads: list[dict]) -> None:
        seen.append([p["n"] for p in payloads])
        if any(p["n"] == "bad" for p in payloads):
            raise ValueError("bad payload")

    monkeypatch.setitem(outbox._batch_handlers, "test.batch", [picky])
    deliver_pending()  # the stock receipts of the catalogue
    for n in ("a", "bad", "c"):
        outbox.enqueue("test.batch", {"n": n})

    assert deliver_pending() == 2

    assert seen == [["a", "bad", "c"], ["a"], ["bad"], ["c"]]
    failed = OutboxMessage.objects.get(payload__n="bad")
    assert failed.sent_at is None and failed.last_error == "ValueError: bad payload" and failed.attempts == 1
    assert OutboxMessage.objects.filter(topic="test.batch", sent_at__isnull=False).count() == 2


def test_orders_held_for_stock_are_approved_oldest_first_when_stock_arrives(take_in, actor):
    older = take_in(3, placed_at="2026-11-26T09:00:00+08:00")
    newer = take_in(3, placed_at="2026-11-26T11:00:00+08:00")
    oldest = take_in(3, placed_at="2026-11-26T08:00:00+08:00")
    stock.adjust_stock(sku_code="MUG-WHITE", warehouse_code="hz", delta=-3, reason="盘亏", actor=actor("warehouse"))
    deliver_pending()
    assert {Order.objects.get(order_no=n).status for n in (older, newer, oldest)} == {"on_hold"}

    stock.receive_stock(sku_code="MUG-WHITE", warehouse_code="hz", quantity=6, actor=actor("warehouse"))
    deliver_pending()

    statuses = {n: Order.objects.get(order_no=n).status for n in (oldest, older, newer)}
    assert statuses == {oldest: "pending_shipment", older: "pending_shipment", newer: "on_hold"}
    assert verify_stock().ok


def test_a_coupon_used_up_earlier_in_the_batch_is_named_even_when_the_later_order_has_other_reasons(take_in):
    Coupon.objects.filter(code="NEW10").update(max_uses=1, min_spend="0.00")
    coupon = {"discounts": [{"kind": "coupon", "code": "NEW10", "amount": "10.00"}], "paid_amount": "10.00"}
    first, second = take_in(1, **coupon), take_in(1, buyer_remark="请改地址", **coupon)

    outcomes = review_orders(order_nos=[first, second], actor=Actor.system(), trigger="received")

    assert sorted(f.code for f in outcomes[1].findings) == ["coupon_invalid", "remark_attention"]
