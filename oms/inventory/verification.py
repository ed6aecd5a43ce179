"""Proof that the stock ledger and the stock levels agree (`oms stock verify`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from oms.inventory.models import Reservation, ReservationStatus, StockLevel, StockMovement


@dataclass(frozen=True)
class Mismatch:
    sku: str
    warehouse: str
    what: str  # "on_hand", "reserved" or "reservations"
    level: int
    expected: int


@dataclass(frozen=True)
class VerifyReport:
    levels: int
    movements: int
    mismatches: list[Mismatch]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def verify_stock() -> VerifyReport:
    """Compare each stock level with the sums of its ledger rows and its active reservations."""
    sums = {
        (r["sku_id"], r["warehouse_id"]): (r["on_hand"] or 0, r["reserved"] or 0)
        for r in StockMovement.objects.values("sku_id", "warehouse_id").annotate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")).order_by()
    }
    held = {
        (r["sku_id"], r["warehouse_id"]): r["qty"] or 0
        for r in Reservation.objects.filter(status=ReservationStatus.ACTIVE)
        .values("sku_id", "warehouse_id").annotate(qty=Sum("quantity")).order_by()
    }
    mismatches: list[Mismatch] = []
    levels = StockLevel.objects.select_related("sku", "warehouse")
    seen = set()
    for lv in levels:
        key = (lv.sku_id, lv.warehouse_id)
        seen.add(key)
        on_hand, reserved = sums.get(key, (0, 0))
        for what, level, expected in (("on_hand", lv.on_hand, on_hand), ("reserved", lv.reserved, reserved),
                                      ("reservations", lv.reserved, held.get(key, 0))):
            if level != expected:
                mismatches.append(Mismatch(lv.sku.code, lv.warehouse.code, what, level, expected))
    for key in (sums.keys() | held.keys()) - seen:
        mismatches.append(Mismatch(str(key[0]), str(key[1]), "missing_level", 0, sums.get(key, (0, 0))[0]))
    return VerifyReport(levels=len(seen), movements=StockMovement.objects.count(), mismatches=mismatches)
