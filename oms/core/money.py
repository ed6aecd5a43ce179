"""Money: exact decimals in Python, whole fen (cents) in the database.

SQLite has no decimal type (it stores NUMERIC as REAL), so amounts are stored as
integers of the smallest unit on every backend; sums and CHECK constraints are exact.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")


class InvalidMoney(ValueError):
    pass


def parse_money(value: object) -> Decimal:
    """Parse a decimal string with at most two places; floats and other types are refused."""
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise InvalidMoney("empty")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise InvalidMoney("not a decimal") from exc
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    else:
        raise InvalidMoney("must be a decimal string such as \"59.00\"")
    if not amount.is_finite():
        raise InvalidMoney("not a finite number")
    if abs(amount) > MAX_AMOUNT:  # before quantize, which fails on huge exponents
        raise InvalidMoney("too large")
    if amount != amount.quantize(CENT):
        raise InvalidMoney("more than two decimal places")
    return amount.quantize(CENT)


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def format_money(amount: Decimal) -> str:
    return f"{amount.quantize(CENT)}"


class MoneyField(models.BigIntegerField):
    """A Decimal amount with two places, stored as an integer number of fen."""

    description = "Money amount (stored in fen)"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return from_fen(int(value))

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return parse_money(str(value))
        except InvalidMoney as exc:
            from django.core.exceptions import ValidationError

            raise ValidationError(str(exc)) from exc

    def get_prep_value(self, value):
        if value is None:
            return None
        if hasattr(value, "resolve_expression"):
            return value
        if not isinstance(value, Decimal):
            value = parse_money(value if isinstance(value, (str, int)) else str(value))
        return to_fen(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return value

    def formfield(self, **kwargs):
        from django import forms

        return forms.DecimalField(max_digits=12, decimal_places=2, **kwargs)
