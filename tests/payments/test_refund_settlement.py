"""Settlement subtracts each succeeded refund once, in the first batch after it was paid; listed, in the overview."""

from datetime import timedelta
from decimal import Decimal

import pytest

from oms.aftersales.status import RefundStatus
from oms.payments.models import Refund
from oms.payments.selectors import day_settlement, settlement_overview
from oms.payments.services import settle_batch
from tests.payments.conftest import at
from tests.payments.refund_fixtures import paid_order, raised  # noqa: F401

# ruff: noqa: F811

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def refunded(raised):
    """refunded(order, moment) -> a succeeded 54.00 refund of one unit, refunded at `moment`."""

    def make(order, moment):
        refund = raised(order=order)
        Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.SUCCEEDED, refunded_at=moment,
                                                   external_reference="RF-REF")
        return Refund.objects.get(pk=refund.pk)

    return make


def test_the_days_succeeded_refunds_are_listed_and_subtracted(completed, refunded, raised, day, place):
    a = completed(10)
    completed(11)
    earlier = refunded(completed(13), at(day, 0) - (at(day, 1) - at(day, 0)))  # 23:00 the day before, in no batch
    refund = refunded(a, at(day, 15))
    refunded(completed(12, channel="jd"), at(day, 15))  # another channel
    refunded(completed(14), at(day + timedelta(days=1), 1))  # after the day ends
    raised(order=a)  # requested, not paid out

    s = day_settlement("taobao", day)

    assert [r.number for r in s.refunds] == [earlier.number, refund.number]
    assert (s.gross, s.refund_total, s.net) == (D("472.00"), D("108.00"), D("364.00"))


def test_settling_subtracts_the_refunds_once_and_an_adjustment_batch_only_the_new_ones(completed, refunded, day,
                                                                                       actor):
    a = completed(10)
    refunded(a, at(day, 15))
    first = settle_batch(channel_code="taobao", day=day, actor=actor("finance"))
    assert (first.gross, first.refunds, first.net) == (D("118.00"), D("54.00"), D("64.00"))
    assert day_settlement("taobao", day).refund_total == D("0.00")

    b = completed(18)
    refunded(b, at(day, 19))
    second = settle_batch(channel_code="taobao", day=day, actor=actor("finance"))

    assert (second.sequence, second.gross, second.refunds, second.net) == (2, D("118.00"), D("54.00"), D("64.00"))


def test_the_api_day_lists_the_refunds(completed, refunded, day, api):
    refund = refunded(completed(10), at(day, 15))

    body = api("finance").get(f"/api/v1/settlement?channel=taobao&day={day}").json()

    [channel] = body["channels"]
    assert [(r["number"], r["amount"], r["external_reference"]) for r in channel["refunds"]] == [
        (refund.number, "54.00", "RF-REF")]
    assert (channel["pending"]["refunds"], channel["pending"]["net"]) == ("54.00", "64.00")


def test_the_overview_row_carries_the_days_refunds(completed, refunded, day):
    refunded(completed(10), at(day, 15))

    [row] = settlement_overview(day_from=day, day_to=day)

    assert (row.gross, row.refunds, row.net) == (D("118.00"), D("54.00"), D("64.00"))


def test_the_day_page_lists_the_refunds(completed, refunded, day, users, client):
    refund = refunded(completed(10), at(day, 15))
    client.force_login(users["finance"])

    html = client.get(f"/finance/settlement/taobao/{day}/").content.decode()

    assert 'data-testid="settlement-refunds"' in html and refund.number in html


def test_a_refund_paid_after_a_days_last_batch_is_subtracted_by_the_next_batch(completed, refunded, day, actor):
    before = day - timedelta(days=1)
    a = completed(10, on=before)
    first = settle_batch(channel_code="taobao", day=before, actor=actor("finance"))
    late = refunded(a, at(day, 15))  # paid after `before` was settled
    assert day_settlement("taobao", before).refund_total == D("0.00")  # not its day's: it came after

    completed(10)
    second = settle_batch(channel_code="taobao", day=day, actor=actor("finance"))

    assert (first.refunds, second.gross, second.refunds, second.net) == (D("0.00"), D("118.00"), D("54.00"),
                                                                         D("64.00"))
    assert Refund.objects.get(pk=late.pk).settlement_batch_id == second.pk


def test_a_day_with_refunds_only_settles_as_a_refunds_only_batch(completed, refunded, day, actor):
    a = completed(10)
    settle_batch(channel_code="taobao", day=day, actor=actor("finance"))
    later = refunded(a, at(day, 16))

    batch = settle_batch(channel_code="taobao", day=day, actor=actor("finance"))

    assert (batch.order_count, batch.gross, batch.refunds, batch.net) == (0, D("0.00"), D("54.00"), D("-54.00"))
    assert Refund.objects.get(pk=later.pk).settlement_batch_id == batch.pk
    assert day_settlement("taobao", day).refund_total == D("0.00")


def test_the_day_page_settles_refunds_only_and_lists_them_under_their_batch(completed, refunded, day, users, client,
                                                                             actor):
    a = completed(10)
    settle_batch(channel_code="taobao", day=day, actor=actor("finance"))
    later = refunded(a, at(day, 16))
    client.force_login(users["finance"])
    url = f"/finance/settlement/taobao/{day}/"
    assert "settle-form" in client.get(url).content.decode()

    r = client.post(url, {"expected_orders": "0", "reported_amount": "", "note": ""}, follow=True)

    html = r.content.decode()
    assert r.status_code == 200 and Refund.objects.get(pk=later.pk).settlement_batch is not None
    assert html.count('data-testid="batch"') == 2 and later.number in html and "settle-form" not in html
