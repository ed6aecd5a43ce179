"""`oms bench allocation`: how close the default allocation comes to the exact optimum, and how fast.

Generated data (seeded, pure Python, no database): networks of 3 to 8 warehouses in real Chinese
cities, three carriers per warehouse whose contracts price parcels by zone (same province, same
region, neighbouring region, far, remote; first weight + started steps, volumetric weight), the
39-SKU catalogue of oms.bench.data with stock spread unevenly (some SKUs in one or two
warehouses only), and orders of 1–5 lines to destinations weighted like real order volume, 3 %
cash on delivery.

For every order, `oms.fulfillment.allocation.allocate` with the default strategy (fewest packages,
then cheapest) is timed; then the same order is solved exactly as a mixed-integer program with
scipy's `milp` (HiGHS): units per SKU and warehouse, one package per warehouse used, one carrier per
package, steps of additional weight as integers; the objective is lexicographic like the default
strategy (packages first, then freight). Both results are priced the same way and compared on

    cost = total freight + SPLIT_COST × (packages − 1)

so a split costs what handling one more parcel costs a warehouse. The last line carries
`allocation_cost_ratio=` (ours ÷ optimum, over all orders) and `allocation_orders_per_s=`.
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from oms.bench.environment import BenchError
from oms.bench.machine import machine_info

DEFAULT_ORDERS = 2000
NETWORK_SIZES = (3, 4, 5, 6, 8)  # warehouses per network; orders are shared evenly between networks
SPLIT_COST = Decimal("5.00")
TARGET_RATIO = 1.03
TARGET_RATE = 1000
SEED = 20261127

CITIES = [  # warehouse: code, province, region
    ("hz", "浙江省", "east"), ("gz", "广东省", "south"), ("bj", "北京市", "north"), ("cd", "四川省", "west"),
    ("wh", "湖北省", "central"), ("sh", "上海市", "east"), ("xa", "陕西省", "northwest"), ("sy", "辽宁省", "northeast"),
]
REGIONS = {
    "east": ["上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省"],
    "south": ["广东省", "广西壮族自治区", "海南省"],
    "north": ["北京市", "天津市", "河北省", "山西省", "内蒙古自治区"],
    "northeast": ["辽宁省", "吉林省", "黑龙江省"],
    "central": ["河南省", "湖北省", "湖南省"],
    "west": ["重庆市", "四川省", "贵州省", "云南省"],
    "northwest": ["陕西省", "甘肃省", "宁夏回族自治区", "青海省"],
    "remote": ["新疆维吾尔自治区", "西藏自治区"],
}
NEIGHBOURS = {
    "east": {"central", "south", "north"}, "south": {"east", "central", "west"},
    "north": {"northeast", "central", "east", "northwest"}, "northeast": {"north"},
    "central": {"east", "south", "north", "west", "northwest"}, "west": {"central", "south", "northwest"},
    "northwest": {"west", "north", "central"}, "remote": set(),
}
# Share of order volume by destination region (east and south buy most).
DEMAND = {"east": 34, "south": 20, "north": 12, "central": 12, "west": 10, "northeast": 5, "northwest": 5,
          "remote": 2}
# Carriers: code, price factor, step factor, first weight (g), step (g), divisor, COD, promise (days) near/far.
CARRIERS = [
    ("zto", 1.00, 1.00, 1000, 1000, 8000, False, (2, 4)),
    ("yunda", 0.95, 1.10, 1000, 1000, 8000, False, (2, 5)),
    ("sf", 1.90, 1.30, 1000, 500, 6000, True, (1, 2)),
]
# Zone prices (first weight, per step of 1 kg) for the cheapest carrier, by distance.
ZONE_PRICES = {"province": (5.0, 1.0), "region": (7.0, 2.0), "neighbour": (9.0, 4.0), "far": (12.0, 6.0),
               "remote": (20.0, 14.0)}


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass
class Network:
    sites: list  # oms.fulfillment.allocation.Site
    available: dict[tuple[int, int], int]


def _distance(origin_province: str, origin_region: str, destination: str) -> str:
    if destination == origin_province:
        return "province"
    region = next(r for r, provinces in REGIONS.items() if destination in provinces)
    if region == "remote":
        return "remote"
    if region == origin_region:
        return "region"
    return "neighbour" if region in NEIGHBOURS[origin_region] else "far"


def _network(rng: random.Random, size: int, first_id: int, skus) -> Network:
    from oms.fulfillment.allocation import Site
    from oms.shipping.rates import Card, Zone

    sites, available = [], {}
    all_provinces = [p for provinces in REGIONS.values() for p in provinces]
    for i, (_code, province, region) in enumerate(rng.sample(CITIES, size)):
        wid = first_id + i
        cards = []
        for carrier, price_f, step_f, first_g, step_g, divisor, cod, (near_days, far_days) in CARRIERS:
            contract = rng.uniform(0.85, 1.15)  # each warehouse negotiated its own prices
            by_kind: dict[str, list[str]] = defaultdict(list)
            for dest in all_provinces:
                by_kind[_distance(province, region, dest)].append(dest)
            zones = []
            for kind, provinces in by_kind.items():
                first, step = ZONE_PRICES[kind]
                served = not (kind == "remote" and carrier == "yunda")
                zones.append(Zone(
                    name=kind, provinces=frozenset(provinces), served=served, first_weight_g=first_g,
                    first_price=Decimal(str(round(first * price_f * contract, 1))), step_weight_g=step_g,
                    step_price=Decimal(str(round(step * step_f * contract * step_g / 1000, 1))),
                    promise_days=near_days if kind in ("province", "region") else far_days,
                ))
            cards.append(Card(carrier=carrier, warehouse_id=wid, divisor=divisor, cod=cod, zones=tuple(zones)))
        sites.append((wid, province, region, tuple(cards), rng.randint(1, 9) * 10))
        for sku_index, _sku in enumerate(skus):
            if rng.random() < 0.55:
                available[(sku_index, wid)] = rng.randint(1, 12)
    built = [Site(warehouse_id=wid, priority=priority, province=province, serves_destination=True, cards=cards)
             for wid, province, _region, cards, priority in sites]
    return Network(sites=built, available=available)


def _orders(rng: random.Random, count: int, skus) -> list:
    from oms.fulfillment.allocation import Item, Request

    regions, weights = zip(*DEMAND.items(), strict=True)
    orders = []
    for n in range(count):
        region = rng.choices(regions, weights)[0]
        province = rng.choice(REGIONS[region])
        lines = rng.choices([1, 2, 3, 4, 5], [35, 30, 18, 10, 7])[0]
        picked = rng.sample(range(len(skus)), lines)
        items = tuple(
            Item(line_id=n * 10 + i, sku_id=s, quantity=rng.choices([1, 2, 3], [70, 22, 8])[0],
                 unit_weight_g=skus[s].weight_g, unit_volume_cm3=_volume(skus[s].weight_g))
            for i, s in enumerate(picked)
        )
        orders.append(Request(items=items, province=province, cod=rng.random() < 0.03))
    return orders


def _volume(weight_g: int) -> float:
    """Light goods are bulky (clothes, pillows); the catalogue has no dimensions, so derive some."""
    return weight_g * 4.0 if weight_g < 700 else weight_g * 1.5


def _cost(packages) -> Decimal:
    return sum((p.quote.price for p in packages), Decimal("0.00")) + SPLIT_COST * (len(packages) - 1)


def optimum(request, network: Network):
    """The exact lexicographic optimum (packages, then freight) as priced packages, or None."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    from oms.fulfillment.allocation import price_packages
    from oms.shipping.rates import quote

    need: dict[int, int] = defaultdict(int)
    for item in request.items:
        need[item.sku_id] += item.quantity
    weight = {it.sku_id: it.unit_weight_g for it in request.items}
    volume = {it.sku_id: it.unit_volume_cm3 for it in request.items}
    total_weight = sum(weight[s] * q for s, q in need.items())
    total_volume = sum(volume[s] * q for s, q in need.items())

    sites = [s for s in network.sites
             if any(quote(c, province=request.province, weight_g=1, cod=request.cod) for c in s.cards)]
    variables: list[tuple] = []  # ("x", sku, w) | ("y", w) | ("z", w, card) | ("n", w, card)
    for site in sites:
        for sku in need:
            if network.available.get((sku, site.warehouse_id), 0) > 0:
                variables.append(("x", sku, site.warehouse_id))
        variables.append(("y", site.warehouse_id))
        for ci, card in enumerate(site.cards):
            if quote(card, province=request.province, weight_g=1, cod=request.cod) is not None:
                variables.append(("z", site.warehouse_id, ci))
                variables.append(("n", site.warehouse_id, ci))
    index = {v: i for i, v in enumerate(variables)}
    count = len(variables)
    big = 10_000.0  # more than any order's freight: packages come first
    cost = np.zeros(count)
    lower, upper = np.zeros(count), np.zeros(count)
    integrality = np.ones(count)
    by_site = {s.warehouse_id: s for s in sites}
    for v, i in index.items():
        if v[0] == "x":
            upper[i] = min(need[v[1]], network.available[(v[1], v[2])])
        elif v[0] == "y":
            upper[i], cost[i] = 1, big
        elif v[0] == "z":
            zone = by_site[v[1]].cards[v[2]].zone_for(request.province)
            upper[i], cost[i] = 1, float(zone.first_price)
        else:
            zone = by_site[v[1]].cards[v[2]].zone_for(request.province)
            upper[i], cost[i] = 10_000, float(zone.step_price)
    rows, lo, hi = [], [], []

    def row(coefs: dict, low: float, high: float) -> None:
        r = np.zeros(count)
        for key, value in coefs.items():
            r[index[key]] = value
        rows.append(r)
        lo.append(low)
        hi.append(high)

    for sku, qty in need.items():  # every unit ships from somewhere
        row({("x", sku, s.warehouse_id): 1 for s in sites if ("x", sku, s.warehouse_id) in index}, qty, qty)
    for site in sites:
        w = site.warehouse_id
        zs = {v: 1 for v in index if v[0] == "z" and v[1] == w}
        row({**zs, ("y", w): -1}, 0, 0)  # one carrier per package used
        for sku in need:
            if ("x", sku, w) in index:  # units only from a warehouse that sends a package
                row({("x", sku, w): 1, ("y", w): -need[sku]}, -np.inf, 0)
        for v in [v for v in index if v[0] == "z" and v[1] == w]:
            card = site.cards[v[2]]
            zone = card.zone_for(request.province)
            m_weight = total_weight + 1
            m_volume = total_volume * 1000 / card.divisor + 1
            xs = [("x", sku, w) for sku in need if ("x", sku, w) in index]
            # step × n ≥ weight − first − M (1 − z), on the real and on the volumetric weight
            row({("n", w, v[2]): zone.step_weight_g, **{x: -weight[x[1]] for x in xs}, v: -m_weight},
                -zone.first_weight_g - m_weight, np.inf)
            row({("n", w, v[2]): zone.step_weight_g, **{x: -volume[x[1]] * 1000 / card.divisor for x in xs},
                 v: -m_volume}, -zone.first_weight_g - m_volume, np.inf)
    if request.cod:
        row({("y", s.warehouse_id): 1 for s in sites}, 0, 1)
    if not rows:
        return None
    # No relative gap: with the package weight in the objective a default gap of 1e-4 would
    # accept solutions a yuan or more above the optimum.
    result = milp(cost, constraints=LinearConstraint(np.array(rows), lo, hi), integrality=integrality,
                  bounds=Bounds(lower, upper), options={"mip_rel_gap": 0})
    if result.status != 0:
        return None
    takes = {(v[1], v[2]): int(round(result.x[i])) for v, i in index.items() if v[0] == "x" and result.x[i] > 0.5}
    used = {wh for (_sku, wh) in takes}
    return price_packages(request, {wh: by_site[wh] for wh in used}, takes)


def run(args) -> int:
    from oms.bench.data import catalogue
    from oms.fulfillment.allocation import allocate

    try:
        import scipy  # noqa: F401
    except ImportError as exc:  # pragma: no cover - scipy is a pinned dependency
        raise BenchError("scipy is needed for the exact optimum: pip install scipy") from exc
    total = args.orders or DEFAULT_ORDERS
    machine = machine_info()
    rng = random.Random(SEED)
    skus = catalogue()
    per_network = max(1, total // len(NETWORK_SIZES))
    cases = []
    for n, size in enumerate(NETWORK_SIZES):
        network = _network(rng, size, first_id=100 * (n + 1), skus=skus)
        cases.append((size, network, _orders(rng, per_network, skus)))
    _log(f"{per_network * len(NETWORK_SIZES)} orders over networks of {', '.join(map(str, NETWORK_SIZES))} "
         f"warehouses; timing allocate(), then solving each order exactly with scipy milp")

    rows = []
    ours_total = optimum_total = Decimal(0)
    seconds = milp_seconds = 0.0
    more_packages = worse = better = infeasible = disagreements = allocated = 0
    split_ours = split_opt = 0
    for size, network, orders in cases:
        start = time.perf_counter()
        results = [allocate(o, sites=network.sites, available=network.available) for o in orders]
        took = time.perf_counter() - start
        seconds += took
        case_ours = case_opt = Decimal(0)
        start = time.perf_counter()
        for request, ours in zip(orders, results, strict=True):
            best = optimum(request, network)
            if (ours is None) != (best is None):
                disagreements += 1
                continue
            if ours is None:
                infeasible += 1
                continue
            allocated += 1
            c_ours, c_opt = _cost(ours.packages), _cost(best)
            case_ours += c_ours
            case_opt += c_opt
            more_packages += len(ours.packages) > len(best)
            worse += c_ours > c_opt
            better += c_ours < c_opt  # would mean the exact solution is not exact
            split_ours += len(ours.packages) > 1
            split_opt += len(best) > 1
        milp_seconds += time.perf_counter() - start
        ours_total += case_ours
        optimum_total += case_opt
        rows.append((size, len(orders), took, case_ours, case_opt))

    ratio = float(ours_total / optimum_total) if optimum_total else 1.0
    rate = sum(r[1] for r in rows) / max(seconds, 1e-9)
    print(f"oms bench allocation — {machine['cpu']}, {machine['cores']} cores, {machine['speed']}, "
          f"Python {machine['python']}")
    print()
    print(f"{'warehouses':>10}  {'orders':>6}  {'orders/s':>9}  {'ours (yuan)':>12}  {'optimum (yuan)':>14}  "
          f"{'ratio':>7}")
    for size, n, took, c_ours, c_opt in rows:
        r = float(c_ours / c_opt) if c_opt else 1.0
        print(f"{size:>10}  {n:>6}  {n / max(took, 1e-9):>9,.0f}  {c_ours:>12,.2f}  {c_opt:>14,.2f}  {r:>7.4f}")
    print()
    print(f"cost = freight + {SPLIT_COST} yuan per extra package; strategy: fewest packages, then cheapest")
    print(f"allocated {allocated} orders ({infeasible} had no possible allocation in either; "
          f"{disagreements} where ours and the optimum disagreed on whether one exists)")
    print(f"split orders: ours {split_ours}, optimum {split_opt}; orders where ours used more packages: "
          f"{more_packages}; orders where ours cost more: {worse}, less: {better}")
    print(f"exact solver time: {milp_seconds:.1f} s ({milp_seconds / max(allocated, 1) * 1000:.1f} ms per order)")
    verdict = "met" if ratio <= TARGET_RATIO and rate >= TARGET_RATE else "MISSED"
    print(f"target: ratio <= {TARGET_RATIO} and >= {TARGET_RATE} orders/s {verdict}")
    print()
    print(f"allocation_cost_ratio={ratio:.4f} allocation_orders_per_s={rate:.0f} orders={allocated} "
          f"more_packages={more_packages} disagreements={disagreements}")
    if disagreements or better:
        print("FAILED: the heuristic and the exact solution disagree on what is possible or cheapest")
        return 1
    return 0
