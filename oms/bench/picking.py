"""`oms bench picking`: how long our pick routes are against the exact optimum, S-shape and largest gap.

Generated layouts (seeded, no database): single-block warehouses (cross aisles at the front and
back only) and multi-block ones (2–3 blocks), 8–16 aisles of 30–60 m, the depot at the front of
the first aisle. Pick lists of 5–30 distinct locations drawn uniformly. For each list:

- ours: `oms.fulfillment.routing.route` (exact up to EXACT_LIMIT locations, then nearest
  neighbour with 2-opt and or-opt);
- the optimum: the travelling-salesman tour over the same shortest-path distances, solved exactly
  with scipy's `milp` (assignment constraints, subtours cut until none is left);
- S-shape and largest gap (single-block layouts only; they are defined for one block).

Ratios are means over the lists of (route length ÷ optimum). Literature (Petersen & Schmenner
1999) puts S-shape about 31 % and largest gap about 7 % above optimal on single blocks.
"""

from __future__ import annotations

import random
import sys
import time
from statistics import mean

from oms.bench.machine import machine_info

DEFAULT_LISTS = 300
SIZES = (5, 8, 12, 20, 30)
TARGET = 1.03
SEED = 20261127


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def optimal_length(layout, spots) -> float:
    """The shortest closed tour from the depot through the spots (exact, by mixed-integer programming)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    from oms.fulfillment.routing import DEPOT, distance

    points = [DEPOT, *dict.fromkeys(spots)]
    n = len(points)
    if n <= 2:
        return 2 * distance(layout, DEPOT, points[-1]) if n == 2 else 0.0
    arcs = [(i, j) for i in range(n) for j in range(n) if i != j]
    index = {a: k for k, a in enumerate(arcs)}
    cost = np.array([distance(layout, points[i], points[j]) for i, j in arcs])
    rows, lo, hi = [], [], []
    for i in range(n):
        out, inn = np.zeros(len(arcs)), np.zeros(len(arcs))
        for j in range(n):
            if i != j:
                out[index[(i, j)]] = 1
                inn[index[(j, i)]] = 1
        rows += [out, inn]
        lo += [1, 1]
        hi += [1, 1]
    while True:
        result = milp(cost, constraints=LinearConstraint(np.array(rows), lo, hi), integrality=np.ones(len(arcs)),
                      bounds=Bounds(0, 1), options={"mip_rel_gap": 0})
        successor = {i: j for (i, j), k in index.items() if result.x[k] > 0.5}
        cycles, seen = [], set()
        for start in range(n):
            if start in seen:
                continue
            cycle, here = [], start
            while here not in seen:
                seen.add(here)
                cycle.append(here)
                here = successor[here]
            cycles.append(cycle)
        if len(cycles) == 1:
            return float(result.fun)
        for cycle in cycles:  # no subtour: fewer arcs inside each cycle's set than its size
            cut = np.zeros(len(arcs))
            for i in cycle:
                for j in cycle:
                    if i != j:
                        cut[index[(i, j)]] = 1
            rows.append(cut)
            lo.append(-np.inf)
            hi.append(len(cycle) - 1)


def _instances(rng: random.Random, lists: int):
    from oms.fulfillment.routing import Layout, Spot

    cases = []
    for n in range(lists):
        blocks = 1 if n % 2 == 0 else rng.choice([2, 3])
        layout = Layout(aisles=rng.randint(8, 16), aisle_length=rng.choice([30.0, 45.0, 60.0]), blocks=blocks)
        size = SIZES[n // 2 % len(SIZES)]
        block_length = layout.aisle_length / blocks
        spots = set()
        while len(spots) < size:
            spots.add(Spot(aisle=rng.randrange(layout.aisles),
                           y=round(layout.y(rng.randrange(blocks), rng.uniform(0.5, block_length - 0.5)), 1)))
        cases.append((layout, sorted(spots, key=lambda s: (s.aisle, s.y))))
    return cases


def run(args) -> int:
    from oms.fulfillment.routing import largest_gap_length, length, route, s_shape_length

    try:
        import scipy  # noqa: F401
    except ImportError:  # pragma: no cover - scipy is a pinned dependency
        print("oms: error: scipy is needed for the exact optimum", file=sys.stderr)
        return 1
    lists = args.orders or DEFAULT_LISTS
    machine = machine_info()
    cases = _instances(random.Random(SEED), lists)
    _log(f"{len(cases)} pick lists of {', '.join(map(str, SIZES))} locations, single- and multi-block layouts")
    ours, sshape, gap, by_size = [], [], [], {}
    ours_s = exact_s = 0.0
    for layout, spots in cases:
        start = time.perf_counter()
        tour = route(layout, spots)
        ours_s += time.perf_counter() - start
        start = time.perf_counter()
        best = optimal_length(layout, spots)
        exact_s += time.perf_counter() - start
        ratio = length(layout, tour) / best
        ours.append(ratio)
        by_size.setdefault((len(spots), layout.blocks == 1), []).append(ratio)
        if layout.blocks == 1:
            sshape.append(s_shape_length(layout, spots) / best)
            gap.append(largest_gap_length(layout, spots) / best)
    print(f"oms bench picking — {machine['cpu']}, {machine['cores']} cores, {machine['speed']}, "
          f"Python {machine['python']}")
    print()
    print(f"{'locations':>9}  {'layout':<12}  {'lists':>5}  {'ours ÷ optimum (mean)':>21}  {'worst':>6}")
    for (size, single), ratios in sorted(by_size.items()):
        print(f"{size:>9}  {'single block' if single else 'multi-block':<12}  {len(ratios):>5}  "
              f"{mean(ratios):>21.4f}  {max(ratios):>6.3f}")
    print()
    print(f"single-block lists: ours {mean(by_size_single(by_size, True)):.4f}, S-shape {mean(sshape):.4f}, "
          f"largest gap {mean(gap):.4f} (÷ optimum, mean of {len(sshape)})")
    print(f"time per list: ours {ours_s / len(cases) * 1000:.1f} ms, exact solver {exact_s / len(cases) * 1000:.1f} ms")
    verdict = "met" if mean(ours) <= TARGET else "MISSED"
    print(f"target: ours within {TARGET - 1:.0%} of optimal on average {verdict}")
    print()
    print(f"route_ratio={mean(ours):.4f} sshape_ratio={mean(sshape):.4f} largest_gap_ratio={mean(gap):.4f} "
          f"lists={len(cases)} route_ms={ours_s / len(cases) * 1000:.2f}")
    return 0


def by_size_single(by_size: dict, single: bool) -> list[float]:
    return [r for (_size, s), ratios in by_size.items() if s == single for r in ratios]
