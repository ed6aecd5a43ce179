"""The downloadable import template: the header row and one example order of two lines."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _

from oms.orders.importing.columns import COLUMNS, Kind, header_text

FORMATS = ("csv", "xlsx")
LANGUAGES = ("zh", "en")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_ORDER = {
    "channel": "taobao",
    "external_id": "TB202611260001",
    "placed_at": datetime(2026, 11, 26, 10, 15),
    "customer_name": "张三",
    "customer_phone": "13800138000",
    "customer_email": "zs@example.cn",
    "recipient_name": "张三",
    "recipient_phone": "13800138000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "address_detail": "文三路100号华星大厦1201室",
    "postcode": "310012",
    "shipping_fee": "10.00",
    "coupon_discount": "10.00",
    "paid_amount": "157.90",
    "payment_method": {"en": "alipay", "zh": "支付宝"},
    "payment_status": {"en": "paid", "zh": "已支付"},
    "paid_at": datetime(2026, 11, 26, 10, 16),
    "transaction_id": "2026112622001",
    "buyer_remark": "周末送货",
    "invoice_type": {"en": "personal", "zh": "个人"},
    "invoice_title": "张三",
}
_LINES = [
    {"sku": "TSHIRT-RED-M", "item_name": "纯棉T恤", "spec": "红色/M", "quantity": 2, "unit_price": "59.00"},
    {"sku": "MUG-WHITE-350", "item_name": "陶瓷马克杯", "spec": "白色/350ml", "quantity": 1, "unit_price": "39.90"},
]
# Columns Excel must keep as text (long digit strings, leading zeros).
_TEXT_COLUMNS = {"external_id", "customer_phone", "recipient_phone", "postcode", "transaction_id", "invoice_tax_id"}


def example_rows(lang: str) -> list[dict[str, object]]:
    """The example order, one dict (column key -> value) per line."""
    rows = []
    for line in _LINES:
        row = {}
        for key, value in {**_ORDER, **line}.items():
            row[key] = value[lang] if isinstance(value, dict) else value
        rows.append(row)
    return rows


def template_bytes(fmt: str, lang: str) -> bytes:
    """The template in CSV (UTF-8 with BOM, for Excel) or XLSX, with Chinese or English headers."""
    if fmt not in FORMATS or lang not in LANGUAGES:
        raise ValueError(f"unknown template {fmt}/{lang}")
    return _csv(lang) if fmt == "csv" else _xlsx(lang)


def template_filename(fmt: str, lang: str) -> str:
    return f"order-import-template-{lang}.{fmt}"


def _csv(lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header_text(c.key, lang) for c in COLUMNS])
    for row in example_rows(lang):
        writer.writerow([_csv_cell(row.get(c.key)) for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    return str(value)


def _xlsx(lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with translation.override("zh-hans" if lang == "zh" else "en"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Orders")
        sheet.append([header_text(c.key, lang) for c in COLUMNS])
        for row in example_rows(lang):
            sheet.append([_xlsx_cell(c.kind, row.get(c.key)) for c in COLUMNS])
        for i, column in enumerate(COLUMNS, start=1):
            letter = get_column_letter(i)
            sheet.cell(row=1, column=i).font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(12, len(header_text(column.key, lang)) * 2)
            for cell_row in range(2, 2 + len(_LINES)):
                cell = sheet.cell(row=cell_row, column=i)
                if column.kind is Kind.MONEY:
                    cell.number_format = "0.00"
                elif column.kind is Kind.MOMENT:
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif column.key in _TEXT_COLUMNS:
                    cell.number_format = "@"
            if column.key in _TEXT_COLUMNS:
                sheet.column_dimensions[letter].number_format = "@"
        sheet.freeze_panes = "A2"
        _instructions(workbook.create_sheet(_("Instructions")), lang)
        out = io.BytesIO()
        workbook.save(out)
    return out.getvalue()


def _xlsx_cell(kind: Kind, value: object) -> object:
    if kind is Kind.MONEY and value is not None:
        return float(value)  # a number, as people type it; the reader turns it back into exact cents
    return value


def _instructions(sheet, lang: str) -> None:
    from openpyxl.styles import Font

    notes = _column_notes()
    sheet.append([_("Column"), _("Required"), _("Notes")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for c in COLUMNS:
        sheet.append([header_text(c.key, lang), _("yes") if c.required else "", notes.get(c.key, "")])
    sheet.append([])
    for text in (
        _("One row per order line. Rows with the same channel and external order id form one order; "
          "order columns may be left blank on the order's later rows."),
        _("Money has at most two decimal places. Times without an offset are Beijing time."),
        _("Importing the same file again creates no duplicates: orders already stored are skipped."),
    ):
        sheet.append([text])
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 90


def _column_notes() -> dict[str, str]:
    return {
        "channel": _("Channel code, e.g. taobao, jd, pdd, web, app, miniapp, offline."),
        "external_id": _("The channel's order id; with the channel it identifies the order."),
        "placed_at": _("For example 2026-11-26 10:15:00."),
        "customer_phone": _("Mobile or landline number."),
        "district": _("May be empty for cities without districts."),
        "sku": _("Our SKU code or the channel's SKU code."),
        "quantity": _("A whole number greater than zero."),
        "unit_price": _("Price per unit, e.g. 59.00."),
        "coupon_discount": _("Order-level discount amounts; leave empty or 0 when none."),
        "paid_amount": _("For a paid order: goods + shipping - discounts."),
        "payment_method": "alipay/支付宝, wechat/微信, unionpay/银联, card/银行卡, bank_transfer/银行转账, "
                          "cash/现金, cod/货到付款, platform/平台结算",
        "payment_status": "paid/已支付, unpaid/未支付",
        "invoice_type": "personal/个人, company/公司, vat_special/增值税专用发票",
        "invoice_tax_id": _("Required for company and VAT special invoices."),
    }
