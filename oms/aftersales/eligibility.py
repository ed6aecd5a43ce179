"""Whether an after-sales request is within the rules (manual §2.6.1): pure, tested without a database.

Two kinds of answers:
- hard refusals (`QuantityNotAvailable`, `NotShippedUseCancellation`): nobody accepts these — more
  units than the line has left can never be returned or refunded, and an order that has not
  shipped is cancelled, not returned;
- findings: the request is outside the policy (late, units not shipped, delivered per the
  carrier); a supervisor may accept it with a reason, otherwise it is refused listing them.

The windows run from delivery: the carrier's delivery time, else the buyer's receipt
confirmation, else the shipping time. Starting from shipping when nothing else is known is the
strict reading: a buyer whose parcel never arrived asks for a refund-only "not received" instead,
which has no window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from oms.aftersales.status import RequestKind, RequestReason

# Reasons that are the seller's or the carrier's fault: the longer after-sales window applies.
NOT_RECEIVED_KINDS = frozenset({RequestKind.REFUND_ONLY})


@dataclass(frozen=True)
class LineFacts:
    """What happened so far to one order line, in units."""

    line_id: int
    line_no: int
    ordered: int
    shipped: int = 0  # in shipped or delivered packages (replacement parcels included)
    delivered: int = 0  # in packages the carrier reported delivered
    refunded: int = 0  # held by live refunds
    exchanged: int = 0  # received back on exchange requests (replaced, not refunded)
    in_open_requests: int = 0  # in other open after-sales requests


@dataclass(frozen=True)
class OrderFacts:
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    completed_at: datetime | None
    return_window_days: int  # the channel's no-reason window
    after_sales_window_days: int  # quality, wrong item, damaged, not as described, other
    lost: bool = False  # tracking or a logistics exception says the parcel is lost


@dataclass
class Assessment:
    findings: list[dict] = field(default_factory=list)  # overridable by a supervisor
    over_quantity: list[dict] = field(default_factory=list)  # never accepted
    before_shipment: bool = False  # never accepted: cancellation is the path

    @property
    def refused(self) -> bool:
        return bool(self.over_quantity) or self.before_shipment


def window_start(order: OrderFacts) -> datetime | None:
    """When the buyer had the goods: delivery, else receipt confirmation, else shipping."""
    return order.delivered_at or order.completed_at or order.shipped_at


def assess(*, kind: str, reason: str, order: OrderFacts, lines: list[LineFacts], wanted: dict[int, int],
           now: datetime) -> Assessment:
    """Check a request for `wanted` (order line id → units) against the order's facts at `now`."""
    result = Assessment()
    by_id = {ln.line_id: ln for ln in lines}
    if order.status == "cancelled" or not any(ln.shipped for ln in lines):
        result.before_shipment = True
        return result
    for line_id, units in sorted(wanted.items(), key=lambda kv: by_id[kv[0]].line_no):
        ln = by_id[line_id]
        left = ln.ordered - ln.refunded - ln.in_open_requests
        if units > left:
            result.over_quantity.append({"line_no": ln.line_no, "asked": units, "left": max(left, 0)})
            continue
        returnable = ln.shipped - ln.refunded - ln.exchanged - ln.in_open_requests
        if units > returnable:
            result.findings.append({"code": "line_not_shipped", "line_no": ln.line_no, "asked": units,
                                    "shipped_left": max(returnable, 0)})
    if result.over_quantity:
        return result
    if reason == RequestReason.NOT_RECEIVED:
        # Refund-only: the goods must still be on the road (or lost), not reported delivered.
        delivered = any(by_id[k].delivered >= by_id[k].shipped and by_id[k].shipped for k in wanted)
        if delivered and not order.lost:
            result.findings.append({"code": "delivered_per_carrier"})
        return result
    start = window_start(order)
    if start is None:
        return result
    days = order.return_window_days if reason == RequestReason.NO_REASON else order.after_sales_window_days
    deadline = start + timedelta(days=days)
    if now > deadline:
        code = "outside_no_reason_window" if reason == RequestReason.NO_REASON else "outside_after_sales_window"
        result.findings.append({"code": code, "days": days, "since": start.isoformat(),
                                "deadline": deadline.isoformat()})
    return result


def input_problems(*, kind: str, reason: str) -> dict[str, list[str]]:
    """Kind and reason combinations that make no sense, by field (empty when fine)."""
    problems: dict[str, list[str]] = {}
    if kind not in RequestKind.values:
        problems["kind"] = [_("One of: %(choices)s.") % {"choices": ", ".join(RequestKind.values)}]
    if reason not in RequestReason.values:
        problems["reason"] = [_("One of: %(choices)s.") % {"choices": ", ".join(RequestReason.values)}]
    if not problems and reason == RequestReason.NOT_RECEIVED and kind not in NOT_RECEIVED_KINDS:
        problems["reason"] = [_("Not received goes with a refund-only request: nothing can be returned or "
                                "exchanged.")]
    return problems
