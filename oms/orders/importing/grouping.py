"""Rows to orders: group the rows of one order, build its intake payload, and map intake's
error paths ("customer.phone", "lines[1].quantity") back to spreadsheet rows and columns.

Order columns may be left blank on an order's later rows (they take the order's value);
a different value there is an error on that row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from oms.orders.importing.columns import BY_KEY, DISCOUNT_KINDS, HeaderRow
from oms.orders.importing.reading import Sheet
from oms.orders.importing.report import RowError
from oms.orders.importing.values import Unconvertible, converter

# intake path -> column key, for the order-level fields
ORDER_PATHS = {
    "channel": "channel",
    "external_id": "external_id",
    "placed_at": "placed_at",
    "customer.name": "customer_name",
    "customer.phone": "customer_phone",
    "customer.email": "customer_email",
    "shipping_address.name": "recipient_name",
    "shipping_address.phone": "recipient_phone",
    "shipping_address.province": "province",
    "shipping_address.city": "city",
    "shipping_address.district": "district",
    "shipping_address.detail": "address_detail",
    "shipping_address.postcode": "postcode",
    "shipping_fee": "shipping_fee",
    "paid_amount": "paid_amount",
    "payment.method": "payment_method",
    "payment.status": "payment_status",
    "payment.paid_at": "paid_at",
    "payment.transaction_id": "transaction_id",
    "buyer_remark": "buyer_remark",
    "seller_note": "seller_note",
    "invoice.type": "invoice_type",
    "invoice.title": "invoice_title",
    "invoice.tax_id": "invoice_tax_id",
}
LINE_FIELDS = {"sku": "sku", "name": "item_name", "spec": "spec", "quantity": "quantity", "unit_price": "unit_price"}
ITEM_PATH = re.compile(r"^(lines|discounts)\[(\d+)\](?:\.(\w+))?$")


@dataclass
class FileOrder:
    """The rows of one order in the file and what they say."""

    rows: list[int] = field(default_factory=list)  # one row per line, in file order
    values: dict[str, object] = field(default_factory=dict)  # order column -> value
    sources: dict[str, int] = field(default_factory=dict)  # order column -> row the value came from
    lines: list[dict[str, object]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column key, message)
    unconverted: set[tuple[int, str]] = field(default_factory=set)  # (row, column key) already reported
    discount_columns: list[str] = field(default_factory=list)  # payload discount index -> column key
    written: dict[str, object] = field(default_factory=dict)  # order column -> cell as written where value came from

    @property
    def external_id(self) -> str:
        return str(self.values.get("external_id") or "")

    def payload(self) -> dict:
        v = self.values.get
        discounts = []
        self.discount_columns = []
        for key, kind in DISCOUNT_KINDS.items():
            amount = v(key)
            if amount is None or _is_zero(amount):
                continue
            discounts.append({"kind": kind, "amount": amount})
            self.discount_columns.append(key)
        invoice = None
        if any(v(k) for k in ("invoice_type", "invoice_title", "invoice_tax_id")):
            invoice = {"type": v("invoice_type") or "", "title": v("invoice_title"), "tax_id": v("invoice_tax_id")}
        return {
            "channel": v("channel"),
            "external_id": v("external_id"),
            "placed_at": v("placed_at"),
            "customer": {"name": v("customer_name"), "phone": v("customer_phone"), "email": v("customer_email")},
            "shipping_address": {
                "name": v("recipient_name"), "phone": v("recipient_phone"), "province": v("province"),
                "city": v("city"), "district": v("district"), "detail": v("address_detail"),
                "postcode": v("postcode"),
            },
            "lines": [
                {"sku": ln.get("sku"), "name": ln.get("item_name"), "spec": ln.get("spec"),
                 "quantity": ln.get("quantity"), "unit_price": ln.get("unit_price")}
                for ln in self.lines
            ],
            "shipping_fee": v("shipping_fee"),
            "discounts": discounts,
            "paid_amount": v("paid_amount"),
            "payment": {
                "method": v("payment_method"), "status": v("payment_status"), "paid_at": v("paid_at"),
                "transaction_id": v("transaction_id"),
            },
            "buyer_remark": v("buyer_remark"),
            "seller_note": v("seller_note"),
            "invoice": invoice,
        }

    def problem_errors(self, header: HeaderRow) -> list[RowError]:
        return [RowError(row, header.text(key) if key else "", msg) for row, key, msg in self.problems]

    def intake_errors(self, details: dict, header: HeaderRow) -> list[RowError]:
        """RowErrors for intake's error details, skipping cells whose conversion was already reported."""
        errors = []
        for path, messages in details.items():
            row, key = self._locate(path)
            if (row, key) in self.unconverted:
                continue
            column = header.text(key) if key else ""
            for message in messages if isinstance(messages, list) else [messages]:
                text = str(message)
                if not key and path not in ("lines", "discounts"):
                    text = f"{path}: {text}"
                errors.append(RowError(row, column, text))
        return errors

    def _locate(self, path: str) -> tuple[int, str]:
        first = self.rows[0]
        if path in ORDER_PATHS:
            key = ORDER_PATHS[path]
            return self.sources.get(key, first), key
        item = ITEM_PATH.match(path)
        if item and item.group(1) == "lines":
            index, name = int(item.group(2)), item.group(3)
            row = self.rows[index] if index < len(self.rows) else first
            return row, LINE_FIELDS.get(name or "", "")
        if item or path == "discounts":
            index = int(item.group(2)) if item else 0
            if index < len(self.discount_columns):
                key = self.discount_columns[index]
                return self.sources.get(key, first), key
        return first, ""


def _is_zero(amount: object) -> bool:
    try:
        return float(str(amount)) == 0
    except ValueError:
        return False


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def group_orders(sheet: Sheet, channel_codes: set[str]) -> list[FileOrder]:
    """The file's orders in the order they first appear; rows without an external id stand alone."""
    orders: dict[tuple, FileOrder] = {}
    keys = sheet.header.positions
    line_keys = [k for k in keys if BY_KEY[k].line]
    order_keys = [k for k in keys if not BY_KEY[k].line and k not in ("channel", "external_id")]
    converters = {k: converter(BY_KEY[k].kind) for k in keys}
    for row, raw in sheet.rows:
        channel = converters["channel"](raw["channel"])
        if channel is not None and channel not in channel_codes and channel.lower() in channel_codes:
            channel = channel.lower()
        external_id = converters["external_id"](raw["external_id"])
        group = (channel or "", external_id) if external_id else ("", "", row)
        order = orders.get(group)
        if order is None:
            order = orders[group] = FileOrder()
            for key, value in (("channel", channel), ("external_id", external_id)):
                if value is not None:
                    order.values[key], order.sources[key] = value, row
        order.rows.append(row)

        line: dict[str, object] = {}
        for key in line_keys:
            try:
                line[key] = converters[key](raw[key])
            except Unconvertible as exc:
                line[key] = exc.value
                order.problems.append((row, key, exc.message))
                order.unconverted.add((row, key))
        order.lines.append(line)

        written = order.written
        for key in order_keys:
            cell = raw[key]
            if cell is None or cell == "" or written.get(key, _NOTHING) == cell:
                continue  # blank, or written as on the row the order's value came from
            try:
                value = converters[key](cell)
            except Unconvertible as exc:
                value = exc.value
                order.problems.append((row, key, exc.message))
                order.unconverted.add((row, key))
                if key in order.values:
                    continue
            if value is None:
                continue
            if key not in order.values:
                order.values[key], order.sources[key], written[key] = value, row, cell
            elif order.values[key] != value:
                order.problems.append((row, key, _(
                    "Differs from row %(row)d of the same order (%(value)s); all rows of one order must agree "
                    "on the order columns."
                ) % {"row": order.sources[key], "value": _shown(order.values[key])}))
    return list(orders.values())


_NOTHING = object()
