"""Which carrier takes a package: preset rules, then the cheapest carrier left (§2.4.1). Pure, no database.

The facts of a package (`Parcel`) are matched against the active carrier rules; every rule that
matches applies, in position order: the strictest delivery promise wins, "only these carriers"
lists narrow each other, "never these carriers" lists add up. Each card of the warehouse is then
priced (oms.shipping.rates) and either kept or dropped with a reason; the cheapest kept quote
wins (ties: the faster promise, then the carrier code). Without rules: the cheapest carrier that
serves the destination, whatever its promise.

Insurance (保价): a parcel is insured when the goods it carries are declared above a threshold
(`insure_above`; setting OMS_INSURE_ABOVE, default 500.00 CNY, read by oms.shipping.selectors).
An insured parcel goes with a carrier whose card insures that value when one of the eligible
carriers does (and when none does, it ships uninsured and the timeline says so); its price is
freight + declared value × rate ‰ (at least the card's minimum fee). Below the threshold parcels
go uninsured and no fee is added.

Allocation prices thousands of candidate packages a second: `best` is the fast path (no
explanations, the rate table's `cheapest` when no rule or insurance applies); `choose` prices
every card and says why each was dropped, for the final packages and the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from oms.shipping.rates import Quote, cheapest, insurance_fee, quote

DEFAULT_INSURE_ABOVE = Decimal("500.00")

# Why a carrier was not chosen (the timeline shows the texts of oms.shipping.messages).
NOT_SERVED = "not_served"
NO_COD = "no_cod"
TOO_SLOW = "too_slow"
NOT_IN_RULE = "not_in_rule"  # the rule names other carriers only
EXCLUDED = "excluded_by_rule"
NOT_INSURED = "no_insurance"
OVER_INSURABLE = "over_insurable_value"


@dataclass(frozen=True)
class Rule:
    """A carrier rule as plain data; empty conditions match everything."""

    name: str
    position: int = 100
    min_weight_g: int | None = None
    max_weight_g: int | None = None
    provinces: frozenset[str] = frozenset()  # canonical names
    cod_only: bool = False
    remark_keywords: tuple[str, ...] = ()
    min_order_amount: Decimal | None = None
    max_promise_days: int | None = None
    carriers: frozenset[str] = frozenset()  # only these (empty: any)
    excluded_carriers: frozenset[str] = frozenset()

    @property
    def weighs(self) -> bool:
        return self.min_weight_g is not None or self.max_weight_g is not None

    def matches_order(self, *, province: str, cod: bool, remark: str, order_amount: Decimal) -> bool:
        """The conditions that are the same for every package of an order."""
        if self.provinces and province not in self.provinces:
            return False
        if self.cod_only and not cod:
            return False
        if self.remark_keywords and not any(k in remark for k in self.remark_keywords):
            return False
        return self.min_order_amount is None or order_amount >= self.min_order_amount

    def matches_weight(self, weight_g: int) -> bool:
        if self.min_weight_g is not None and weight_g < self.min_weight_g:
            return False
        return self.max_weight_g is None or weight_g <= self.max_weight_g


@dataclass(frozen=True)
class Parcel:
    """What the choice looks at for one package."""

    warehouse_id: int
    province: str  # destination, canonical name
    weight_g: int
    volume_cm3: float = 0.0
    cod: bool = False
    declared_value: Decimal = Decimal(0)  # the goods the package carries
    remark: str = ""  # the buyer's remark
    order_amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class Limits:
    """What the matching rules demand of one package."""

    rules: tuple[str, ...] = ()  # names of the rules that matched, in position order
    max_days: int | None = None
    promise_rule: str = ""
    only: tuple[tuple[str, frozenset[str]], ...] = ()  # (rule, carriers) per rule with a list
    excluded: dict[str, str] = field(default_factory=dict)  # carrier -> rule

    @property
    def empty(self) -> bool:
        return self.max_days is None and not self.only and not self.excluded

    def refusal(self, carrier: str) -> tuple[str, str] | None:
        """(reason, rule) when a rule keeps the carrier out, else None."""
        for rule, allowed in self.only:
            if carrier not in allowed:
                return NOT_IN_RULE, rule
        if carrier in self.excluded:
            return EXCLUDED, self.excluded[carrier]
        return None


NO_LIMITS = Limits()


def limits(rules: tuple[Rule, ...] | list[Rule], *, weight_g: int) -> Limits:
    """Combine the rules (already matched on the order's facts) that also match the weight."""
    names: list[str] = []
    max_days, promise_rule = None, ""
    only: list[tuple[str, frozenset[str]]] = []
    excluded: dict[str, str] = {}
    for rule in rules:
        if not rule.matches_weight(weight_g):
            continue
        names.append(rule.name)
        if rule.max_promise_days is not None and (max_days is None or rule.max_promise_days < max_days):
            max_days, promise_rule = rule.max_promise_days, rule.name
        if rule.carriers:
            only.append((rule.name, rule.carriers))
        for carrier in rule.excluded_carriers:
            excluded.setdefault(carrier, rule.name)
    if not names:
        return NO_LIMITS
    return Limits(rules=tuple(names), max_days=max_days, promise_rule=promise_rule, only=tuple(only),
                  excluded=excluded)


def order_rules(rules, *, province: str, cod: bool, remark: str, order_amount: Decimal) -> tuple[Rule, ...]:
    """The rules whose order-level conditions match, in position order (weight is checked per package)."""
    return tuple(r for r in sorted(rules, key=lambda r: r.position)
                 if r.matches_order(province=province, cod=cod, remark=remark, order_amount=order_amount))


def insured(declared_value: Decimal, insure_above: Decimal | None) -> bool:
    return insure_above is not None and declared_value > insure_above


def best(cards, *, province: str, weight_g: int, volume_cm3: float = 0, cod: bool = False,
         declared_value: Decimal = Decimal(0), limits: Limits = NO_LIMITS,
         insure_above: Decimal | None = None) -> Quote | None:
    """The chosen quote only (the fast path of `choose`): the cheapest carrier the rules leave."""
    insure = insured(declared_value, insure_above)
    if limits.empty and not insure:
        return cheapest(cards, province=province, weight_g=weight_g, volume_cm3=volume_cm3, cod=cod)
    chosen = chosen_insured = None
    max_days = limits.max_days
    for card in cards:
        if limits.refusal(card.carrier) is not None:
            continue
        q = quote(card, province=province, weight_g=weight_g, volume_cm3=volume_cm3, cod=cod)
        if q is None or (max_days is not None and q.promise_days > max_days):
            continue
        if chosen is None or _key(q) < _key(chosen):
            chosen = q
        if insure:
            fee = insurance_fee(card, declared_value) if card.carrier else Decimal(0)
            if fee is not None:
                q = replace(q, price=q.price + fee, insurance=fee)
                if chosen_insured is None or _key(q) < _key(chosen_insured):
                    chosen_insured = q
    # Insured when some carrier insures it; otherwise it still ships, uninsured (as `choose` explains).
    return chosen_insured or chosen


@dataclass(frozen=True)
class Option:
    """One carrier that was compared: its quote (None if it does not go there) and why it was dropped."""

    carrier: str
    quote: Quote | None
    reason: str = ""  # empty: eligible
    rule: str = ""  # the rule behind the reason, if any

    def as_data(self) -> dict:
        data: dict = {"carrier": self.carrier}
        if self.quote is not None:
            data |= {"price": f"{self.quote.price:.2f}", "days": self.quote.promise_days, "zone": self.quote.zone}
            if self.quote.insurance:
                data["insurance"] = f"{self.quote.insurance:.2f}"
        if self.reason:
            data["dropped"] = self.reason
        if self.rule:
            data["rule"] = self.rule
        return data


@dataclass(frozen=True)
class Choice:
    quote: Quote | None  # the chosen one; None when every carrier was dropped
    options: tuple[Option, ...]  # eligible ones cheapest first, then the dropped ones
    limits: Limits
    insured: bool
    uninsured: bool = False  # it should have been insured, but no eligible carrier insures it

    def as_data(self) -> dict:
        """What the timeline keeps of the choice."""
        data: dict = {"options": [o.as_data() for o in self.options]}
        if self.limits.rules:
            data["rules"] = list(self.limits.rules)
        if self.limits.max_days is not None:
            data["max_days"] = self.limits.max_days
        if self.insured:
            data["insured"] = True
        if self.uninsured:
            data["uninsured"] = True
        return data


def _key(q: Quote) -> tuple:
    return (q.price, q.promise_days, q.carrier)


def choose(cards, parcel: Parcel, *, rules=(), insure_above: Decimal | None = DEFAULT_INSURE_ABOVE) -> Choice:
    """Price every card for the parcel, drop the ones the rules or the parcel rule out, pick the cheapest."""
    matched = order_rules(rules, province=parcel.province, cod=parcel.cod, remark=parcel.remark,
                          order_amount=parcel.order_amount)
    lim = limits(matched, weight_g=parcel.weight_g)
    insure = insured(parcel.declared_value, insure_above)
    eligible: list[tuple] = []  # (card, option) the rules and the destination allow
    dropped = []
    for card in cards:
        if parcel.cod and not card.cod:
            dropped.append(Option(card.carrier, None, NO_COD))
            continue
        q = quote(card, province=parcel.province, weight_g=parcel.weight_g, volume_cm3=parcel.volume_cm3)
        if q is None:
            dropped.append(Option(card.carrier, None, NOT_SERVED))
            continue
        refusal = lim.refusal(card.carrier)
        if refusal is not None:
            dropped.append(Option(card.carrier, q, *refusal))
        elif lim.max_days is not None and q.promise_days > lim.max_days:
            dropped.append(Option(card.carrier, q, TOO_SLOW, lim.promise_rule))
        else:
            eligible.append((card, Option(card.carrier, q)))
    uninsured = False
    if insure:
        insurable, not_insurable = _insure(eligible, parcel.declared_value)
        if insurable:
            eligible, dropped = insurable, dropped + not_insurable
        else:
            uninsured = True  # nobody left insures it: it still ships, and the timeline says so
    kept = sorted((o for _card, o in eligible), key=lambda o: _key(o.quote))
    return Choice(quote=kept[0].quote if kept else None, options=tuple(kept + dropped), limits=lim,
                  insured=insure and not uninsured, uninsured=uninsured)


def _insure(eligible, declared_value: Decimal):
    """Split the eligible options into those that insure the value (fee added) and the others (with why)."""
    insurable, refused = [], []
    for card, option in eligible:
        if not card.carrier:  # an unpriced card (carrier chosen by hand later) is not judged
            insurable.append((card, option))
            continue
        fee = insurance_fee(card, declared_value)
        if fee is None:
            refused.append(Option(card.carrier, option.quote,
                                  NOT_INSURED if card.insurance_max_value <= 0 else OVER_INSURABLE))
        else:
            insurable.append((card, Option(card.carrier, replace(option.quote, price=option.quote.price + fee,
                                                                    insurance=fee))))
    return insurable, refused
