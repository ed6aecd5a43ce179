"""Tracking numbers: what a carrier's waybill number must look like (pure, no database)."""

from __future__ import annotations

import re
from functools import cache

# Whatever the carrier, a waybill number is letters, digits and dashes (scanners add no spaces).
GENERAL = re.compile(r"[A-Z0-9-]{6,40}")


def normalise(number: str) -> str:
    """Upper case without surrounding blanks: 'sf1234…' scanned or typed is the same number."""
    return (number or "").strip().upper()


@cache
def _compiled(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None


def tracking_number_problem(number: str, pattern: str = "") -> str | None:
    """Why the (normalised) number cannot be the carrier's: 'empty', 'malformed', 'carrier_format'; None if fine."""
    if not number:
        return "empty"
    if not GENERAL.fullmatch(number):
        return "malformed"
    compiled = _compiled(pattern) if pattern else None
    if compiled is not None and not compiled.fullmatch(number):
        return "carrier_format"
    return None
