"""Reads of shipping data: rate cards as the plain data that oms.shipping.rates prices."""

from __future__ import annotations

from collections import defaultdict

from oms.shipping.models import RateCard
from oms.shipping.rates import Card, Zone, canonical_provinces


def load_cards(warehouse_ids=None) -> dict[int, list[Card]]:
    """Active rate cards of active carriers, per warehouse id (two queries)."""
    cards = RateCard.objects.filter(active=True, carrier__active=True).select_related("carrier").prefetch_related(
        "zones")
    if warehouse_ids is not None:
        cards = cards.filter(warehouse_id__in=list(warehouse_ids))
    result: dict[int, list[Card]] = defaultdict(list)
    for rc in cards:
        zones = tuple(
            Zone(name=z.name, provinces=canonical_provinces(z.provinces), served=z.served,
                 first_weight_g=z.first_weight_g, first_price=z.first_price, step_weight_g=z.step_weight_g,
                 step_price=z.step_price, promise_days=z.promise_days)
            for z in rc.zones.all()
        )
        result[rc.warehouse_id].append(Card(carrier=rc.carrier.code, warehouse_id=rc.warehouse_id,
                                            divisor=rc.volumetric_divisor, cod=rc.carrier.supports_cod,
                                            zones=zones))
    return dict(result)
