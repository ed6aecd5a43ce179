"""Interceptions (拦截, manual §2.6.3): the warehouse stops a parcel whose order was cancelled after
picking started, or reports that it already left.

Requests come from `oms.orders.cancellation.cancel_locked`. Confirming one takes the package off
its pick list and any open hand-over list, cancels it and releases the package's reservations with
ledger rows (picking and packing never moved on-hand stock, so the units going back to their bins
change nothing else); once no open interception is left, the order is cancelled through the same
path as any cancellation (with its refund). Reporting it too late leaves the order as it is;
customer service continues with after-sales.

When the order is not cancelled in the end (another parcel of it left, or a second interception
was reported too late), the units of the stopped packages are recorded as cancelled (WithheldUnits,
package set) and refunded as a partial cancellation when paid, so no unit is neither shipped nor
refunded; the order then follows its remaining packages (shipped once they all left).

A package shared by several orders (merged) cannot be stopped for one of them: its confirmation is
refused; the warehouse reports it too late and customer service continues with after-sales.

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
from oms.aftersales.status import RefundCause
from oms.audit.services import record
from oms.core.errors import Conflict, NotFound
from oms.fulfillment.models import (
    Interception,
    InterceptionStatus,
    Package,
    PackageLine,
    PackageStatus,
    PickList,
    PickListLine,
    PickListStatus,
)
from oms.inventory.models import MovementKind, Reservation, ReservationStatus, StockLevel, StockMovement
from oms.inventory.services import lock_levels
from oms.orders.models import Order, OrderLine
from oms.orders.status import OrderStatus, PaymentStatus
from oms.orders.stock_choice_models import WithheldState, WithheldUnits


class InterceptionNotFound(NotFound):
    code = "interception_not_found"
    default_message = _("There is no interception with this id.")


class InterceptionResolved(Conflict):
    code = "interception_resolved"
    default_message = _("This interception has already been resolved.")


class MergedPackageNotStoppable(Conflict):
    code = "merged_package_not_stoppable"
    default_message = _("This parcel was merged with other orders' parcels and cannot be stopped for one order: "
                        "report the interception as too late; customer service continues with after-sales.")


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
    package = Package.objects.select_for_update(of=("self",)).select_related(
        "handover_list", "pick_list", "merged_into").get(pk=interception.package_id)
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
    _check_not_merged(package)
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
    elif part_left:
        _settle_stopped_packages(order, actor=actor, note=note)
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
    if (order.status != OrderStatus.CANCELLED
            and not Interception.objects.filter(order=order, status=InterceptionStatus.REQUESTED).exists()):
        _settle_stopped_packages(order, actor=actor, note=note)
    return Resolution(interception, changed=True, order_cancelled=False, returns=[])


def _check_not_merged(package: Package) -> None:
    """A merged parcel carries other orders' units too: stopping it for one order would cancel theirs."""
    carrier = package.merged_into if package.status == PackageStatus.MERGED and package.merged_into_id else package
    shared = carrier is not package or Package.objects.filter(merged_into=package).exists()
    if not shared:
        return
    if carrier.status not in (PackageStatus.ALLOCATED, PackageStatus.PACKED):
        raise PackageAlreadyLeft(details={"package": carrier.number, "status": carrier.status})
    raise MergedPackageNotStoppable(details={"package": package.number, "travels_in": carrier.number})


def _settle_stopped_packages(order: Order, *, actor: Actor, note: str) -> None:
    """The order goes on without its stopped packages: record their units as cancelled, refund them when
    paid (a partial cancellation), and move the order on by what is left (shipped when all of it left)."""
    from oms.payments.refund_errors import NothingToRefund
    from oms.payments.refunds import raise_refund_locked, refunded_units
    from oms.shipping.progress import refresh_order_statuses

    settled = set(WithheldUnits.objects.filter(order=order, state=WithheldState.CANCELLED, package__isnull=False)
                  .values_list("package_id", flat=True))
    stopped = [i.package_id for i in Interception.objects.filter(
        order=order, status=InterceptionStatus.CONFIRMED).order_by("package_id") if i.package_id not in settled]
    units: dict[int, int] = defaultdict(int)
    rows = []
    for package_id, line_id, quantity in (PackageLine.objects.filter(package_id__in=stopped)
                                          .order_by("package_id", "id")
                                          .values_list("package_id", "line_id", "quantity")):
        units[line_id] += quantity
        rows.append(WithheldUnits(order=order, line_id=line_id, quantity=quantity, state=WithheldState.CANCELLED,
                                  package_id=package_id, created_by_id=actor.user_id, closed_at=timezone.now()))
    if not rows:
        return
    WithheldUnits.objects.bulk_create(rows)
    refund = None
    if order.payment_status == PaymentStatus.PAID and order.paid_amount > 0:
        # Units already refunded another way (after-sales) are not paid back twice.
        already = refunded_units(order)
        quantities = dict(OrderLine.objects.filter(order=order).values_list("pk", "quantity"))
        lines = {k: min(v, quantities[k] - already.get(k, 0)) for k, v in units.items()}
        lines = {k: v for k, v in lines.items() if v > 0}
        if lines:
            try:
                refund = raise_refund_locked(order, cause=RefundCause.PARTIAL_CANCELLATION, lines=lines,
                                             actor=actor, reason="interception", note=note)
            except NothingToRefund:  # free units (fully discounted): nothing was paid for them
                refund = None
    data = {"packages": sorted(set(Package.objects.filter(pk__in=stopped).values_list("number", flat=True))),
            "units": {str(k): v for k, v in sorted(units.items())}}
    if refund is not None:
        data["refund"] = refund.number
    record(order, "intercepted_units_cancelled", actor=actor, data=data)
    refresh_order_statuses([order], actor=actor)


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
