"""Walking routes through a parallel-aisle warehouse: pure functions, no database.

The layout (manual §2.3.2): vertical pick aisles side by side, joined only by cross aisles that
run across the whole warehouse at the front, at the back and between blocks; the depot (where a
picker starts and ends, the packing area) is at the front of the first aisle. A location is an
aisle and a distance along it. The shortest way between two locations in different aisles goes
along the first aisle to some cross aisle, across, and along the second aisle.

`route` visits a pick list's locations in the order that walks least: exactly (dynamic
programming over subsets) up to EXACT_LIMIT locations, otherwise nearest neighbour improved by
2-opt and or-opt moves. `s_shape` and `largest_gap` are the textbook single-block heuristics,
kept to measure against (`oms bench picking`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

EXACT_LIMIT = 11  # locations routed exactly; 2^11 × 11² steps stay within a few tens of milliseconds


@dataclass(frozen=True)
class Layout:
    aisles: int
    aisle_length: float  # metres of shelving per aisle, all blocks together
    aisle_width: float = 3.0  # centre to centre of neighbouring aisles
    blocks: int = 1  # 1 = cross aisles at the front and back only
    cross_aisle_width: float = 2.0

    def cross_aisles(self) -> list[float]:
        """Positions (along the aisles) of the cross aisles, front first."""
        block = self.aisle_length / self.blocks
        return [i * (block + self.cross_aisle_width) for i in range(self.blocks + 1)]

    def y(self, block: int, offset: float) -> float:
        """The position along the aisle of a spot `offset` metres into block `block` (0 = front)."""
        block_length = self.aisle_length / self.blocks
        return self.cross_aisles()[block] + self.cross_aisle_width / 2 + min(offset, block_length)


@dataclass(frozen=True)
class Spot:
    aisle: int  # 0-based, left to right
    y: float  # position along the aisle (Layout.y)


DEPOT = Spot(aisle=0, y=0.0)


def distance(layout: Layout, a: Spot, b: Spot) -> float:
    """The shortest walk between two spots."""
    if a.aisle == b.aisle:
        return abs(a.y - b.y)
    across = abs(a.aisle - b.aisle) * layout.aisle_width
    return across + min(abs(a.y - c) + abs(c - b.y) for c in layout.cross_aisles())


def length(layout: Layout, tour: list[Spot]) -> float:
    """Length of depot → tour → depot."""
    stops = [DEPOT, *tour, DEPOT]
    return sum(distance(layout, a, b) for a, b in pairwise(stops))


def route(layout: Layout, spots: list[Spot]) -> list[Spot]:
    """The order to visit the spots in, starting and ending at the depot."""
    unique = list(dict.fromkeys(spots))
    if len(unique) <= 2:
        return sorted(unique, key=lambda s: (s.aisle, s.y))
    points = [DEPOT, *unique]
    dist = [[distance(layout, a, b) for b in points] for a in points]
    order = _exact(dist) if len(unique) <= EXACT_LIMIT else _improve(dist, _nearest_neighbour(dist))
    return [points[i] for i in order]


def _exact(dist: list[list[float]]) -> list[int]:
    """Held–Karp: the shortest closed tour from point 0 through all others (indices 1..n)."""
    n = len(dist) - 1
    full = (1 << n) - 1
    inf = float("inf")
    best = [[inf] * n for _ in range(1 << n)]
    parent = [[-1] * n for _ in range(1 << n)]
    for j in range(n):
        best[1 << j][j] = dist[0][j + 1]
    for mask in range(1, full + 1):
        row = best[mask]
        for j in range(n):
            here = row[j]
            if here == inf or not mask >> j & 1:
                continue
            dj = dist[j + 1]
            free = full & ~mask
            while free:
                low = free & -free
                k = low.bit_length() - 1
                nxt = mask | low
                cand = here + dj[k + 1]
                if cand < best[nxt][k]:
                    best[nxt][k] = cand
                    parent[nxt][k] = j
                free ^= low
    last = min(range(n), key=lambda j: best[full][j] + dist[j + 1][0])
    order, mask = [], full
    while last != -1:
        order.append(last + 1)
        last, mask = parent[mask][last], mask & ~(1 << last)
    return order[::-1]


def _nearest_neighbour(dist: list[list[float]]) -> list[int]:
    left, order, here = set(range(1, len(dist))), [], 0
    while left:
        here = min(left, key=lambda k: (dist[here][k], k))
        order.append(here)
        left.remove(here)
    return order


def _tour_length(dist, order: list[int]) -> float:
    stops = [0, *order, 0]
    return sum(dist[a][b] for a, b in pairwise(stops))


def _improve(dist, order: list[int]) -> list[int]:
    """2-opt (reverse a stretch) and or-opt (move a run of 1–3 stops) until neither helps."""
    best = _tour_length(dist, order)
    improved = True
    while improved:
        improved = False
        for i in range(len(order) - 1):
            for j in range(i + 1, len(order)):
                candidate = order[:i] + order[i:j + 1][::-1] + order[j + 1:]
                total = _tour_length(dist, candidate)
                if total < best - 1e-9:
                    order, best, improved = candidate, total, True
        for run in (1, 2, 3):
            for i in range(len(order) - run + 1):
                piece, rest = order[i:i + run], order[:i] + order[i + run:]
                for k in range(len(rest) + 1):
                    if k == i:
                        continue
                    candidate = rest[:k] + piece + rest[k:]
                    total = _tour_length(dist, candidate)
                    if total < best - 1e-9:
                        order, best, improved = candidate, total, True
                        break
    return order


# --- textbook heuristics (single block), for comparison -----------------------------------

def s_shape(layout: Layout, spots: list[Spot]) -> list[Spot]:
    """Enter every aisle that has a pick and walk it end to end, alternating direction; a last odd
    aisle is entered from the front and left the same way."""
    aisles = sorted({s.aisle for s in spots})
    tour: list[Spot] = []
    for n, aisle in enumerate(aisles):
        here = sorted((s for s in spots if s.aisle == aisle), key=lambda s: s.y)
        last_odd = n == len(aisles) - 1 and len(aisles) % 2 == 1
        tour += here if n % 2 == 0 or last_odd else here[::-1]
    return tour


def s_shape_length(layout: Layout, spots: list[Spot]) -> float:
    """Walked length of the S-shape route (through whole aisles, not just between picks)."""
    aisles = sorted({s.aisle for s in spots})
    if not aisles:
        return 0.0
    back = layout.cross_aisles()[-1]
    walk = 2 * aisles[-1] * layout.aisle_width  # across to the farthest aisle and back along the front/back
    for n, aisle in enumerate(aisles):
        if n == len(aisles) - 1 and len(aisles) % 2 == 1:
            walk += 2 * max(s.y for s in spots if s.aisle == aisle)  # in and back out
        else:
            walk += back  # through the aisle
    return walk


def largest_gap_length(layout: Layout, spots: list[Spot]) -> float:
    """Largest gap: walk the first and last aisle with picks through; in every other aisle come in
    from the front and from the back only as far as leaves the largest gap between picks unwalked."""
    aisles = sorted({s.aisle for s in spots})
    if not aisles:
        return 0.0
    back = layout.cross_aisles()[-1]
    if len(aisles) == 1:
        return 2 * max(s.y for s in spots)
    walk = 2 * aisles[-1] * layout.aisle_width + 2 * back  # first and last aisle through, front and back
    for aisle in aisles[1:-1]:
        ys = sorted(s.y for s in spots if s.aisle == aisle)
        gaps = [ys[0], *(b - a for a, b in pairwise(ys)), back - ys[-1]]
        walk += 2 * (back - max(gaps))
    return walk
