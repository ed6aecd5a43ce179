"""Export of archived orders with their whole lifecycle, as XLSX (four sheets) or CSV (four sections).

The tables, the same in both formats:
  Orders and lines  one row per order line, with the order's fields (buyer, address, amounts,
                    payment: method, status, paid at, transaction id, paid amount; dates to archiving)
  Packages          one row per package: warehouse, carrier, tracking number, status, shipped/delivered
  Tracking          one row per tracking event of those packages
  Timeline          one row per audit event of the orders (who, role, when, what, changes)
In CSV the four tables follow each other, each after a title row and separated by an empty row.
Every export is recorded as an audit event without an order (action "archive_exported": what, the
filters with the phone masked, the row count). Names, phones and addresses are masked as on screen
(docs/privacy.md); the timeline's old → new values of personal fields too.
"""

from __future__ import annotations

import csv
import io
import json
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import VIEW_ARCHIVE
from oms.audit.services import record
from oms.core.errors import ValidationFailed
from oms.orders.archive_selectors import MAX_EXPORT, ArchiveQuery, archived_orders, with_lifecycle
from oms.orders.personal_data import mask_phone, mask_value_change, masked_contact

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMATS = ("csv", "xlsx")
EXPORTED = "archive_exported"


def _t(value) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _m(value) -> str:
    return f"{value:.2f}" if value is not None else ""


def export_tables(orders) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) of the four tables for these orders (prefetched with_lifecycle)."""
    lines, packages, tracking, timeline = [], [], [], []
    for o in orders:
        masked = masked_contact(o)
        order_cells = [
            o.order_no, o.channel.code, o.external_id or "", o.get_status_display(), _t(o.placed_at),
            masked["customer_name"], masked["customer_phone"], masked["ship_name"], masked["ship_phone"],
            masked["full_address"],
            _m(o.goods_total), _m(o.shipping_fee), _m(o.discount_total), _m(o.payable_amount), _m(o.paid_amount),
            o.get_payment_method_display(), o.get_payment_status_display(), _t(o.paid_at), o.transaction_id,
            _t(o.shipped_at), _t(o.delivered_at), _t(o.completed_at), _t(o.settled_at), _t(o.archived_at),
        ]
        for ln in o.lines.all():
            lines.append([*order_cells, ln.line_no, ln.sku_code, ln.name, ln.spec, ln.quantity,
                          _m(ln.unit_price), _m(ln.subtotal)])
        for p in o.packages.all():
            packages.append([o.order_no, p.number, p.warehouse.code, p.carrier.name if p.carrier else "",
                             p.tracking_no, p.get_status_display(), _t(p.shipped_at), _t(p.delivered_at),
                             ", ".join(f"{pl.line.sku_code}×{pl.quantity}" for pl in p.lines.all())])
            for ev in sorted(p.tracking_events.all(), key=lambda e: (e.occurred_at, e.id)):
                tracking.append([o.order_no, p.number, p.tracking_no, _t(ev.occurred_at), ev.get_status_display(),
                                 ev.location, ev.description])
        for ev in o.events.all():
            timeline.append([o.order_no, _t(ev.at), ev.actor_username, ev.actor_roles, ev.action,
                             json.dumps({k: mask_value_change(k, v) for k, v in ev.changes.items()}, ensure_ascii=False)
                             if ev.changes else "", ev.reason, ev.note])
    return [
        (_("Orders and lines"), [
            _("Order number"), _("Channel"), _("External order id"), _("Status"), _("Placed at"),
            _("Customer"), _("Customer phone"), _("Recipient"), _("Recipient phone"), _("Address"),
            _("Goods total"), _("Shipping fee"), _("Discounts"), _("Payable"), _("Paid"),
            _("Payment method"), _("Payment status"), _("Paid at"), _("Transaction id"),
            _("Shipped at"), _("Delivered at"), _("Completed at"), _("Settled at"), _("Archived at"),
            _("Line"), _("SKU"), _("Item name"), _("Specification"), _("Quantity"), _("Unit price"), _("Subtotal"),
        ], lines),
        (_("Packages"), [
            _("Order number"), _("Package"), _("Warehouse"), _("Carrier"), _("Tracking number"), _("Status"),
            _("Shipped at"), _("Delivered at"), _("Contents"),
        ], packages),
        (_("Tracking"), [
            _("Order number"), _("Package"), _("Tracking number"), _("Time"), _("Status"), _("Location"),
            _("Description"),
        ], tracking),
        (_("Timeline"), [
            _("Order number"), _("Time"), _("User"), _("Role"), _("Action"), _("Changes"), _("Reason"), _("Note"),
        ], timeline),
    ]


def _csv(tables) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for i, (title, header, rows) in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([f"# {title}"])
        writer.writerow(header)
        writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the Chinese text


def _xlsx(tables) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in tables:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_archive(*, query: ArchiveQuery, fmt: str, actor: Actor) -> tuple[bytes, str, int]:
    """The archived orders of a search as a file (bytes, file name, orders); the export is audited."""
    require(actor, VIEW_ARCHIVE)
    if fmt not in FORMATS:
        raise ValidationFailed(message=_("Export as csv or xlsx."), details={"format": [_("Use csv or xlsx.")]})
    orders = list(with_lifecycle(archived_orders(query, actor))[: MAX_EXPORT + 1])
    if len(orders) > MAX_EXPORT:
        raise ValidationFailed(
            message=_("More than %(n)s orders match; narrow the search to export them.") % {"n": MAX_EXPORT},
            details={"orders": [_("At most %(n)s orders per export.") % {"n": MAX_EXPORT}]},
        )
    tables = export_tables(orders)
    content = _xlsx(tables) if fmt == "xlsx" else _csv(tables)
    record(None, EXPORTED, actor=actor, data={
        "what": "archived_orders", "rows": sum(len(rows) for _title, _header, rows in tables[:1]),
        "format": fmt, "orders": len(orders), "order_no": query.order_no, "phone": mask_phone(query.phone or ""),
        "date_from": query.date_from.isoformat() if query.date_from else "",
        "date_to": query.date_to.isoformat() if query.date_to else "",
    })
    stamp = timezone.now().astimezone(SHANGHAI).strftime("%Y%m%d-%H%M%S")
    return content, f"archive-{stamp}.{fmt}", len(orders)
