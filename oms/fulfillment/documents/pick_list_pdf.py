"""The A4 pick list: header with its barcode, then the stops in walking order with SKU barcodes."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _

from oms.fulfillment.documents.fonts import cjk_font


def render_pick_list(sheet: dict) -> bytes:
    """PDF bytes of a pick list sheet (oms.fulfillment.selectors.pick_list_sheet)."""
    from reportlab.graphics.barcode import code128
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
    from reportlab.platypus.paragraph import Paragraph

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=11)
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=19)
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=sheet["number"], author="OMS")
    story = [
        Paragraph(_("Pick list %(number)s") % {"number": sheet["number"]}, title),
        Paragraph(_("Warehouse %(warehouse)s · %(packages)s packages · %(units)s units · route %(route)s m") % {
            "warehouse": sheet["warehouse"], "packages": sheet["packages"], "units": sheet["units"],
            "route": f"{sheet['route_m']:.0f}"}, body),
        Spacer(1, 2 * mm),
        code128.Code128(sheet["number"], barHeight=10 * mm, barWidth=0.3 * mm),
        Spacer(1, 4 * mm),
    ]
    rows = [[_("Stop"), _("Bin"), _("SKU"), _("Name / spec"), _("Qty"), _("To (slot × qty)"), _("Done")]]
    for stop in sheet["stops"]:
        rows.append([
            str(stop["stop"]), stop["bin"] or _("no bin"),
            [Paragraph(stop["sku"], body), code128.Code128(stop["barcode"] or stop["sku"], barHeight=6 * mm,
                                                           barWidth=0.22 * mm)],
            Paragraph(f"{stop['name']}<br/>{stop['spec']}", body), str(stop["quantity"]),
            Paragraph(", ".join(f"#{o['slot']} × {o['quantity']}" for o in stop["orders"]), body), "□",
        ])
    table = Table(rows, colWidths=[11 * mm, 24 * mm, 48 * mm, 45 * mm, 12 * mm, 32 * mm, 12 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (4, 1), (4, -1), "RIGHT"),
    ]))
    story.append(table)
    story.append(Spacer(1, 5 * mm))
    story.append(Paragraph(_("Sort to order"), title))
    sort_rows = [[_("Slot"), _("Order"), _("Package"), _("Items")]]
    for slot in sheet["sort_to_order"]:
        sort_rows.append([f"#{slot['slot']}", slot["order_no"], slot["package"],
                          Paragraph("<br/>".join(f"{i['sku']} {i['name']} × {i['quantity']}" for i in slot["items"]),
                                    body)])
    sort_table = Table(sort_rows, colWidths=[14 * mm, 40 * mm, 44 * mm, 86 * mm], repeatRows=1)
    sort_table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(sort_table)
    doc.build(story)
    return buffer.getvalue()
