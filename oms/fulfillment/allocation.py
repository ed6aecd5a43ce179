"""Which warehouse ships which units of an order: pure functions, no database.

The inputs are plain data (the order's items, the candidate warehouses with their rate cards,
the available stock); the result is a list of packages, one per warehouse, each priced with the
cheapest carrier that serves the destination from there, and the options that were compared
(for the order's timeline). Strategies (manual §2.3.1):

- fewest packages, then cheapest (the default): the smallest number of warehouses that can ship
  everything; among those, the lowest total freight; ties go to warehouse priority;
- cheapest: the lowest total freight, however many packages;
- nearest: a warehouse in the destination province first, then those whose service area
  includes it, then the others, each in priority order;
- priority: warehouses in fixed priority order.

Cash-on-delivery orders are never split: one warehouse ships everything, or there is no allocation.

Each package's carrier is the one oms.shipping.choice picks: the order's carrier rules (promise,
only/never these carriers) and insurance of valuable parcels apply to every candidate package.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import combinations, product

from oms.fulfillment.strategy import AllocationStrategy
from oms.shipping import choice
from oms.shipping.rates import Card, Quote, cheapest

MAX_EXACT_ASSIGNMENTS = 512  # SKU → warehouse choices tried exhaustively per warehouse set; beyond, greedy


Strategy = AllocationStrategy

@dataclass(frozen=True)
class Item:
    line_id: int
    sku_id: int
    quantity: int
    unit_weight_g: int
    unit_volume_cm3: float = 0.0
    unit_value: Decimal = Decimal(0)  # the goods value one unit adds to its package (declared for insurance)


@dataclass(frozen=True)
class Site:
    """A warehouse that may ship the order."""

    warehouse_id: int
    priority: int
    province: str  # where the warehouse is (canonical name)
    serves_destination: bool  # the destination is in its service area
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class Pick:
    line_id: int
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class Package:
    warehouse_id: int
    picks: tuple[Pick, ...]
    weight_g: int
    volume_cm3: float
    quote: Quote


@dataclass(frozen=True)
class Option:
    """One set of warehouses that was priced, for the timeline."""

    warehouse_ids: tuple[int, ...]
    freight: Decimal


@dataclass
class Allocation:
    strategy: Strategy
    packages: list[Package]
    compared: list[Option] = field(default_factory=list)

    @property
    def freight(self) -> Decimal:
        return sum((p.quote.price for p in self.packages), Decimal("0.00"))

    @property
    def split(self) -> bool:
        return len(self.packages) > 1


@dataclass(frozen=True)
class Request:
    items: tuple[Item, ...]
    province: str  # destination, canonical name
    cod: bool = False
    max_days: int | None = None  # a delivery promise the carrier must meet
    rules: tuple[choice.Rule, ...] = ()  # active carrier rules
    remark: str = ""  # the buyer's remark, for rules with keywords
    order_amount: Decimal = Decimal(0)
    insure_above: Decimal | None = None  # packages whose goods are worth more are insured

    @cached_property
    def order_rules(self) -> tuple[choice.Rule, ...]:
        """The rules that match the order's facts (the weight is checked per package)."""
        matched = choice.order_rules(self.rules, province=self.province, cod=self.cod, remark=self.remark,
                                     order_amount=self.order_amount)
        if self.max_days is not None:
            matched = (choice.Rule(name="", max_promise_days=self.max_days), *matched)
        return matched

    @cached_property
    def fixed_limits(self) -> choice.Limits | None:
        """The limits of every package when no matching rule looks at the weight; None otherwise."""
        if any(r.weighs for r in self.order_rules):
            return None
        return choice.limits(self.order_rules, weight_g=0)

    def best(self, cards, *, weight_g: int, volume_cm3: float = 0, value: Decimal = Decimal(0)) -> Quote | None:
        """The carrier quote the choice rules pick for one package of this order."""
        lim = self.fixed_limits
        if lim is choice.NO_LIMITS and not choice.insured(value, self.insure_above):
            return cheapest(cards, province=self.province, weight_g=weight_g, volume_cm3=volume_cm3, cod=self.cod)
        if lim is None:
            lim = choice.limits(self.order_rules, weight_g=weight_g)
        return choice.best(cards, province=self.province, weight_g=weight_g, volume_cm3=volume_cm3, cod=self.cod,
                           declared_value=value, limits=lim, insure_above=self.insure_above)


def allocate(request: Request, *, sites: list[Site], available: dict[tuple[int, int], int],
             strategy: Strategy = Strategy.FEWEST_THEN_CHEAPEST) -> Allocation | None:
    """Packages that ship every item from the sites' available stock, or None if there is no way."""
    need = _needed(request.items)
    usable = [s for s in sites if _can_quote(request, s)]
    if strategy in (Strategy.NEAREST, Strategy.PRIORITY):
        return _in_order(request, need, _ranked(usable, strategy, request.province), available, strategy)
    best: tuple | None = None
    compared: list[Option] = []
    max_size = 1 if request.cod else len(usable)
    for size in range(1, max_size + 1):
        for group in combinations(sorted(usable, key=lambda s: (s.priority, s.warehouse_id)), size):
            if not _covers(need, group, available):
                continue
            packages = _best_assignment(request, need, group, available)
            if packages is None:
                continue
            freight = sum((p.quote.price for p in packages), Decimal("0.00"))
            compared.append(Option(tuple(s.warehouse_id for s in group), freight))
            key = (freight, sum(s.priority for s in group))
            if best is None or key < best[0]:
                best = (key, packages)
        if best is not None and strategy == Strategy.FEWEST_THEN_CHEAPEST:
            break
    if best is None:
        return None
    return Allocation(strategy=strategy, packages=best[1], compared=compared)


def _needed(items: tuple[Item, ...]) -> dict[int, int]:
    need: dict[int, int] = defaultdict(int)
    for item in items:
        need[item.sku_id] += item.quantity
    return dict(need)


def _can_quote(request: Request, site: Site) -> bool:
    return request.best(site.cards, weight_g=1) is not None


def _covers(need: dict[int, int], group, available) -> bool:
    return all(sum(available.get((sku, s.warehouse_id), 0) for s in group) >= qty for sku, qty in need.items())


def _ranked(sites: list[Site], strategy: Strategy, destination: str) -> list[Site]:
    if strategy == Strategy.PRIORITY:
        return sorted(sites, key=lambda s: (s.priority, s.warehouse_id))
    return sorted(sites, key=lambda s: (s.province != destination, not s.serves_destination, s.priority,
                                        s.warehouse_id))


def _in_order(request: Request, need, ranked: list[Site], available, strategy: Strategy) -> Allocation | None:
    """The first site that has everything; otherwise fill each SKU from the sites in order (not for COD)."""
    for site in ranked:
        if _covers(need, (site,), available):
            packages = price_packages(request, {site.warehouse_id: site}, {(sku, site.warehouse_id): qty
                                                                     for sku, qty in need.items()})
            if packages is not None:
                return Allocation(strategy=strategy, packages=packages,
                                  compared=[Option((site.warehouse_id,), packages[0].quote.price)])
    if request.cod or not _covers(need, ranked, available):
        return None
    takes: dict[tuple[int, int], int] = {}
    for sku, qty in need.items():
        left = qty
        for site in ranked:
            part = min(left, available.get((sku, site.warehouse_id), 0))
            if part > 0:
                takes[(sku, site.warehouse_id)] = part
                left -= part
            if left == 0:
                break
    used = {wh for (_sku, wh) in takes}
    packages = price_packages(request, {s.warehouse_id: s for s in ranked if s.warehouse_id in used}, takes)
    if packages is None:
        return None
    return Allocation(strategy=strategy, packages=packages,
                      compared=[Option(tuple(sorted(used)), sum((p.quote.price for p in packages), Decimal(0)))])


def _best_assignment(request: Request, need, group, available) -> list[Package] | None:
    """The cheapest way to ship the order from exactly this group of sites (each ships something)."""
    by_id = {s.warehouse_id: s for s in group}
    choices = []  # per SKU, the sites that have all of it
    for sku, qty in need.items():
        choices.append([s.warehouse_id for s in group if available.get((sku, s.warehouse_id), 0) >= qty])
    skus = list(need)
    best: tuple[Decimal, list[Package]] | None = None
    if all(choices) and _count(choices) <= MAX_EXACT_ASSIGNMENTS:
        for pick in product(*choices):
            if len(set(pick)) != len(group):
                continue  # a site that ships nothing: a smaller group covers this
            takes = {(sku, wh): need[sku] for sku, wh in zip(skus, pick, strict=True)}
            packages = price_packages(request, by_id, takes)
            if packages is not None:
                freight = sum((p.quote.price for p in packages), Decimal(0))
                if best is None or freight < best[0]:
                    best = (freight, packages)
        return best[1] if best else None
    return _greedy(request, need, group, available, by_id)


def _count(choices: list[list[int]]) -> int:
    total = 1
    for c in choices:
        total *= len(c)
        if total > MAX_EXACT_ASSIGNMENTS:
            break
    return total


def _greedy(request: Request, need, group, available, by_id) -> list[Package] | None:
    """Heaviest SKUs first, each to the site where it adds the least freight; split a SKU only when it must."""
    weights = {it.sku_id: it.unit_weight_g for it in request.items}
    takes: dict[tuple[int, int], int] = {}
    load: dict[int, int] = defaultdict(int)
    for sku in sorted(need, key=lambda k: -weights.get(k, 0) * need[k]):
        qty = need[sku]
        whole = [s for s in group if available.get((sku, s.warehouse_id), 0) >= qty]
        if whole:
            site = min(whole, key=lambda s: (_marginal(request, s, load[s.warehouse_id], weights[sku] * qty),
                                             s.priority))
            takes[(sku, site.warehouse_id)] = qty
            load[site.warehouse_id] += weights[sku] * qty
            continue
        left = qty
        for site in sorted(group, key=lambda s: -available.get((sku, s.warehouse_id), 0)):
            part = min(left, available.get((sku, site.warehouse_id), 0))
            if part:
                takes[(sku, site.warehouse_id)] = part
                load[site.warehouse_id] += weights[sku] * part
                left -= part
            if not left:
                break
    return price_packages(request, by_id, takes)


def _marginal(request: Request, site: Site, load_g: int, add_g: int) -> Decimal:
    after = request.best(site.cards, weight_g=load_g + add_g)
    if after is None:
        return Decimal("Infinity")
    if load_g == 0:
        return after.price
    before = request.best(site.cards, weight_g=load_g)
    return after.price - (before.price if before else Decimal(0))


def price_packages(request: Request, sites: dict[int, Site], takes: dict[tuple[int, int], int]) -> list[Package] | None:
    """Turn (SKU, warehouse) quantities into priced packages with line-level picks; None if one cannot ship."""
    left = dict(takes)
    picks: dict[int, list[Pick]] = defaultdict(list)
    weight: dict[int, int] = defaultdict(int)
    volume: dict[int, float] = defaultdict(float)
    value: dict[int, Decimal] = defaultdict(Decimal)
    for item in request.items:  # each line's units from the warehouses holding its SKU's takes
        still = item.quantity
        for (sku, wh), qty in sorted(left.items(), key=lambda kv: sites[kv[0][1]].priority):
            if sku != item.sku_id or qty == 0 or still == 0:
                continue
            part = min(still, qty)
            picks[wh].append(Pick(item.line_id, sku, part))
            weight[wh] += item.unit_weight_g * part
            volume[wh] += item.unit_volume_cm3 * part
            if item.unit_value:
                value[wh] += item.unit_value * part
            left[(sku, wh)] -= part
            still -= part
    packages = []
    for wh in sorted(picks, key=lambda w: (sites[w].priority, w)):
        q = request.best(sites[wh].cards, weight_g=weight[wh], volume_cm3=volume[wh], value=value[wh])
        if q is None:
            return None
        packages.append(Package(warehouse_id=wh, picks=tuple(picks[wh]), weight_g=weight[wh], volume_cm3=volume[wh],
                                quote=q))
    return packages
