"""The buyer's choice when stock is short (manual §2.6.4 缺货处理), recorded by customer service.

An order held for stock — by review, or after a short pick in the warehouse — goes one of four ways:

- wait: nothing changes; the order stays on hold and review takes it up again, oldest first,
  when stock of its SKUs arrives (orders/review/triggers.py `rereview_out_of_stock`).
- partial_ship: the units stock cannot cover now are held back (orders/stock_choice_models.py)
  and review runs again, so the rest is reserved, approved and allocated as usual. The held-back
  units either wait — a later receipt puts them into a package of their own, like a reship
  (`supply_rest`) — or are cancelled at once with a partial refund. A waiting rest the buyer gives up
  later is cancelled the same way (cancel_lines on the order while it ships).
- cancel_lines: the chosen units are cancelled (held back for good) with a partial refund of
  exactly their pro-rated net amount, then review runs again for what is left.
- cancel_order: the whole order is cancelled through the one cancellation path (reason out_of_stock).

Order lines keep their quantities and the order its amounts: refunds count their units against the
lines and pro-rate discounts from the amounts as placed, so what the buyer gets back is the refund.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import RECORD_STOCK_CHOICE
from oms.aftersales.status import RefundCause
from oms.audit.services import record
from oms.core.errors import BusinessRuleViolation, Conflict, ValidationFailed
from oms.fulfillment.models import Package, PackageLine, PackageStatus
from oms.inventory.models import StockLevel, Warehouse
from oms.inventory.planning import Take
from oms.inventory.services import ReservationBatch, lock_levels
from oms.notifications.outbox import subscribe
from oms.orders.cancellation import cancel_locked
from oms.orders.entry import lock_order
from oms.orders.models import Order, OrderLine
from oms.orders.review.models import OrderHold
from oms.orders.review.services import review_locked
from oms.orders.status import OrderStatus
from oms.orders.stock_choice_models import WithheldState, WithheldUnits, withheld_by_line
from oms.payments.models import Refund
from oms.payments.refund_errors import NothingToRefund
from oms.payments.refunds import raise_refund_locked
from oms.shipping.progress import refresh_order_statuses


class StockChoice(models.TextChoices):
    WAIT = "wait", _("Wait for restock")
    PARTIAL_SHIP = "partial_ship", _("Ship what is in stock")
    CANCEL_LINES = "cancel_lines", _("Cancel the missing units")
    CANCEL_ORDER = "cancel_order", _("Cancel the order")


class PartialRest(models.TextChoices):
    WAIT = "wait", _("The rest waits for stock")
    CANCEL = "cancel", _("The rest is cancelled")


STOCK_HOLD = "out_of_stock"  # the hold code of review's stock rule and of a short pick
# Orders whose waiting rest may get a package of its own: their other parcels are allocated or gone.
SHIPPING_STATUSES = (OrderStatus.PENDING_SHIPMENT, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED,
                     OrderStatus.DELIVERED)
# A waiting rest may be cancelled later, once the buyer no longer wants it, even after the order completed.
REST_CANCELLABLE = (*SHIPPING_STATUSES, OrderStatus.COMPLETED)


class NotHeldForStock(Conflict):
    code = "not_held_for_stock"
    default_message = _("Only an order on hold for missing stock takes the buyer's out-of-stock choice.")


class UnknownStockChoice(ValidationFailed):
    code = "unknown_stock_choice"
    default_message = _("Choose one of: wait, partial_ship, cancel_lines, cancel_order.")


class InvalidStockChoiceLines(ValidationFailed):
    code = "invalid_stock_choice_lines"
    default_message = _("Name lines of this order by line number with a positive number of units they still have.")


class NothingInStock(BusinessRuleViolation):
    code = "nothing_in_stock"
    default_message = _("None of the order's units are in stock: nothing can ship now. Let the buyer wait "
                        "or cancel the order.")


class WholeOrderWouldGo(BusinessRuleViolation):
    code = "cancel_whole_order_instead"
    default_message = _("That would cancel every unit of the order: cancel the order instead.")


# ---- pure rules ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenLine:
    """A line as the shortage sees it: units still to ship (ordered minus held back)."""

    line_id: int
    line_no: int
    sku_id: int
    quantity: int


def missing_units(lines: list[OpenLine], available: dict[int, int]) -> dict[int, int]:
    """Units of each line that the available stock per SKU cannot cover; lines share a SKU in line order."""
    left = {sku: max(units, 0) for sku, units in available.items()}
    missing = {}
    for ln in sorted(lines, key=lambda x: x.line_no):
        take = min(left.get(ln.sku_id, 0), ln.quantity)
        left[ln.sku_id] = left.get(ln.sku_id, 0) - take
        if ln.quantity > take:
            missing[ln.line_id] = ln.quantity - take
    return missing


def parse_lines(raw, open_units: dict[int, int]) -> dict[int, int]:
    """Units to cancel per line number from [{"line_no": n, "quantity": q}, …], checked against what is open."""
    if not isinstance(raw, list) or not raw:
        raise InvalidStockChoiceLines(details={"lines": [_("Give a list of {line_no, quantity}.")]})
    wanted: dict[int, int] = defaultdict(int)
    problems = []
    for item in raw:
        line_no = item.get("line_no") if isinstance(item, dict) else None
        qty = item.get("quantity") if isinstance(item, dict) else None
        if not isinstance(line_no, int) or isinstance(line_no, bool) or line_no not in open_units:
            problems.append({"line_no": line_no, "problem": "unknown_line"})
        elif not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
            problems.append({"line_no": line_no, "problem": "quantity_not_positive"})
        else:
            wanted[line_no] += qty
    for line_no, qty in wanted.items():
        if qty > open_units[line_no]:
            problems.append({"line_no": line_no, "problem": "more_than_open", "open": open_units[line_no]})
    if problems:
        raise InvalidStockChoiceLines(details={"lines": problems})
    return dict(wanted)


# ---- reading ------------------------------------------------------------------------------------

def is_held_for_stock(order: Order) -> bool:
    return order.status == OrderStatus.ON_HOLD and OrderHold.objects.filter(
        order=order, code=STOCK_HOLD, cleared_at__isnull=True).exists()


def open_lines(order: Order) -> list[tuple[OrderLine, int]]:
    """The order's lines with the units still to ship (ordered minus held back), lines with none left omitted."""
    withheld = withheld_by_line([order.pk])
    lines = OrderLine.objects.filter(order=order).select_related("sku").order_by("line_no")
    return [(ln, ln.quantity - withheld.get(ln.pk, 0)) for ln in lines if ln.quantity > withheld.get(ln.pk, 0)]


def serving_warehouses(order: Order) -> list[Warehouse]:
    return [w for w in Warehouse.objects.filter(active=True).order_by("priority", "code")
            if w.serves(order.ship_province)]


def available_by_sku(levels) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for level in levels:
        totals[level.sku_id] += max(level.available, 0)
    return dict(totals)


def shortage_of(order: Order, *, lock: bool = False) -> dict[int, int]:
    """Missing units per line id of the order against the available stock of its serving warehouses now."""
    lines = [(ln, units) for ln, units in open_lines(order) if ln.sku_id is not None and ln.sku.active]
    skus = {ln.sku_id for ln, _units in lines}
    warehouses = [w.pk for w in serving_warehouses(order)]
    if lock:
        levels = lock_levels(skus, warehouses).values()
    else:
        levels = StockLevel.objects.filter(sku_id__in=skus, warehouse_id__in=warehouses)
    return missing_units([OpenLine(ln.pk, ln.line_no, ln.sku_id, units) for ln, units in lines],
                         available_by_sku(levels))


# ---- the queue ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShortLine:
    line_no: int
    sku: str
    name: str
    ordered: int
    open: int  # ordered minus held back (cancelled or waiting)
    missing: int  # open units the serving warehouses cannot cover now (held orders); the waiting rest otherwise


@dataclass(frozen=True)
class Shortage:
    order_no: str
    placed_at: object
    since: object  # first held for stock, or the rest held back
    status: str
    kind: str  # "held": on hold for stock; "rest_waiting": shipped in part, the rest waits
    choice: str
    lines: list[ShortLine]

    @property
    def days_waiting(self) -> int:
        return max((timezone.now() - self.since).days, 0)

    @property
    def missing_units(self) -> int:
        return sum(ln.missing for ln in self.lines)


QUEUE_LIMIT = 500


def shortage_queue(*, limit: int = QUEUE_LIMIT, order_ids: list[int] | None = None, actor=None) -> list[Shortage]:
    """Orders held for stock and orders whose rest waits for stock, oldest first, with missing units per line.

    A fixed number of queries whatever the number of orders; missing units are counted against the
    available stock now, each order on its own (the oldest is served first when stock arrives).
    """
    holds = OrderHold.objects.filter(code=STOCK_HOLD, cleared_at__isnull=True, order__status=OrderStatus.ON_HOLD)
    rests = WithheldUnits.objects.filter(state=WithheldState.WAITING, order__status__in=REST_CANCELLABLE)
    if order_ids is not None:
        holds, rests = holds.filter(order_id__in=order_ids), rests.filter(order_id__in=order_ids)
    held_ids = set(holds.values_list("order_id", flat=True))
    rest_ids = set(rests.values_list("order_id", flat=True))
    orders = Order.objects.filter(pk__in=held_ids | rest_ids)
    if actor is not None:  # only orders within the actor's channels and warehouses
        from oms.orders.selectors import scoped_orders

        orders = scoped_orders(actor, orders)
    orders = list(orders.order_by("placed_at", "id")[:limit])
    ids = [o.pk for o in orders]
    since: dict[int, object] = {}
    for order_id, at in OrderHold.objects.filter(order_id__in=ids, code=STOCK_HOLD).values_list(
            "order_id", "created_at"):
        since[order_id] = min(since.get(order_id, at), at)
    waiting: dict[int, int] = defaultdict(int)
    for row in WithheldUnits.objects.filter(order_id__in=ids, state=WithheldState.WAITING):
        waiting[row.line_id] += row.quantity
        if row.order_id in rest_ids and row.order_id not in held_ids:
            since[row.order_id] = min(since.get(row.order_id, row.created_at), row.created_at)
    withheld = withheld_by_line(ids)
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    for ln in OrderLine.objects.filter(order_id__in=ids).select_related("sku").order_by("order_id", "line_no"):
        lines[ln.order_id].append(ln)
    warehouses = list(Warehouse.objects.filter(active=True).order_by("priority", "code"))
    skus = {ln.sku_id for group in lines.values() for ln in group if ln.sku_id}
    levels = list(StockLevel.objects.filter(sku_id__in=skus, warehouse__active=True))
    result = []
    for order in orders:
        own = lines[order.pk]
        if order.pk in held_ids:
            serving = {w.pk for w in warehouses if w.serves(order.ship_province)}
            open_ = [OpenLine(ln.pk, ln.line_no, ln.sku_id, ln.quantity - withheld.get(ln.pk, 0)) for ln in own
                     if ln.sku_id and ln.sku.active and ln.quantity > withheld.get(ln.pk, 0)]
            missing = missing_units(open_, available_by_sku(lv for lv in levels if lv.warehouse_id in serving))
            kind = "held"
        else:
            missing = {ln.pk: waiting[ln.pk] for ln in own if waiting.get(ln.pk)}
            kind = "rest_waiting"
        result.append(Shortage(
            order_no=order.order_no, placed_at=order.placed_at, since=since.get(order.pk, order.placed_at),
            status=order.status, kind=kind, choice=order.stock_choice,
            lines=[ShortLine(line_no=ln.line_no, sku=ln.sku_code, name=ln.name, ordered=ln.quantity,
                             open=ln.quantity - withheld.get(ln.pk, 0), missing=missing.get(ln.pk, 0))
                   for ln in own]))
    return result


def shortage_of_order(order: Order) -> Shortage | None:
    """The queue entry of one order (for its page), or None when it waits for no stock."""
    return next(iter(shortage_queue(order_ids=[order.pk])), None)


# ---- the action ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class StockChoiceOutcome:
    order: Order
    choice: str
    held_back: dict[int, int]  # line_no → units held back by this choice (waiting or cancelled)
    refund: str = ""  # the refund's number, when units of a paid order were cancelled
    approved: bool = False  # review passed after the choice


def _check_input(choice: str, rest: str, lines) -> None:
    if choice not in StockChoice.values:
        raise UnknownStockChoice(details={"choice": [choice]})
    if choice == StockChoice.PARTIAL_SHIP and rest not in PartialRest.values:
        raise ValidationFailed(_("Say what happens to the rest: wait or cancel."), details={"rest": [rest]})
    if choice != StockChoice.PARTIAL_SHIP and rest:
        raise ValidationFailed(_("Only a partial shipment takes 'rest'."), details={"rest": [rest]})
    if choice != StockChoice.CANCEL_LINES and lines:
        raise InvalidStockChoiceLines(_("Only cancel_lines takes 'lines'."), details={"lines": lines})


@transaction.atomic
def record_stock_choice(*, order_no: str, actor: Actor, choice: str, rest: str = "", lines=None,
                        note: str = "") -> StockChoiceOutcome:
    """Record the buyer's choice for an order held for stock and carry it out (wait, ship part, cancel)."""
    require(actor, RECORD_STOCK_CHOICE)
    _check_input(choice, rest or "", lines)
    note = (note or "").strip()[:2000]
    order = lock_order(order_no)
    if not is_held_for_stock(order):
        if choice == StockChoice.CANCEL_LINES and order.status in REST_CANCELLABLE and WithheldUnits.objects.filter(
                order=order, state=WithheldState.WAITING).exists():
            return _cancel_waiting_rest(order, actor=actor, lines=lines, note=note)
        raise NotHeldForStock(details={"order_no": order_no, "status": order.status})
    before = order.stock_choice
    order.stock_choice = choice
    order.save(update_fields=["stock_choice", "updated_at"])
    changes = {"stock_choice": [before, choice]}

    if choice == StockChoice.CANCEL_ORDER:
        record(order, "stock_choice_recorded", actor=actor, note=note, changes=changes, data={"choice": choice})
        cancel_locked(order, actor=actor, reason="out_of_stock", note=note)  # releases, refunds, tells the buyer
        return StockChoiceOutcome(order=order, choice=choice, held_back={})
    if choice == StockChoice.WAIT:
        record(order, "stock_choice_recorded", actor=actor, note=note, changes=changes,
               data={"choice": choice, "missing": _by_line_no(order, shortage_of(order))})
        return StockChoiceOutcome(order=order, choice=choice, held_back={})

    still_open = open_lines(order)
    by_line = {ln.pk: ln for ln, _units in still_open}
    open_total = sum(units for _ln, units in still_open)
    if choice == StockChoice.CANCEL_LINES:
        by_no = {ln.line_no: ln for ln in by_line.values()}
        parsed = parse_lines(lines, {ln.line_no: units for ln, units in still_open})
        held = {by_no[no].pk: units for no, units in parsed.items()}
        state = WithheldState.CANCELLED
    else:
        held = shortage_of(order, lock=True)
        if held and sum(held.values()) >= open_total:
            raise NothingInStock(details={"order_no": order_no})
        state = WithheldState.WAITING if rest == PartialRest.WAIT else WithheldState.CANCELLED
    if state == WithheldState.CANCELLED and sum(held.values()) >= open_total:
        raise WholeOrderWouldGo(details={"order_no": order_no})
    WithheldUnits.objects.bulk_create([WithheldUnits(order=order, line_id=line_id, quantity=units, state=state,
                                                     created_by_id=actor.user_id)
                                       for line_id, units in sorted(held.items())])
    refund = _refund(order, held, actor=actor, note=note) if state == WithheldState.CANCELLED else None
    data = {"choice": choice, "held_back": [{"line_no": by_line[k].line_no, "sku": by_line[k].sku_code,
                                             "units": v, "state": state} for k, v in sorted(held.items())]}
    if rest:
        data["rest"] = rest
    if refund is not None:
        data["refund"] = {"number": refund.number, "amount": f"{refund.amount:.2f}"}
    record(order, "stock_choice_recorded", actor=actor, note=note, changes=changes, data=data)
    outcome = review_locked(order, actor=actor, trigger="stock_choice")
    return StockChoiceOutcome(order=order, choice=choice, held_back={by_line[k].line_no: v for k, v in held.items()},
                              refund=refund.number if refund else "", approved=outcome.passed)


def _refund(order: Order, held: dict[int, int], *, actor: Actor, note: str) -> Refund | None:
    """The partial refund of cancelled units of a paid order (none for free units or an unpaid order)."""
    if not held or order.paid_amount <= 0:
        return None
    try:
        return raise_refund_locked(order, cause=RefundCause.PARTIAL_CANCELLATION, actor=actor, lines=held,
                                   note=note or "out of stock")
    except NothingToRefund:  # free units (gifts): cancelled, nothing to pay back
        return None


def _cancel_waiting_rest(order: Order, *, actor: Actor, lines, note: str) -> StockChoiceOutcome:
    """Cancel units of the waiting rest of a partial shipment (the buyer no longer wants them), refunded."""
    rows = list(WithheldUnits.objects.filter(order=order, state=WithheldState.WAITING).select_related("line")
                .order_by("line__line_no", "id"))
    waiting: dict[int, int] = defaultdict(int)
    for row in rows:
        waiting[row.line.line_no] += row.quantity
    wanted = parse_lines(lines, dict(waiting))
    now = timezone.now()
    held: dict[int, int] = defaultdict(int)  # line id → units cancelled
    for row in rows:
        units = min(wanted.get(row.line.line_no, 0), row.quantity)
        if not units:
            continue
        wanted[row.line.line_no] -= units
        held[row.line_id] += units
        if units == row.quantity:
            row.state, row.closed_at = WithheldState.CANCELLED, now
            row.save(update_fields=["state", "closed_at"])
        else:  # part of the row: it keeps waiting for the rest
            row.quantity -= units
            row.save(update_fields=["quantity"])
            WithheldUnits.objects.create(order=order, line_id=row.line_id, quantity=units,
                                         state=WithheldState.CANCELLED, created_by_id=actor.user_id, closed_at=now)
    refund = _refund(order, dict(held), actor=actor, note=note)
    by_id = {row.line_id: row.line for row in rows}
    data = {"choice": StockChoice.CANCEL_LINES, "held_back": [
        {"line_no": by_id[k].line_no, "sku": by_id[k].sku_code, "units": v, "state": WithheldState.CANCELLED}
        for k, v in sorted(held.items())]}
    if refund is not None:
        data["refund"] = {"number": refund.number, "amount": f"{refund.amount:.2f}"}
    record(order, "stock_choice_rest_cancelled", actor=actor, note=note, data=data)
    # With nothing left waiting, a partly shipped order is now as shipped as its parcels say.
    refresh_order_statuses([order], actor=actor)
    return StockChoiceOutcome(order=order, choice=StockChoice.CANCEL_LINES,
                              held_back={by_id[k].line_no: v for k, v in held.items()},
                              refund=refund.number if refund else "")


def _by_line_no(order: Order, per_line_id: dict[int, int]) -> list[dict]:
    lines = {ln.pk: ln for ln in OrderLine.objects.filter(order=order, pk__in=per_line_id)}
    return [{"line_no": lines[k].line_no, "sku": lines[k].sku_code, "units": v}
            for k, v in sorted(per_line_id.items(), key=lambda kv: lines[kv[0]].line_no)]


# ---- the waiting rest of a partial shipment -----------------------------------------------------

def supply_rest(*, order_no: str, actor: Actor) -> Package | None:
    """Put the waiting rest of a partially shipped order into a package of its own when one warehouse has it all.

    Like a reship: a new allocated package with its stock reserved, picked with the next wave.
    Nothing happens while the shipped part has no package yet (its allocation comes first).
    """
    with transaction.atomic():
        order = lock_order(order_no)
        if order.status not in SHIPPING_STATUSES:
            return None
        rows = list(WithheldUnits.objects.filter(order=order, state=WithheldState.WAITING)
                    .select_related("line__sku").order_by("line__line_no", "id"))
        live = list(order.packages.exclude(status__in=(PackageStatus.CANCELLED, PackageStatus.SPLIT))
                    .order_by("-id"))
        if not rows or not live:
            return None
        wanted: dict[int, int] = defaultdict(int)
        for row in rows:
            wanted[row.line.sku_id] += row.quantity
        warehouses = serving_warehouses(order)
        levels = lock_levels(wanted, [w.pk for w in warehouses])
        source = next((w for w in warehouses if all(
            (lv := levels.get((sku, w.pk))) is not None and lv.available >= qty for sku, qty in wanted.items())),
            None)
        if source is None:
            return None
        carrier_id = next((p.carrier_id for p in live if p.warehouse_id == source.pk), None)
        package = Package.objects.create(
            order=order, number=f"{order.order_no}-{order.packages.count() + 1}", warehouse=source,
            carrier_id=carrier_id, status=PackageStatus.ALLOCATED,
            weight_g=sum(row.line.sku.weight_g * row.quantity for row in rows), freight=Decimal("0.00"))
        PackageLine.objects.bulk_create([PackageLine(package=package, line_id=row.line_id, sku_id=row.line.sku_id,
                                                     quantity=row.quantity) for row in rows])
        batch = ReservationBatch(levels=levels, actor=actor)
        batch.add(order=order, takes=[Take(line_id=row.line_id, sku_id=row.line.sku_id, warehouse_id=source.pk,
                                           quantity=row.quantity) for row in rows])
        batch.write()
        WithheldUnits.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=WithheldState.SUPPLIED, package=package, closed_at=timezone.now())
        record(order, "stock_choice_rest_allocated", actor=actor,
               data={"package": package.number, "warehouse": source.code,
                     "lines": [{"line_no": r.line.line_no, "sku": r.line.sku_code, "units": r.quantity}
                               for r in rows]})
        return package


REST_BATCH = 200  # waiting rests tried per stock event, oldest orders first


def orders_waiting_for(sku_id: int | None = None) -> list[str]:
    """Order numbers with a waiting rest (of this SKU), oldest first."""
    rows = WithheldUnits.objects.filter(state=WithheldState.WAITING)
    if sku_id is not None:
        rows = rows.filter(line__sku_id=sku_id)
    ids = rows.values_list("order_id", flat=True).distinct()
    return list(Order.objects.filter(Q(pk__in=ids), status__in=SHIPPING_STATUSES).order_by("placed_at", "id")
                .values_list("order_no", flat=True)[:REST_BATCH])


@subscribe("stock.available")
def supply_waiting_rests(payload: dict) -> None:
    # One transaction per order (order lock, then levels), oldest first: an older rest takes the units first.
    for order_no in orders_waiting_for(payload.get("sku_id")):
        supply_rest(order_no=order_no, actor=Actor.system())
