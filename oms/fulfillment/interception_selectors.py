"""Reading interceptions: the warehouse queue (oldest first) and an order's interceptions."""

from __future__ import annotations

from django.db.models import QuerySet

from oms.accounts.actor import Actor
from oms.fulfillment.models import Interception, InterceptionStatus, PickListLine


def interceptions(*, actor: Actor | None = None, status: str = InterceptionStatus.REQUESTED,
                  warehouse: str = "") -> QuerySet[Interception]:
    """Interceptions in a status (all with status=""), oldest first, limited to the actor's warehouses."""
    query = (Interception.objects.select_related("order", "package__warehouse", "package__pick_list",
                                                 "package__handover_list", "requested_by", "resolved_by")
             .order_by("created_at", "id"))
    if status:
        query = query.filter(status=status)
    if warehouse:
        query = query.filter(package__warehouse__code=warehouse)
    if actor is not None:
        query = scoped_interceptions(actor, query)
    return query


def bins_by_package(package_ids: list[int]) -> dict[int, list[dict]]:
    """Package id → the bins its units were (or are to be) picked from, with the units picked."""
    out: dict[int, list[dict]] = {pid: [] for pid in package_ids}
    rows = (PickListLine.objects.filter(package_line__package_id__in=package_ids)
            .select_related("sku", "bin", "package_line").order_by("sequence", "id"))
    for r in rows:
        out[r.package_line.package_id].append({"sku": r.sku.code, "bin": r.bin.code if r.bin else None,
                                               "quantity": r.quantity, "picked": r.picked_quantity})
    return out


def as_data(items: list[Interception]) -> list[dict]:
    """The API's (and the pages') view of interceptions."""
    bins = bins_by_package([i.package_id for i in items])
    return [{
        "id": i.pk, "order_no": i.order.order_no, "package": i.package.number,
        "package_status": i.package.status, "warehouse": i.package.warehouse.code, "status": i.status,
        "reason": i.reason, "note": i.note, "via": i.via,
        "requested_at": i.created_at.isoformat(),
        "requested_by": i.requested_by.username if i.requested_by else "system",
        "resolved_at": i.resolved_at.isoformat() if i.resolved_at else None,
        "resolved_by": i.resolved_by.username if i.resolved_by else None,
        "pick_list": i.package.pick_list.number if i.package.pick_list_id else None,
        "handover_list": i.package.handover_list.number if i.package.handover_list_id else None,
        "bins": bins.get(i.package_id, []),
    } for i in items]


def scoped_interceptions(actor, qs):
    """The interceptions of qs for packages in the actor's warehouses and orders of their channels."""
    from oms.accounts.actor import scope_q

    return qs.filter(scope_q(actor, channel="order__channel_id", warehouse="package__warehouse_id"))
