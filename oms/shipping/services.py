"""Write actions on carriers, rate cards (with their zones and insurance terms) and carrier rules.

Each action checks MANAGE_CARRIERS, validates every field at once (InvalidCarrierSettings, 422,
whose details name each bad field: {"zones.1.provinces": ["…"]}), writes in one transaction and
records one audit event without an order whose changes are {field: [old, new]}. Values come
from JSON (the API) or from form text (the pages): numbers and flags may be strings. Nothing is
deleted: a carrier, a card or a rule is switched off. A carrier's code never changes (packages
and rules refer to it).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import MANAGE_CARRIERS
from oms.audit.services import diff, record
from oms.core.money import InvalidMoney, parse_money
from oms.geo.divisions import province_name
from oms.inventory.models import Warehouse
from oms.shipping.errors import (
    CarrierExists,
    CarrierNotFound,
    CarrierRuleNotFound,
    InvalidCarrierSettings,
    RateCardNotFound,
)
from oms.shipping.models import Carrier, CarrierAdapter, CarrierRule, RateCard, RateZone, ServiceLevel

Errors = dict[str, list[str]]
MAX_INT = 2_147_483_647
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# --- field checks: each adds its problem under the field's name and returns the clean value -----------

def _add(errors: Errors, field: str, message: str) -> None:
    if message not in errors.setdefault(field, []):
        errors[field].append(message)


def _text(errors: Errors, field: str, value: Any, *, max_len: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        _add(errors, field, _("Must be text."))
        return ""
    value = value.strip()
    if required and not value:
        _add(errors, field, _("This field is required."))
    elif len(value) > max_len:
        _add(errors, field, _("At most %(n)d characters.") % {"n": max_len})
    elif any(ord(ch) < 32 for ch in value):
        _add(errors, field, _("Contains control characters."))
    return value


def _flag(errors: Errors, field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "on", "1", "yes"):
        return True
    if value in ("false", "off", "0", "no", "", None):
        return False
    _add(errors, field, _("Must be true or false."))
    return False


def _int(errors: Errors, field: str, value: Any, *, low: int = 0, high: int = MAX_INT,
         optional: bool = False) -> int | None:
    if optional and (value is None or value == ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _add(errors, field, _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        return None
    return value


def _money(errors: Errors, field: str, value: Any, *, optional: bool = False) -> Decimal | None:
    if optional and (value is None or value == ""):
        return None
    try:
        amount = parse_money(value)
    except InvalidMoney:
        _add(errors, field, _("Enter an amount such as 59.00."))
        return None
    if amount < 0:
        _add(errors, field, _("Must not be negative."))
    return amount


def _permille(errors: Errors, field: str, value: Any) -> Decimal | None:
    try:
        rate = Decimal(value.strip() if isinstance(value, str) else str(value)) \
            if isinstance(value, str | int | Decimal) and not isinstance(value, bool) else None
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not 0 <= rate <= 1000 or rate != rate.quantize(Decimal("0.01")):
        _add(errors, field, _("A rate per thousand from 0 to 1000 with at most two decimals, such as 5 or 3.50."))
        return None
    return rate.quantize(Decimal("0.01"))


def _choice(errors: Errors, field: str, value: Any, choices) -> str:
    if value not in choices.values:
        _add(errors, field, _("Choose one of %(values)s.") % {"values": ", ".join(choices.values)})
        return ""
    return value


def _words(errors: Errors, field: str, value: Any) -> list[str]:
    """A list of strings, or one string separated by commas or new lines."""
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[,，、\n]", value)
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        _add(errors, field, _("Must be a list of texts."))
        return []
    seen: list[str] = []
    for word in (w.strip() for w in value):
        if word and word not in seen:
            seen.append(word)
    return seen


def clean_provinces(errors: Errors, field: str, value: Any) -> list[str]:
    """Province names of the national list (any usual spelling), as the list writes them."""
    names = []
    for raw in _words(errors, field, value):
        name = province_name(raw)
        if name is None:
            _add(errors, field, _("Not a province of the national list: %(name)s") % {"name": raw})
        elif name not in names:
            names.append(name)
    return names


def _carrier_codes(errors: Errors, field: str, value: Any) -> list[str]:
    codes = _words(errors, field, value)
    known = set(Carrier.objects.filter(code__in=codes).values_list("code", flat=True))
    for code in codes:
        if code not in known:
            _add(errors, field, _("No carrier has the code %(code)s.") % {"code": code})
    return codes


def _invalid(errors: Errors) -> InvalidCarrierSettings:
    return InvalidCarrierSettings(details=errors)


# --- carriers ---------------------------------------------------------------------------------------

CARRIER_FIELDS = ("name", "service_level", "supports_cod", "tracking_number_pattern", "adapter", "adapter_code",
                  "active")


def carrier_values(c: Carrier) -> dict:
    return {"name": c.name, "service_level": c.service_level, "supports_cod": c.supports_cod,
            "tracking_number_pattern": c.tracking_number_pattern, "adapter": c.adapter,
            "adapter_code": c.adapter_code, "active": c.active}


def _check_carrier(errors: Errors, values: dict) -> dict:
    unknown = set(values) - set(CARRIER_FIELDS) - {"code"}
    for name in sorted(unknown):
        _add(errors, name, _("Carriers have no such field."))
    pattern = _text(errors, "tracking_number_pattern", values.get("tracking_number_pattern"), max_len=200)
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            _add(errors, "tracking_number_pattern", _("Not a valid regular expression: %(error)s") % {"error": exc})
    return {
        "name": _text(errors, "name", values.get("name"), max_len=64, required=True),
        "service_level": _choice(errors, "service_level", values.get("service_level"), ServiceLevel),
        "supports_cod": _flag(errors, "supports_cod", values.get("supports_cod", False)),
        "tracking_number_pattern": pattern,
        "adapter": _choice(errors, "adapter", values.get("adapter"), CarrierAdapter),
        "adapter_code": _text(errors, "adapter_code", values.get("adapter_code"), max_len=32),
        "active": _flag(errors, "active", values.get("active", True)),
    }


def get_carrier(code: str, *, lock: bool = False) -> Carrier:
    qs = Carrier.objects.select_for_update() if lock else Carrier.objects
    carrier = qs.filter(code=code).first()
    if carrier is None:
        raise CarrierNotFound(details={"code": code})
    return carrier


@transaction.atomic
def create_carrier(*, values: dict, actor: Actor) -> Carrier:
    """Add a carrier; its code (lower-case letters, digits, - and _) is unique and never changes."""
    require(actor, MANAGE_CARRIERS)
    errors: Errors = {}
    code = _text(errors, "code", values.get("code"), max_len=32, required=True)
    if code and not _CODE.match(code):
        _add(errors, "code", _("Lower-case letters, digits, - and _ only, such as sf or jd."))
    cleaned = _check_carrier(errors, {"service_level": ServiceLevel.STANDARD, "adapter": CarrierAdapter.MANUAL,
                                      **values})
    if errors:
        raise _invalid(errors)
    if Carrier.objects.filter(code=code).exists():
        raise CarrierExists(details={"code": [str(CarrierExists.default_message)]})
    try:
        with transaction.atomic():
            carrier = Carrier.objects.create(code=code, **cleaned)
    except IntegrityError:
        raise CarrierExists(details={"code": [str(CarrierExists.default_message)]}) from None
    record(None, "carrier_created", actor=actor, data={"carrier": code},
           changes=diff({}, {"code": code, **carrier_values(carrier)}))
    return carrier


@transaction.atomic
def update_carrier(*, code: str, changes: dict, actor: Actor) -> Carrier:
    """Change some of a carrier's fields (the code stays)."""
    require(actor, MANAGE_CARRIERS)
    carrier = get_carrier(code, lock=True)
    errors: Errors = {}
    if "code" in changes and changes["code"] != code:
        _add(errors, "code", _("A carrier's code cannot be changed."))
    before = carrier_values(carrier)
    cleaned = _check_carrier(errors, {**before, **{k: v for k, v in changes.items() if k != "code"}})
    if errors:
        raise _invalid(errors)
    for name, value in cleaned.items():
        setattr(carrier, name, value)
    changed = diff(before, carrier_values(carrier))
    if changed:
        carrier.save()
        record(None, "carrier_changed", actor=actor, changes=changed, data={"carrier": code})
    return carrier


# --- rate cards -------------------------------------------------------------------------------------

CARD_FIELDS = ("volumetric_divisor", "insurance_rate_permille", "insurance_min_fee", "insurance_max_value", "active")
ZONE_FIELDS = ("name", "provinces", "served", "first_weight_g", "first_price", "step_weight_g", "step_price",
               "promise_days", "no_update_hours")


def zone_values(z: RateZone) -> dict:
    return {"name": z.name, "provinces": list(z.provinces), "served": z.served, "first_weight_g": z.first_weight_g,
            "first_price": f"{z.first_price:.2f}", "step_weight_g": z.step_weight_g,
            "step_price": f"{z.step_price:.2f}", "promise_days": z.promise_days,
            "no_update_hours": z.no_update_hours}


def card_values(card: RateCard) -> dict:
    return {"volumetric_divisor": card.volumetric_divisor,
            "insurance_rate_permille": f"{card.insurance_rate_permille:.2f}",
            "insurance_min_fee": f"{card.insurance_min_fee:.2f}",
            "insurance_max_value": f"{card.insurance_max_value:.2f}", "active": card.active,
            "zones": [zone_values(z) for z in card.zones.all()]}


def _check_zone(errors: Errors, prefix: str, zone: Any, taken: dict[str, str]) -> dict | None:
    if not isinstance(zone, dict):
        _add(errors, prefix, _("Each zone must be an object."))
        return None
    for name in sorted(set(zone) - set(ZONE_FIELDS)):
        _add(errors, f"{prefix}.{name}", _("Zones have no such field."))
    cleaned = {
        "name": _text(errors, f"{prefix}.name", zone.get("name"), max_len=64, required=True),
        "provinces": clean_provinces(errors, f"{prefix}.provinces", zone.get("provinces")),
        "served": _flag(errors, f"{prefix}.served", zone.get("served", True)),
        "first_weight_g": _int(errors, f"{prefix}.first_weight_g", zone.get("first_weight_g", 1000), low=1,
                               high=1_000_000),
        "first_price": _money(errors, f"{prefix}.first_price", zone.get("first_price", "0.00")),
        "step_weight_g": _int(errors, f"{prefix}.step_weight_g", zone.get("step_weight_g", 1000), low=1,
                              high=1_000_000),
        "step_price": _money(errors, f"{prefix}.step_price", zone.get("step_price", "0.00")),
        "promise_days": _int(errors, f"{prefix}.promise_days", zone.get("promise_days", 3), low=0, high=60),
        "no_update_hours": _int(errors, f"{prefix}.no_update_hours", zone.get("no_update_hours", 48), low=1,
                                high=24 * 60),
    }
    if not cleaned["provinces"] and f"{prefix}.provinces" not in errors:
        _add(errors, f"{prefix}.provinces", _("Pick at least one province."))
    for province in cleaned["provinces"]:
        if province in taken:  # a card prices a province once; otherwise which zone applies is a guess
            _add(errors, f"{prefix}.provinces", _("%(province)s is in zone “%(zone)s” already.")
                 % {"province": province, "zone": taken[province]})
        else:
            taken[province] = cleaned["name"]
    return cleaned


def _check_card(errors: Errors, values: dict) -> tuple[dict, list[dict]]:
    for name in sorted(set(values) - set(CARD_FIELDS) - {"zones"}):
        _add(errors, name, _("Rate cards have no such field."))
    card = {
        "volumetric_divisor": _int(errors, "volumetric_divisor", values.get("volumetric_divisor", 8000), low=1,
                                   high=100_000),
        "insurance_rate_permille": _permille(errors, "insurance_rate_permille",
                                             values.get("insurance_rate_permille", "0")),
        "insurance_min_fee": _money(errors, "insurance_min_fee", values.get("insurance_min_fee", "0.00")),
        "insurance_max_value": _money(errors, "insurance_max_value", values.get("insurance_max_value", "0.00")),
        "active": _flag(errors, "active", values.get("active", True)),
    }
    zones_in = values.get("zones", [])
    zones: list[dict] = []
    if not isinstance(zones_in, list):
        _add(errors, "zones", _("Must be a list of zones."))
    else:
        taken: dict[str, str] = {}
        for i, zone in enumerate(zones_in):
            cleaned = _check_zone(errors, f"zones.{i}", zone, taken)
            if cleaned is not None:
                zones.append(cleaned)
    return card, zones


def get_rate_card(carrier_code: str, warehouse_code: str, *, lock: bool = False) -> RateCard:
    qs = RateCard.objects.select_related("carrier", "warehouse").prefetch_related("zones")
    if lock:
        qs = qs.select_for_update(of=("self",))
    card = qs.filter(carrier__code=carrier_code, warehouse__code=warehouse_code).first()
    if card is None:
        raise RateCardNotFound(details={"carrier": carrier_code, "warehouse": warehouse_code})
    return card


@transaction.atomic
def save_rate_card(*, carrier_code: str, warehouse_code: str, values: dict, actor: Actor) -> RateCard:
    """Create or change the card of a carrier for a warehouse; zones, when given, replace the card's zones."""
    require(actor, MANAGE_CARRIERS)
    carrier = get_carrier(carrier_code)
    warehouse = Warehouse.objects.filter(code=warehouse_code).first()
    if warehouse is None:
        raise _invalid({"warehouse": [_("No warehouse has this code.")]})
    card = RateCard.objects.select_for_update().filter(carrier=carrier, warehouse=warehouse).first()
    before = card_values(card) if card else {}
    merged = {**{k: v for k, v in before.items()}, **values} if card else dict(values)
    errors: Errors = {}
    cleaned, zones = _check_card(errors, merged)
    if errors:
        raise _invalid(errors)
    if card is None:
        card = RateCard.objects.create(carrier=carrier, warehouse=warehouse, **cleaned)
    else:
        for name, value in cleaned.items():
            setattr(card, name, value)
        card.save()
    if "zones" in values or not before:
        card.zones.all().delete()  # zones belong to the card alone: nothing else refers to them
        RateZone.objects.bulk_create([RateZone(rate_card=card, **z) for z in zones])
    card = get_rate_card(carrier_code, warehouse_code)
    changed = diff(before, card_values(card))
    if changed:
        record(None, "rate_card_created" if not before else "rate_card_changed", actor=actor, changes=changed,
               data={"carrier": carrier_code, "warehouse": warehouse_code})
    return card


# --- carrier rules ----------------------------------------------------------------------------------

RULE_FIELDS = ("name", "position", "active", "min_weight_g", "max_weight_g", "provinces", "cod_only",
               "remark_keywords", "min_order_amount", "max_promise_days", "carriers", "excluded_carriers")


def rule_values(r: CarrierRule) -> dict:
    return {"name": r.name, "position": r.position, "active": r.active, "min_weight_g": r.min_weight_g,
            "max_weight_g": r.max_weight_g, "provinces": list(r.provinces), "cod_only": r.cod_only,
            "remark_keywords": list(r.remark_keywords),
            "min_order_amount": None if r.min_order_amount is None else f"{r.min_order_amount:.2f}",
            "max_promise_days": r.max_promise_days, "carriers": list(r.carriers),
            "excluded_carriers": list(r.excluded_carriers)}


def _check_rule(errors: Errors, values: dict) -> dict:
    for name in sorted(set(values) - set(RULE_FIELDS)):
        _add(errors, name, _("Carrier rules have no such field."))
    cleaned = {
        "name": _text(errors, "name", values.get("name"), max_len=64, required=True),
        "position": _int(errors, "position", values.get("position", 100), low=0, high=1_000_000),
        "active": _flag(errors, "active", values.get("active", True)),
        "min_weight_g": _int(errors, "min_weight_g", values.get("min_weight_g"), optional=True),
        "max_weight_g": _int(errors, "max_weight_g", values.get("max_weight_g"), optional=True),
        "provinces": clean_provinces(errors, "provinces", values.get("provinces")),
        "cod_only": _flag(errors, "cod_only", values.get("cod_only", False)),
        "remark_keywords": _words(errors, "remark_keywords", values.get("remark_keywords")),
        "min_order_amount": _money(errors, "min_order_amount", values.get("min_order_amount"), optional=True),
        "max_promise_days": _int(errors, "max_promise_days", values.get("max_promise_days"), high=60,
                                 optional=True),
        "carriers": _carrier_codes(errors, "carriers", values.get("carriers")),
        "excluded_carriers": _carrier_codes(errors, "excluded_carriers", values.get("excluded_carriers")),
    }
    low, high = cleaned["min_weight_g"], cleaned["max_weight_g"]
    if low is not None and high is not None and high < low:
        _add(errors, "max_weight_g", _("Must not be below “from weight”."))
    both = set(cleaned["carriers"]) & set(cleaned["excluded_carriers"])
    if both:
        _add(errors, "excluded_carriers",
             _("Both allowed and excluded: %(codes)s") % {"codes": ", ".join(sorted(both))})
    if cleaned["max_promise_days"] is None and not cleaned["carriers"] and not cleaned["excluded_carriers"]:
        _add(errors, "max_promise_days", _("A rule needs an effect: a promise, only these carriers, "
                                           "or never these carriers."))
    return cleaned


def get_carrier_rule(rule_id: int | str, *, lock: bool = False) -> CarrierRule:
    if not str(rule_id).isdigit() or int(rule_id) > MAX_INT:
        raise CarrierRuleNotFound(details={"id": rule_id})
    qs = CarrierRule.objects.select_for_update() if lock else CarrierRule.objects
    rule = qs.filter(pk=int(rule_id)).first()
    if rule is None:
        raise CarrierRuleNotFound(details={"id": rule_id})
    return rule


@transaction.atomic
def create_carrier_rule(*, values: dict, actor: Actor) -> CarrierRule:
    """Add a carrier rule; it needs at least one effect."""
    require(actor, MANAGE_CARRIERS)
    errors: Errors = {}
    cleaned = _check_rule(errors, values)
    if errors:
        raise _invalid(errors)
    rule = CarrierRule.objects.create(**cleaned)
    record(None, "carrier_rule_created", actor=actor, data={"rule": rule.pk}, changes=diff({}, rule_values(rule)))
    return rule


@transaction.atomic
def update_carrier_rule(*, rule_id: int, changes: dict, actor: Actor) -> CarrierRule:
    """Change some fields of a carrier rule (switching it off included)."""
    require(actor, MANAGE_CARRIERS)
    rule = get_carrier_rule(rule_id, lock=True)
    before = rule_values(rule)
    errors: Errors = {}
    cleaned = _check_rule(errors, {**before, **changes})
    if errors:
        raise _invalid(errors)
    for name, value in cleaned.items():
        setattr(rule, name, value)
    changed = diff(before, rule_values(rule))
    if changed:
        rule.save()
        record(None, "carrier_rule_changed", actor=actor, changes=changed, data={"rule": rule.pk})
    return rule
