"""Interceptions (拦截, manual §2.6.3): the warehouse stops a parcel whose order was cancelled after
picking started, or reports that it already left.

Requests come from `oms.orders.cancellation.cancel_locked`. Confirming one takes the package off
its pick list and any open hand-over list, cancels it and releases the package's reservations with
ledger rows (picking and packing never moved on-hand stock, so the units going back to their bins
change nothing else); once no open interception is left, the order is cancelled through the same
path as any cancellation (with its refund). Reporting it too late leaves the order as it is;
customer service continues with after-sales.

Lock order: the order row, then the interception and package rows, then stock levels (as hand-over).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require, require_warehouse
from oms.accounts.roles import RESOLVE_INTERCEPTIONS
from oms.audit.services import record
from oms.core.errors import Conflict, NotFound
from oms.fulfillment.models import (
    Interception,
    InterceptionStatus,
    Package,
    PackageStatus,
    PickList,
    PickListLine,
    PickListStatus,
)
from oms.inventory.models import MovementKind, Reservation, ReservationStatus, StockLevel, StockMovement
from oms.inventory.services import lock_levels
from oms.orders.models import Order


class InterceptionNotFound(NotFound):
    code = "interception_not_found"
    default_message = _("There is no interception with this id.")


class InterceptionResolved(Conflict):
    code = "interception_resolved"
    default_message = _("This interception has already been resolved.")


class PackageAlreadyLeft(Conflict):
    code = "package_already_left"
    default_message = _("This parcel has already been handed to the carrier: report the interception as too late.")


@dataclass(frozen=True)
class Resolution:
    interception: Interception
    changed: bool  # False: it was already resolved this way (a repeated click or retry)
    order_cancelled: bool
    returns: list[dict]  # what goes back to which bin: sku, bin, units


def _parse_id(value) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise InterceptionNotFound(details={"interception": str(value)[:40]}) from None


def _locked(interception_id, actor: Actor) -> tuple[Order, Interception, Package]:
    pk = _parse_id(interception_id)
    order_id = Interception.objects.filter(pk=pk).values_list("order_id", flat=True).first()
    if order_id is None:
        raise InterceptionNotFound(details={"interception": pk})
    order = Order.objects.select_for_update(of=("self",)).select_related("channel").get(pk=order_id)
    interception = Interception.objects.select_for_update(of=("self",)).get(pk=pk)
    package = Package.objects.select_for_update(of=("self",)).select_related("handover_list", "pick_list").get(
        pk=interception.package_id)
    require_warehouse(actor, package.warehouse_id)
    return order, interception, package


def _check_open(interception: Interception, wanted: str) -> bool:
    """True when still open; False when already resolved the same way; Conflict when resolved otherwise."""
    if interception.status == InterceptionStatus.REQUESTED:
        return True
    if interception.status == wanted:
        return False
    raise InterceptionResolved(details={"interception": interception.pk, "status": interception.status})


def bins_to_return(package: Package) -> list[dict]:
    """What was picked for the package, by bin: the units the warehouse puts back."""
    rows = (PickListLine.objects.filter(package_line__package=package, picked_quantity__gt=0)
            .select_related("sku", "bin").order_by("sequence", "id"))
    return [{"sku": r.sku.code, "bin": r.bin.code if r.bin else None, "units": r.picked_quantity} for r in rows]


@transaction.atomic
def confirm_interception(*, interception_id, actor: Actor, note: str = "") -> Resolution:
    """The parcel was stopped: units back to their bins, package cancelled, order cancelled when none is left open."""
    from oms.orders.cancellation import LEFT, cancel_locked, cancel_preview

    require(actor, RESOLVE_INTERCEPTIONS)
    order, interception, package = _locked(interception_id, actor)
    if not _check_open(interception, InterceptionStatus.CONFIRMED):
        return Resolution(interception, changed=False, order_cancelled=False, returns=[])
    if package.status not in (PackageStatus.ALLOCATED, PackageStatus.PACKED) or (
            package.handover_list_id and package.handover_list.status != "open"):
        raise PackageAlreadyLeft(details={"package": package.number, "status": package.status})
    returns = bins_to_return(package)
    released = _release_package_stock(order, package, actor)
    fields = {"status": PackageStatus.CANCELLED, "updated_at": timezone.now()}
    off_list = package.handover_list.number if package.handover_list_id else ""
    if off_list:
        fields["handover_list"] = None
    Package.objects.filter(pk=package.pk).update(**fields)
    _close_pick_list_if_done(package.pick_list)
    now = timezone.now()
    interception.status, interception.resolved_by_id, interception.resolved_at = (
        InterceptionStatus.CONFIRMED, actor.user_id, now)
    interception.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])
    data = {"interception": interception.pk, "package": package.number, "returned_to_bins": returns,
            "released_units": released}
    if off_list:
        data["handover_list"] = off_list
    if package.pick_list_id:
        data["pick_list"] = package.pick_list.number
    still_open = Interception.objects.filter(order=order, status=InterceptionStatus.REQUESTED).exists()
    part_left = not still_open and cancel_preview(order) == LEFT
    if part_left:  # another parcel of the order left meanwhile: the rest is after-sales (partial refund)
        data["order_not_cancelled"] = "part_shipped"
    record(order, "interception_confirmed", actor=actor, note=note[:2000],
           changes={"package_status": [package.status, PackageStatus.CANCELLED]}, data=data)
    cancelled = False
    if not still_open and not part_left:
        # The same decision as any cancellation: a package started meanwhile gets its own interception.
        outcome = cancel_locked(order, actor=actor, reason=interception.reason, note=interception.note,
                                via="interception")
        cancelled = outcome.cancelled
    return Resolution(interception, changed=True, order_cancelled=cancelled, returns=returns)


@transaction.atomic
def report_too_late(*, interception_id, actor: Actor, note: str = "") -> Resolution:
    """The parcel had already left: the order stays; customer service continues with after-sales."""
    require(actor, RESOLVE_INTERCEPTIONS)
    order, interception, package = _locked(interception_id, actor)
    if not _check_open(interception, InterceptionStatus.TOO_LATE):
        return Resolution(interception, changed=False, order_cancelled=False, returns=[])
    interception.status, interception.resolved_by_id, interception.resolved_at = (
        InterceptionStatus.TOO_LATE, actor.user_id, timezone.now())
    interception.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])
    record(order, "interception_too_late", actor=actor, note=note[:2000],
           changes={"interception": [InterceptionStatus.REQUESTED, InterceptionStatus.TOO_LATE]},
           data={"interception": interception.pk, "package": package.number, "package_status": package.status})
    return Resolution(interception, changed=True, order_cancelled=False, returns=[])


def _release_package_stock(order: Order, package: Package, actor: Actor) -> int:
    """Release the reservations this package's lines hold (a reservation for more units is shrunk)."""
    wanted: dict[tuple[int, int], int] = defaultdict(int)
    for line_id, sku_id, quantity in package.lines.values_list("line_id", "sku_id", "quantity"):
        wanted[(line_id, sku_id)] += quantity
    if not wanted:
        return 0
    levels = lock_levels({k[1] for k in wanted}, {package.warehouse_id})
    active = list(Reservation.objects.select_for_update().filter(
        order=order, warehouse_id=package.warehouse_id, status=ReservationStatus.ACTIVE,
        line_id__in={k[0] for k in wanted}).order_by("id"))
    movements, released, now = [], 0, timezone.now()
    for r in active:
        need = wanted.get((r.line_id, r.sku_id), 0)
        if need <= 0:
            continue
        take = min(need, r.quantity)
        wanted[(r.line_id, r.sku_id)] -= take
        if take == r.quantity:
            Reservation.objects.filter(pk=r.pk).update(status=ReservationStatus.RELEASED, closed_at=now)
        else:
            Reservation.objects.filter(pk=r.pk).update(quantity=r.quantity - take)
        level = levels[(r.sku_id, r.warehouse_id)]
        level.reserved -= take
        released += take
        movements.append(StockMovement(
            sku_id=r.sku_id, warehouse_id=r.warehouse_id, kind=MovementKind.RELEASE, reserved_delta=-take,
            on_hand_after=level.on_hand, reserved_after=level.reserved, order=order, reference=package.number,
            reason="interception", actor_id=actor.user_id, actor_username=actor.username))
    for level in levels.values():
        StockLevel.objects.filter(pk=level.pk).update(reserved=level.reserved, updated_at=now)
    StockMovement.objects.bulk_create(movements)
    if movements:
        from oms.notifications.outbox import enqueue

        for sku_id in sorted({m.sku_id for m in movements}):
            enqueue("stock.available", {"sku_id": sku_id, "warehouse_id": package.warehouse_id})
    return released


def _close_pick_list_if_done(pick_list: PickList | None) -> None:
    """An open pick list whose other lines are all picked (or short) is done once this package is cancelled."""
    if pick_list is None or pick_list.status != PickListStatus.OPEN:
        return
    lines = PickListLine.objects.filter(pick_list=pick_list).select_related("package_line__package")
    if all(ln.remaining == 0 for ln in lines):
        PickList.objects.filter(pk=pick_list.pk).update(status=PickListStatus.DONE, confirmed_bin=None,
                                                        updated_at=timezone.now())
