"""Review actions: run the rules, hold with every reason or approve with stock reserved.

Every action locks the order first, then (through facts/inventory) the stock levels in
(sku, warehouse) order, records one audit event and sends messages through the outbox.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import OVERRIDE_REVIEW, REVIEW_ORDERS
from oms.audit.services import build_event, record
from oms.core.bulk_insert import insert_rows
from oms.core.errors import BusinessRuleViolation, Conflict, ValidationFailed
from oms.inventory import services as stock
from oms.notifications.outbox import enqueue, enqueue_many
from oms.orders.entry import lock_order
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order, OrderDiscount
from oms.orders.review.facts import Loaded, load_batch, load_facts, rule_settings
from oms.orders.review.models import Coupon, HoldResolution, OrderHold
from oms.orders.review.rules import Finding, run_rules
from oms.orders.status import OrderStatus, check_transition

REVIEWABLE = (OrderStatus.PENDING_REVIEW, OrderStatus.ON_HOLD)


class NotAwaitingReview(Conflict):
    code = "not_awaiting_review"
    default_message = _("Only orders waiting for review or on hold can be reviewed.")


class CannotOverride(BusinessRuleViolation):
    code = "cannot_override"
    default_message = _("Stock cannot be reserved for this order: unknown or inactive SKUs and missing stock "
                        "cannot be approved anyway. Fix the SKU or wait for stock.")


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = _("Give a reason.")


@dataclass(frozen=True)
class ReviewOutcome:
    order: Order
    passed: bool
    findings: list[Finding]


def review_order(*, order_no: str, actor: Actor, trigger: str = "manual") -> ReviewOutcome:
    """Run every enabled rule on the order: approve it with stock reserved, or hold it with all reasons."""
    if actor.user is not None:
        require(actor, REVIEW_ORDERS)
    with transaction.atomic():
        # The channel comes along (the rules read its settings); only the order row is locked.
        order = Order.objects.select_for_update(of=("self",)).select_related("channel").filter(
            order_no=order_no).first()
        if order is None:
            raise OrderNotFound(details={"order_no": order_no})
        return review_locked(order, actor=actor, trigger=trigger)


def review_orders(*, order_nos: list[str], actor: Actor, trigger: str) -> list[ReviewOutcome]:
    """Review many orders in one transaction, in the given order; those no longer awaiting review are skipped.

    The worker's path for a burst of new or paid orders: one read per kind of fact for the whole
    batch, the stock of each order planned against what the orders before it left, one write
    per kind of row. The outcomes are the same as reviewing the orders one by one.
    """
    if actor.user is not None:
        require(actor, REVIEW_ORDERS)
    if not order_nos:
        return []
    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).select_related("channel").filter(
            order_no__in=set(order_nos), status__in=REVIEWABLE).order_by("id")  # the fixed lock order
        by_no = {o.order_no: o for o in locked}
        orders = [by_no.pop(no) for no in order_nos if no in by_no]
        return _review_batch(orders, actor=actor, trigger=trigger) if orders else []


def review_locked(order: Order, *, actor: Actor, trigger: str) -> ReviewOutcome:
    """The review itself, for actions that already hold the order's lock in their transaction."""
    if order.status not in REVIEWABLE:
        raise NotAwaitingReview(details={"order_no": order.order_no, "status": order.status})
    return _review_batch([order], actor=actor, trigger=trigger)[0]


def _review_batch(orders: list[Order], *, actor: Actor, trigger: str) -> list[ReviewOutcome]:
    batch = load_batch(orders)
    settings = rule_settings()
    reserving = stock.ReservationBatch(levels=batch[0].levels, actor=actor)
    claims = _CouponClaims(batch)
    outcomes, passed, held = [], [], []
    for loaded in batch:
        loaded.plan_stock()
        claims.update_facts(loaded)
        findings, ran = run_rules(loaded.facts, settings)
        findings = [f for f in findings if f.code not in loaded.acknowledged]
        if not findings:
            findings = claims.claim(loaded)
        if findings:
            held.append((loaded, findings, ran))
        else:
            plan = loaded.facts.stock_plan
            reserving.add(order=loaded.order, takes=plan.takes if plan else [])
            passed.append((loaded, ran))
        outcomes.append(ReviewOutcome(order=loaded.order, passed=not findings, findings=findings))
    reserving.write()
    claims.write()
    _write_outcomes(passed, held, actor=actor, trigger=trigger)
    return outcomes


class _CouponClaims:
    """Uses of our coupons by the orders that pass, counted on the locked coupon rows.

    The rows are locked (in code order, after the stock levels) when the first passing order
    needs them; a coupon used up by an earlier order of the batch is a finding for a later one.
    """

    def __init__(self, batch: list[Loaded]):
        self.codes = sorted({c for loaded in batch for c in loaded.facts.coupons})
        self.locked: dict[str, Coupon] | None = None
        self.counted: list[OrderDiscount] = []
        self.uses: dict[str, int] = defaultdict(int)  # counted by earlier orders of this batch

    def update_facts(self, loaded: Loaded) -> None:
        """Let the coupon rule see the uses earlier orders of the batch counted, as one by one it would."""
        if self.uses and loaded.facts.coupons:
            loaded.facts.coupons = {code: replace(c, used_count=c.used_count + self.uses[code]) if self.uses.get(
                code) else c for code, c in loaded.facts.coupons.items()}

    def claim(self, loaded: Loaded, *, strict: bool = True) -> list[Finding]:
        """Count this order's use of each of our coupons; with strict=False a used-up one is passed over."""
        ours = sorted(set(loaded.facts.coupon_codes) & loaded.facts.coupons.keys())
        if not ours:
            return []
        if self.locked is None:
            self.locked = {c.code: c for c in Coupon.objects.select_for_update().filter(
                code__in=self.codes).order_by("code")}
        coupons = [self.locked[c] for c in ours if c in self.locked]
        exhausted = [c.code for c in coupons if c.max_uses is not None and c.used_count >= c.max_uses]
        if exhausted and strict:
            return [Finding("coupon_invalid", {"coupons": [{"coupon": c, "problem": "use_limit_reached"}
                                                           for c in exhausted]})]
        counted = {c.code for c in coupons if c.code not in exhausted}
        for coupon in coupons:
            if coupon.code in counted:
                coupon.used_count += 1
                self.uses[coupon.code] += 1
        for discount in loaded.coupon_discounts:
            if discount.code in counted and not discount.use_counted:
                discount.use_counted = True
                self.counted.append(discount)
        return []

    def write(self) -> None:
        if not self.counted:
            return
        Coupon.objects.bulk_update(list(self.locked.values()), ["used_count"])
        OrderDiscount.objects.bulk_update(self.counted, ["use_counted"])


def _write_outcomes(passed: list[tuple[Loaded, list[str]]], held: list[tuple[Loaded, list[Finding], list[str]]],
                    *, actor: Actor, trigger: str) -> None:
    """Holds, audit events, statuses and messages of a reviewed batch, one statement per kind of row."""
    now = timezone.now()
    events, new_holds = [], []
    for loaded, ran in passed:
        order = loaded.order
        events.append(build_event(
            order=order, action="review_passed", actor=actor, at=now, changes=_status_change(order),
            data={"trigger": trigger, "rules": ran, **_reserved_data(loaded), **_resolved_data(loaded)}))
    for loaded, findings, ran in held:
        order = loaded.order
        new_holds += [OrderHold(order=order, code=f.code, details=f.details) for f in findings]
        changes = {}
        if order.status != OrderStatus.ON_HOLD:
            changes["status"] = [order.status, OrderStatus.ON_HOLD]
        after = sorted(f.code for f in findings)
        if loaded.open_holds != after:
            changes["hold_reasons"] = [loaded.open_holds, after]
        events.append(build_event(
            order=order, action="review_held", actor=actor, at=now, changes=changes,
            data={"trigger": trigger, "rules": ran, "findings": [{"code": f.code, **f.details} for f in findings],
                  **_resolved_data(loaded)}))
    for resolution, group in ((HoldResolution.PASSED, [p[0] for p in passed]),
                              (HoldResolution.REVIEWED, [h[0] for h in held])):
        had_holds = [loaded.order.pk for loaded in group if loaded.open_holds]
        if had_holds:
            OrderHold.objects.filter(order_id__in=had_holds, cleared_at__isnull=True).update(
                cleared_at=now, resolution=resolution)
    if new_holds:
        insert_rows(new_holds)
    insert_rows(events)
    _set_statuses([p[0].order for p in passed], OrderStatus.PENDING_SHIPMENT, now)
    _set_statuses([h[0].order for h in held], OrderStatus.ON_HOLD, now)
    if passed:
        enqueue_many("order.approved", [{"order_no": p[0].order.order_no} for p in passed])


def _set_statuses(orders: list[Order], status: str, now) -> None:
    moving = [o for o in orders if o.status != status]
    for order in moving:
        check_transition(order.status, status)
        order.status, order.updated_at = status, now
    if moving:
        Order.objects.filter(pk__in=[o.pk for o in moving]).update(status=status, updated_at=now)


def _status_change(order: Order) -> dict:
    if order.status == OrderStatus.PENDING_SHIPMENT:
        return {}
    return {"status": [order.status, OrderStatus.PENDING_SHIPMENT]}


def _set_status(order: Order, status: str) -> None:
    if order.status != status:
        check_transition(order.status, status)
        order.status = status
        order.save(update_fields=["status", "updated_at"])


def _reserved_data(loaded: Loaded) -> dict:
    plan = loaded.facts.stock_plan
    if not plan:
        return {}
    codes = loaded.facts.sku_codes
    return {"reserved": [{"sku": codes.get(t.sku_id), "warehouse_id": t.warehouse_id, "quantity": t.quantity}
                         for t in plan.takes]}


def _resolved_data(loaded: Loaded) -> dict:
    return {"resolved_lines": loaded.reresolved} if loaded.reresolved else {}


@transaction.atomic
def approve_anyway(*, order_no: str, actor: Actor, reason: str) -> Order:
    """Approve a held order despite its reasons (not for missing stock or unknown SKUs); the reason is kept."""
    require(actor, OVERRIDE_REVIEW)
    if not reason.strip():
        raise ReasonRequired(details={"reason": reason})
    order = lock_order(order_no)
    if order.status != OrderStatus.ON_HOLD:
        raise NotAwaitingReview(details={"order_no": order_no, "status": order.status})
    loaded = load_facts(order)
    stockable = {ln.line_id for ln in loaded.facts.lines if ln.sku_id is not None and ln.sku_active}
    plan = loaded.facts.stock_plan
    if len(stockable) != len(loaded.facts.lines) or plan is None or not plan.ok:
        raise CannotOverride(details={"order_no": order_no})
    overridden = list(OrderHold.objects.filter(order=order, cleared_at__isnull=True).values("code", "details"))
    claims = _CouponClaims([loaded])
    claims.claim(loaded, strict=False)  # counted as on a pass; a cancellation gives them back
    claims.write()
    stock.reserve(order=order, takes=plan.takes, levels=loaded.levels, actor=actor)
    OrderHold.objects.filter(order=order, cleared_at__isnull=True).update(
        cleared_at=timezone.now(), resolution=HoldResolution.OVERRIDDEN
    )
    record(order, "review_overridden", actor=actor, reason=reason.strip()[:200],
           changes={"status": [order.status, OrderStatus.PENDING_SHIPMENT]},
           data={"overridden": [{"code": h["code"], **h["details"]} for h in overridden],
                 **_reserved_data(loaded)})
    _set_status(order, OrderStatus.PENDING_SHIPMENT)
    enqueue("order.approved", {"order_no": order.order_no})
    return order
