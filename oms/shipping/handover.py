"""Hand-over to carriers (manual §2.4.2): packed parcels are scanned onto a carrier's hand-over list
(交接单), each with its tracking number, and handed to the courier in one step.

Scanning puts a packed package of the list's warehouse and carrier on the list and gives it its
tracking number: the one typed or scanned from a pre-printed waybill (checked against the
carrier's format and unique per carrier), or, for carriers with an electronic-waybill adapter,
one requested from the adapter. Handing the list over ships every package on it at once: stock
leaves the ledger (on hand and reserved both go down), the reservations close as shipped, each
order moves to partially shipped or shipped (derived from its packages), and the buyer is told
the carrier and tracking number through the outbox.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require, require_warehouse
from oms.accounts.roles import HAND_OVER, PACK_ORDERS
from oms.audit.services import build_event
from oms.core.bulk_insert import insert_rows
from oms.core.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from oms.core.sequences import next_values
from oms.fulfillment.errors import PackageNotFound
from oms.fulfillment.models import Package, PackageLine, PackageStatus
from oms.inventory.models import (
    MovementKind,
    Reservation,
    ReservationStatus,
    StockLevel,
    StockMovement,
    Warehouse,
)
from oms.inventory.services import lock_levels
from oms.notifications.outbox import enqueue_many
from oms.orders.models import Order
from oms.shipping.models import Carrier, CarrierAdapter, HandoverList, HandoverStatus
from oms.shipping.progress import orders_of, refresh_order_statuses
from oms.shipping.tracking_numbers import normalise, tracking_number_problem


class HandoverListNotFound(NotFound):
    code = "handover_list_not_found"
    default_message = _("There is no hand-over list with this number.")


class UnknownCarrier(ValidationFailed):
    code = "unknown_carrier"
    default_message = _("There is no active carrier with this code.")


class UnknownWarehouse(ValidationFailed):
    code = "unknown_warehouse"
    default_message = _("There is no active warehouse with this code.")


class HandoverClosed(Conflict):
    code = "handover_closed"
    default_message = _("This hand-over list has already been handed over.")


class NotReadyToShip(Conflict):
    code = "not_packed"
    default_message = _("Only packed packages can be handed over.")


class WrongCarrier(Conflict):
    code = "wrong_carrier"
    default_message = _("This package goes with another carrier: put it on that carrier's list.")


class WrongWarehouse(Conflict):
    code = "wrong_warehouse"
    default_message = _("This package is in another warehouse.")


class OnAnotherList(Conflict):
    code = "on_another_list"
    default_message = _("This package is already on another hand-over list.")


class TrackingNumberRequired(BusinessRuleViolation):
    code = "tracking_number_required"
    default_message = _("This carrier has no electronic waybill: type or scan the tracking number.")


class InvalidTrackingNumber(BusinessRuleViolation):
    code = "invalid_tracking_number"
    default_message = _("This is not a tracking number of this carrier.")


class DuplicateTrackingNumber(Conflict):
    code = "duplicate_tracking_number"
    default_message = _("This tracking number is already used by another package of this carrier.")


class PackageIntercepted(Conflict):
    code = "package_intercepted"
    default_message = _("This package has an open interception (its order is being cancelled): take it off the "
                        "list and confirm the interception, or report it as already gone.")


def _refuse_intercepted(package_ids: list[int]) -> None:
    """Refuse packages with an open interception (checked under the order lock, where requests are made)."""
    from oms.fulfillment.models import Interception, InterceptionStatus

    numbers = sorted(Interception.objects.filter(package_id__in=package_ids, status=InterceptionStatus.REQUESTED)
                     .values_list("package__number", flat=True))
    if numbers:
        raise PackageIntercepted(details={"packages": numbers})


class EmptyHandover(BusinessRuleViolation):
    code = "handover_empty"
    default_message = _("Scan at least one package onto the list before handing it over.")


@dataclass(frozen=True)
class Scanned:
    handover: HandoverList
    package: Package
    already_on_list: bool


def _list(number: str, *, lock: bool = False) -> HandoverList:
    query = HandoverList.objects.select_related("carrier", "warehouse")
    if lock:
        query = query.select_for_update(of=("self",))
    handover = query.filter(number=number).first()
    if handover is None:
        raise HandoverListNotFound(details={"handover_list": number})
    return handover


def _number(warehouse: Warehouse, carrier: Carrier) -> str:
    """HO-{warehouse}-{carrier}-{yyyymmdd}-{n}; n from a sequence, unique under concurrency."""
    [n] = next_values("handover_no")
    return f"HO-{warehouse.code.upper()}-{carrier.code.upper()}-{timezone.localdate():%Y%m%d}-{n:05d}"


def open_handover_list(*, carrier_code: str, warehouse_code: str, actor: Actor) -> HandoverList:
    """Start a hand-over list for one carrier's courier at one warehouse."""
    require(actor, HAND_OVER)
    carrier = Carrier.objects.filter(code=carrier_code, active=True).first()
    if carrier is None:
        raise UnknownCarrier(details={"carrier": carrier_code})
    warehouse = Warehouse.objects.filter(code=warehouse_code, active=True).first()
    if warehouse is None:
        raise UnknownWarehouse(details={"warehouse": warehouse_code})
    require_warehouse(actor, warehouse.pk)
    with transaction.atomic():
        return HandoverList.objects.create(number=_number(warehouse, carrier), carrier=carrier, warehouse=warehouse,
                                           created_by=actor.user)


def _find_package(code: str, carrier: Carrier) -> Package | None:
    """A package by its number, or by a tracking number it already has with this carrier."""
    code = (code or "").strip()
    return (Package.objects.filter(number=code).first()
            or Package.objects.filter(carrier=carrier, tracking_no=normalise(code)).first())


def _checked_number(carrier: Carrier, typed: str, package: Package) -> str:
    number = normalise(typed)
    problem = tracking_number_problem(number, carrier.tracking_number_pattern)
    if problem:
        raise InvalidTrackingNumber(details={"tracking_no": number, "carrier": carrier.code, "problem": problem,
                                             "pattern": carrier.tracking_number_pattern})
    taken = Package.objects.filter(carrier=carrier, tracking_no=number).exclude(pk=package.pk)
    if taken.exists():
        raise DuplicateTrackingNumber(details={"tracking_no": number, "carrier": carrier.code})
    return number


def _check_shippable(package: Package, handover: HandoverList) -> None:
    if package.warehouse_id != handover.warehouse_id:
        raise WrongWarehouse(details={"package": package.number})
    if package.status != PackageStatus.PACKED:
        raise NotReadyToShip(details={"package": package.number, "status": package.status})
    if package.carrier_id != handover.carrier_id:
        raise WrongCarrier(details={"package": package.number,
                                    "carrier": package.carrier.code if package.carrier else None,
                                    "list_carrier": handover.carrier.code})
    if package.handover_list_id and package.handover_list_id != handover.pk:
        raise OnAnotherList(details={"package": package.number})


def scan_onto_list(*, list_number: str, code: str, actor: Actor, tracking_no: str = "") -> Scanned:
    """Put a packed package (scanned by package or tracking number) on the list, with its tracking number."""
    require(actor, HAND_OVER)
    handover = _list(list_number)
    require_warehouse(actor, handover.warehouse_id)
    if not (code or "").strip():
        raise ValidationFailed(details={"code": [_("Scan a package number.")]})
    package = _find_package(code, handover.carrier)
    if package is None:
        raise PackageNotFound(details={"packages": [code.strip()]})
    if package.handover_list_id == handover.pk:
        return Scanned(handover, package, already_on_list=True)
    _check_shippable(package, handover)
    # The waybill is requested before any row is locked: it is an HTTP call to the carrier.
    number = package.tracking_no
    if tracking_no.strip():
        number = _checked_number(handover.carrier, tracking_no, package)
    elif not number:
        number = _waybill(handover.carrier, package)
    with transaction.atomic():
        handover = _list(list_number, lock=True)
        if handover.status != HandoverStatus.OPEN:
            raise HandoverClosed(details={"handover_list": list_number})
        package = Package.objects.select_for_update(of=("self",)).select_related("order", "carrier").get(pk=package.pk)
        _check_shippable(package, handover)
        _refuse_intercepted([package.pk])
        package.tracking_no, package.handover_list = number, handover
        try:
            with transaction.atomic():
                package.save(update_fields=["tracking_no", "handover_list", "updated_at"])
        except IntegrityError:  # the same number given to another package at the same moment
            raise DuplicateTrackingNumber(details={"tracking_no": number, "carrier": handover.carrier.code}) from None
        insert_rows([build_event(order=package.order, action="package_on_handover_list", actor=actor, data={
            "package": package.number, "handover_list": handover.number, "carrier": handover.carrier.code,
            "tracking_no": number})])
        return Scanned(handover, package, already_on_list=False)


def _waybill(carrier: Carrier, package: Package) -> str:
    if carrier.adapter == CarrierAdapter.MANUAL:
        raise TrackingNumberRequired(details={"package": package.number, "carrier": carrier.code})
    from oms.shipping.adapters import adapter_for

    number = adapter_for(carrier).create_waybill(package=package)
    if not number:
        raise TrackingNumberRequired(details={"package": package.number, "carrier": carrier.code})
    return _checked_number(carrier, number, package)


def assign_waybills(*, package_numbers: list[str], actor: Actor) -> int:
    """Electronic waybills (电子面单) for packages of adapter carriers that have no tracking number yet.

    Called before labels are printed, so the label carries the carrier's barcode; packages of
    manual carriers get theirs typed at hand-over. Returns how many numbers were assigned.
    """
    if not actor.has(HAND_OVER):  # packers print labels; logistics hands over
        require(actor, PACK_ORDERS)
    assigned = 0
    candidates = (Package.objects.select_related("carrier", "order")
                  .filter(number__in=package_numbers, tracking_no="", carrier__isnull=False,
                          status__in=[PackageStatus.ALLOCATED, PackageStatus.PACKED])
                  .exclude(carrier__adapter=CarrierAdapter.MANUAL).order_by("id"))
    for package in candidates:
        number = _waybill(package.carrier, package)  # an HTTP call: no row is locked meanwhile
        with transaction.atomic():
            locked = Package.objects.select_for_update(of=("self",)).select_related("order").get(pk=package.pk)
            if locked.tracking_no:
                continue  # another print got one first; the carrier's spare number is simply unused
            locked.tracking_no = number
            try:
                with transaction.atomic():
                    locked.save(update_fields=["tracking_no", "updated_at"])
            except IntegrityError:
                raise DuplicateTrackingNumber(details={"tracking_no": number,
                                                       "carrier": package.carrier.code}) from None
            insert_rows([build_event(order=locked.order, action="waybill_assigned", actor=actor, data={
                "package": locked.number, "carrier": package.carrier.code, "tracking_no": number})])
            assigned += 1
    return assigned


def remove_from_list(*, list_number: str, package_number: str, actor: Actor) -> HandoverList:
    """Take a package off an open list (scanned by mistake); its tracking number stays with it."""
    require(actor, HAND_OVER)
    with transaction.atomic():
        handover = _list(list_number, lock=True)
        require_warehouse(actor, handover.warehouse_id)
        if handover.status != HandoverStatus.OPEN:
            raise HandoverClosed(details={"handover_list": list_number})
        package = (Package.objects.select_for_update(of=("self",)).select_related("order")
                   .filter(number=package_number, handover_list=handover).first())
        if package is None:
            raise PackageNotFound(details={"packages": [package_number]})
        package.handover_list = None
        package.save(update_fields=["handover_list", "updated_at"])
        insert_rows([build_event(order=package.order, action="package_off_handover_list", actor=actor,
                                 data={"package": package.number, "handover_list": handover.number})])
        return handover


def hand_over(*, list_number: str, actor: Actor, courier_name: str = "") -> HandoverList:
    """The courier takes the list's parcels: ship them all, take their stock out, tell the buyers."""
    require(actor, HAND_OVER)
    now = timezone.now()
    with transaction.atomic():
        handover = _list(list_number, lock=True)
        require_warehouse(actor, handover.warehouse_id)
        if handover.status != HandoverStatus.OPEN:
            raise HandoverClosed(details={"handover_list": list_number})
        ids = list(handover.packages.values_list("pk", flat=True))
        if not ids:
            raise EmptyHandover(details={"handover_list": list_number})
        # Lock order everywhere: orders by id, then packages by id, then stock levels.
        order_ids = orders_of(Package.objects.filter(pk__in=ids))
        orders = list(Order.objects.select_for_update().filter(pk__in=order_ids).order_by("id"))
        packages = list(Package.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("id"))
        for package in packages:
            if package.status != PackageStatus.PACKED:  # cancelled or re-opened since it was scanned
                raise NotReadyToShip(details={"package": package.number, "status": package.status})
        _refuse_intercepted(ids)
        _ship_stock(packages, handover, actor)
        Package.objects.filter(pk__in=ids).update(status=PackageStatus.SHIPPED, shipped_at=now,
                                                  tracking_status="", updated_at=now)
        handover.status, handover.handed_over_at, handover.handed_over_by = HandoverStatus.HANDED_OVER, now, actor.user
        handover.courier_name = (courier_name or "").strip()[:64]
        handover.save(update_fields=["status", "handed_over_at", "handed_over_by", "courier_name", "updated_at"])
        by_id = {o.pk: o for o in orders}
        carried = _orders_carried(packages)
        insert_rows([build_event(order=by_id[order_id], action="shipped", actor=actor, at=now, data={
            "package": p.number, "carrier": handover.carrier.code, "carrier_name": handover.carrier.name,
            "tracking_no": p.tracking_no, "handover_list": handover.number})
            for p in packages for order_id in carried[p.pk]])
        refresh_order_statuses(orders, actor=actor, now=now)
        enqueue_many("package.shipped", [{"package": p.number, "carrier": handover.carrier.code,
                                          "tracking_no": p.tracking_no} for p in packages])
        enqueue_many("order.shipped", [{"order_no": by_id[order_id].order_no, "package": p.number,
                                        "carrier_name": handover.carrier.name, "tracking_no": p.tracking_no}
                                       for p in packages for order_id in carried[p.pk]])
        return handover


def _orders_carried(packages: list[Package]) -> dict[int, list[int]]:
    """Package id → ids of the orders whose goods it carries (a merged package carries several)."""
    carried: dict[int, set[int]] = {p.pk: {p.order_id} for p in packages}
    for merged_into, order_id in Package.objects.filter(merged_into__in=list(carried)).values_list(
            "merged_into_id", "order_id"):
        carried[merged_into].add(order_id)
    return {k: sorted(v) for k, v in carried.items()}


def _ship_stock(packages: list[Package], handover: HandoverList, actor: Actor) -> None:
    """Take the packages' units out of on hand and reserved, and close their reservations as shipped."""
    lines = list(PackageLine.objects.filter(package__in=packages).select_related("line", "package")
                 .order_by("package_id", "id"))
    levels = lock_levels({ln.sku_id for ln in lines}, {handover.warehouse_id})
    wanted: dict[tuple[int, int], int] = defaultdict(int)  # (order line, sku) → units shipped now
    for ln in lines:
        wanted[(ln.line_id, ln.sku_id)] += ln.quantity
    active = list(Reservation.objects.select_for_update().filter(
        Q(line_id__in={k[0] for k in wanted}), warehouse_id=handover.warehouse_id,
        status=ReservationStatus.ACTIVE).order_by("id"))
    closed, shrunk, split_off = [], [], []
    for r in active:
        need = wanted.get((r.line_id, r.sku_id), 0)
        if need <= 0:
            continue
        if r.quantity <= need:
            closed.append(r.pk)
            wanted[(r.line_id, r.sku_id)] -= r.quantity
        else:  # one reservation for more units than this parcel carries (a split package): split it
            r.quantity -= need
            shrunk.append(r)
            split_off.append(Reservation(order_id=r.order_id, line_id=r.line_id, sku_id=r.sku_id,
                                         warehouse_id=r.warehouse_id, quantity=need,
                                         status=ReservationStatus.SHIPPED, closed_at=timezone.now()))
            wanted[(r.line_id, r.sku_id)] = 0
    movements = []
    for ln in lines:
        level = levels[(ln.sku_id, handover.warehouse_id)]
        level.on_hand -= ln.quantity
        level.reserved -= ln.quantity
        movements.append(StockMovement(
            sku_id=ln.sku_id, warehouse_id=handover.warehouse_id, kind=MovementKind.SHIPMENT,
            on_hand_delta=-ln.quantity, reserved_delta=-ln.quantity, on_hand_after=level.on_hand,
            reserved_after=level.reserved, order_id=ln.line.order_id, reference=ln.package.number,
            reason=handover.number, actor_id=actor.user_id, actor_username=actor.username))
    _store_levels(list(levels.values()))
    insert_rows(movements)
    if closed:
        Reservation.objects.filter(pk__in=closed).update(status=ReservationStatus.SHIPPED, closed_at=timezone.now())
    for r in shrunk:
        Reservation.objects.filter(pk=r.pk).update(quantity=r.quantity)
    insert_rows(split_off)


def _store_levels(levels) -> None:
    """On hand and reserved of locked levels, both in one statement per level (a parcel has few SKUs)."""
    for level in levels:
        StockLevel.objects.filter(pk=level.pk).update(on_hand=level.on_hand, reserved=level.reserved)
