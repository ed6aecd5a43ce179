"""Allocation: decide which warehouse ships which units of an approved order, and make its packages.

Runs in the worker after review approves an order (outbox topic `order.approved`) and on demand.
Lock order: the order row, then the stock levels in (sku, warehouse) order. The stock the order
already holds counts as available to it, so moving a reservation never competes with itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from oms.accounts.actor import Actor, require
from oms.accounts.roles import ALLOCATE_ORDERS
from oms.audit.services import record
from oms.fulfillment.allocation import Allocation, Item, Request, Site, allocate
from oms.fulfillment.errors import AlreadyAllocated, NotAllocatable
from oms.fulfillment.models import Package, PackageLine, PackageStatus
from oms.geo.divisions import province_name
from oms.inventory import services as stock
from oms.inventory.models import Reservation, ReservationStatus, Warehouse
from oms.inventory.planning import Take
from oms.orders.entry import lock_order
from oms.orders.models import Order
from oms.orders.status import OrderStatus, PaymentMethod, PaymentStatus
from oms.orders.stock_choice_models import withheld_by_line
from oms.shipping import choice
from oms.shipping.models import Carrier
from oms.shipping.rates import Card, Zone
from oms.shipping.selectors import insure_above, load_cards, load_rules


@dataclass(frozen=True)
class AllocationOutcome:
    order: Order
    allocation: Allocation | None
    problem: str = ""  # why there is no allocation: "cod_needs_split" or "no_way_to_ship"


def allocate_order(*, order_no: str, actor: Actor) -> AllocationOutcome:
    """Choose the warehouses (and carriers) that ship the order by its channel's strategy; make its packages."""
    if actor.user is not None:
        require(actor, ALLOCATE_ORDERS)
    with transaction.atomic():
        return allocate_locked(lock_order(order_no), actor=actor)


def _unpriced(warehouse_id: int, province: str) -> Card:
    """A warehouse without any rate card still ships (carrier chosen by hand, freight unknown)."""
    zone = Zone(name="", provinces=frozenset({province}), served=True, first_weight_g=1000,
                first_price=Decimal("0.00"), step_weight_g=1000, step_price=Decimal("0.00"), promise_days=0)
    return Card(carrier="", warehouse_id=warehouse_id, divisor=8000, cod=True, zones=(zone,),
                insurance_max_value=Decimal("Infinity"))


def allocate_locked(order: Order, *, actor: Actor) -> AllocationOutcome:
    """Allocation for an order whose row the caller has locked in this transaction."""
    if order.status != OrderStatus.PENDING_SHIPMENT:
        raise NotAllocatable(details={"order_no": order.order_no, "status": order.status})
    if order.packages.exclude(status=PackageStatus.CANCELLED).exists():
        raise AlreadyAllocated(details={"order_no": order.order_no})
    lines = list(order.lines.select_related("sku").order_by("line_no"))
    active = list(Reservation.objects.filter(order=order, status=ReservationStatus.ACTIVE).order_by("id"))
    province = province_name(order.ship_province) or order.ship_province
    warehouses = [w for w in Warehouse.objects.filter(active=True) if w.serves(order.ship_province)]
    cards = load_cards([w.pk for w in warehouses])
    sites = [Site(warehouse_id=w.pk, priority=w.priority, province=province_name(w.province) or w.province,
                  serves_destination=True, cards=tuple(cards.get(w.pk) or [_unpriced(w.pk, province)]))
             for w in warehouses]
    withheld = withheld_by_line([order.pk])  # units the buyer's out-of-stock choice held back
    items = tuple(Item(line_id=ln.pk, sku_id=ln.sku_id, quantity=ln.quantity - withheld.get(ln.pk, 0),
                       unit_weight_g=ln.sku.weight_g,
                       unit_volume_cm3=ln.sku.length_mm * ln.sku.width_mm * ln.sku.height_mm / 1000,
                       unit_value=ln.unit_price)
                  for ln in lines if ln.sku_id is not None and ln.quantity > withheld.get(ln.pk, 0))
    levels = stock.lock_levels({it.sku_id for it in items},
                               {w.pk for w in warehouses} | {r.warehouse_id for r in active})
    available = {key: level.available for key, level in levels.items()}
    for r in active:
        available[(r.sku_id, r.warehouse_id)] = available.get((r.sku_id, r.warehouse_id), 0) + r.quantity
    cod = order.payment_method == PaymentMethod.COD and order.payment_status != PaymentStatus.PAID
    request = Request(items=items, province=province, cod=cod, rules=load_rules(), remark=order.buyer_remark,
                      order_amount=order.payable_amount, insure_above=insure_above())
    result = allocate(request, sites=sites, available=available, strategy=order.channel.allocation_strategy)
    codes = {w.pk: w.code for w in warehouses}
    if result is None:
        problem = _problem(request, sites, available)
        data = {"problem": problem, "strategy": order.channel.allocation_strategy}
        if problem == "no_carrier_left":  # say, per warehouse, why each carrier was dropped
            data["carriers"] = [{"warehouse": codes[s.warehouse_id],
                                 **_choice(request, s, weight_g=sum(it.unit_weight_g * it.quantity for it in items),
                                           value=sum((it.unit_value * it.quantity for it in items), Decimal(0))
                                           ).as_data()} for s in sites]
        record(order, "allocation_failed", actor=actor, data=data)
        return AllocationOutcome(order=order, allocation=None, problem=problem)

    takes = [Take(pick.line_id, pick.sku_id, p.warehouse_id, pick.quantity) for p in result.packages
             for pick in p.picks]
    moved = _held(active) != _held(takes)
    if moved:
        stock.reallocate(order=order, active=active, takes=takes, levels=levels, actor=actor)
    packages = _make_packages(order, result)
    by_id = {ln.pk: ln for ln in lines}
    site_of = {s.warehouse_id: s for s in sites}
    record(order, "order_allocated", actor=actor, data={
        "strategy": result.strategy, "reservations_moved": moved,
        "packages": [{"number": pkg.number, "warehouse": codes[pkg.warehouse_id], "carrier": p.quote.carrier,
                      "freight": f"{p.quote.price:.2f}", "weight_g": p.weight_g,
                      "lines": [{"line": by_id[pick.line_id].line_no, "sku": by_id[pick.line_id].sku_code,
                                 "quantity": pick.quantity} for pick in p.picks],
                      **_choice(request, site_of[p.warehouse_id], weight_g=p.weight_g, volume_cm3=p.volume_cm3,
                                value=sum((by_id[pick.line_id].unit_price * pick.quantity for pick in p.picks),
                                          Decimal(0))).as_data()}
                     for pkg, p in zip(packages, result.packages, strict=True)],
        "compared": [{"warehouses": [codes[w] for w in o.warehouse_ids], "freight": f"{o.freight:.2f}"}
                     for o in sorted(result.compared, key=lambda o: o.freight)[:10]],
    })
    return AllocationOutcome(order=order, allocation=result)


def _choice(request: Request, site: Site, *, weight_g: int, volume_cm3: float = 0,
            value: Decimal = Decimal(0)) -> choice.Choice:
    """The carrier choice for one package, with every option compared (for the timeline)."""
    parcel = choice.Parcel(warehouse_id=site.warehouse_id, province=request.province, weight_g=weight_g,
                           volume_cm3=volume_cm3, cod=request.cod, declared_value=value, remark=request.remark,
                           order_amount=request.order_amount)
    return choice.choose(site.cards, parcel, rules=request.rules, insure_above=request.insure_above)


def _problem(request: Request, sites: list[Site], available) -> str:
    """Why an order has no allocation, in the words of PROBLEMS (oms.fulfillment.messages)."""
    if request.cod:
        if not any(card.cod for site in sites for card in site.cards):
            return "no_cod_carrier"
        if allocate(Request(items=request.items, province=request.province), sites=sites, available=available):
            return "cod_needs_split"
    if (request.rules or request.insure_above is not None) and allocate(
            Request(items=request.items, province=request.province, cod=request.cod), sites=sites,
            available=available):
        return "no_carrier_left"  # carriers go there, but the rules or the insurance dropped every one
    return "no_way_to_ship"


def _held(takes) -> dict[tuple[int, int, int], int]:
    held: dict[tuple[int, int, int], int] = defaultdict(int)
    for t in takes:
        held[(t.line_id, t.sku_id, t.warehouse_id)] += t.quantity
    return dict(held)


def _make_packages(order: Order, result: Allocation) -> list[Package]:
    carriers = dict(Carrier.objects.filter(code__in={p.quote.carrier for p in result.packages if p.quote.carrier})
                    .values_list("code", "pk"))
    taken = order.packages.count()  # cancelled packages keep their numbers
    packages = Package.objects.bulk_create([
        Package(order=order, number=f"{order.order_no}-{taken + i}", warehouse_id=p.warehouse_id,
                carrier_id=carriers.get(p.quote.carrier), weight_g=p.weight_g, freight=p.quote.price)
        for i, p in enumerate(result.packages, start=1)
    ])
    PackageLine.objects.bulk_create([
        PackageLine(package=pkg, line_id=pick.line_id, sku_id=pick.sku_id, quantity=pick.quantity)
        for pkg, p in zip(packages, result.packages, strict=True) for pick in p.picks
    ])
    return packages


def cancel_packages(order: Order) -> int:
    """Cancel the order's packages (inside the caller's transaction, order row locked).

    A package this order shares with other orders (merged, not yet on a pick list) is dissolved:
    it is cancelled and the other orders get their own packages back.
    """
    merged_ids = set(Package.objects.filter(order=order, status=PackageStatus.MERGED).values_list(
        "merged_into_id", flat=True))
    merged_ids |= set(Package.objects.filter(order=order, status=PackageStatus.ALLOCATED,
                                             merged_from__isnull=False).values_list("pk", flat=True))
    shared = list(Package.objects.filter(pk__in=merged_ids, status=PackageStatus.ALLOCATED, pick_list__isnull=True))
    if shared:
        Package.objects.filter(merged_into__in=shared).exclude(order=order).update(
            status=PackageStatus.ALLOCATED, merged_into=None)
        Package.objects.filter(pk__in=[p.pk for p in shared]).update(status=PackageStatus.CANCELLED)
        Package.objects.filter(merged_into__in=shared, order=order).update(status=PackageStatus.CANCELLED)
    return Package.objects.filter(order=order, status=PackageStatus.ALLOCATED).update(
        status=PackageStatus.CANCELLED) + len(shared)


@transaction.atomic
def set_allocation_strategy(*, channel_code: str, strategy: str, actor: Actor) -> str:
    """Choose how the warehouses of a channel's orders are picked (manual §2.3.1); the change is audited."""
    from oms.channels.models import Channel
    from oms.core.errors import ValidationFailed
    from oms.fulfillment.strategy import AllocationStrategy

    require(actor, ALLOCATE_ORDERS)
    channel = Channel.objects.select_for_update().filter(code=channel_code).first()
    if channel is None:
        raise ValidationFailed(details={"channel": [channel_code]})
    if strategy not in AllocationStrategy.values:
        raise ValidationFailed(details={"strategy": sorted(AllocationStrategy.values)})
    before = channel.allocation_strategy
    if before != strategy:
        channel.allocation_strategy = strategy
        channel.save(update_fields=["allocation_strategy", "updated_at"])
        record(None, "allocation_strategy_changed", actor=actor, changes={"allocation_strategy": [before, strategy]},
               data={"channel": channel_code})
    return strategy
