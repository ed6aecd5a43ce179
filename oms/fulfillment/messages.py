"""Readable texts for allocation events in the order timeline."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.fulfillment.strategy import AllocationStrategy
from oms.shipping.messages import choice_text

PROBLEMS = {
    "cod_needs_split": gettext_lazy("cash on delivery, but no single warehouse can ship everything "
                                    "(orders paid on delivery are never split)"),
    "no_cod_carrier": gettext_lazy("cash on delivery, but no carrier from the warehouses that serve the "
                                   "destination collects it"),
    "no_way_to_ship": gettext_lazy("no warehouse with the stock has a carrier to the destination"),
    "no_carrier_left": gettext_lazy("carriers go there, but the carrier rules dropped every one of them "
                                    "(see why below)"),
}


def allocation_event_data(data: dict) -> list[tuple[str, str]]:
    """(label, value) pairs for an order_allocated or allocation_failed event."""
    rows = []
    if data.get("strategy"):
        strategy = data["strategy"]
        label = AllocationStrategy(strategy).label if strategy in AllocationStrategy.values else strategy
        rows.append((_("Strategy"), str(label)))
    for package in data.get("packages") or []:
        contents = ", ".join(f"{ln.get('sku', '')} ×{ln.get('quantity')}" for ln in package.get("lines", []))
        carrier = package.get("carrier") or _("carrier to be chosen")
        rows.append((_("Package %(number)s") % {"number": package.get("number", "")},
                     f"{package.get('warehouse', '')} · {carrier} · {package.get('freight', '')} · {contents}"))
        if package.get("options"):
            rows.append((_("Carriers compared for %(number)s") % {"number": package.get("number", "")},
                         choice_text(package)))
    if data.get("compared"):
        rows.append((_("Options compared"), "; ".join(
            f"{'+'.join(o.get('warehouses', []))} {o.get('freight', '')}" for o in data["compared"])))
    if data.get("reservations_moved"):
        rows.append((_("Reservations"), _("moved to the chosen warehouses")))
    if data.get("problem"):
        rows.append((_("Problem"), str(PROBLEMS.get(data["problem"], data["problem"]))))
    for site in data.get("carriers") or []:  # a failed allocation: why each warehouse's carriers were dropped
        rows.append((_("Carriers from %(warehouse)s") % {"warehouse": site.get("warehouse", "")}, choice_text(site)))
    if data.get("package") and data.get("options"):  # a choice made again, or set by hand, for one package
        rows.append((_("Package"), str(data["package"])))
        rows.append((_("Carriers compared"), choice_text(data)))
    return rows
