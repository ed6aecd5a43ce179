"""Turn an intake payload (JSON body, import rows, entry form) into an IntakeCommand.

Every bad field is named at once. Malformed input (missing, wrong type, unknown
value) is a ValidationFailed (400); well-formed input whose amounts do not add up is
a BusinessRuleViolation (422). Business doubts (unknown SKU, odd phone) are not
errors here: review deals with them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from oms.core.errors import BusinessRuleViolation, ValidationFailed
from oms.core.money import ZERO, InvalidMoney, parse_money
from oms.orders.intake.command import (
    AddressInput,
    CancellationInput,
    DiscountInput,
    IntakeCommand,
    LineInput,
    PaymentInput,
)
from oms.orders.status import DiscountKind, InvoiceType, PaymentMethod, PaymentStatus
from oms.orders.totals import totals_problems

MAX_LINES = 500
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TAX_ID_RE = re.compile(r"^[0-9A-Z]{15,20}$")

# channel code -> (id, active) or None
ChannelLookup = Callable[[str], "tuple[int, bool] | None"]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _storable(text: str) -> bool:
    """Valid UTF-8 without control characters (PostgreSQL refuses NUL; lone surrogates cannot be encoded)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not _CONTROL.search(text)


@functools.cache
def _allowed_values(choices) -> tuple[str, ...]:
    return tuple(c for c in choices.values if c)


class _Checker:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def obj(self, data: dict, key: str, path: str, *, required: bool = True) -> dict | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(path, _("This field is required."))
            return None
        if not isinstance(value, dict):
            self.add(path, _("Must be an object."))
            return None
        return value

    def text(self, data: dict, key: str, path: str, *, required: bool = True, max_len: int = 200) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(path, _("This field is required."))
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(path, _("Must be a string."))
            return ""
        value = value.strip()
        if not _storable(value):
            self.add(path, _("Contains characters that cannot be stored (control characters or broken Unicode)."))
            return ""
        if len(value) > max_len:
            self.add(path, _("At most %(n)d characters.") % {"n": max_len})
            return ""
        return value

    def money(self, data: dict, key: str, path: str, *, required: bool = True, positive: bool = False) -> Decimal:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.add(path, _("This field is required."))
            return ZERO
        if isinstance(value, float):
            self.add(path, _('Money must be a decimal string such as "59.00", not a floating-point number.'))
            return ZERO
        try:
            amount = parse_money(value)
        except InvalidMoney:
            self.add(path, _('Must be a decimal amount with at most two places, such as "59.00".'))
            return ZERO
        if amount < 0:
            self.add(path, _("Must not be negative."))
        elif positive and amount == 0:
            self.add(path, _("Must be greater than zero."))
        return amount

    def quantity(self, data: dict, key: str, path: str) -> int:
        value = data.get(key)
        if value is None:
            self.add(path, _("This field is required."))
            return 0
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, _("Must be a whole number."))
            return 0
        if value <= 0:
            self.add(path, _("Must be greater than zero."))
        elif value > 100000:
            self.add(path, _("Must be at most 100000."))
        return value

    def choice(self, data: dict, key: str, path: str, choices, *, required: bool = True, default: str = "") -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.add(path, _("This field is required."))
            return default
        allowed = _allowed_values(choices)
        if value not in allowed:
            self.add(path, _("Unknown value %(value)r; expected one of: %(allowed)s.")
                     % {"value": value, "allowed": ", ".join(allowed)})
            return default
        return value

    def moment(self, data: dict, key: str, path: str, *, required: bool = True) -> datetime | None:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.add(path, _("This field is required."))
            return None
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                self.add(path, _("Must be an ISO 8601 time such as 2026-11-26T10:15:00+08:00."))
                return None
        else:
            self.add(path, _("Must be an ISO 8601 time such as 2026-11-26T10:15:00+08:00."))
            return None
        if parsed.tzinfo is None:
            self.add(path, _("Must include a UTC offset, such as +08:00."))
            return None
        return parsed


def _with_one_line(addr: dict, text: str) -> dict:
    """Fill the address parts a channel did not send from its one-line address; sent parts win."""
    from oms.geo.divisions import parse_one_line

    parsed = parse_one_line(text)
    found = {
        "province": parsed.province, "city": parsed.city, "district": parsed.district,
        "detail": parsed.detail or text, "postcode": parsed.postcode, "name": parsed.name, "phone": parsed.phone,
    }
    return {**{k: v for k, v in found.items() if v}, **{k: v for k, v in addr.items() if v not in (None, "")}}


def parse_intake(
    payload: Any,
    *,
    channel_lookup: ChannelLookup,
    require_external_id: bool = True,
    default_placed_at: datetime | None = None,
) -> IntakeCommand:
    """Validate an intake payload; raise with every bad field named, or return the command."""
    if not isinstance(payload, dict):
        raise ValidationFailed(_("The order must be a JSON object."))
    c = _Checker()

    channel_code = c.text(payload, "channel", "channel", max_len=32)
    channel_id = 0
    if channel_code:
        found = channel_lookup(channel_code)
        if found is None:
            c.add("channel", _("Unknown channel %(code)r.") % {"code": channel_code})
        elif not found[1]:
            c.add("channel", _("Channel %(code)r is disabled.") % {"code": channel_code})
        else:
            channel_id = found[0]
    external_id = c.text(payload, "external_id", "external_id", required=require_external_id, max_len=64) or None
    if default_placed_at is not None and not payload.get("placed_at"):
        placed_at = default_placed_at
    else:
        placed_at = c.moment(payload, "placed_at", "placed_at")

    customer = c.obj(payload, "customer", "customer") or {}
    customer_name = c.text(customer, "name", "customer.name", max_len=100) if customer else ""
    customer_phone = c.text(customer, "phone", "customer.phone", max_len=32) if customer else ""
    customer_email = c.text(customer, "email", "customer.email", required=False, max_len=254) if customer else ""
    if customer_email and not EMAIL_RE.match(customer_email):
        c.add("customer.email", _("Enter a valid email address."))

    addr = c.obj(payload, "shipping_address", "shipping_address") or {}
    one_line = addr.get("full") if addr else None
    if one_line is not None and not isinstance(one_line, str):
        c.add("shipping_address.full", _("Must be a string."))
        one_line = None
    if one_line:
        addr = _with_one_line(addr, one_line[:500])
    # A channel that sends the address as one line may leave parts the parser could not find
    # empty: review then holds the order for an incomplete address instead of losing it.
    parts_required = not one_line
    address = AddressInput(
        name=c.text(addr, "name", "shipping_address.name", max_len=100) if addr else "",
        phone=c.text(addr, "phone", "shipping_address.phone", max_len=32) if addr else "",
        province=c.text(addr, "province", "shipping_address.province", required=parts_required, max_len=32)
        if addr else "",
        city=c.text(addr, "city", "shipping_address.city", required=parts_required, max_len=32) if addr else "",
        district=c.text(addr, "district", "shipping_address.district", required=False, max_len=32) if addr else "",
        detail=c.text(addr, "detail", "shipping_address.detail", max_len=255) if addr else "",
        postcode=c.text(addr, "postcode", "shipping_address.postcode", required=False, max_len=12) if addr else "",
    )

    lines: list[LineInput] = []
    raw_lines = payload.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        c.add("lines", _("At least one line is required."))
    elif len(raw_lines) > MAX_LINES:
        c.add("lines", _("At most %(n)d lines per order.") % {"n": MAX_LINES})
    else:
        for i, raw in enumerate(raw_lines):
            p = f"lines[{i}]"
            if not isinstance(raw, dict):
                c.add(p, _("Must be an object."))
                continue
            lines.append(LineInput(
                sku=c.text(raw, "sku", f"{p}.sku", max_len=64),
                name=c.text(raw, "name", f"{p}.name", max_len=200),
                spec=c.text(raw, "spec", f"{p}.spec", required=False, max_len=200),
                quantity=c.quantity(raw, "quantity", f"{p}.quantity"),
                unit_price=c.money(raw, "unit_price", f"{p}.unit_price"),
            ))

    shipping_fee = c.money(payload, "shipping_fee", "shipping_fee", required=False)
    discounts: list[DiscountInput] = []
    raw_discounts = payload.get("discounts") or []
    if not isinstance(raw_discounts, list):
        c.add("discounts", _("Must be a list."))
    else:
        for i, raw in enumerate(raw_discounts):
            p = f"discounts[{i}]"
            if not isinstance(raw, dict):
                c.add(p, _("Must be an object."))
                continue
            discounts.append(DiscountInput(
                kind=c.choice(raw, "kind", f"{p}.kind", DiscountKind),
                amount=c.money(raw, "amount", f"{p}.amount", positive=True),
                code=c.text(raw, "code", f"{p}.code", required=False, max_len=64),
                description=c.text(raw, "description", f"{p}.description", required=False, max_len=200),
            ))
    paid_amount = c.money(payload, "paid_amount", "paid_amount", required=False)

    pay = c.obj(payload, "payment", "payment") or {}
    payment = PaymentInput(
        method=c.choice(pay, "method", "payment.method", PaymentMethod) if pay else "",
        status=c.choice(pay, "status", "payment.status", PaymentStatus) if pay else "",
        paid_at=c.moment(pay, "paid_at", "payment.paid_at", required=False) if pay else None,
        transaction_id=c.text(pay, "transaction_id", "payment.transaction_id", required=False, max_len=64)
        if pay else "",
    )

    invoice = c.obj(payload, "invoice", "invoice", required=False) or {}
    invoice_type = c.choice(invoice, "type", "invoice.type", InvoiceType, required=False) if invoice else ""
    invoice_title = ""
    if invoice:
        invoice_title = c.text(invoice, "title", "invoice.title", required=bool(invoice_type), max_len=200)
    invoice_tax_id = ""
    if invoice:
        needs_tax_id = invoice_type in (InvoiceType.COMPANY, InvoiceType.VAT_SPECIAL)
        invoice_tax_id = c.text(invoice, "tax_id", "invoice.tax_id", required=needs_tax_id, max_len=32).upper()
        if invoice_tax_id and not TAX_ID_RE.match(invoice_tax_id):
            c.add("invoice.tax_id", _("A taxpayer id has 15 to 20 digits or capital letters."))

    cancellation = None
    cancel = c.obj(payload, "cancellation", "cancellation", required=False)
    if cancel:
        cancellation = CancellationInput(
            reason=c.text(cancel, "reason", "cancellation.reason", required=False, max_len=200),
            cancelled_at=c.moment(cancel, "cancelled_at", "cancellation.cancelled_at", required=False),
        )

    buyer_remark = c.text(payload, "buyer_remark", "buyer_remark", required=False, max_len=1000)
    seller_note = c.text(payload, "seller_note", "seller_note", required=False, max_len=1000)

    if c.errors:
        raise ValidationFailed(_("The order has invalid fields."), details=c.errors)

    command = IntakeCommand(
        channel_id=channel_id,
        channel_code=channel_code,
        external_id=external_id,
        placed_at=placed_at,
        customer_name=customer_name,
        customer_phone=customer_phone,
        customer_email=customer_email,
        address=address,
        lines=tuple(lines),
        shipping_fee=shipping_fee,
        discounts=tuple(discounts),
        paid_amount=paid_amount,
        payment=payment,
        buyer_remark=buyer_remark,
        seller_note=seller_note,
        invoice_type=invoice_type,
        invoice_title=invoice_title,
        invoice_tax_id=invoice_tax_id,
        cancellation=cancellation,
    )
    problems = totals_problems(
        command.totals, paid=payment.status == PaymentStatus.PAID, paid_amount=paid_amount
    )
    if problems:
        raise BusinessRuleViolation(
            _("The order's amounts do not add up."),
            details={k: [v] for k, v in problems.items()},
        )
    return command
