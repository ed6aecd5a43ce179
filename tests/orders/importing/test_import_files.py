"""Reading the file: encodings, header leniency, spreadsheet cells, and files refused as a whole."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from oms.orders.importing.columns import COLUMNS
from oms.orders.importing.errors import ImportFileInvalid
from oms.orders.models import Order
from tests.orders.importing.import_builders import csv_bytes, order_rows, xlsx_bytes


def test_a_gb18030_csv_from_chinese_excel_is_read(importer):
    content = csv_bytes(order_rows("GB1", customer_name="欧阳娜娜"), lang="zh", encoding="gb18030")

    report = importer(content)

    assert report.errors == [] and len(report.created) == 1
    assert Order.objects.get().customer_name == "欧阳娜娜"


def test_headers_with_surrounding_spaces_and_capitals_are_recognised(importer):
    content = csv_bytes(order_rows("SP1"))
    header, rest = content.split(b"\r\n", 1)
    header = b",".join(b"  " + h.strip().upper() + b" " for h in header.split(b","))

    report = importer(header + b"\r\n" + rest)

    assert report.errors == [] and len(report.created) == 1


def test_chinese_values_for_payment_and_invoice_are_understood(importer):
    rows = order_rows("ZH1", payment_method="微信", payment_status="已支付", invoice_type="个人",
                      invoice_title="张三")

    importer(csv_bytes(rows, lang="zh"))

    order = Order.objects.get()
    assert (order.payment_method, order.payment_status, order.invoice_type) == ("wechat", "paid", "personal")


def test_unpaid_cash_on_delivery_orders_are_imported_for_review(importer):
    rows = order_rows("COD1", payment_method="货到付款", payment_status="未支付", paid_amount="", paid_at="")

    importer(csv_bytes(rows, lang="zh"))

    order = Order.objects.get()
    assert (order.payment_method, order.payment_status, order.status) == ("cod", "unpaid", "pending_review")


def test_spreadsheet_numbers_and_times_become_exact_values(importer):
    rows = order_rows("XL1")
    for row in rows:
        row.update(placed_at=datetime(2026, 11, 26, 10, 15), customer_phone=13800138000, shipping_fee=10,
                   coupon_discount=10.0, paid_amount=157.9)
    rows[0].update(quantity=2, unit_price=59)
    rows[1].update(quantity=1.0, unit_price=39.9)

    report = importer(xlsx_bytes(rows), filename="orders.xlsx")

    assert report.errors == []
    order = Order.objects.get()
    assert order.customer_phone == "13800138000"
    assert order.paid_amount == Decimal("157.90")
    assert order.placed_at.isoformat() == "2026-11-26T02:15:00+00:00"


def test_an_xlsx_with_a_title_row_above_the_header_keeps_true_row_numbers(importer):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["订单导入 2026-11"])
    sheet.append([c.key for c in COLUMNS])
    rows = order_rows("TR1")
    rows[1]["quantity"] = -1
    for row in rows:
        sheet.append([row.get(c.key) for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)

    report = importer(out.getvalue(), filename="orders.XLSX")

    assert [(e.row, e.column) for e in report.errors] == [(4, "quantity")]


def test_blank_rows_are_skipped_and_do_not_shift_row_numbers(importer):
    content = csv_bytes(order_rows("BL1") + [{}] + order_rows("BL2", customer_phone=""))

    report = importer(content)

    assert len(report.created) == 1
    assert [(e.row, e.column) for e in report.errors] == [(5, "customer_phone")]


def test_a_header_missing_required_columns_names_them(importer):
    columns = [c.key for c in COLUMNS if c.key not in ("customer_phone", "quantity")]

    with pytest.raises(ImportFileInvalid) as caught:
        importer(csv_bytes(order_rows("MC1"), lang="en", columns=columns))

    assert "customer_phone" in caught.value.message and "quantity" in caught.value.message
    assert caught.value.details["missing_columns"] == ["customer_phone", "quantity"]


def test_missing_columns_are_named_in_the_files_language(importer):
    columns = [c.key for c in COLUMNS if c.key != "recipient_phone"]

    with pytest.raises(ImportFileInvalid) as caught:
        importer(csv_bytes(order_rows("MC2"), lang="zh", columns=columns))

    assert caught.value.details["missing_columns"] == ["收件人电话"]


@pytest.mark.parametrize(("content", "filename", "words"), [
    (b"", "orders.csv", "empty"),
    (b"  \r\n", "orders.csv", "empty"),
    (b"a,b,c\r\n1,2,3\r\n", "orders.csv", "header"),
    (b"channel,external_id\r\n", "orders.csv", "required columns"),
    (b"whatever", "orders.pdf", ".csv or .xlsx"),
    (b"whatever", "orders.xls", ".xlsx"),
    (b"not a zip", "orders.xlsx", "not a readable"),
    (b"\xff\xfe\x00\x00garbage\x81", "orders.csv", "UTF-8"),
])
def test_files_that_cannot_be_imported_are_refused_with_a_clear_message(importer, content, filename, words):
    with pytest.raises(ImportFileInvalid) as caught:
        importer(content, filename=filename)

    assert words in caught.value.message


def test_a_header_without_order_rows_is_refused(importer):
    with pytest.raises(ImportFileInvalid, match="no order rows"):
        importer(csv_bytes([]))


def test_a_file_over_the_size_limit_is_refused(importer, settings):
    settings.OMS_IMPORT_MAX_BYTES = 1000

    with pytest.raises(ImportFileInvalid, match="larger than"):
        importer(csv_bytes(order_rows("BIG", lines=3) * 5))


def test_a_column_given_twice_is_refused(importer):
    content = "channel,external_id,渠道\r\ntaobao,1,taobao\r\n".encode()

    with pytest.raises(ImportFileInvalid, match="more than once"):
        importer(content)


def test_a_file_with_too_many_rows_is_refused(importer, monkeypatch):
    from oms.orders.importing import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)

    with pytest.raises(ImportFileInvalid, match="more than 3 rows"):
        importer(csv_bytes(order_rows("R1", lines=2) + order_rows("R2", lines=2)))
