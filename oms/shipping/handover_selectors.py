"""Reads of hand-over lists: the sheet the page, the API and the printed list show."""

from __future__ import annotations

from django.db.models import Count

from oms.accounts.actor import Actor, require_warehouse, warehouse_scope
from oms.fulfillment.models import PackageStatus
from oms.shipping.handover import HandoverListNotFound
from oms.shipping.models import HandoverList, HandoverStatus


def handover_sheet(number: str) -> dict:
    """The list with its parcels in scan order, and the counts the courier signs for (three queries)."""
    handover = (HandoverList.objects.select_related("carrier", "warehouse", "created_by", "handed_over_by")
                .filter(number=number).first())
    if handover is None:
        raise HandoverListNotFound(details={"handover_list": number})
    packages = list(handover.packages.select_related("order").order_by("updated_at", "id"))
    weight = sum(p.packed_weight_g or p.weight_g for p in packages)
    return {
        "number": handover.number, "status": handover.status,
        "status_label": HandoverStatus(handover.status).label,
        "carrier": handover.carrier.code, "carrier_name": handover.carrier.name,
        "warehouse": handover.warehouse.code, "warehouse_name": handover.warehouse.name,
        "created_at": handover.created_at, "created_by": handover.created_by.username if handover.created_by else None,
        "handed_over_at": handover.handed_over_at,
        "handed_over_by": handover.handed_over_by.username if handover.handed_over_by else None,
        "courier_name": handover.courier_name,
        "parcels": len(packages), "weight_g": weight,
        "packages": [{"number": p.number, "order_no": p.order.order_no, "tracking_no": p.tracking_no,
                      "weight_g": p.packed_weight_g or p.weight_g, "status": p.status,
                      "destination": f"{p.order.ship_province}{p.order.ship_city}",
                      "cod": p.order.payment_method == "cod"} for p in packages],
    }


def handover_lists(*, actor: Actor, status: str | None = None, limit: int = 100) -> list[dict]:
    """Recent hand-over lists of the warehouses the actor works in, newest first, with parcel counts."""
    query = HandoverList.objects.select_related("carrier", "warehouse").annotate(parcels=Count("packages"))
    scope = warehouse_scope(actor)
    if scope is not None:
        query = query.filter(warehouse_id__in=scope)
    if status:
        query = query.filter(status=status)
    return [{"number": h.number, "status": h.status, "status_label": HandoverStatus(h.status).label,
             "carrier": h.carrier.code, "carrier_name": h.carrier.name, "warehouse": h.warehouse.code,
             "parcels": h.parcels, "created_at": h.created_at, "handed_over_at": h.handed_over_at,
             "courier_name": h.courier_name} for h in query.order_by("-created_at", "-id")[:limit]]


def packed_waiting(*, actor: Actor, limit: int = 200) -> list[dict]:
    """Packed parcels not on any list yet, per warehouse and carrier: what the next lists will hold."""
    from oms.fulfillment.models import Package

    query = Package.objects.filter(status=PackageStatus.PACKED, handover_list__isnull=True)
    scope = warehouse_scope(actor)
    if scope is not None:
        query = query.filter(warehouse_id__in=scope)
    rows = (query.values("warehouse__code", "carrier__code", "carrier__name").annotate(parcels=Count("id"))
            .order_by("warehouse__code", "carrier__code"))
    return list(rows[:limit])


def require_handover_scope(number: str, actor: Actor) -> None:
    """OutOfScope unless the actor works in the list's warehouse; not found for an unknown list."""
    warehouse_id = HandoverList.objects.filter(number=number).values_list("warehouse_id", flat=True).first()
    if warehouse_id is None:
        raise HandoverListNotFound(details={"handover_list": number})
    require_warehouse(actor, warehouse_id)


def scoped_handover_lists(actor, qs):
    """The hand-over lists of qs in the actor's warehouses."""
    from oms.accounts.actor import scope_q

    return qs.filter(scope_q(actor, warehouse="warehouse_id"))
