"""The printed hand-over list (交接单): the parcels the courier takes, with counts and two signatures."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _

from oms.fulfillment.documents.fonts import cjk_font


def render_handover(sheet: dict) -> bytes:
    """PDF bytes (A4) of a hand-over sheet (oms.shipping.handover_selectors.handover_sheet)."""
    from reportlab.graphics.barcode import code128
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
    from reportlab.platypus.paragraph import Paragraph

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=19)
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=sheet["number"], author="OMS")
    when = sheet["handed_over_at"] or timezone.now()
    story = [
        Paragraph(_("Hand-over list %(number)s") % {"number": sheet["number"]}, title),
        Paragraph(_("Carrier %(carrier)s · warehouse %(warehouse)s · %(when)s") % {
            "carrier": sheet["carrier_name"], "warehouse": sheet["warehouse_name"],
            "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")}, body),
        Paragraph(_("%(parcels)s parcels · %(kg)s kg in all") % {
            "parcels": sheet["parcels"], "kg": f"{sheet['weight_g'] / 1000:.2f}"}, body),
        Spacer(1, 2 * mm),
        code128.Code128(sheet["number"], barHeight=10 * mm, barWidth=0.3 * mm),
        Spacer(1, 4 * mm),
    ]
    rows = [[_("No."), _("Tracking number"), _("Package"), _("Order"), _("Destination"), _("Weight (kg)")]]
    for i, p in enumerate(sheet["packages"], start=1):
        rows.append([str(i), p["tracking_no"], p["number"], p["order_no"], Paragraph(p["destination"], body),
                     f"{p['weight_g'] / 1000:.2f}"])
    rows.append(["", _("Total"), _("%(n)s parcels") % {"n": sheet["parcels"]}, "", "",
                 f"{sheet['weight_g'] / 1000:.2f}"])
    table = Table(rows, colWidths=[10 * mm, 38 * mm, 40 * mm, 32 * mm, 44 * mm, 22 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("ALIGN", (5, 1), (5, -1), "RIGHT"),
    ]))
    story += [table, Spacer(1, 12 * mm)]
    signatures = Table([[_("Handed over by (warehouse): ____________"), _("Received by (courier): ____________")],
                        [_("Date and time: ____________"), _("Parcels counted: ____________")]],
                       colWidths=[93 * mm, 93 * mm])
    signatures.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 10), ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
    story.append(signatures)
    doc.build(story)
    return buffer.getvalue()
