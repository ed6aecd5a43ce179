"""Which media a buyer can receive, and at which address: pure functions of the order's contact data."""

from __future__ import annotations

import re
from collections.abc import Iterable

from oms.notifications.models import Medium

_SEPARATORS = re.compile(r"[\s\-()（）]")
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_COUNTRY_PREFIXES = ("+86", "0086", "86")


def mainland_mobile(raw: str) -> str:
    """The 11-digit mainland China mobile number in `raw` (with or without +86), or ""."""
    digits = _SEPARATORS.sub("", raw or "")
    for prefix in _COUNTRY_PREFIXES:
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if _MAINLAND_MOBILE.match(digits) else ""


def sms_recipient(*phones: str) -> str:
    """The first mainland mobile number among the phones (customer's first, then the recipient's)."""
    for phone in phones:
        number = mainland_mobile(phone)
        if number:
            return number
    return ""


def push_recipient(*, channel_code: str, push_channels: Iterable[str], phone: str, external_id: str | None) -> str:
    """The buyer's account on an app channel, as the app's push gateway knows it: the phone number
    the account was registered with, else the channel's order id (the gateway looks up its buyer)."""
    if channel_code not in set(push_channels):
        return ""
    number = mainland_mobile(phone)
    if number:
        return number
    return f"order:{external_id}" if external_id else ""


def reachable_media(order, *, push_channels: Iterable[str]) -> list[tuple[str, str]]:
    """(medium, recipient) for every medium this order's buyer can receive, in a fixed order."""
    found = []
    number = sms_recipient(order.customer_phone, order.ship_phone)
    if number:
        found.append((Medium.SMS, number))
    if order.customer_email:
        found.append((Medium.EMAIL, order.customer_email.strip()))
    push = push_recipient(
        channel_code=order.channel.code, push_channels=push_channels,
        phone=order.customer_phone, external_id=order.external_id,
    )
    if push:
        found.append((Medium.PUSH, push))
    return found


def recipient_for(order, medium: str, *, push_channels: Iterable[str]) -> str:
    """The order's current address for one medium, or ""."""
    return dict(reachable_media(order, push_channels=push_channels)).get(medium, "")
