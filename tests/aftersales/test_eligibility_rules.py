"""After-sales eligibility: pure rules, no database."""

from datetime import UTC, datetime, timedelta

from oms.aftersales.eligibility import LineFacts, OrderFacts, assess, input_problems, window_start

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def order(**kw) -> OrderFacts:
    base = dict(status="delivered", shipped_at=NOW - timedelta(days=4), delivered_at=NOW - timedelta(days=3),
                completed_at=None, return_window_days=7, after_sales_window_days=15)
    return OrderFacts(**{**base, **kw})


def line(**kw) -> LineFacts:
    base = dict(line_id=1, line_no=1, ordered=2, shipped=2, delivered=2)
    return LineFacts(**{**base, **kw})


def check(kind="return_refund", reason="no_reason", *, o=None, lines=None, wanted=None, now=NOW):
    return assess(kind=kind, reason=reason, order=o or order(), lines=lines or [line()], wanted=wanted or {1: 1},
                  now=now)


def test_a_no_reason_return_within_the_channels_window_is_eligible():
    result = check()
    assert result.findings == [] and not result.refused


def test_a_no_reason_return_after_the_channels_window_is_a_finding_with_its_deadline():
    result = check(o=order(delivered_at=NOW - timedelta(days=8)))
    assert [f["code"] for f in result.findings] == ["outside_no_reason_window"]
    assert result.findings[0]["days"] == 7 and not result.refused


def test_a_quality_problem_gets_the_longer_after_sales_window():
    assert check(reason="quality", o=order(delivered_at=NOW - timedelta(days=10))).findings == []
    late = check(reason="quality", o=order(delivered_at=NOW - timedelta(days=16)))
    assert [f["code"] for f in late.findings] == ["outside_after_sales_window"]


def test_the_window_starts_at_delivery_then_receipt_then_shipping():
    assert window_start(order()) == NOW - timedelta(days=3)
    assert window_start(order(delivered_at=None, completed_at=NOW - timedelta(days=1))) == NOW - timedelta(days=1)
    assert window_start(order(delivered_at=None)) == NOW - timedelta(days=4)


def test_units_not_shipped_yet_are_a_finding():
    result = check(lines=[line(ordered=3, shipped=1, delivered=1)], wanted={1: 2})
    assert result.findings == [{"code": "line_not_shipped", "line_no": 1, "asked": 2, "shipped_left": 1}]


def test_units_already_refunded_cannot_be_asked_for_again_by_anyone():
    result = check(lines=[line(refunded=2)], wanted={1: 1})
    assert result.refused and result.over_quantity == [{"line_no": 1, "asked": 1, "left": 0}]


def test_units_in_another_open_request_are_not_available():
    result = check(lines=[line(in_open_requests=1)], wanted={1: 2})
    assert result.refused and result.over_quantity[0]["left"] == 1
    assert not check(lines=[line(in_open_requests=1)], wanted={1: 1}).refused


def test_exchanged_units_came_back_once_and_only_the_replacement_can_come_back_again():
    # 1 ordered, exchanged once: two units shipped (original and replacement), one came back.
    facts = [line(ordered=1, shipped=2, delivered=2, exchanged=1)]
    assert check(lines=facts, wanted={1: 1}).findings == []


def test_an_order_that_has_not_shipped_is_a_cancellation_not_a_return():
    result = check(lines=[line(shipped=0, delivered=0)], o=order(status="pending_shipment", shipped_at=None,
                                                                delivered_at=None))
    assert result.before_shipment and result.refused


def test_not_received_is_fine_while_the_parcel_is_on_the_road():
    result = check("refund_only", "not_received", lines=[line(delivered=0)], o=order(delivered_at=None))
    assert result.findings == []


def test_not_received_for_a_parcel_the_carrier_delivered_is_a_finding_unless_tracking_says_lost():
    assert [f["code"] for f in check("refund_only", "not_received").findings] == ["delivered_per_carrier"]
    assert check("refund_only", "not_received", o=order(lost=True)).findings == []


def test_not_received_goes_only_with_refund_only():
    assert "reason" in input_problems(kind="return_refund", reason="not_received")
    assert input_problems(kind="refund_only", reason="not_received") == {}
    assert set(input_problems(kind="swap", reason="bored")) == {"kind", "reason"}
