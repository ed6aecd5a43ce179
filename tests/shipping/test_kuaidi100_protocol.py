"""Kuaidi100's protocol rules, without the database: signatures, state codes, the events of a result."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from oms.shipping.adapters.kuaidi100 import events_of, normalise, parse_time, sign
from oms.shipping.models import TrackingStatus as S


def test_signatures_are_the_upper_case_md5_of_the_parts_joined():
    # MD5("abc") is the textbook value 900150983cd24fb0d6963f7d28e17f72.
    assert sign("a", "b", "c") == "900150983CD24FB0D6963F7D28E17F72"


@pytest.mark.parametrize(("code", "status"), [
    ("0", S.IN_TRANSIT), ("1", S.ACCEPTED), ("2", S.EXCEPTION), ("3", S.DELIVERED), ("4", S.RETURNED_TO_SENDER),
    ("5", S.OUT_FOR_DELIVERY), ("6", S.RETURNED_TO_SENDER), ("7", S.IN_TRANSIT), ("8", S.IN_TRANSIT),
    ("14", S.DELIVERY_FAILED),
])
def test_each_main_state_has_its_normalised_status(code, status):
    assert normalise(code) == status


@pytest.mark.parametrize(("code", "status"), [
    ("301", S.DELIVERED), ("302", S.DELIVERED), ("304", S.DELIVERED), ("401", S.RETURNED_TO_SENDER),
    ("201", S.EXCEPTION), ("202", S.EXCEPTION), ("203", S.DELIVERY_FAILED), ("103", S.ACCEPTED),
    ("1002", S.IN_TRANSIT), ("501", S.OUT_FOR_DELIVERY), ("13", S.EXCEPTION),
])
def test_sub_states_refine_the_main_state(code, status):
    assert normalise(code) == status


def test_an_unlisted_sub_state_keeps_its_main_state_and_an_unknown_code_is_an_exception():
    assert normalise("399") == S.DELIVERED
    assert normalise("97") == S.EXCEPTION
    assert normalise("abc") == S.EXCEPTION


def test_a_state_named_in_chinese_counts_like_its_code_and_no_state_at_all_is_none():
    assert normalise("", "签收") == S.DELIVERED
    assert normalise("", "派件") == S.OUT_FOR_DELIVERY
    assert normalise("", "") is None


def test_the_aggregators_times_are_beijing_time():
    assert parse_time("2026-11-27 15:30:05") == datetime(2026, 11, 27, 15, 30, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert parse_time("27/11/2026") is None


def test_the_events_of_a_result_carry_their_own_state_or_the_parcels_for_the_newest():
    result = {"state": "3", "ischeck": "1", "com": "zhongtong", "nu": "731234567890", "data": [
        {"context": "已签收，签收人：本人", "time": "2026-11-27 15:30:00", "ftime": "2026-11-27 15:30:00",
         "areaName": "浙江,杭州市"},
        {"context": "【杭州市】快递员正在派件", "time": "2026-11-27 08:00:00", "ftime": "2026-11-27 08:00:00",
         "status": "派件", "statusCode": "5"},
        {"context": "【杭州转运中心】已发出", "time": "2026-11-26 21:00:00", "ftime": "2026-11-26 21:00:00"},
        {"context": "bad time", "time": "yesterday"},
    ]}
    events = events_of(result, carrier="zto")

    assert [(e.status, e.carrier, e.tracking_no) for e in events] == [
        (S.DELIVERED, "zto", "731234567890"), (S.OUT_FOR_DELIVERY, "zto", "731234567890"),
        (S.IN_TRANSIT, "zto", "731234567890")]
    assert events[0].location == "浙江,杭州市" and events[1].carrier_status == "5"


def test_a_result_without_a_number_has_no_events():
    assert events_of({"state": "0", "data": [{"time": "2026-11-27 08:00:00", "context": "x"}]}, carrier="zto") == []
