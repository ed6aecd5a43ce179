"""The coupon list and the block list that review checks orders against: reads and write actions.

Each write checks MANAGE_REVIEW_RULES, validates every field at once (ValidationFailed whose
details name each bad field: {"amount": ["…"]}), writes in one transaction and records one
audit event without an order (data names the coupon by code, the entry by id). Nothing is
deleted: a coupon or an entry is switched off. A coupon's code never changes once created
(orders refer to coupons by code); a blocked phone number is stored as review compares it
(`rules.phone_key`: digits only, without +86).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypedDict

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import MANAGE_REVIEW_RULES
from oms.audit.services import diff, record
from oms.channels.models import Channel
from oms.core.errors import ValidationFailed
from oms.core.money import ZERO, InvalidMoney, parse_money
from oms.orders.review.errors import AlreadyListed, BlockListEntryNotFound, CouponNotFound
from oms.orders.review.models import BlockKind, BlockListEntry, Coupon
from oms.orders.review.rules import phone_key

MAX_USES = 2_147_483_647  # PositiveIntegerField on PostgreSQL
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # a validity outside these years is a typo; and any time
LATEST = datetime(3000, 1, 1, tzinfo=UTC)    # zone can show it without leaving datetime's range
# Block-list entries have no unique constraint: on PostgreSQL writers take turns on this advisory
# lock so two people cannot add the same number at once (SQLite's IMMEDIATE transactions already do).
BLOCK_LIST_LOCK = 0x6F6D_7362

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class CouponFields:
    """Everything about a coupon except its code (fixed) and its use count (counted by review)."""

    amount: Decimal
    name: str = ""
    channel: str = ""  # a channel code; empty: valid on every channel
    min_spend: Decimal = ZERO
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int | None = None  # None: no limit
    active: bool = True


class CouponChanges(TypedDict, total=False):
    """Some of CouponFields; the ones left out keep their value."""

    amount: Decimal
    name: str
    channel: str
    min_spend: Decimal
    valid_from: datetime | None
    valid_until: datetime | None
    max_uses: int | None
    active: bool


@dataclass(frozen=True)
class BlockEntryFields:
    kind: str  # BlockKind
    value: str  # a phone number (any punctuation) or a piece of address
    reason: str
    active: bool = True


class BlockEntryChanges(TypedDict, total=False):
    kind: str
    value: str
    reason: str
    active: bool


# --- reads ----------------------------------------------------------------------------------------

def find_coupons(*, q: str = "", active: bool | None = None) -> QuerySet[Coupon]:
    """Coupons, active ones first; q matches the code or the name."""
    qs = Coupon.objects.select_related("channel").order_by("-active", "code")
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    return qs if active is None else qs.filter(active=active)


def find_block_entries(*, q: str = "", kind: str = "", active: bool | None = None) -> QuerySet[BlockListEntry]:
    """Block-list entries, active ones first; q matches the value or reason, and phones by their digits."""
    qs = BlockListEntry.objects.select_related("created_by").order_by("-active", "kind", "value")
    q = q.strip()
    if q:
        digits = phone_key(q)
        qs = qs.filter(Q(value__icontains=q) | Q(reason__icontains=q)
                       | (Q(kind=BlockKind.PHONE, value__contains=digits) if digits else Q(pk__in=[])))
    if kind:
        qs = qs.filter(kind=kind)
    return qs if active is None else qs.filter(active=active)


def _by_id(model, pk: int, missing: type[Exception], *, lock: bool = False):
    qs = model.objects.select_for_update() if lock else model.objects.all()
    found = qs.filter(pk=pk).first() if isinstance(pk, int) and 0 < pk < 2**63 else None
    if found is None:
        raise missing(details={"id": pk})
    return found


def get_coupon(coupon_id: int) -> Coupon:
    return _by_id(Coupon, coupon_id, CouponNotFound)


def get_block_entry(entry_id: int) -> BlockListEntry:
    return _by_id(BlockListEntry, entry_id, BlockListEntryNotFound)


# --- validation (pure apart from the channel lookup) ---------------------------------------------

def _add(errors: Errors, field: str, message: str) -> None:
    if message not in errors.setdefault(field, []):
        errors[field].append(message)


def _text(errors: Errors, field: str, value: object, *, max_len: int, required: bool = False) -> str:
    if not isinstance(value, str):
        _add(errors, field, _("Must be a string."))
        return ""
    value = value.strip()
    try:
        value.encode("utf-8")
        broken = bool(_CONTROL.search(value))
    except UnicodeEncodeError:
        broken = True
    if broken:
        _add(errors, field, _("Contains characters that cannot be stored (control characters or broken Unicode)."))
    elif required and not value:
        _add(errors, field, _("This field is required."))
    elif len(value) > max_len:
        _add(errors, field, _("At most %(n)d characters.") % {"n": max_len})
    return value


def _money(errors: Errors, field: str, value: object) -> Decimal:
    if value is None:
        _add(errors, field, _("This field is required."))
        return ZERO
    try:
        amount = parse_money(value)
    except InvalidMoney:
        _add(errors, field, _("Enter an amount such as 59.00."))
        return ZERO
    if amount < 0:
        _add(errors, field, _("Must not be negative."))
    return amount


def _moment(errors: Errors, field: str, value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        _add(errors, field, _("An ISO 8601 time with offset."))
        return None
    if not EARLIEST <= value < LATEST:
        _add(errors, field, _("Must lie between the years %(first)d and %(last)d.")
             % {"first": EARLIEST.year, "last": LATEST.year - 1})
        return None
    return value


def _flag(errors: Errors, field: str, value: object) -> bool:
    if not isinstance(value, bool):
        _add(errors, field, _("Must be true or false."))
        return False
    return value


def _check_code(errors: Errors, code: object) -> str:
    code = _text(errors, "code", code, max_len=64, required=True)
    if any(ch.isspace() for ch in code):
        _add(errors, "code", _("A coupon code has no spaces."))
    return code


def _check_coupon(errors: Errors, values: CouponFields, *, used: int = 0) -> dict:
    """The model values of a coupon (channel as an object), with every problem added to errors."""
    cleaned = {
        "name": _text(errors, "name", values.name, max_len=100),
        "channel": None,
        "amount": _money(errors, "amount", values.amount),
        "min_spend": _money(errors, "min_spend", values.min_spend),
        "valid_from": _moment(errors, "valid_from", values.valid_from),
        "valid_until": _moment(errors, "valid_until", values.valid_until),
        "max_uses": values.max_uses,
        "active": _flag(errors, "active", values.active),
    }
    channel = _text(errors, "channel", values.channel if values.channel is not None else "", max_len=32)
    if channel and "channel" not in errors:
        cleaned["channel"] = Channel.objects.filter(code=channel).first()
        if cleaned["channel"] is None:
            _add(errors, "channel", _("No channel has this code."))
    start, end = cleaned["valid_from"], cleaned["valid_until"]
    if start and end and end <= start:
        _add(errors, "valid_until", _("Must be later than “valid from”."))
    limit = values.max_uses
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int):
            _add(errors, "max_uses", _("Must be a whole number."))
        elif not 0 <= limit <= MAX_USES:
            _add(errors, "max_uses", _("Must be between 0 and %(max)d.") % {"max": MAX_USES})
        elif limit < used:
            _add(errors, "max_uses", _("The coupon has been used %(n)s times already.") % {"n": used})
    return cleaned


def _check_entry(errors: Errors, values: BlockEntryFields) -> dict:
    kind = values.kind if values.kind in BlockKind.values else None
    if kind is None:
        _add(errors, "kind", _("Choose one of %(values)s.") % {"values": ", ".join(BlockKind.values)})
    value = _text(errors, "value", values.value, max_len=255, required=True)
    if value and "value" not in errors:
        if kind == BlockKind.PHONE:
            value = phone_key(value)
            if not 5 <= len(value) <= 20:
                _add(errors, "value", _("Enter a phone number (5 to 20 digits)."))
        elif kind == BlockKind.ADDRESS and len(value) < 2:
            _add(errors, "value", _("Enter at least two characters of the address."))
    return {"kind": kind, "value": value, "reason": _text(errors, "reason", values.reason, max_len=200, required=True),
            "active": _flag(errors, "active", values.active)}


def _invalid(errors: Errors) -> ValidationFailed:
    return ValidationFailed(_("Some fields are not valid; see the messages next to them."), details=errors)


# --- coupons --------------------------------------------------------------------------------------

def _coupon_values(c: Coupon) -> dict:
    """What the audit compares (channel by code)."""
    return {"name": c.name, "channel": c.channel.code if c.channel else "", "amount": c.amount,
            "min_spend": c.min_spend, "valid_from": c.valid_from, "valid_until": c.valid_until,
            "max_uses": c.max_uses, "active": c.active}


def coupon_fields(coupon: Coupon) -> CouponFields:
    return CouponFields(**_coupon_values(coupon))


def _code_taken() -> AlreadyListed:
    message = _("A coupon with this code exists already.")
    return AlreadyListed(message, details={"code": [message]})


@transaction.atomic
def create_coupon(*, code: str, values: CouponFields, actor: Actor) -> Coupon:
    """Add a coupon; its code is unique and has no spaces."""
    require(actor, MANAGE_REVIEW_RULES)
    errors: Errors = {}
    code = _check_code(errors, code)
    cleaned = _check_coupon(errors, values)
    if errors:
        raise _invalid(errors)
    if Coupon.objects.filter(code=code).exists():
        raise _code_taken()
    try:
        with transaction.atomic():
            coupon = Coupon.objects.create(code=code, **cleaned)
    except IntegrityError:
        raise _code_taken() from None  # added by someone else meanwhile
    record(None, "coupon_created", actor=actor, data={"coupon": coupon.code},
           changes=diff({}, {"code": coupon.code, **_coupon_values(coupon)}))
    return coupon


@transaction.atomic
def update_coupon(*, coupon_id: int, changes: CouponChanges, actor: Actor) -> Coupon:
    """Change some of a coupon's fields; the use limit may not go below the uses counted so far."""
    require(actor, MANAGE_REVIEW_RULES)
    coupon = _by_id(Coupon, coupon_id, CouponNotFound, lock=True)
    errors: Errors = {}
    cleaned = _check_coupon(errors, replace(coupon_fields(coupon), **changes), used=coupon.used_count)
    if errors:
        raise _invalid(errors)
    before = _coupon_values(coupon)
    for name, value in cleaned.items():
        setattr(coupon, name, value)
    changed = diff(before, _coupon_values(coupon))
    if changed:
        coupon.save()
        record(None, "coupon_changed", actor=actor, changes=changed, data={"coupon": coupon.code})
    return coupon


@transaction.atomic
def set_coupon_active(*, coupon_id: int, active: bool, actor: Actor) -> Coupon:
    """Switch a coupon on or off (nothing is deleted); no event when it already is."""
    require(actor, MANAGE_REVIEW_RULES)
    coupon = _by_id(Coupon, coupon_id, CouponNotFound, lock=True)
    if coupon.active != active:
        record(None, "coupon_changed", actor=actor, changes={"active": [coupon.active, active]},
               data={"coupon": coupon.code})
        coupon.active = active
        coupon.save(update_fields=["active", "updated_at"])
    return coupon


# --- block list -----------------------------------------------------------------------------------

def _entry_values(e: BlockListEntry) -> dict:
    return {"kind": e.kind, "value": e.value, "reason": e.reason, "active": e.active}


def _take_block_list_turn() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BLOCK_LIST_LOCK])


def _refuse_twin(cleaned: dict, *, exclude: int | None = None) -> None:
    twins = BlockListEntry.objects.filter(kind=cleaned["kind"], value=cleaned["value"]).exclude(pk=exclude)
    if twins.exists():
        message = _("This is on the block list already.")
        raise AlreadyListed(message, details={"value": [message]})


@transaction.atomic
def add_block_entry(*, values: BlockEntryFields, actor: Actor) -> BlockListEntry:
    """Put a phone number or a piece of address on the block list; the same one twice is refused."""
    require(actor, MANAGE_REVIEW_RULES)
    errors: Errors = {}
    cleaned = _check_entry(errors, values)
    if errors:
        raise _invalid(errors)
    _take_block_list_turn()
    _refuse_twin(cleaned)
    entry = BlockListEntry.objects.create(created_by=actor.user, **cleaned)
    record(None, "block_list_entry_added", actor=actor, changes=diff({}, cleaned), data={"entry": entry.pk})
    return entry


@transaction.atomic
def update_block_entry(*, entry_id: int, changes: BlockEntryChanges, actor: Actor) -> BlockListEntry:
    """Change some of an entry's fields (kind, value, reason, active)."""
    require(actor, MANAGE_REVIEW_RULES)
    entry = _by_id(BlockListEntry, entry_id, BlockListEntryNotFound, lock=True)
    errors: Errors = {}
    cleaned = _check_entry(errors, replace(BlockEntryFields(**_entry_values(entry)), **changes))
    if errors:
        raise _invalid(errors)
    before = _entry_values(entry)
    if (cleaned["kind"], cleaned["value"]) != (entry.kind, entry.value):
        _take_block_list_turn()
        _refuse_twin(cleaned, exclude=entry.pk)
    for name, value in cleaned.items():
        setattr(entry, name, value)
    changed = diff(before, _entry_values(entry))
    if changed:
        entry.save()
        record(None, "block_list_entry_changed", actor=actor, changes=changed, data={"entry": entry.pk})
    return entry


@transaction.atomic
def set_block_entry_active(*, entry_id: int, active: bool, actor: Actor) -> BlockListEntry:
    """Switch an entry on or off (nothing is deleted); no event when it already is."""
    require(actor, MANAGE_REVIEW_RULES)
    entry = _by_id(BlockListEntry, entry_id, BlockListEntryNotFound, lock=True)
    if entry.active != active:
        record(None, "block_list_entry_changed", actor=actor, changes={"active": [entry.active, active]},
               data={"entry": entry.pk})
        entry.active = active
        entry.save(update_fields=["active", "updated_at"])
    return entry

