"""Review actions: run the rules, hold with every reason or approve with stock reserved.

Every action locks the order first, then (through facts/inventory) the stock levels in
(sku, warehouse) order, records one audit event and sends messages through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import OVERRIDE_REVIEW, REVIEW_ORDERS
from oms.audit.services import record
from oms.core.errors import BusinessRuleViolation, Conflict, ValidationFailed
from oms.inventory import services as stock
from oms.notifications.outbox import enqueue
from oms.orders.entry import lock_order
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order, OrderDiscount
from oms.orders.review.facts import Loaded, load_facts, rule_settings
from oms.orders.review.models import Coupon, HoldResolution, OrderHold
from oms.orders.review.rules import Finding, run_rules
from oms.orders.status import DiscountKind, OrderStatus, check_transition

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


def review_locked(order: Order, *, actor: Actor, trigger: str) -> ReviewOutcome:
    """The review itself, for actions that already hold the order's lock in their transaction."""
    if order.status not in REVIEWABLE:
        raise NotAwaitingReview(details={"order_no": order.order_no, "status": order.status})
    loaded = load_facts(order)
    findings, ran = run_rules(loaded.facts, rule_settings())
    findings = [f for f in findings if f.code not in loaded.acknowledged]
    if not findings:
        findings = _claim_coupons(order, loaded)
    if findings:
        _hold(order, loaded, findings, ran=ran, actor=actor, trigger=trigger)
        return ReviewOutcome(order=order, passed=False, findings=findings)
    _approve(order, loaded, actor=actor)
    record(order, "review_passed", actor=actor, changes=_status_change(order),
           data={"trigger": trigger, "rules": ran, **_reserved_data(loaded), **_resolved_data(loaded)})
    _set_status(order, OrderStatus.PENDING_SHIPMENT)
    return ReviewOutcome(order=order, passed=True, findings=[])


def _claim_coupons(order: Order, loaded: Loaded, *, strict: bool = True) -> list[Finding]:
    """Count this order's use of each of our coupons; one used up meanwhile becomes a finding.

    With strict=False (approve anyway) a used-up coupon is passed over instead.
    """
    ours = sorted(set(loaded.facts.coupon_codes) & loaded.facts.coupons.keys())
    if not ours:
        return []
    locked = list(Coupon.objects.select_for_update().filter(code__in=ours).order_by("code"))
    exhausted = [c.code for c in locked if c.max_uses is not None and c.used_count >= c.max_uses]
    if exhausted and strict:
        return [Finding("coupon_invalid", {"coupons": [{"coupon": c, "problem": "use_limit_reached"}
                                                       for c in exhausted]})]
    counted = [c for c in locked if c.code not in exhausted]
    Coupon.objects.filter(pk__in=[c.pk for c in counted]).update(used_count=F("used_count") + 1)
    OrderDiscount.objects.filter(order=order, kind=DiscountKind.COUPON, code__in=[c.code for c in counted],
                                 use_counted=False).update(use_counted=True)
    return []


def _status_change(order: Order) -> dict:
    if order.status == OrderStatus.PENDING_SHIPMENT:
        return {}
    return {"status": [order.status, OrderStatus.PENDING_SHIPMENT]}


def _set_status(order: Order, status: str) -> None:
    if order.status != status:
        check_transition(order.status, status)
        order.status = status
        order.save(update_fields=["status", "updated_at"])


def _approve(order: Order, loaded: Loaded, *, actor: Actor) -> None:
    plan = loaded.facts.stock_plan
    stock.reserve(order=order, takes=plan.takes if plan else [], levels=loaded.levels, actor=actor)
    if loaded.open_holds:
        OrderHold.objects.filter(order=order, cleared_at__isnull=True).update(
            cleared_at=timezone.now(), resolution=HoldResolution.PASSED
        )
    enqueue("order.approved", {"order_no": order.order_no})


def _reserved_data(loaded: Loaded) -> dict:
    plan = loaded.facts.stock_plan
    if not plan:
        return {}
    codes = loaded.facts.sku_codes
    return {"reserved": [{"sku": codes.get(t.sku_id), "warehouse_id": t.warehouse_id, "quantity": t.quantity}
                         for t in plan.takes]}


def _resolved_data(loaded: Loaded) -> dict:
    return {"resolved_lines": loaded.reresolved} if loaded.reresolved else {}


def _hold(order: Order, loaded: Loaded, findings: list[Finding], *, ran: list[str], actor: Actor,
          trigger: str) -> None:
    now = timezone.now()
    before = loaded.open_holds
    if before:
        OrderHold.objects.filter(order=order, cleared_at__isnull=True).update(
            cleared_at=now, resolution=HoldResolution.REVIEWED
        )
    OrderHold.objects.bulk_create([OrderHold(order=order, code=f.code, details=f.details) for f in findings])
    changes = {}
    if order.status != OrderStatus.ON_HOLD:
        changes["status"] = [order.status, OrderStatus.ON_HOLD]
    after = sorted(f.code for f in findings)
    if before != after:
        changes["hold_reasons"] = [before, after]
    record(order, "review_held", actor=actor, changes=changes,
           data={"trigger": trigger, "rules": ran, "findings": [{"code": f.code, **f.details} for f in findings],
                 **_resolved_data(loaded)})
    _set_status(order, OrderStatus.ON_HOLD)


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
    _claim_coupons(order, loaded, strict=False)  # counted as on a pass; a cancellation gives them back
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
