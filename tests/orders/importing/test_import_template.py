"""The downloadable template imports as it is: headers in both languages, CSV and XLSX."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from oms.orders.importing.columns import COLUMNS
from oms.orders.importing.template import template_bytes
from oms.orders.models import Order


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_downloaded_template_imports_as_one_order_with_correct_amounts(importer, fmt, lang):
    content = template_bytes(fmt, lang)

    report = importer(content, filename=f"template.{fmt}")

    assert report.errors == []
    assert report.orders_in_file == 1 and len(report.created) == 1
    order = Order.objects.get(order_no=report.created[0])
    assert order.source == "import"
    assert order.status == "pending_review"
    assert (order.goods_total, order.shipping_fee, order.discount_total) == (
        Decimal("157.90"), Decimal("10.00"), Decimal("10.00"))
    assert order.payable_amount == order.paid_amount == Decimal("157.90")
    assert order.payment_method == "alipay" and order.payment_status == "paid"
    assert order.invoice_type == "personal"
    assert order.placed_at.isoformat() == "2026-11-26T02:15:00+00:00"  # 10:15 Beijing time
    assert [(ln.sku_code, ln.quantity, ln.unit_price) for ln in order.lines.all()] == [
        ("TSHIRT-RED-M", 2, Decimal("59.00")), ("MUG-WHITE-350", 1, Decimal("39.90"))]


def test_the_csv_template_starts_with_a_byte_order_mark_for_excel():
    assert template_bytes("csv", "zh").startswith(b"\xef\xbb\xbf\xe6\xb8\xa0\xe9\x81\x93")  # BOM, then 渠道


@pytest.mark.parametrize(("lang", "first", "last"), [("zh", "渠道", "税号"), ("en", "channel", "invoice_tax_id")])
def test_the_xlsx_template_has_one_header_per_column_in_the_chosen_language(lang, first, last):
    sheet = load_workbook(io.BytesIO(template_bytes("xlsx", lang))).worksheets[0]

    header = [c.value for c in sheet[1]]

    assert len(header) == len(COLUMNS)
    assert (header[0], header[-1]) == (first, last)
    assert sheet.max_row == 3  # header and two lines of one order


def test_unknown_template_format_is_refused():
    with pytest.raises(ValueError):
        template_bytes("xls", "zh")
