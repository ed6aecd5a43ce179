"""Re-check and packing (manual §2.3.3): scan every unit of a picked package, then box and weigh it.

Re-check compares what is in the tote with the package: each scan must be a SKU of the package
with units still to check; anything else is a mismatch, recorded on the order and refused, and
packing stays blocked until every unit has been checked. Packing records the box (the suggested
one unless the packer chooses another) and the weighed weight, warning when it differs from the
expected weight (items + box) by more than the tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require, require_warehouse
from oms.accounts.roles import PACK_ORDERS
from oms.audit.services import build_event, record
from oms.core.bulk_insert import insert_rows
from oms.core.errors import BusinessRuleViolation, Conflict, ValidationFailed
from oms.fulfillment.boxes import Box, Suggestion, Unit, suggest_box
from oms.fulfillment.errors import PackageNotFound
from oms.fulfillment.models import BoxType, Package, PackageStatus, PickListLine
from oms.inventory.models import Sku

WEIGHT_TOLERANCE = 0.10  # share of the expected weight
WEIGHT_TOLERANCE_MIN_G = 50  # scales and boxes vary by a few grams


class NotPicked(Conflict):
    code = "not_picked"
    default_message = _("This package has not been picked completely yet.")


class RecheckMismatch(Conflict):
    code = "recheck_mismatch"
    default_message = _("Mismatch: this item does not belong in the package (or all its units are checked).")


class RecheckIncomplete(BusinessRuleViolation):
    code = "recheck_incomplete"
    default_message = _("Re-check every unit before packing.")


class NotPackable(Conflict):
    code = "not_packable"
    default_message = _("Only allocated packages can be re-checked and packed.")


class UnknownBox(ValidationFailed):
    code = "unknown_box"
    default_message = _("There is no active box type with this code.")


@dataclass(frozen=True)
class PackingState:
    package: Package
    lines: list[dict]  # sku, name, quantity, checked
    checked: bool  # every unit re-checked
    expected_weight_g: int
    suggestion: Suggestion | None


def _package(number: str, *, lock: bool = False, actor: Actor | None = None) -> Package:
    query = Package.objects.select_related("order", "warehouse", "box")
    if lock:
        query = query.select_for_update(of=("self",))
    package = query.filter(number=number).first()
    if package is None:
        raise PackageNotFound(details={"packages": [number]})
    if actor is not None:
        require_warehouse(actor, package.warehouse_id)
    return package


def _require_picked(package: Package) -> None:
    if package.status != PackageStatus.ALLOCATED:
        raise NotPackable(details={"package": package.number, "status": package.status})
    lines = PickListLine.objects.filter(package_line__package=package)
    if not lines.exists() or lines.exclude(picked_quantity__gte=F("quantity")).exists():
        raise NotPicked(details={"package": package.number})


def packing_state(number: str) -> PackingState:
    package = _package(number)
    lines = list(package.lines.select_related("sku").order_by("id"))
    boxes = [Box(b.code, b.inner_length_mm, b.inner_width_mm, b.inner_height_mm, b.max_weight_g, b.cost)
             for b in BoxType.objects.filter(active=True)]
    units = [Unit(ln.sku.length_mm, ln.sku.width_mm, ln.sku.height_mm, ln.sku.weight_g, ln.sku.fragile)
             for ln in lines for _ in range(ln.quantity)]
    suggestion = suggest_box(units, boxes)
    tare = BoxType.objects.filter(code=suggestion.box.code).values_list("tare_g", flat=True).first() \
        if suggestion else 0
    return PackingState(
        package=package,
        lines=[{"sku": ln.sku.code, "name": ln.sku.name, "spec": ln.sku.spec, "quantity": ln.quantity,
                "checked": ln.checked_quantity} for ln in lines],
        checked=all(ln.checked_quantity >= ln.quantity for ln in lines),
        expected_weight_g=package.weight_g + (tare or 0), suggestion=suggestion,
    )


def recheck_scan(*, number: str, code: str, actor: Actor) -> PackingState:
    """Check one scanned unit against the package; a mismatch is recorded on the order and refused."""
    require(actor, PACK_ORDERS)
    code = (code or "").strip()
    if not code:
        raise ValidationFailed(details={"code": [_("Scan a code.")]})
    mismatch = None
    with transaction.atomic():
        package = _package(number, lock=True, actor=actor)
        _require_picked(package)
        sku = Sku.objects.filter(Q(code=code) | Q(barcode=code)).first()
        line = None
        if sku is not None:
            line = next((ln for ln in package.lines.filter(sku=sku).order_by("id")
                         if ln.checked_quantity < ln.quantity), None)
        if line is None:
            mismatch = {"package": number, "scanned": code, "sku": sku.code if sku else None}
        else:
            line.checked_quantity += 1
            line.save(update_fields=["checked_quantity"])
            state = packing_state(number)
            if state.checked:
                package.checked_at = timezone.now()
                package.save(update_fields=["checked_at", "updated_at"])
                record(package.order, "package_checked", actor=actor,
                       data={"package": number, "units": sum(ln["quantity"] for ln in state.lines)})
            return state
    with transaction.atomic():  # the refusal changes nothing, but the mismatch is part of the record
        record(package.order, "recheck_mismatch", actor=actor, data=mismatch)
    raise RecheckMismatch(details=mismatch)


def pack(*, number: str, weight_g: int, actor: Actor, box_code: str | None = None) -> tuple[PackingState, bool]:
    """Record the box and the weighed weight; returns the state and whether the weight is off."""
    require(actor, PACK_ORDERS)
    if not isinstance(weight_g, int) or isinstance(weight_g, bool) or weight_g <= 0:
        raise ValidationFailed(details={"weight_g": [_("A weight in grams, more than 0.")]})
    with transaction.atomic():
        package = _package(number, lock=True, actor=actor)
        _require_picked(package)
        state = packing_state(number)
        if not state.checked:
            raise RecheckIncomplete(details={"package": number})
        code = box_code or (state.suggestion.box.code if state.suggestion else None)
        box = BoxType.objects.filter(code=code, active=True).first() if code else None
        if box is None:
            raise UnknownBox(details={"box": code})
        expected = package.weight_g + box.tare_g
        off = abs(weight_g - expected) > max(WEIGHT_TOLERANCE_MIN_G, expected * WEIGHT_TOLERANCE)
        package.box, package.packed_weight_g = box, weight_g
        package.packed_at, package.status = timezone.now(), PackageStatus.PACKED
        package.save(update_fields=["box", "packed_weight_g", "packed_at", "status", "updated_at"])
        record(package.order, "package_packed", actor=actor, data={
            "package": number, "box": box.code, "suggested": state.suggestion.box.code if state.suggestion else None,
            "protective_material": bool(state.suggestion and state.suggestion.protective_material),
            "weight_g": weight_g, "expected_weight_g": expected, "weight_off": off})
        return packing_state(number), off

def record_labels_printed(*, package_numbers: list[str], actor: Actor) -> None:
    """One `label_printed` event on the order for every label printed (copies count)."""
    require(actor, PACK_ORDERS)
    now = timezone.now()
    packages = {p.number: p for p in Package.objects.filter(number__in=package_numbers).select_related("order")}
    for package in packages.values():
        require_warehouse(actor, package.warehouse_id)
    insert_rows([build_event(order=packages[n].order, action="label_printed", actor=actor, at=now,
                             data={"package": n, **({"reprinted": packages[n].needs_reprint}
                                                    if packages[n].needs_reprint else {})})
                 for n in package_numbers if n in packages])
    # A label printed after the order changed (orders/changes.py) is the re-print the flag asked for.
    Package.objects.filter(pk__in=[p.pk for p in packages.values() if p.needs_reprint]).update(needs_reprint="")
