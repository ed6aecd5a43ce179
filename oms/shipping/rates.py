"""What a parcel costs to send: pure functions over rate cards, no database.

Allocation compares these costs for thousands of candidate packages a second, so a rate card
is loaded once into plain frozen data (`load_cards` in oms.shipping.selectors) and priced here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from math import ceil

from oms.geo.divisions import province_name


@dataclass(frozen=True)
class Zone:
    name: str
    provinces: frozenset[str]  # canonical province names
    served: bool
    first_weight_g: int
    first_price: Decimal
    step_weight_g: int
    step_price: Decimal
    promise_days: int


@dataclass(frozen=True)
class Card:
    carrier: str  # carrier code
    warehouse_id: int
    divisor: int  # cm³ per kg of volumetric weight
    cod: bool
    zones: tuple[Zone, ...]
    insurance_permille: Decimal = Decimal(0)  # fee per thousand of the declared value
    insurance_min_fee: Decimal = Decimal(0)
    insurance_max_value: Decimal = Decimal(0)  # 0: the carrier does not insure parcels from here

    def zone_for(self, province: str) -> Zone | None:
        """The zone the province is in (a canonical name); None when the card has no price for it."""
        for zone in self.zones:
            if province in zone.provinces:
                return zone
        return None


@dataclass(frozen=True)
class Quote:
    carrier: str
    warehouse_id: int
    zone: str
    chargeable_g: int
    price: Decimal  # what the parcel costs to send, the insurance fee included
    promise_days: int
    insurance: Decimal = Decimal(0)  # the part of the price that insures the parcel (0: not insured)


CENT = Decimal("0.01")


def insurance_fee(card: Card, declared_value: Decimal) -> Decimal | None:
    """Declared value × rate ‰, at least the minimum fee; None when the card cannot insure that value."""
    if card.insurance_max_value <= 0 or declared_value > card.insurance_max_value:
        return None
    fee = (declared_value * card.insurance_permille / 1000).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(fee, card.insurance_min_fee)


def canonical_provinces(names) -> frozenset[str]:
    """Province names as the division list spells them ("广东" → "广东省"); unknown names kept as given."""
    return frozenset(province_name(n) or n for n in names)


def chargeable_weight_g(weight_g: int, volume_cm3: float, divisor: int) -> int:
    """The larger of the real weight and the volumetric weight (volume ÷ divisor, in kg), in grams."""
    volumetric = ceil(volume_cm3 * 1000 / divisor) if volume_cm3 > 0 else 0
    return max(weight_g, volumetric)


def zone_price(zone: Zone, chargeable_g: int) -> Decimal:
    """First weight price, plus one step price for every started step beyond the first weight."""
    extra = max(0, chargeable_g - zone.first_weight_g)
    return zone.first_price + zone.step_price * ceil(extra / zone.step_weight_g)


def quote(card: Card, *, province: str, weight_g: int, volume_cm3: float = 0, cod: bool = False) -> Quote | None:
    """The card's price for one parcel to the province, or None if it does not go there (or not COD)."""
    if cod and not card.cod:
        return None
    zone = card.zone_for(province)
    if zone is None or not zone.served:
        return None
    chargeable = chargeable_weight_g(weight_g, volume_cm3, card.divisor)
    return Quote(carrier=card.carrier, warehouse_id=card.warehouse_id, zone=zone.name, chargeable_g=chargeable,
                 price=zone_price(zone, chargeable), promise_days=zone.promise_days)


def cheapest(cards: list[Card], *, province: str, weight_g: int, volume_cm3: float = 0, cod: bool = False,
             max_days: int | None = None) -> Quote | None:
    """The cheapest quote among these cards (ties: the faster promise, then the carrier code)."""
    best = None
    for card in cards:
        q = quote(card, province=province, weight_g=weight_g, volume_cm3=volume_cm3, cod=cod)
        if q is None or (max_days is not None and q.promise_days > max_days):
            continue
        if best is None or (q.price, q.promise_days, q.carrier) < (best.price, best.promise_days, best.carrier):
            best = q
    return best
