"""Stock writes: every change of a stock level goes with its ledger row, in one transaction.

Lock order, everywhere: order rows first (the caller), then stock levels sorted by
(sku_id, warehouse_id). Reads that decide a change are made on locked rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require, require_warehouse
from oms.accounts.roles import ADJUST_STOCK, RECEIVE_STOCK
from oms.core.bulk_insert import insert_rows, server_bound_cursor
from oms.inventory.errors import (
    InvalidQuantity,
    ReasonRequired,
    StockWouldGoNegative,
    UnknownSku,
    UnknownWarehouse,
    WarehouseInactive,
)
from oms.inventory.models import (
    MovementKind,
    Reservation,
    ReservationStatus,
    Sku,
    StockLevel,
    StockMovement,
    Warehouse,
)
from oms.inventory.planning import Take
from oms.notifications.outbox import enqueue


def _movement(level: StockLevel, *, kind: str, on_hand_delta: int = 0, reserved_delta: int = 0, actor: Actor,
              order=None, reason: str = "", reference: str = "") -> StockMovement:
    return StockMovement(
        sku_id=level.sku_id, warehouse_id=level.warehouse_id, kind=kind,
        on_hand_delta=on_hand_delta, reserved_delta=reserved_delta,
        on_hand_after=level.on_hand, reserved_after=level.reserved,
        order=order, reason=reason, reference=reference,
        actor_id=actor.user_id, actor_username=actor.username,
    )


def _sku(code: str) -> Sku:
    sku = Sku.objects.filter(code=code).first()
    if sku is None:
        raise UnknownSku(details={"sku": code})
    return sku


def _warehouse(code: str) -> Warehouse:
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise UnknownWarehouse(details={"warehouse": code})
    if not warehouse.active:
        raise WarehouseInactive(details={"warehouse": code})
    return warehouse


def _locked_level(sku: Sku, warehouse: Warehouse) -> StockLevel:
    """The stock level row, locked, created at zero the first time."""
    level = StockLevel.objects.select_for_update().filter(sku=sku, warehouse=warehouse).first()
    if level is not None:
        return level
    try:
        with transaction.atomic():
            StockLevel.objects.create(sku=sku, warehouse=warehouse)
    except IntegrityError:
        pass  # created concurrently; lock the one that exists
    return StockLevel.objects.select_for_update().get(sku=sku, warehouse=warehouse)


@transaction.atomic
def receive_stock(*, sku_code: str, warehouse_code: str, quantity: int, actor: Actor, reference: str = "",
                  note: str = "") -> StockLevel:
    """Add received units to a warehouse; held orders waiting for this SKU are reviewed again."""
    require(actor, RECEIVE_STOCK)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise InvalidQuantity(details={"quantity": quantity})
    sku, warehouse = _sku(sku_code), _warehouse(warehouse_code)
    require_warehouse(actor, warehouse.pk)
    level = _locked_level(sku, warehouse)
    level.on_hand += quantity
    level.save(update_fields=["on_hand", "updated_at"])
    _movement(level, kind=MovementKind.RECEIPT, on_hand_delta=quantity, actor=actor, reason=note[:200],
              reference=reference[:64]).save()
    enqueue("stock.available", {"sku_id": sku.pk, "warehouse_id": warehouse.pk})
    return level


@transaction.atomic
def adjust_stock(*, sku_code: str, warehouse_code: str, delta: int, reason: str, actor: Actor,
                 change_request: str = "") -> StockLevel:
    """Correct the on-hand count (stock take, damage, loss) with a reason; never below what is reserved.

    Above OMS_STOCK_ADJUSTMENT_APPROVAL_ABOVE units only an approved change request (its number in
    `change_request`, passed by oms.approvals) may adjust; while one is pending for the same SKU and
    warehouse, direct adjustments are refused.
    """
    from oms.approvals import guards  # approvals imports this module

    require(actor, ADJUST_STOCK)
    if not reason.strip():
        raise ReasonRequired(details={"reason": reason})
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise InvalidQuantity(details={"delta": delta})
    threshold = settings.OMS_STOCK_ADJUSTMENT_APPROVAL_ABOVE
    if abs(delta) > threshold and not change_request:
        raise guards.ApprovalRequired(
            _("Adjustments of more than %(n)d units need an approved change request.") % {"n": threshold},
            details={"delta": delta, "threshold": threshold})
    sku, warehouse = _sku(sku_code), _warehouse(warehouse_code)
    require_warehouse(actor, warehouse.pk)
    level = _locked_level(sku, warehouse)
    if change_request:
        guards.require_approving(number=change_request, sku_id=sku.pk, warehouse_id=warehouse.pk, delta=delta)
    else:
        guards.refuse_if_pending(sku_id=sku.pk, warehouse_id=warehouse.pk)
    if level.on_hand + delta < level.reserved:
        raise StockWouldGoNegative(details={
            "sku": sku.code, "warehouse": warehouse.code, "on_hand": level.on_hand,
            "reserved": level.reserved, "delta": delta,
        })
    level.on_hand += delta
    level.save(update_fields=["on_hand", "updated_at"])
    _movement(level, kind=MovementKind.ADJUSTMENT, on_hand_delta=delta, actor=actor, reason=reason.strip()[:200],
              reference=change_request[:64]).save()
    if delta > 0:
        enqueue("stock.available", {"sku_id": sku.pk, "warehouse_id": warehouse.pk})
    return level


def write_off_missing(*, sku_id: int, warehouse_id: int, units: int, reason: str, actor: Actor) -> int:
    """Take units found missing (a short pick) off the count, as far as reservations allow; how many were.

    Inside the caller's transaction; the level is locked here (after the caller's orders).
    """
    level = lock_levels([sku_id], [warehouse_id]).get((sku_id, warehouse_id))
    if level is None:
        return 0
    taken = min(units, level.on_hand - level.reserved)
    if taken <= 0:
        return 0
    level.on_hand -= taken
    level.save(update_fields=["on_hand", "updated_at"])
    _movement(level, kind=MovementKind.ADJUSTMENT, on_hand_delta=-taken, actor=actor, reason=reason[:200]).save()
    return taken


def lock_levels(sku_ids: Iterable[int], warehouse_ids: Iterable[int]) -> dict[tuple[int, int], StockLevel]:
    """Lock the stock levels of these SKUs in these warehouses, in the fixed order (call inside a transaction)."""
    sku_ids, warehouse_ids = sorted(set(sku_ids)), sorted(set(warehouse_ids))
    if not sku_ids or not warehouse_ids:
        return {}
    rows = (
        StockLevel.objects.select_for_update(of=("self",))
        .filter(sku_id__in=sku_ids, warehouse_id__in=warehouse_ids)
        .order_by("sku_id", "warehouse_id")
    )
    return {(lv.sku_id, lv.warehouse_id): lv for lv in rows}


LEVELS_PER_UPDATE = 300  # 3 parameters a level, well inside every database's limit


def store_reserved(levels: list[StockLevel]) -> None:
    """Write the reserved count of locked levels, one UPDATE per LEVELS_PER_UPDATE levels.

    Hand-written because bulk_update builds a Django expression per row, which cost more CPU
    than the database spends on the statement (it was the largest part of a batch review).
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    if connection.vendor == "postgresql":  # two array parameters, whatever the number of levels
        with server_bound_cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS t SET reserved = v.reserved, updated_at = %s "
                f"FROM unnest(%s::bigint[], %s::integer[]) AS v(id, reserved) WHERE t.id = v.id",
                [now, [lv.pk for lv in levels], [lv.reserved for lv in levels]],
            )
        return
    for start in range(0, len(levels), LEVELS_PER_UPDATE):
        chunk = levels[start:start + LEVELS_PER_UPDATE]
        marks = ", ".join(["%s"] * len(chunk))
        sql = (f"UPDATE {table} SET reserved = CASE id {' '.join(['WHEN %s THEN %s'] * len(chunk))} END, "
               f"updated_at = %s WHERE id IN ({marks})")
        params = [v for lv in chunk for v in (lv.pk, lv.reserved)] + [now] + [lv.pk for lv in chunk]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


class ReservationBatch:
    """Reservations of one or many orders on the same locked levels, written with three statements.

    `add` changes the levels in memory at once, so the next order of a batch plans against
    what is left; `write` stores the levels, the ledger rows and the reservations.
    """

    def __init__(self, *, levels: dict[tuple[int, int], StockLevel], actor: Actor):
        self.levels, self.actor = levels, actor
        self.changed: dict[tuple[int, int], StockLevel] = {}
        self.movements: list[StockMovement] = []
        self.reservations: list[Reservation] = []
        self.released: list[Reservation] = []

    def release(self, *, order, active: list[Reservation], reason: str) -> None:
        """Give back these active reservations of the order on the same levels (before new `add`s)."""
        for r in active:
            level = self.levels[(r.sku_id, r.warehouse_id)]
            level.reserved -= r.quantity
            self.changed[(level.sku_id, level.warehouse_id)] = level
            self.movements.append(_movement(level, kind=MovementKind.RELEASE, reserved_delta=-r.quantity,
                                            actor=self.actor, order=order, reason=reason))
        self.released += active

    def add(self, *, order, takes: list[Take]) -> None:
        for take in takes:
            level = self.levels[(take.sku_id, take.warehouse_id)]
            if level.on_hand - level.reserved < take.quantity:  # the plan was made from these rows
                raise StockWouldGoNegative(details={"sku_id": take.sku_id, "warehouse_id": take.warehouse_id})
            level.reserved += take.quantity
            self.changed[(level.sku_id, level.warehouse_id)] = level
            self.movements.append(_movement(level, kind=MovementKind.RESERVATION, reserved_delta=take.quantity,
                                            actor=self.actor, order=order))
            self.reservations.append(Reservation(order=order, line_id=take.line_id, sku_id=take.sku_id,
                                                 warehouse_id=take.warehouse_id, quantity=take.quantity))

    def write(self) -> None:
        if not self.movements:
            return
        store_reserved(list(self.changed.values()))
        insert_rows(self.movements)
        insert_rows(self.reservations)
        if self.released:
            Reservation.objects.filter(pk__in=[r.pk for r in self.released]).update(
                status=ReservationStatus.RELEASED, closed_at=timezone.now())


def reallocate(*, order, active: list[Reservation], takes: list[Take], levels: dict[tuple[int, int], StockLevel],
               actor: Actor) -> None:
    """Move an order's reservations to new takes on the same locked levels (release, then reserve)."""
    batch = ReservationBatch(levels=levels, actor=actor)
    batch.release(order=order, active=active, reason="reallocated")
    batch.add(order=order, takes=takes)
    batch.write()


def reserve(*, order, takes: list[Take], levels: dict[tuple[int, int], StockLevel], actor: Actor) -> None:
    """Reserve planned units on locked levels (inside the caller's transaction); constant statements."""
    batch = ReservationBatch(levels=levels, actor=actor)
    batch.add(order=order, takes=takes)
    batch.write()


def release(*, order, actor: Actor, reason: str = "") -> int:
    """Release the order's active reservations (inside the caller's transaction, order row locked)."""
    active = list(Reservation.objects.filter(order=order, status=ReservationStatus.ACTIVE).order_by("id"))
    if not active:
        return 0
    levels = lock_levels([r.sku_id for r in active], [r.warehouse_id for r in active])
    movements = []
    for r in active:
        level = levels[(r.sku_id, r.warehouse_id)]
        level.reserved -= r.quantity
        movements.append(_movement(level, kind=MovementKind.RELEASE, reserved_delta=-r.quantity, actor=actor,
                                   order=order, reason=reason[:200]))
    store_reserved(list(levels.values()))
    StockMovement.objects.bulk_create(movements)
    Reservation.objects.filter(pk__in=[r.pk for r in active]).update(
        status=ReservationStatus.RELEASED, closed_at=timezone.now()
    )
    for sku_id, warehouse_id in {(r.sku_id, r.warehouse_id) for r in active}:
        enqueue("stock.available", {"sku_id": sku_id, "warehouse_id": warehouse_id})
    return sum(r.quantity for r in active)


def receive_return(*, sku_id: int, warehouse_id: int, quantity: int, actor: Actor, order=None,
                   reference: str = "", reason: str = "") -> StockLevel:
    """Put returned resellable units back on hand with a RETURN ledger row (inside the caller's transaction).

    The caller checked its own permission (receiving returns) and holds the order lock; the level is
    locked here, after it, and created at zero the first time.
    """
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise InvalidQuantity(details={"quantity": quantity})
    level = _locked_level(Sku(pk=sku_id), Warehouse(pk=warehouse_id))
    level.on_hand += quantity
    level.save(update_fields=["on_hand", "updated_at"])
    _movement(level, kind=MovementKind.RETURN, on_hand_delta=quantity, actor=actor, order=order,
              reason=reason[:200], reference=reference[:64]).save()
    enqueue("stock.available", {"sku_id": sku_id, "warehouse_id": warehouse_id})
    return level
