"""Reads of fulfilment data: a pick list as a picker and a sorter use it."""

from __future__ import annotations

from collections import defaultdict

from oms.fulfillment.errors import PackageNotFound, PickListNotFound
from oms.fulfillment.models import Package, PickList


def pick_list_sheet(number: str) -> dict:
    """The pick list: stops in walking order (bin, SKU, total quantity and which order takes how many),
    and the sort-to-order view (播种): per package, a slot number and what goes into it."""
    pick_list = (PickList.objects.select_related("warehouse", "created_by")
                 .prefetch_related("lines__sku", "lines__bin", "lines__package_line__package__order",
                                   "lines__package_line__line").filter(number=number).first())
    if pick_list is None:
        raise PickListNotFound(details={"pick_list": number})
    lines = list(pick_list.lines.all())
    slots: dict[str, int] = {}
    for ln in sorted(lines, key=lambda ln: ln.package_line.package.number):
        slots.setdefault(ln.package_line.package.number, len(slots) + 1)
    stops: dict[tuple, dict] = {}
    for ln in lines:
        key = (ln.sequence, ln.bin_id, ln.sku_id)
        package = ln.package_line.package
        stop = stops.setdefault(key, {
            "stop": ln.sequence, "bin": ln.bin.code if ln.bin else None, "sku": ln.sku.code, "name": ln.sku.name,
            "spec": ln.sku.spec, "barcode": ln.sku.barcode, "quantity": 0, "picked": 0, "orders": []})
        stop["quantity"] += ln.quantity
        stop["picked"] += ln.picked_quantity
        stop["orders"].append({"order_no": package.order.order_no, "package": package.number,
                               "slot": slots[package.number], "quantity": ln.quantity})
    sorting: dict[str, dict] = {}
    items = defaultdict(list)
    for ln in lines:
        package = ln.package_line.package
        sorting.setdefault(package.number, {"slot": slots[package.number], "package": package.number,
                                            "order_no": package.order.order_no, "items": items[package.number]})
        items[package.number].append({"sku": ln.sku.code, "name": ln.sku.name, "quantity": ln.quantity,
                                      "line_no": ln.package_line.line.line_no})
    return {
        "number": pick_list.number, "warehouse": pick_list.warehouse.code, "status": pick_list.status,
        "route_m": pick_list.route_m, "created_at": pick_list.created_at,
        "created_by": pick_list.created_by.username if pick_list.created_by else None,
        "packages": len(slots), "units": sum(ln.quantity for ln in lines),
        "stops": sorted(stops.values(), key=lambda s: (s["stop"], s["bin"] or "", s["sku"])),
        "sort_to_order": sorted(sorting.values(), key=lambda s: s["slot"]),
    }


def label_data(package_numbers: list[str]) -> list:
    """Labels for these packages, in the order asked; PackageNotFound names any unknown number."""
    from oms.fulfillment.documents.labels_pdf import LabelData, mask_phone

    packages = {p.number: p for p in Package.objects.filter(number__in=package_numbers).select_related(
        "order", "warehouse", "carrier").prefetch_related("lines__sku")}
    missing = [n for n in package_numbers if n not in packages]
    if missing:
        raise PackageNotFound(details={"packages": missing})
    labels = []
    for number in package_numbers:
        p = packages[number]
        order, wh = p.order, p.warehouse
        labels.append(LabelData(
            package=p.number, order_no=order.order_no, carrier=p.carrier.name if p.carrier else "",
            tracking_number=p.tracking_no, sender_name=wh.name,
            sender_address=f"{wh.province}{wh.city}{wh.address}",
            recipient_name=order.ship_name, recipient_phone=mask_phone(order.ship_phone),
            recipient_address=f"{order.ship_province}{order.ship_city}{order.ship_district}{order.ship_detail}",
            contents="; ".join(f"{ln.sku.name} × {ln.quantity}" for ln in p.lines.all()), weight_g=p.weight_g,
        ))
    return labels


def require_pick_list_scope(number: str, actor) -> None:
    """A person limited to some warehouses sees only their pick lists (not even by guessing numbers)."""
    from oms.accounts.actor import require_warehouse

    warehouse_id = PickList.objects.filter(number=number).values_list("warehouse_id", flat=True).first()
    if warehouse_id is None:
        raise PickListNotFound(details={"pick_list": number})
    require_warehouse(actor, warehouse_id)


def require_package_scope(numbers: list[str], actor) -> None:
    from oms.accounts.actor import require_warehouse

    for warehouse_id in set(Package.objects.filter(number__in=numbers).values_list("warehouse_id", flat=True)):
        require_warehouse(actor, warehouse_id)


def scoped_packages(actor, qs):
    """The packages of qs in the actor's warehouses and of orders of their channels."""
    from oms.accounts.actor import scope_q

    return qs.filter(scope_q(actor, channel="order__channel_id", warehouse="warehouse_id"))


def scoped_pick_lists(actor, qs):
    """The pick lists of qs in the actor's warehouses."""
    from oms.accounts.actor import scope_q

    return qs.filter(scope_q(actor, warehouse="warehouse_id"))
