"""Builders for import files: rows are dicts keyed by column key; headers in either language."""

from __future__ import annotations

import csv
import io

from oms.orders.importing.columns import COLUMNS, header_text

BASE_ROW = {
    "channel": "taobao",
    "external_id": "IMP-0001",
    "placed_at": "2026-11-26 10:15:00",
    "customer_name": "张三",
    "customer_phone": "13800138000",
    "customer_email": "zs@example.cn",
    "recipient_name": "张三",
    "recipient_phone": "13800138000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "address_detail": "文三路100号",
    "postcode": "310012",
    "shipping_fee": "10.00",
    "coupon_discount": "10.00",
    "payment_method": "alipay",
    "payment_status": "paid",
    "paid_at": "2026-11-26 10:16:00",
    "transaction_id": "2026112622001",
}
LINES = [
    {"sku": "TSHIRT-RED-M", "item_name": "纯棉T恤", "spec": "红色/M", "quantity": "2", "unit_price": "59.00"},
    {"sku": "MUG-WHITE-350", "item_name": "陶瓷马克杯", "spec": "白色/350ml", "quantity": "1", "unit_price": "39.90"},
    {"sku": "SOCKS-MIX", "item_name": "精梳棉袜五双装", "spec": "混色/均码", "quantity": "3", "unit_price": "29.90"},
]


def order_rows(external_id: str = "IMP-0001", lines: int = 2, **overrides) -> list[dict]:
    """One valid order of `lines` rows; paid_amount adds up (goods + 10 shipping - 10 coupon)."""
    chosen = LINES[:lines]
    goods = sum(int(ln["quantity"]) * float(ln["unit_price"]) for ln in chosen)
    order = {**BASE_ROW, "external_id": external_id, "paid_amount": f"{goods:.2f}", **overrides}
    return [{**order, **line} for line in chosen]


def many_orders(count: int, lines: int = 3, prefix: str = "BULK") -> list[dict]:
    return [row for i in range(count) for row in order_rows(f"{prefix}-{i:06d}", lines=lines)]


def csv_bytes(rows: list[dict], *, lang: str = "en", columns=None, encoding: str = "utf-8-sig") -> bytes:
    keys = columns or [c.key for c in COLUMNS]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header_text(k, lang) for k in keys])
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k in keys])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict], *, lang: str = "en", columns=None) -> bytes:
    from openpyxl import Workbook

    keys = columns or [c.key for c in COLUMNS]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([header_text(k, lang) for k in keys])
    for row in rows:
        sheet.append([row.get(k) for k in keys])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
