"""Which warehouse reserves which units of an order: a pure function, no database.

Fulfilment (allocation by freight cost, splitting) refines this later; here the rule is the
one operations expect at review time: one warehouse for the whole order when one can,
in priority order, otherwise each SKU from the warehouses in priority order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Want:
    line_id: int
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class Take:
    line_id: int
    sku_id: int
    warehouse_id: int
    quantity: int


@dataclass(frozen=True)
class Shortage:
    sku_id: int
    wanted: int
    available: int


@dataclass(frozen=True)
class Plan:
    takes: list[Take]
    shortages: list[Shortage]

    @property
    def ok(self) -> bool:
        return not self.shortages


def plan_reservation(
    wants: list[Want], *, available: dict[tuple[int, int], int], warehouses: list[int],
) -> Plan:
    """Takes that cover every want from `available[(sku_id, warehouse_id)]`, or the shortages.

    `warehouses` are the ids that serve the order, best priority first.
    """
    needed: dict[int, int] = defaultdict(int)
    for w in wants:
        needed[w.sku_id] += w.quantity
    shortages = []
    for sku_id, qty in needed.items():
        total = sum(max(available.get((sku_id, wh), 0), 0) for wh in warehouses)
        if total < qty:
            shortages.append(Shortage(sku_id=sku_id, wanted=qty, available=total))
    if shortages:
        return Plan(takes=[], shortages=sorted(shortages, key=lambda s: s.sku_id))

    for wh in warehouses:
        if all(available.get((sku_id, wh), 0) >= qty for sku_id, qty in needed.items()):
            return Plan(takes=[Take(w.line_id, w.sku_id, wh, w.quantity) for w in wants], shortages=[])

    left = {(sku_id, wh): max(available.get((sku_id, wh), 0), 0) for sku_id in needed for wh in warehouses}
    takes = []
    for w in wants:
        still = w.quantity
        for wh in warehouses:
            if still == 0:
                break
            part = min(still, left[(w.sku_id, wh)])
            if part:
                takes.append(Take(w.line_id, w.sku_id, wh, part))
                left[(w.sku_id, wh)] -= part
                still -= part
    return Plan(takes=takes, shortages=[])
