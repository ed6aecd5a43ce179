"""Merging (manual §2.6.4 订单合并): orders of one buyer to one address ship as one package.

Packages can merge when they are allocated and not yet on a pick list, come from the same
warehouse and channel, go to the same recipient, phone and address, are not cash on delivery,
and their orders were placed within MERGE_WINDOW of each other. The merged orders keep their own
numbers, money and after-sales; their packages become one package (the originals are marked
`merged` and point at it), picked, packed and labelled once.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require, require_warehouse
from oms.accounts.roles import PICK_ORDERS
from oms.audit.services import record
from oms.core.errors import BusinessRuleViolation
from oms.fulfillment.errors import PackageNotFound
from oms.fulfillment.models import Package, PackageLine, PackageStatus
from oms.orders.models import Order
from oms.orders.status import OrderStatus, PaymentMethod, PaymentStatus

MERGE_WINDOW = timedelta(hours=float(os.environ.get("OMS_MERGE_WINDOW_HOURS", "24")))


class CannotMerge(BusinessRuleViolation):
    code = "cannot_merge"
    default_message = _("These packages cannot ship together: they need the same warehouse, channel, recipient, "
                        "phone and address, no cash on delivery, orders placed close together, and no pick list yet.")


def _squash(text: str) -> str:
    return re.sub(r"[\s,，。·\-#]", "", text or "")


def merge_key(package: Package) -> tuple | None:
    """What must be equal for two packages to ship together; None when the package cannot merge."""
    order = package.order
    cod = order.payment_method == PaymentMethod.COD and order.payment_status != PaymentStatus.PAID
    if cod or package.status != PackageStatus.ALLOCATED or package.pick_list_id is not None \
            or order.status != OrderStatus.PENDING_SHIPMENT:
        return None
    return (package.warehouse_id, order.channel_id, _squash(order.ship_name), _squash(order.ship_phone),
            order.ship_province, order.ship_city, order.ship_district, _squash(order.ship_detail))


def _within_window(packages: list[Package]) -> list[list[Package]]:
    """Split packages (same key) into runs whose orders were placed within MERGE_WINDOW of the run's first."""
    runs: list[list[Package]] = []
    for package in sorted(packages, key=lambda p: (p.order.placed_at, p.number)):
        if runs and package.order.placed_at - runs[-1][0].order.placed_at <= MERGE_WINDOW:
            runs[-1].append(package)
        else:
            runs.append([package])
    return [run for run in runs if len({p.order_id for p in run}) > 1]


def _waiting():
    """Packages that may still merge: allocated, not on a pick list, their order waiting for shipment."""
    return Package.objects.filter(status=PackageStatus.ALLOCATED, pick_list__isnull=True,
                                  order__status=OrderStatus.PENDING_SHIPMENT).select_related("order")


def merge_candidates(warehouse_id: int | None = None, *, scope: frozenset[int] | None = None) -> list[list[Package]]:
    """Groups of packages that can ship as one, oldest first (only in `scope`'s warehouses when given)."""
    waiting = _waiting().select_related("warehouse")
    if warehouse_id is not None:
        waiting = waiting.filter(warehouse_id=warehouse_id)
    if scope is not None:
        waiting = waiting.filter(warehouse_id__in=scope)
    by_key: dict[tuple, list[Package]] = defaultdict(list)
    for package in waiting:
        key = merge_key(package)
        if key is not None:
            by_key[key].append(package)
    groups = [run for same in by_key.values() if len(same) > 1 for run in _within_window(same)]
    return sorted(groups, key=lambda g: g[0].order.placed_at)


def merge_packages(*, package_numbers: list[str], actor: Actor) -> Package:
    """Make one package of these; each order gets an `orders_merged` event naming the others."""
    require(actor, PICK_ORDERS)
    numbers = sorted(set(package_numbers))
    if len(numbers) < 2:
        raise CannotMerge(details={"packages": numbers})
    with transaction.atomic():
        order_ids = set(Package.objects.filter(number__in=numbers).values_list("order_id", flat=True))
        # Orders first, then their packages, as cancellation and short picks lock them.
        list(Order.objects.select_for_update().filter(pk__in=order_ids).order_by("id"))
        packages = list(Package.objects.select_for_update(of=("self",)).select_related("order")
                        .filter(number__in=numbers).order_by("id"))
        missing = sorted(set(numbers) - {p.number for p in packages})
        if missing:
            raise PackageNotFound(details={"packages": missing})
        for p in packages:
            require_warehouse(actor, p.warehouse_id)
        keys = {merge_key(p) for p in packages}
        placed = sorted(p.order.placed_at for p in packages)
        if None in keys or len(keys) != 1 or placed[-1] - placed[0] > MERGE_WINDOW:
            raise CannotMerge(details={"packages": numbers})
        primary = min(packages, key=lambda p: (p.order.placed_at, p.number))
        merged = Package.objects.create(
            order=primary.order, number=f"{primary.number}-M", warehouse_id=primary.warehouse_id,
            carrier_id=primary.carrier_id, weight_g=sum(p.weight_g for p in packages),
            freight=max(p.freight for p in packages))
        PackageLine.objects.bulk_create([
            PackageLine(package=merged, line_id=ln.line_id, sku_id=ln.sku_id, quantity=ln.quantity)
            for ln in PackageLine.objects.filter(package__in=packages).order_by("package__number", "id")])
        Package.objects.filter(pk__in=[p.pk for p in packages]).update(
            status=PackageStatus.MERGED, merged_into=merged, updated_at=timezone.now())
        orders = sorted({p.order.order_no for p in packages})
        for order in {p.order_id: p.order for p in packages}.values():
            record(order, "orders_merged", actor=actor, data={
                "package": merged.number, "orders": [n for n in orders if n != order.order_no],
                "from_packages": sorted(p.number for p in packages if p.order_id == order.pk)})
        return merged


def mergeable_orders(order_ids: list[int]) -> set[int]:
    """Which of these orders have a package that can merge with another order's (for list markers).

    Looks only at waiting packages to the same phone numbers, so a page of orders costs two queries.
    """
    waiting = _waiting()
    # Phones are encrypted at rest: the keyed hash finds the same number (orders/personal_data.py).
    phones = set(waiting.filter(order_id__in=order_ids).values_list("order__ship_phone_hash", flat=True)) - {""}
    if not phones:
        return set()
    by_key: dict[tuple, list[Package]] = defaultdict(list)
    for package in waiting.filter(order__ship_phone_hash__in=phones):
        key = merge_key(package)
        if key is not None:
            by_key[key].append(package)
    wanted = set(order_ids)
    return {p.order_id for same in by_key.values() for run in _within_window(same) for p in run} & wanted
