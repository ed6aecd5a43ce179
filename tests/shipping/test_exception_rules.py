"""The exception rules as pure functions: which reasons a parcel's tracking facts call for, and since when."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from oms.shipping.exception_rules import ADDRESS_KEYWORDS, PackageFacts, Scan, findings, mentions
from oms.shipping.models import ExceptionReason as R
from oms.shipping.models import TrackingStatus as S

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def h(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def reasons(facts, now, **kw):
    return [f.reason for f in findings(facts, now=now, **kw)]


def test_a_parcel_with_news_within_the_zone_hours_needs_nobody():
    facts = PackageFacts(shipped_at=T0, scans=(Scan(S.IN_TRANSIT, h(10), "杭州"),), no_update_hours=24)
    assert reasons(facts, h(33)) == []


def test_no_update_counts_from_the_last_scan_and_uses_the_zone_hours():
    facts = PackageFacts(shipped_at=T0, scans=(Scan(S.IN_TRANSIT, h(10), "杭州"),), no_update_hours=24)
    [finding] = findings(facts, now=h(34))
    assert (finding.reason, finding.since) == (R.NO_UPDATE, h(10))


def test_a_parcel_never_scanned_is_quiet_since_it_shipped():
    facts = PackageFacts(shipped_at=T0, no_update_hours=48)
    assert reasons(facts, h(47)) == []
    assert reasons(facts, h(48)) == [R.NO_UPDATE]


def test_a_week_without_news_is_lost_rather_than_quiet():
    facts = PackageFacts(shipped_at=T0, no_update_hours=48)
    assert reasons(facts, h(7 * 24)) == [R.LOST]


def test_a_carrier_text_saying_lost_opens_lost_at_once():
    facts = PackageFacts(shipped_at=T0, scans=(Scan(S.EXCEPTION, h(5), "杭州", "快件丢失，请联系客服"),))
    [finding] = findings(facts, now=h(6))
    assert (finding.reason, finding.since) == (R.LOST, h(5))


def test_delivery_failed_is_a_reason_while_it_is_the_latest_status():
    failed = Scan(S.DELIVERY_FAILED, h(20), "西湖区", "客户不在家")
    assert reasons(PackageFacts(shipped_at=T0, scans=(failed,)), h(21)) == [R.DELIVERY_FAILED]
    later = Scan(S.OUT_FOR_DELIVERY, h(30), "西湖区", "派送中")
    assert reasons(PackageFacts(shipped_at=T0, scans=(failed, later)), h(31)) == []


def test_a_failed_delivery_that_names_the_address_is_also_an_address_problem():
    facts = PackageFacts(shipped_at=T0, scans=(Scan(S.DELIVERY_FAILED, h(20), "西湖区", "地址不详，无法派送"),))
    assert reasons(facts, h(21)) == [R.DELIVERY_FAILED, R.ADDRESS_PROBLEM]


def test_an_exception_scan_about_an_unanswered_phone_is_an_address_problem():
    facts = PackageFacts(shipped_at=T0, scans=(Scan(S.EXCEPTION, h(20), "西湖区", "电话无人接听"),))
    [finding] = findings(facts, now=h(21))
    assert (finding.reason, finding.since) == (R.ADDRESS_PROBLEM, h(20))


def test_address_words_in_an_ordinary_transit_scan_are_not_a_problem():
    facts = PackageFacts(shipped_at=T0, scans=(Scan(S.IN_TRANSIT, h(2), "杭州", "已核对地址，发往上海"),))
    assert reasons(facts, h(3)) == []


def test_returned_to_sender_is_a_reason_and_the_parcel_is_no_longer_quiet_or_stuck():
    facts = PackageFacts(shipped_at=T0, scans=(Scan(S.RETURNED_TO_SENDER, h(40), "杭州", "退回寄件人"),))
    assert reasons(facts, h(400)) == [R.RETURNED_TO_SENDER]


def test_a_package_marked_returned_is_returned_to_sender_even_without_a_scan():
    assert reasons(PackageFacts(shipped_at=T0, returned=True), h(1)) == [R.RETURNED_TO_SENDER]


def test_a_delivered_parcel_needs_nobody_whatever_came_before():
    scans = (Scan(S.DELIVERY_FAILED, h(20), "", "地址错误"), Scan(S.DELIVERED, h(30), "西湖区", "已签收"))
    assert reasons(PackageFacts(shipped_at=T0, scans=scans), h(1000)) == []


def test_stuck_means_still_scanned_in_the_same_place_for_longer_than_the_limit():
    scans = tuple(Scan(S.IN_TRANSIT, h(n), "上海转运中心", "在转运中心") for n in range(0, 80, 12))  # last at 72
    [finding] = findings(PackageFacts(shipped_at=T0, scans=scans, no_update_hours=48), now=h(73), stuck_hours=72)
    assert (finding.reason, finding.since, finding.detail) == (R.STUCK, h(0), "上海转运中心")


def test_a_parcel_that_moved_on_is_not_stuck():
    scans = (Scan(S.IN_TRANSIT, h(0), "杭州"), Scan(S.IN_TRANSIT, h(70), "上海"))
    assert reasons(PackageFacts(shipped_at=T0, scans=scans), h(80), stuck_hours=72) == []


def test_scans_are_read_in_time_order_whatever_order_they_arrive_in():
    scans = (Scan(S.DELIVERED, h(30), "西湖区"), Scan(S.DELIVERY_FAILED, h(20), "西湖区"))
    assert reasons(PackageFacts(shipped_at=T0, scans=scans), h(31)) == []


def test_keywords_match_inside_longer_texts_case_insensitively():
    assert mentions("Delivery failed: ADDRESS incomplete", ADDRESS_KEYWORDS) == "address"
    assert mentions("派送成功", ADDRESS_KEYWORDS) == ""


def test_a_cause_counts_from_when_its_scan_reached_us_so_a_late_push_is_news():
    late = Scan(S.DELIVERY_FAILED, h(20), "西湖区", "客户不在家", received_at=h(26))
    [finding] = findings(PackageFacts(shipped_at=T0, scans=(late,)), now=h(27))
    assert finding.since == h(26)
