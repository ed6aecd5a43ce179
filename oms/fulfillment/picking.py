"""Pick lists (拣货单): the lines of one package or a wave of packages, in walking-route order.

A wave takes the allocated packages of one warehouse that are not on a pick list yet, oldest
order first, optionally of one carrier, up to a number of lines (manual §2.3.2: carrier,
cut-off, priority, maximum lines per batch). Each line is fetched from the SKU's pick face
(`SkuLocation`); the bins are visited in the order `oms.fulfillment.routing.route` gives.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require, require_warehouse
from oms.accounts.roles import PICK_ORDERS
from oms.audit.services import build_event
from oms.core.bulk_insert import insert_rows
from oms.core.errors import ValidationFailed
from oms.core.sequences import next_values
from oms.fulfillment.models import Package, PackageLine, PackageStatus, PickList, PickListLine
from oms.fulfillment.routing import Layout, Spot, length, route
from oms.inventory.errors import UnknownWarehouse
from oms.inventory.models import Bin, SkuLocation, Warehouse
from oms.orders.status import OrderStatus

DEFAULT_MAX_LINES = 60
MAX_LINES = 500


class NothingToPick(ValidationFailed):
    code = "nothing_to_pick"
    default_message = _("No allocated package of this warehouse is waiting for a pick list.")


@dataclass(frozen=True)
class WaveRules:
    carrier: str | None = None  # carrier code
    max_lines: int = DEFAULT_MAX_LINES
    cutoff: datetime | None = None  # only orders placed by then (the carrier's last pickup of the day)
    package_numbers: tuple[str, ...] = ()  # exactly these packages (one order's, say) instead of a wave


def layout_of(warehouse: Warehouse, bins: list[Bin]) -> Layout:
    aisles = max([b.aisle for b in bins] + [1])
    return Layout(aisles=aisles, aisle_length=warehouse.bays_per_block * warehouse.bay_width_m * warehouse.blocks,
                  aisle_width=warehouse.aisle_width_m, blocks=max(1, warehouse.blocks),
                  cross_aisle_width=warehouse.cross_aisle_width_m)


def spot_of(warehouse: Warehouse, layout: Layout, bin_: Bin) -> Spot:
    bay = max(1, bin_.bay) - 1
    block = min(bay // max(1, warehouse.bays_per_block), layout.blocks - 1)
    offset = (bay - block * warehouse.bays_per_block + 0.5) * warehouse.bay_width_m
    return Spot(aisle=max(1, bin_.aisle) - 1, y=layout.y(block, offset))


def create_pick_list(*, warehouse_code: str, actor: Actor, rules: WaveRules = WaveRules()) -> PickList:
    """Put waiting packages of a warehouse on one pick list, its bins in walking order."""
    require(actor, PICK_ORDERS)
    with transaction.atomic():
        warehouse = Warehouse.objects.filter(code=warehouse_code).first()
        if warehouse is None:
            raise UnknownWarehouse(details={"warehouse": warehouse_code})
        require_warehouse(actor, warehouse.pk)
        packages = _take_packages(warehouse, rules)
        if not packages:
            raise NothingToPick(details={"warehouse": warehouse_code})
        lines = list(PackageLine.objects.filter(package__in=packages).select_related("package", "line")
                     .order_by("package__number", "id"))
        faces = {loc.sku_id: loc.bin for loc in SkuLocation.objects.filter(
            warehouse=warehouse, sku_id__in={ln.sku_id for ln in lines}).select_related("bin")}
        bins = list({b.pk: b for b in faces.values()}.values())
        layout = layout_of(warehouse, list(Bin.objects.filter(warehouse=warehouse, active=True)) or bins)
        spots = {b.pk: spot_of(warehouse, layout, b) for b in bins}
        tour = route(layout, list(set(spots.values())))
        stop = {s: n for n, s in enumerate(tour, start=1)}
        last = len(tour) + 1  # SKUs without a pick face come last, to be looked for
        pick_list = PickList.objects.create(
            number=_number(warehouse), warehouse=warehouse, route_m=round(length(layout, tour), 1),
            created_by_id=actor.user_id)
        PickListLine.objects.bulk_create(sorted((
            PickListLine(pick_list=pick_list, package_line=ln, sku_id=ln.sku_id, bin=faces.get(ln.sku_id),
                         quantity=ln.quantity,
                         sequence=stop[spots[faces[ln.sku_id].pk]] if ln.sku_id in faces else last)
            for ln in lines), key=lambda p: (p.sequence, p.sku_id, p.package_line.package.number)))
        Package.objects.filter(pk__in=[p.pk for p in packages]).update(pick_list=pick_list)
        now = timezone.now()
        insert_rows([build_event(order=p.order, action="pick_list_created", actor=actor, at=now,
                                 data={"pick_list": pick_list.number, "package": p.number})
                     for p in packages])
        return pick_list


# Completed: an exchange's replacement parcel (aftersales/exchange.py) of an order already received.
SHIPPING_STATUSES = (OrderStatus.PENDING_SHIPMENT, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED,
                     OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def _take_packages(warehouse: Warehouse, rules: WaveRules) -> list[Package]:
    """Lock and return the packages for this pick list; packages another wave holds are skipped."""
    # A package still waits to be picked when the order's other parcels already left (a split order
    # partly shipped) or for a replacement parcel (reship) of a shipped order.
    waiting = (Package.objects.filter(warehouse=warehouse, status=PackageStatus.ALLOCATED, pick_list__isnull=True,
                                      order__status__in=SHIPPING_STATUSES)
               .select_related("order").select_for_update(skip_locked=True, of=("self",)))
    if rules.package_numbers:
        return list(waiting.filter(number__in=rules.package_numbers).order_by("number"))
    if rules.carrier:
        waiting = waiting.filter(carrier__code=rules.carrier)
    if rules.cutoff is not None:
        waiting = waiting.filter(order__placed_at__lte=rules.cutoff)
    counts = defaultdict(int)
    for package_id in PackageLine.objects.filter(package__warehouse=warehouse, package__pick_list__isnull=True,
                                                 package__status=PackageStatus.ALLOCATED).values_list(
            "package_id", flat=True):
        counts[package_id] += 1
    taken, lines = [], 0
    # Each package has at least one line, so max_lines packages are enough; only those are locked,
    # and a concurrent wave skips them and takes the next ones.
    for package in waiting.order_by("order__placed_at", "number")[:rules.max_lines]:
        n = counts.get(package.pk, 0)
        if taken and lines + n > rules.max_lines:
            break
        taken.append(package)
        lines += n
    return taken


def _number(warehouse: Warehouse) -> str:
    """PL-{warehouse}-{yyyymmdd}-{n}: readable; n comes from a sequence, so it is unique under concurrency."""
    [n] = next_values("pick_list_no")
    return f"PL-{warehouse.code.upper()}-{timezone.localdate():%Y%m%d}-{n:06d}"

