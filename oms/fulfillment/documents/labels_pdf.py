"""Shipping labels, 100 × 150 mm (thermal printers): one page per package, many in one PDF."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _

from oms.fulfillment.documents.fonts import cjk_font

# A label is read by many hands: the phone is masked (the carrier has the full number electronically).
# The recipient's name and full address stay: the courier needs them to deliver (docs/privacy.md).
from oms.orders.personal_data import mask_phone  # noqa: F401 (one module owns the masking rules)


@dataclass(frozen=True)
class LabelData:
    package: str
    order_no: str
    carrier: str  # name, or "" when not chosen yet
    tracking_number: str
    sender_name: str
    sender_address: str
    recipient_name: str
    recipient_phone: str  # already masked
    recipient_address: str
    contents: str
    weight_g: int


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for ch in text:
        if stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    return [*lines, current] if current else lines


def render_labels(labels: list[LabelData]) -> bytes:
    """PDF bytes with one 100 × 150 mm page per label."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import code128, qr
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font = cjk_font()
    width, height = 100 * mm, 150 * mm
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(_("Shipping labels"))
    pdf.setAuthor("OMS")
    for label in labels:
        margin = 4 * mm
        y = height - margin
        pdf.setFont(font, 13)
        pdf.drawString(margin, y - 5 * mm, label.carrier or _("Carrier to be chosen"))
        pdf.setFont(font, 8)
        pdf.drawRightString(width - margin, y - 5 * mm, label.order_no)
        y -= 8 * mm
        if label.tracking_number:
            barcode = code128.Code128(label.tracking_number, barHeight=14 * mm, barWidth=0.38 * mm)
            barcode.drawOn(pdf, margin, y - 15 * mm)
            pdf.setFont(font, 10)
            pdf.drawString(margin, y - 19 * mm, label.tracking_number)
            y -= 21 * mm
        pdf.line(margin, y, width - margin, y)
        y -= 5 * mm
        pdf.setFont(font, 9)
        pdf.drawString(margin, y, _("To"))
        pdf.setFont(font, 13)
        pdf.drawString(margin + 8 * mm, y, f"{label.recipient_name}  {label.recipient_phone}")
        y -= 6 * mm
        pdf.setFont(font, 11)
        for line in _wrap(label.recipient_address, font, 11, width - 2 * margin - 8 * mm)[:4]:
            pdf.drawString(margin + 8 * mm, y, line)
            y -= 5 * mm
        y -= 1 * mm
        pdf.line(margin, y, width - margin, y)
        y -= 5 * mm
        pdf.setFont(font, 8)
        pdf.drawString(margin, y, _("From"))
        pdf.drawString(margin + 8 * mm, y, label.sender_name)
        y -= 4 * mm
        for line in _wrap(label.sender_address, font, 8, width - 2 * margin - 8 * mm)[:2]:
            pdf.drawString(margin + 8 * mm, y, line)
            y -= 4 * mm
        pdf.line(margin, y, width - margin, y)
        y -= 4 * mm
        for line in _wrap(_("Contents: %(contents)s · %(weight)s g") % {"contents": label.contents,
                                                                       "weight": label.weight_g},
                          font, 8, width - 2 * margin)[:3]:
            pdf.drawString(margin, y, line)
            y -= 4 * mm
        package_code = code128.Code128(label.package, barHeight=12 * mm, barWidth=0.3 * mm)
        package_code.drawOn(pdf, margin, 14 * mm)
        pdf.setFont(font, 8)
        pdf.drawString(margin, 10 * mm, label.package)
        code = qr.QrCodeWidget(f"OMS:{label.order_no}:{label.package}")
        x0, y0, x1, y1 = code.getBounds()
        size = 26 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(code)
        renderPDF.draw(drawing, pdf, width - margin - size, 8 * mm)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
