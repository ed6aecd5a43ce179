"""What every package sent after allocation needs: a free number and free stock.

A reship (logistics exception) and an exchange replacement (after-sales) both add a package to an
order outside allocation; they share the numbering and the check that the warehouse can reserve it.
"""

from __future__ import annotations

from oms.core.errors import ApplicationError
from oms.fulfillment.models import Package
from oms.inventory.models import Sku, StockLevel, Warehouse
from oms.inventory.services import lock_levels


def next_package_number(prefix: str) -> str:
    """The first `prefix` + n (n = 1, 2, …) no package has taken yet."""
    taken = set(Package.objects.filter(number__startswith=prefix).values_list("number", flat=True))
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def lock_free_units(wanted: dict[int, int], warehouse: Warehouse,
                    short_error: type[ApplicationError]) -> dict[tuple[int, int], StockLevel]:
    """Lock the warehouse's levels of these SKUs (sku id → units); raise short_error naming any SKU short."""
    levels = lock_levels(wanted, [warehouse.pk])
    short = {}
    for sku_id, qty in sorted(wanted.items()):
        level = levels.get((sku_id, warehouse.pk))
        free = level.on_hand - level.reserved if level else 0
        if free < qty:
            short[sku_id] = (qty, free)
    if short:
        codes = dict(Sku.objects.filter(pk__in=short).values_list("pk", "code"))
        raise short_error(details={"warehouse": warehouse.code, "short": [
            {"sku": codes[s], "wanted": w, "available": max(f, 0)} for s, (w, f) in short.items()]})
    return levels
