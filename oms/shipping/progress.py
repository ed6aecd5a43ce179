"""An order's shipping status follows from its packages: a pure rule and the write that applies it.

A package merged into another travels as that one (its status is the other's); split and
cancelled packages no longer travel. Returned parcels count as shipped, not delivered: the
exception ticket they raise decides what happens next.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from oms.audit.services import build_event
from oms.core.bulk_insert import insert_rows
from oms.fulfillment.models import Package, PackageStatus
from oms.orders.models import Order
from oms.orders.status import OrderStatus, check_transition
from oms.orders.stock_choice_models import WithheldState, WithheldUnits

PARTIAL_SHIPMENT = "partial_ship"  # Order.stock_choice of orders.stock_choice.StockChoice.PARTIAL_SHIP

NOT_TRAVELLING = {PackageStatus.SPLIT, PackageStatus.CANCELLED}
LEFT_WAREHOUSE = {PackageStatus.SHIPPED, PackageStatus.DELIVERED, PackageStatus.RETURNED}
# Statuses the packages decide; before and after these, people and review decide.
FOLLOWS_PACKAGES = {OrderStatus.PENDING_SHIPMENT, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED,
                    OrderStatus.DELIVERED}


def shipping_status(current: str, package_statuses: Iterable[str]) -> str:
    """The order status its travelling packages imply (the current one when they imply nothing new)."""
    if current not in FOLLOWS_PACKAGES:
        return current
    travelling = [s for s in package_statuses if s not in NOT_TRAVELLING]
    if not travelling:
        return current
    left = sum(1 for s in travelling if s in LEFT_WAREHOUSE)
    if left == 0:
        return current
    if left < len(travelling):
        new = OrderStatus.PARTIALLY_SHIPPED
    elif all(s == PackageStatus.DELIVERED for s in travelling):
        new = OrderStatus.DELIVERED
    else:
        new = OrderStatus.SHIPPED
    # Only forward: a replacement parcel (reship) of a shipped or delivered order is a new package
    # that has not left yet, but the buyer's order does not go back to "partially shipped".
    return new if _RANK[new] > _RANK[current] else current


_RANK = {OrderStatus.PENDING_SHIPMENT: 0, OrderStatus.PARTIALLY_SHIPPED: 1, OrderStatus.SHIPPED: 2,
         OrderStatus.DELIVERED: 3}


def waiting_orders(order_ids: list[int]) -> set[int]:
    """Orders among these with units still waiting for stock after a partial shipment."""
    return set(WithheldUnits.objects.filter(order_id__in=order_ids, state=WithheldState.WAITING)
               .values_list("order_id", flat=True))


def orders_of(packages: Iterable[Package]) -> list[int]:
    """Ids of the orders these packages carry goods of (a merged package carries several)."""
    ids = {p.order_id for p in packages}
    ids |= set(Package.objects.filter(merged_into__in=[p.pk for p in packages]).values_list("order_id", flat=True))
    return sorted(ids)


def refresh_order_statuses(orders: list[Order], *, actor, now=None) -> list[Order]:
    """Move each (locked) order to the status its packages imply; one `status_changed` event each.

    Returns the orders whose status changed. Sets shipped_at / delivered_at when reached.
    """
    now = now or timezone.now()
    by_order: dict[int, list[str]] = {o.pk: [] for o in orders}
    delivered: dict[int, list] = {o.pk: [] for o in orders}
    packages = list(Package.objects.filter(order__in=list(by_order)).select_related("merged_into")
                    .only("order_id", "status", "delivered_at", "merged_into__status", "merged_into__delivered_at"))
    for p in packages:
        travelling = p.merged_into if p.status == PackageStatus.MERGED and p.merged_into else p
        by_order[p.order_id].append(travelling.status)
        if travelling.delivered_at:
            delivered[p.order_id].append(travelling.delivered_at)
    # Units the buyer chose to wait for (partial shipment) are a parcel still to come: the order is
    # partially shipped until they leave or are cancelled, so it cannot complete without them.
    # Only orders whose buyer chose a partial shipment can have such units (no query otherwise).
    partial = [o.pk for o in orders if o.stock_choice == PARTIAL_SHIPMENT]
    for order_id in waiting_orders(partial) if partial else ():
        by_order[order_id].append(PackageStatus.ALLOCATED)
    changed, events = [], []
    for order in orders:
        new = shipping_status(order.status, by_order[order.pk])
        if new == order.status:
            continue
        check_transition(order.status, new)
        fields = {"status": new, "updated_at": now}
        if new in (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED) and order.shipped_at is None:
            fields["shipped_at"] = now
        if new == OrderStatus.DELIVERED:
            fields["delivered_at"] = max(delivered[order.pk], default=now)  # the carrier's time
        events.append(build_event(order=order, action="status_changed", actor=actor, at=now,
                                  changes={"status": [order.status, new]}))
        for k, v in fields.items():
            setattr(order, k, v)
        Order.objects.filter(pk=order.pk).update(**fields)
        changed.append(order)
    insert_rows(events)
    return changed
