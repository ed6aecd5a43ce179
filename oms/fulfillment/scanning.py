"""Scan-to-pick (manual §2.3.2): a keyboard-wedge scanner types a code and Enter; the system checks it.

The picker walks the stops of a pick list in order. At each stop they scan the bin, then one scan
per unit of the SKU. A wrong bin, a wrong SKU or a unit too many is refused with a reason and
changes nothing. When a bin holds fewer units than the list asks for, the picker reports a short
pick: the missing units are written off the warehouse's stock, and every order that wanted them
goes back on hold for stock (its reservations released, its packages cancelled), so it takes the
out-of-stock path (re-review when stock arrives) instead of being lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require, require_warehouse
from oms.accounts.roles import PICK_ORDERS
from oms.audit.services import record
from oms.core.errors import Conflict, ValidationFailed
from oms.fulfillment.errors import PickListNotFound
from oms.fulfillment.models import PickList, PickListLine, PickListStatus
from oms.fulfillment.services import cancel_packages
from oms.inventory import services as stock
from oms.inventory.models import Bin, Sku
from oms.orders.models import Order
from oms.orders.review.models import OrderHold
from oms.orders.status import OrderStatus, check_transition


class ScanRefused(Conflict):
    code = "scan_refused"


class WrongBin(ScanRefused):
    code = "wrong_bin"
    default_message = _("Wrong bin: go to the bin the screen shows.")


class ScanBinFirst(ScanRefused):
    code = "scan_bin_first"
    default_message = _("Scan the bin first, then the items.")


class WrongSku(ScanRefused):
    code = "wrong_sku"
    default_message = _("Wrong item: this is not the SKU to pick here.")


class TooMany(ScanRefused):
    code = "too_many"
    default_message = _("Too many: every unit of this SKU on the list is already picked.")


class UnknownCode(ScanRefused):
    code = "unknown_code"
    default_message = _("Unknown code: neither a bin nor a SKU.")


class PickListDone(Conflict):
    code = "pick_list_done"
    default_message = _("This pick list is already picked.")


@dataclass(frozen=True)
class Stop:
    sequence: int
    bin: str | None
    sku: str
    name: str
    spec: str
    quantity: int
    picked: int
    short: int

    @property
    def remaining(self) -> int:
        return self.quantity - self.picked - self.short


@dataclass(frozen=True)
class Progress:
    number: str
    status: str
    stop: Stop | None  # where to go next; None when everything is picked or reported short
    bin_confirmed: bool
    picked: int
    short: int
    total: int
    event: str  # what the last scan did: bin_confirmed, picked, short, done


def _lines(pick_list: PickList) -> list[PickListLine]:
    return list(pick_list.lines.select_related("sku", "bin", "package_line__package__order").order_by(
        "sequence", "sku__code", "package_line__package__number", "id"))


def _stops(lines: list[PickListLine]) -> list[list[PickListLine]]:
    groups: dict[tuple, list[PickListLine]] = {}
    for ln in lines:
        groups.setdefault((ln.sequence, ln.bin_id, ln.sku_id), []).append(ln)
    return list(groups.values())


def _stop(group: list[PickListLine]) -> Stop:
    first = group[0]
    return Stop(sequence=first.sequence, bin=first.bin.code if first.bin else None, sku=first.sku.code,
                name=first.sku.name, spec=first.sku.spec, quantity=sum(ln.quantity for ln in group),
                picked=sum(ln.picked_quantity for ln in group), short=sum(ln.short_quantity for ln in group))


def progress(pick_list: PickList, lines: list[PickListLine], event: str = "") -> Progress:
    current = next((g for g in _stops(lines) if sum(ln.remaining for ln in g) > 0), None)
    stop = _stop(current) if current else None
    return Progress(
        number=pick_list.number, status=pick_list.status, stop=stop,
        bin_confirmed=bool(current and current[0].bin_id and pick_list.confirmed_bin_id == current[0].bin_id),
        picked=sum(ln.picked_quantity for ln in lines), short=sum(ln.short_quantity for ln in lines),
        total=sum(ln.quantity for ln in lines), event=event)


def pick_progress(number: str) -> Progress:
    pick_list = PickList.objects.filter(number=number).first()
    if pick_list is None:
        raise PickListNotFound(details={"pick_list": number})
    return progress(pick_list, _lines(pick_list))


def _locked(number: str, actor: Actor) -> PickList:
    pick_list = PickList.objects.select_for_update().filter(number=number).first()
    if pick_list is None:
        raise PickListNotFound(details={"pick_list": number})
    require_warehouse(actor, pick_list.warehouse_id)
    if pick_list.status == PickListStatus.DONE:
        raise PickListDone(details={"pick_list": number})
    return pick_list


def scan(*, number: str, code: str, actor: Actor) -> Progress:
    """Take one scanned code: a bin to confirm where the picker stands, or one unit of the SKU to pick."""
    require(actor, PICK_ORDERS)
    code = (code or "").strip()
    if not code:
        raise ValidationFailed(details={"code": [_("Scan a code.")]})
    with transaction.atomic():
        pick_list = _locked(number, actor)
        lines = _lines(pick_list)
        groups = _stops(lines)
        current = next((g for g in groups if sum(ln.remaining for ln in g) > 0), None)
        if current is None:
            raise PickListDone(details={"pick_list": number})
        here = current[0]
        if here.bin and code == here.bin.code:
            pick_list.confirmed_bin = here.bin
            pick_list.save(update_fields=["confirmed_bin", "updated_at"])
            return progress(pick_list, lines, "bin_confirmed")
        if Bin.objects.filter(warehouse_id=pick_list.warehouse_id, code=code).exists():
            raise WrongBin(details={"expected": here.bin.code if here.bin else None, "scanned": code})
        sku = Sku.objects.filter(Q(code=code) | Q(barcode=code)).first()
        if sku is None:
            raise UnknownCode(details={"scanned": code})
        if sku.pk != here.sku_id:
            if any(g[0].sku_id == sku.pk for g in groups):
                if all(ln.remaining == 0 for g in groups if g[0].sku_id == sku.pk for ln in g):
                    raise TooMany(details={"sku": sku.code})
            raise WrongSku(details={"expected": here.sku.code, "scanned": sku.code})
        if here.bin_id and pick_list.confirmed_bin_id != here.bin_id:
            raise ScanBinFirst(details={"bin": here.bin.code})
        line = next(ln for ln in current if ln.remaining > 0)
        line.picked_quantity += 1
        line.save(update_fields=["picked_quantity"])
        record(line.package_line.package.order, "item_picked", actor=actor,
               data={"pick_list": number, "package": line.package_line.package.number, "sku": sku.code,
                     "bin": here.bin.code if here.bin else None, "quantity": 1})
        return _finish_if_done(pick_list, lines, "picked")


def report_short(*, number: str, actor: Actor) -> Progress:
    """The current bin has no more units: the rest of this stop is short. Orders that wanted them go
    back on hold for stock, and the missing units leave the stock count."""
    require(actor, PICK_ORDERS)
    with transaction.atomic():
        pick_list = _locked(number, actor)
        lines = _lines(pick_list)
        current = next((g for g in _stops(lines) if sum(ln.remaining for ln in g) > 0), None)
        if current is None:
            raise PickListDone(details={"pick_list": number})
        here = current[0]
        short_lines = [ln for ln in current if ln.remaining > 0]
        missing = sum(ln.remaining for ln in short_lines)
        orders = sorted({ln.package_line.package.order_id for ln in short_lines})
        locked = {o.pk: o for o in Order.objects.select_for_update().filter(pk__in=orders).order_by("id")}
        for ln in short_lines:
            ln.short_quantity += ln.remaining
        PickListLine.objects.bulk_update(short_lines, ["short_quantity"])
        for order_id in orders:
            _hold_for_short_pick(locked[order_id], sku=here.sku.code, bin_code=here.bin.code if here.bin else None,
                                 missing=sum(ln.short_quantity for ln in short_lines
                                             if ln.package_line.package.order_id == order_id),
                                 number=number, actor=actor)
        written_off = stock.write_off_missing(
            sku_id=here.sku_id, warehouse_id=pick_list.warehouse_id, units=missing, actor=actor,
            reason=f"short pick {number} at {here.bin.code if here.bin else '-'}")
        pick_list.confirmed_bin = None
        pick_list.save(update_fields=["confirmed_bin", "updated_at"])
        result = _finish_if_done(pick_list, _lines(pick_list), "short")  # packages were cancelled meanwhile
        if written_off < missing:  # other orders' reservations still count units that are not there
            record(locked[orders[0]], "stock_count_needed", actor=actor,
                   data={"sku": here.sku.code, "bin": here.bin.code if here.bin else None,
                         "missing": missing, "written_off": written_off})
        return result


def _hold_for_short_pick(order: Order, *, sku: str, bin_code: str | None, missing: int, number: str,
                         actor: Actor) -> None:
    if order.status != OrderStatus.PENDING_SHIPMENT:
        return
    released = stock.release(order=order, actor=actor, reason=f"short pick {number}")
    cancelled = cancel_packages(order)
    check_transition(order.status, OrderStatus.ON_HOLD)
    OrderHold.objects.create(order=order, code="out_of_stock", details={
        "skus": [{"sku": sku, "wanted": missing, "available": 0}],
        "short_pick": {"pick_list": number, "bin": bin_code, "missing": missing}})
    record(order, "short_picked", actor=actor, changes={"status": [order.status, OrderStatus.ON_HOLD]},
           data={"pick_list": number, "sku": sku, "bin": bin_code, "missing": missing,
                 "released_units": released, "cancelled_packages": cancelled})
    order.status = OrderStatus.ON_HOLD
    order.save(update_fields=["status", "updated_at"])


def _finish_if_done(pick_list: PickList, lines: list[PickListLine], event: str) -> Progress:
    if all(ln.remaining == 0 for ln in lines):
        pick_list.status = PickListStatus.DONE
        pick_list.confirmed_bin = None
        pick_list.save(update_fields=["status", "confirmed_bin", "updated_at"])
        event = "done"
    elif event == "picked" and not any(ln.remaining for ln in lines if ln.bin_id == pick_list.confirmed_bin_id):
        pick_list.confirmed_bin = None  # this bin is finished: the next stop starts with its bin
        pick_list.save(update_fields=["confirmed_bin", "updated_at"])
    return progress(pick_list, lines, event)
