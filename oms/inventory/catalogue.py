"""Catalogue writes: SKUs, warehouses and their bins.

Each action checks MANAGE_CATALOGUE, validates every field at once (ValidationFailed whose
details name each bad field: {"weight_g": ["…"]}), writes in one transaction and records
one audit event (order-less: data names the SKU or warehouse). Codes never change once
created: orders, the stock ledger, files and the command line refer to them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.actor import Actor, require
from oms.accounts.roles import MANAGE_CATALOGUE
from oms.audit.services import diff, record
from oms.core.errors import Conflict, ValidationFailed
from oms.inventory.errors import UnknownSku, UnknownWarehouse
from oms.inventory.models import Bin, Sku, SkuLocation, Warehouse

MAX_WEIGHT_G = 1_000_000  # one tonne: anything heavier is a typo in a parcel business
MAX_SIZE_MM = 10_000
MAX_THRESHOLD = 1_000_000
MAX_PRIORITY = 32_767  # PositiveSmallIntegerField
MAX_BIN_POSITION = 999
MAX_BINS_PER_CALL = 2_000

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")

# The 34 province-level divisions as (official name, the short name people write).
PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "北京"), ("天津市", "天津"), ("河北省", "河北"), ("山西省", "山西"), ("内蒙古自治区", "内蒙古"),
    ("辽宁省", "辽宁"), ("吉林省", "吉林"), ("黑龙江省", "黑龙江"), ("上海市", "上海"), ("江苏省", "江苏"),
    ("浙江省", "浙江"), ("安徽省", "安徽"), ("福建省", "福建"), ("江西省", "江西"), ("山东省", "山东"),
    ("河南省", "河南"), ("湖北省", "湖北"), ("湖南省", "湖南"), ("广东省", "广东"), ("广西壮族自治区", "广西"),
    ("海南省", "海南"), ("重庆市", "重庆"), ("四川省", "四川"), ("贵州省", "贵州"), ("云南省", "云南"),
    ("西藏自治区", "西藏"), ("陕西省", "陕西"), ("甘肃省", "甘肃"), ("青海省", "青海"), ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"), ("台湾省", "台湾"), ("香港特别行政区", "香港"), ("澳门特别行政区", "澳门"),
)
_PROVINCE_NAMES = {name: full for full, short in PROVINCES for name in (full, short)}


class DuplicateCode(Conflict):
    code = "duplicate_code"
    default_message = gettext_lazy("This code is taken already.")


@dataclass(frozen=True)
class SkuFields:
    """Everything about a SKU except its code."""

    name: str
    spec: str = ""
    barcode: str = ""
    weight_g: int = 0
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    fragile: bool = False
    low_stock_threshold: int = 0
    active: bool = True


SKU_FIELDS = tuple(f.name for f in fields(SkuFields))


@dataclass(frozen=True)
class WarehouseFields:
    """Everything about a warehouse except its code."""

    name: str
    province: str
    city: str
    address: str = ""
    priority: int = 100
    service_provinces: tuple[str, ...] = ()
    active: bool = True
    # the picking layout (see Warehouse)
    aisle_width_m: float = 3.0
    bay_width_m: float = 1.2
    bays_per_block: int = 20
    blocks: int = 1
    cross_aisle_width_m: float = 2.0


WAREHOUSE_FIELDS = tuple(f.name for f in fields(WarehouseFields))


@dataclass(frozen=True)
class BinSpec:
    code: str
    aisle: int = 0
    bay: int = 0
    level: int = 0


# --- validation (pure; the import reuses it row by row) ----------------------------------------

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    messages = errors.setdefault(field, [])
    if message not in messages:
        messages.append(message)


def _text(errors: Errors, field: str, value: object, *, max_len: int, required: bool = False,
          no_spaces: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        _add(errors, field, _("Must be text."))
        return ""
    value = value.strip()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        _add(errors, field, _("Contains characters that cannot be stored (control characters or broken Unicode)."))
        return ""
    if _CONTROL.search(value):
        _add(errors, field, _("Contains characters that cannot be stored (control characters or broken Unicode)."))
        return ""
    if required and not value:
        _add(errors, field, _("This field is required."))
    elif len(value) > max_len:
        _add(errors, field, _("At most %(n)d characters.") % {"n": max_len})
    elif no_spaces and _WHITESPACE.search(value):
        _add(errors, field, _("Must not contain spaces."))
    return value


def _count(errors: Errors, field: str, value: object, *, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _add(errors, field, _("Must be a whole number."))
        return 0
    if value < 0 or value > maximum:
        _add(errors, field, _("Must be between 0 and %(max)d.") % {"max": maximum})
    return value


def _flag(errors: Errors, field: str, value: object) -> bool:
    if not isinstance(value, bool):
        _add(errors, field, _("Must be yes or no."))
        return False
    return value


def check_sku_code(code: object, errors: Errors) -> str:
    return _text(errors, "code", code, max_len=64, required=True, no_spaces=True)


def check_sku_fields(values: SkuFields, errors: Errors) -> dict[str, object]:
    """The SKU's fields cleaned (text stripped), with any problem added to errors by field name."""
    return {
        "name": _text(errors, "name", values.name, max_len=200, required=True),
        "spec": _text(errors, "spec", values.spec, max_len=200),
        "barcode": _text(errors, "barcode", values.barcode, max_len=64, no_spaces=True),
        "weight_g": _count(errors, "weight_g", values.weight_g, maximum=MAX_WEIGHT_G),
        "length_mm": _count(errors, "length_mm", values.length_mm, maximum=MAX_SIZE_MM),
        "width_mm": _count(errors, "width_mm", values.width_mm, maximum=MAX_SIZE_MM),
        "height_mm": _count(errors, "height_mm", values.height_mm, maximum=MAX_SIZE_MM),
        "fragile": _flag(errors, "fragile", values.fragile),
        "low_stock_threshold": _count(errors, "low_stock_threshold", values.low_stock_threshold,
                                      maximum=MAX_THRESHOLD),
        "active": _flag(errors, "active", values.active),
    }


def sku_fields(sku: Sku) -> SkuFields:
    return SkuFields(**{name: getattr(sku, name) for name in SKU_FIELDS})


def province_name(text: str) -> str | None:
    """The official name of a province-level division from its official or short name, else None."""
    key = "".join(unicodedata.normalize("NFKC", text or "").split())
    return _PROVINCE_NAMES.get(key)


def _province(errors: Errors, field: str, value: object) -> str:
    text = _text(errors, field, value, max_len=32, required=True)
    if not text or field in errors:
        return text
    name = province_name(text)
    if name is None:
        _add(errors, field, _("Not a province, municipality or autonomous region: %(name)s.") % {"name": text})
        return text
    return name


def _provinces(errors: Errors, field: str, values: object) -> list[str]:
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        _add(errors, field, _("Must be a list of provinces."))
        return []
    names, unknown = [], []
    for value in values:
        name = province_name(value) if isinstance(value, str) else None
        if name is None:
            unknown.append(str(value))
        elif name not in names:
            names.append(name)
    if unknown:
        _add(errors, field, _("Not a province, municipality or autonomous region: %(name)s.")
             % {"name": ", ".join(unknown)})
    return names


def check_warehouse_code(code: object, errors: Errors) -> str:
    code = _text(errors, "code", code, max_len=32, required=True)
    if code and "code" not in errors and not _SLUG.match(code):
        _add(errors, "code", _("Use only letters, digits, hyphens and underscores."))
    return code


def check_warehouse_fields(values: WarehouseFields, errors: Errors) -> dict[str, object]:
    return {
        "name": _text(errors, "name", values.name, max_len=100, required=True),
        "province": _province(errors, "province", values.province),
        "city": _text(errors, "city", values.city, max_len=32, required=True),
        "address": _text(errors, "address", values.address, max_len=255),
        "priority": _count(errors, "priority", values.priority, maximum=MAX_PRIORITY),
        "service_provinces": _provinces(errors, "service_provinces", values.service_provinces),
        "active": _flag(errors, "active", values.active),
        "aisle_width_m": _metres(errors, "aisle_width_m", values.aisle_width_m),
        "bay_width_m": _metres(errors, "bay_width_m", values.bay_width_m),
        "bays_per_block": _count(errors, "bays_per_block", values.bays_per_block, maximum=999) or 1,
        "blocks": _count(errors, "blocks", values.blocks, maximum=20) or 1,
        "cross_aisle_width_m": _metres(errors, "cross_aisle_width_m", values.cross_aisle_width_m),
    }


def _metres(errors: Errors, field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.1 <= value <= 100:
        _add(errors, field, _("A length in metres between 0.1 and 100."))
        return 1.0
    return float(value)


def warehouse_fields(warehouse: Warehouse) -> WarehouseFields:
    values = {name: getattr(warehouse, name) for name in WAREHOUSE_FIELDS}
    values["service_provinces"] = tuple(values["service_provinces"] or ())
    return WarehouseFields(**values)


def invalid(errors: Errors) -> ValidationFailed:
    return ValidationFailed(_("Some fields are not valid; see the messages next to them."), details=errors)


def _audit_values(values: dict[str, object]) -> dict[str, object]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


# --- SKUs ---------------------------------------------------------------------------------------

@transaction.atomic
def create_sku(*, code: str, values: SkuFields, actor: Actor) -> Sku:
    """Add a SKU to the catalogue."""
    require(actor, MANAGE_CATALOGUE)
    errors: Errors = {}
    code = check_sku_code(code, errors)
    cleaned = check_sku_fields(values, errors)
    if errors:
        raise invalid(errors)
    if Sku.objects.filter(code=code).exists():
        raise _sku_taken(code)
    try:
        with transaction.atomic():
            sku = Sku.objects.create(code=code, **cleaned)
    except IntegrityError:
        raise _sku_taken(code) from None  # created concurrently
    record(None, "sku_created", actor=actor, changes=diff({}, cleaned), data={"sku": code})
    return sku


@transaction.atomic
def update_sku(*, code: str, values: SkuFields, actor: Actor) -> Sku:
    """Change a SKU's fields (not its code); nothing is written or recorded when nothing changes."""
    require(actor, MANAGE_CATALOGUE)
    sku = Sku.objects.select_for_update().filter(code=code).first()
    if sku is None:
        raise UnknownSku(details={"sku": code})
    errors: Errors = {}
    cleaned = check_sku_fields(values, errors)
    if errors:
        raise invalid(errors)
    changes = diff(asdict(sku_fields(sku)), cleaned)
    if not changes:
        return sku
    for name in changes:
        setattr(sku, name, cleaned[name])
    sku.save(update_fields=[*changes, "updated_at"])
    record(None, "sku_updated", actor=actor, changes=changes, data={"sku": code})
    return sku


def _sku_taken(code: str) -> DuplicateCode:
    return DuplicateCode(_("A SKU with the code %(code)s exists already.") % {"code": code},
                         details={"code": [_("A SKU with this code exists already.")]})


# --- warehouses -----------------------------------------------------------------------------------

@transaction.atomic
def create_warehouse(*, code: str, values: WarehouseFields, actor: Actor) -> Warehouse:
    """Add a warehouse; service_provinces accepts official or short names and stores official ones."""
    require(actor, MANAGE_CATALOGUE)
    errors: Errors = {}
    code = check_warehouse_code(code, errors)
    cleaned = check_warehouse_fields(values, errors)
    if errors:
        raise invalid(errors)
    if Warehouse.objects.filter(code=code).exists():
        raise _warehouse_taken(code)
    try:
        with transaction.atomic():
            warehouse = Warehouse.objects.create(code=code, **cleaned)
    except IntegrityError:
        raise _warehouse_taken(code) from None
    record(None, "warehouse_created", actor=actor, changes=diff({}, _audit_values(cleaned)),
           data={"warehouse": code})
    return warehouse


@transaction.atomic
def update_warehouse(*, code: str, values: WarehouseFields, actor: Actor) -> Warehouse:
    """Change a warehouse's fields (not its code); nothing is recorded when nothing changes."""
    require(actor, MANAGE_CATALOGUE)
    warehouse = Warehouse.objects.select_for_update().filter(code=code).first()
    if warehouse is None:
        raise UnknownWarehouse(details={"warehouse": code})
    errors: Errors = {}
    cleaned = check_warehouse_fields(values, errors)
    if errors:
        raise invalid(errors)
    changes = diff(_audit_values(asdict(warehouse_fields(warehouse))), _audit_values(cleaned))
    if not changes:
        return warehouse
    for name in changes:
        setattr(warehouse, name, cleaned[name])
    warehouse.save(update_fields=[*changes, "updated_at"])
    record(None, "warehouse_updated", actor=actor, changes=changes, data={"warehouse": code})
    return warehouse


def _warehouse_taken(code: str) -> DuplicateCode:
    return DuplicateCode(_("A warehouse with the code %(code)s exists already.") % {"code": code},
                         details={"code": [_("A warehouse with this code exists already.")]})


# --- bins -------------------------------------------------------------------------------------------

def bin_range(*, prefix: str, aisles: tuple[int, int], bays: tuple[int, int], levels: tuple[int, int],
              code: str = "") -> list[BinSpec]:
    """The bins of a block of shelving, coded PREFIX + aisle-bay-level ("A-01-02-03"), lowest first.

    `code` names a single bin instead (the block must then be one position). Each pair is
    (from, to), both included.
    """
    errors: Errors = {}
    for field, (low, high) in (("aisle", aisles), ("bay", bays), ("level", levels)):
        _count(errors, field, low, maximum=MAX_BIN_POSITION)
        _count(errors, field, high, maximum=MAX_BIN_POSITION)
        if field not in errors and high < low:
            _add(errors, field, _("The last number must not be below the first."))
    if errors:
        raise invalid(errors)
    count = (aisles[1] - aisles[0] + 1) * (bays[1] - bays[0] + 1) * (levels[1] - levels[0] + 1)
    if count > MAX_BINS_PER_CALL:
        raise invalid({"bins": [_("That makes %(n)d bins; at most %(max)d at a time.")
                                % {"n": count, "max": MAX_BINS_PER_CALL}]})
    if code.strip():
        if count != 1:
            raise invalid({"code": [_("A code of your own names one bin; leave it empty for a range.")]})
        return [BinSpec(code=code.strip(), aisle=aisles[0], bay=bays[0], level=levels[0])]
    return [
        BinSpec(code=f"{prefix.strip()}{a:02d}-{b:02d}-{lv:02d}", aisle=a, bay=b, level=lv)
        for a in range(aisles[0], aisles[1] + 1)
        for b in range(bays[0], bays[1] + 1)
        for lv in range(levels[0], levels[1] + 1)
    ]


@transaction.atomic
def create_bins(*, warehouse_code: str, bins: Sequence[BinSpec], actor: Actor) -> list[Bin]:
    """Add bins to a warehouse: all of them or, if any code is bad or taken, none."""
    require(actor, MANAGE_CATALOGUE)
    warehouse = Warehouse.objects.select_for_update().filter(code=warehouse_code).first()
    if warehouse is None:
        raise UnknownWarehouse(details={"warehouse": warehouse_code})
    errors: Errors = {}
    if not bins:
        _add(errors, "bins", _("Give at least one bin."))
    elif len(bins) > MAX_BINS_PER_CALL:
        _add(errors, "bins", _("At most %(max)d bins at a time.") % {"max": MAX_BINS_PER_CALL})
    rows, seen, repeated = [], set(), []
    for spec in bins[:MAX_BINS_PER_CALL]:
        code = _text(errors, "code", spec.code, max_len=32, required=True, no_spaces=True)
        rows.append(Bin(
            warehouse=warehouse, code=code,
            aisle=_count(errors, "aisle", spec.aisle, maximum=MAX_BIN_POSITION),
            bay=_count(errors, "bay", spec.bay, maximum=MAX_BIN_POSITION),
            level=_count(errors, "level", spec.level, maximum=MAX_BIN_POSITION),
        ))
        if code in seen:
            repeated.append(code)
        seen.add(code)
    if repeated:
        _add(errors, "code", _("Given more than once: %(codes)s.") % {"codes": _some(repeated)})
    if errors:
        raise invalid(errors)
    taken = sorted(Bin.objects.filter(warehouse=warehouse, code__in=seen).values_list("code", flat=True))
    if taken:
        raise _bins_taken(taken)
    try:
        with transaction.atomic():
            created = Bin.objects.bulk_create(rows)
    except IntegrityError:
        taken = sorted(Bin.objects.filter(warehouse=warehouse, code__in=seen).values_list("code", flat=True))
        raise _bins_taken(taken) from None
    record(None, "bins_created", actor=actor,
           data={"warehouse": warehouse.code, "count": len(rows), "bins": [b.code for b in rows]})
    return created


def _bins_taken(codes: list[str]) -> DuplicateCode:
    message = _("These bins exist already: %(codes)s.") % {"codes": _some(codes)}
    return DuplicateCode(message, details={"code": [message]})


def _some(codes: list[str], limit: int = 10) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (" …" if len(codes) > limit else "")


@transaction.atomic
def set_pick_face(*, sku_code: str, warehouse_code: str, bin_code: str, actor: Actor) -> SkuLocation:
    """The bin a SKU is picked from in a warehouse (replacing the one before); the change is audited."""
    from oms.accounts.actor import require_warehouse
    from oms.audit.services import record as record_event

    require(actor, MANAGE_CATALOGUE)
    sku = Sku.objects.filter(code=sku_code).first()
    warehouse = Warehouse.objects.filter(code=warehouse_code).first()
    errors: Errors = {}
    if sku is None:
        _add(errors, "sku", _("No SKU has this code."))
    if warehouse is None:
        _add(errors, "warehouse", _("No warehouse has this code."))
    bin_ = Bin.objects.filter(warehouse=warehouse, code=bin_code, active=True).first() if warehouse else None
    if warehouse is not None and bin_ is None:
        _add(errors, "bin", _("No active bin with this code in this warehouse."))
    if errors:
        raise invalid(errors)
    require_warehouse(actor, warehouse.pk)
    location = SkuLocation.objects.select_for_update().filter(sku=sku, warehouse=warehouse).first()
    before = location.bin.code if location else None
    if location is None:
        location = SkuLocation.objects.create(sku=sku, warehouse=warehouse, bin=bin_)
    elif location.bin_id != bin_.pk:
        location.bin = bin_
        location.save(update_fields=["bin"])
    if before != bin_.code:
        record_event(None, "pick_face_changed", actor=actor, changes={"bin": [before, bin_.code]},
                     data={"sku": sku.code, "warehouse": warehouse.code})
    return location
