"""Cell conversion, without a database."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from oms.orders.importing.columns import Kind, match_header
from oms.orders.importing.values import Unconvertible, convert

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("cell", "expected"), [
    (59.9, "59.90"), (59, "59.00"), (0.1 + 0.2, "0.30"), (19.9 * 3, "59.70"), ("59.9", "59.90"),
    ("¥1,299.00", "1299.00"), (" 10 ", "10.00"), (59.999, "59.999"), ("abc", "abc"), (None, None), ("", None),
])
def test_money_cells_become_exact_two_place_strings_or_stay_as_written(cell, expected):
    assert convert(Kind.MONEY, cell) == expected


@pytest.mark.parametrize(("cell", "expected"), [(2, 2), (2.0, 2), ("3", "3"), ("3.0", 3), (2.5, "2.5")])
def test_quantity_cells_that_are_whole_numbers_become_ints(cell, expected):
    assert convert(Kind.QUANTITY, cell) == expected


@pytest.mark.parametrize(("cell", "expected"), [(13800138000, "13800138000"), (13800138000.0, "13800138000"),
                                                ("  a  ", "a"), (310012.0, "310012")])
def test_text_cells_keep_long_digit_strings_whole(cell, expected):
    assert convert(Kind.TEXT, cell) == expected


@pytest.mark.parametrize("cell", [
    "2026-11-26 10:15:00", "2026-11-26T10:15:00+08:00", "2026/11/26 10:15", "2026-11-26T02:15:00Z",
    datetime(2026, 11, 26, 10, 15), 46352.42708333333,
])
def test_times_without_offset_are_beijing_time(cell):
    assert convert(Kind.MOMENT, cell) == datetime(2026, 11, 26, 10, 15, tzinfo=SHANGHAI)


def test_a_date_alone_is_midnight_beijing_time():
    assert convert(Kind.MOMENT, date(2026, 11, 26)) == datetime(2026, 11, 26, tzinfo=SHANGHAI)


@pytest.mark.parametrize("cell", ["tomorrow", "26/11/2026 25:00", 12])
def test_unreadable_times_are_refused_with_the_accepted_forms(cell):
    with pytest.raises(Unconvertible, match="2026-11-26 10:15:00"):
        convert(Kind.MOMENT, cell)


@pytest.mark.parametrize(("kind", "cell", "expected"), [
    (Kind.PAYMENT_METHOD, "支付宝", "alipay"), (Kind.PAYMENT_METHOD, "Alipay", "alipay"),
    (Kind.PAYMENT_METHOD, "货到付款", "cod"), (Kind.PAYMENT_STATUS, "已支付", "paid"),
    (Kind.PAYMENT_STATUS, "未支付", "unpaid"), (Kind.INVOICE_TYPE, "增值税专用发票", "vat_special"),
    (Kind.INVOICE_TYPE, "不开发票", ""),
])
def test_chinese_words_for_codes_become_codes(kind, cell, expected):
    assert convert(kind, cell) == expected


def test_a_header_row_in_mixed_languages_is_read_in_the_language_of_most_cells():
    header = match_header(["渠道", "外部订单号", "sku", "数量"], row=1)

    assert header.lang == "zh"
    assert header.positions == {"channel": 0, "external_id": 1, "sku": 2, "quantity": 3}
    assert header.text("customer_phone") == "客户电话"  # a column the file lacks, named in its language


def test_a_row_with_one_known_word_is_not_a_header():
    assert match_header(["订单导入", "SKU"], row=1) is None
