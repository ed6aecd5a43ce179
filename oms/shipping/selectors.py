"""Reads of shipping data: rate cards and carrier rules as the plain data rates and choice work on."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.conf import settings

from oms.shipping.choice import DEFAULT_INSURE_ABOVE, Rule
from oms.shipping.models import CarrierRule, RateCard
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
                                            zones=zones, insurance_permille=rc.insurance_rate_permille,
                                            insurance_min_fee=rc.insurance_min_fee,
                                            insurance_max_value=rc.insurance_max_value))
    return dict(result)


def rule_data(rule: CarrierRule) -> Rule:
    return Rule(name=rule.name, position=rule.position, min_weight_g=rule.min_weight_g,
                max_weight_g=rule.max_weight_g, provinces=canonical_provinces(rule.provinces or []),
                cod_only=rule.cod_only, remark_keywords=tuple(k for k in rule.remark_keywords or [] if k),
                min_order_amount=rule.min_order_amount, max_promise_days=rule.max_promise_days,
                carriers=frozenset(rule.carriers or []), excluded_carriers=frozenset(rule.excluded_carriers or []))


def load_rules() -> tuple[Rule, ...]:
    """The active carrier rules in position order (one query)."""
    return tuple(rule_data(r) for r in CarrierRule.objects.filter(active=True).order_by("position", "id"))


def insure_above() -> Decimal | None:
    """Parcels whose goods are declared above this are insured (setting OMS_INSURE_ABOVE; None: never)."""
    value = getattr(settings, "OMS_INSURE_ABOVE", DEFAULT_INSURE_ABOVE)
    return None if value is None else Decimal(str(value))
