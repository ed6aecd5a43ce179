"""Settlement per channel and business day: totals, mismatch flags, settling, adjustment batches."""

from datetime import timedelta
from decimal import Decimal

import pytest

from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied, ValidationFailed
from oms.orders.models import Order
from oms.payments.errors import MismatchesNeedNote, NothingToSettle, SettlementChanged
from oms.payments.models import SettlementBatch
from oms.payments.selectors import day_settlement, settlement_overview
from oms.payments.services import settle_batch

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_day_lists_the_channels_completed_orders_of_that_business_day_with_the_net(completed, place, day):
    a = completed(0, 5)  # 00:05 Shanghai is still this day (16:05 UTC the day before)
    b = completed(23, 55)
    completed(10, on=day - timedelta(days=1))  # the day before
    completed(10, channel="jd")  # another channel
    place(status="delivered")  # not completed

    s = day_settlement("taobao", day)

    assert sorted(o.order_no for o in s.pending) == sorted([a.order_no, b.order_no])
    assert (s.gross, s.refund_total, s.net) == (D("236.00"), D("0.00"), D("236.00"))
    assert s.refunds == []  # no refund records exist before after-sales
    assert (s.status, s.mismatch_count) == ("open", 0)


def test_mismatches_are_flagged_per_order(completed, day):
    completed(9, paid_amount=D("100.00"))
    completed(10, transaction_id="")
    completed(11, payment_method="cod", payment_status="unpaid", paid_amount=D("0"), transaction_id="")
    completed(12)

    s = day_settlement("taobao", day)

    assert sorted(m for o in s.pending for m in o.mismatches) == [
        "amount_differs", "cod_not_collected", "missing_transaction_id"]
    assert s.mismatch_count == 3
    assert s.gross == D("336.00")  # 100 + 118 + 0 + 118


def test_settling_sets_settled_at_records_the_batch_and_an_event_per_order(completed, day, actor):
    orders = [completed(10), completed(11)]

    batch = settle_batch(channel_code="taobao", day=day, actor=actor("finance"), reported_amount=D("236.00"))

    assert (batch.sequence, batch.order_count, batch.gross, batch.net, batch.mismatches) == (
        1, 2, D("236.00"), D("236.00"), [])
    assert batch.settled_by.username == "finance"
    for order in orders:
        order.refresh_from_db()
        assert order.settled_at == batch.settled_at
        [event] = AuditEvent.objects.filter(order=order, action="settled")
        assert event.data["batch"] == 1
    assert day_settlement("taobao", day).status == "settled"


def test_the_same_orders_cannot_be_settled_twice(completed, day, actor):
    completed(10)
    settle_batch(channel_code="taobao", day=day, actor=actor("finance"))

    with pytest.raises(NothingToSettle) as caught:
        settle_batch(channel_code="taobao", day=day, actor=actor("finance"))

    assert caught.value.http_status == 409
    assert SettlementBatch.objects.count() == 1


def test_mismatches_need_a_note_and_then_are_kept_with_the_batch(completed, day, actor):
    odd = completed(10, transaction_id="")

    with pytest.raises(MismatchesNeedNote) as caught:
        settle_batch(channel_code="taobao", day=day, actor=actor("finance"))
    batch = settle_batch(channel_code="taobao", day=day, actor=actor("finance"), note="支付宝账单核对，流水号补录中")

    assert caught.value.details["mismatches"] == [{"code": "missing_transaction_id", "order": odd.order_no}]
    assert Order.objects.get(pk=odd.pk).settled_at is not None
    assert batch.mismatches == [{"code": "missing_transaction_id", "order": odd.order_no}]
    assert AuditEvent.objects.get(order=odd, action="settled").note == "支付宝账单核对，流水号补录中"


def test_a_reported_amount_other_than_the_net_is_a_mismatch(completed, day, actor):
    completed(10)

    with pytest.raises(MismatchesNeedNote):
        settle_batch(channel_code="taobao", day=day, actor=actor("finance"), reported_amount=D("117.50"))
    batch = settle_batch(channel_code="taobao", day=day, actor=actor("finance"), reported_amount=D("117.50"),
                         note="平台扣手续费 0.50")

    assert batch.difference == D("-0.50")
    assert batch.mismatches[0]["code"] == "reported_differs"
    assert Order.objects.filter(settled_at__isnull=True).count() == 0


def test_an_order_completed_later_for_a_settled_day_goes_into_a_new_batch(completed, day, actor):
    first = completed(10)
    settle_batch(channel_code="taobao", day=day, actor=actor("finance"))
    late = completed(22)  # e.g. a platform's confirmation that arrived late, dated that day

    s = day_settlement("taobao", day)
    second = settle_batch(channel_code="taobao", day=day, actor=actor("finance"))

    assert (s.status, [o.order_no for o in s.pending]) == ("adjustment", [late.order_no])
    assert (second.sequence, second.order_count) == (2, 1)
    assert list(SettlementBatch.objects.get(sequence=1).items.values_list("order_id", flat=True)) == [first.pk]


def test_settling_refuses_when_the_orders_changed_since_finance_looked(completed, day, actor):
    completed(10)
    completed(11)

    with pytest.raises(SettlementChanged):
        settle_batch(channel_code="taobao", day=day, actor=actor("finance"), expected_orders=1)

    assert Order.objects.filter(settled_at__isnull=False).count() == 0


def test_a_day_still_to_come_cannot_be_settled(day, actor):
    with pytest.raises(ValidationFailed):
        settle_batch(channel_code="taobao", day=day + timedelta(days=2), actor=actor("finance"))


def test_customer_service_may_not_settle(completed, day, actor):
    completed(10)

    with pytest.raises(PermissionDenied):
        settle_batch(channel_code="taobao", day=day, actor=actor("customer_service"))


def test_the_overview_sums_each_channel_and_day_and_marks_its_status(completed, day, actor):
    completed(10)
    completed(11, paid_amount=D("100.00"))
    completed(10, channel="jd")
    settle_batch(channel_code="jd", day=day, actor=actor("finance"))

    rows = {r.channel.code: r for r in settlement_overview(day_from=day, day_to=day)}

    assert (rows["taobao"].orders, rows["taobao"].gross, rows["taobao"].mismatches, rows["taobao"].status) == (
        2, D("218.00"), 1, "open")
    assert (rows["jd"].orders, rows["jd"].pending, rows["jd"].net, rows["jd"].status) == (1, 0, D("118.00"), "settled")
