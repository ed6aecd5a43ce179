"""Which box a package goes in: a pure function over item sizes and the box catalogue.

The smallest box (by volume, then cost) such that every item fits on its own in some orientation,
the items together take at most FILL of the inside volume (less with protective material around
fragile items), and the load stays within the box's limit. Items without dimensions count by
weight only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

FILL = 0.85  # items never fill a box completely
FRAGILE_FILL = 0.6  # room for bubble wrap or air cushions around fragile items


@dataclass(frozen=True)
class Box:
    code: str
    length_mm: int
    width_mm: int
    height_mm: int
    max_weight_g: int
    cost: Decimal

    @property
    def volume(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm


@dataclass(frozen=True)
class Unit:
    length_mm: int
    width_mm: int
    height_mm: int
    weight_g: int
    fragile: bool = False


@dataclass(frozen=True)
class Suggestion:
    box: Box
    protective_material: bool  # fragile items: pad them


def _fits(unit: Unit, box: Box) -> bool:
    if not (unit.length_mm and unit.width_mm and unit.height_mm):
        return True
    return all(u <= b for u, b in zip(sorted((unit.length_mm, unit.width_mm, unit.height_mm)),
                                       sorted((box.length_mm, box.width_mm, box.height_mm)), strict=True))


def suggest_box(units: list[Unit], boxes: list[Box]) -> Suggestion | None:
    """The smallest fitting box, or None when nothing in the catalogue holds these items."""
    fragile = any(u.fragile for u in units)
    fill = FRAGILE_FILL if fragile else FILL
    volume = sum(u.length_mm * u.width_mm * u.height_mm for u in units)
    weight = sum(u.weight_g for u in units)
    for box in sorted(boxes, key=lambda b: (b.volume, b.cost, b.code)):
        if weight > box.max_weight_g or volume > box.volume * fill:
            continue
        if all(_fits(u, box) for u in units):
            return Suggestion(box=box, protective_material=fragile)
    return None
