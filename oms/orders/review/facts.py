"""Load what the review rules look at, with a fixed number of queries whatever the order's size.

Called inside the review transaction with the order row locked; the stock levels the stock
check reads are locked here too, so the reservation that follows uses the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from oms.channels.selectors import resolve_skus
from oms.inventory.models import StockLevel, Warehouse
from oms.inventory.planning import Plan, Want, plan_reservation
from oms.inventory.services import lock_levels
from oms.orders.models import Order, OrderLine
from oms.orders.review.models import BlockKind, BlockListEntry, Coupon, HoldResolution, ReviewRuleSetting
from oms.orders.review.rules import CouponFacts, LineFacts, ReviewFacts, phone_key
from oms.orders.status import DiscountKind


@dataclass
class Loaded:
    facts: ReviewFacts
    lines: list[OrderLine]
    levels: dict[tuple[int, int], StockLevel]
    reresolved: list[dict]  # lines whose SKU the current mapping resolved during this review
    acknowledged: set[str]  # reasons a person has accepted on this order (remarks)
    open_holds: list[str]  # codes of the hold reasons open before this review


def rule_settings() -> dict[str, tuple[bool, dict]]:
    return {s.code: (s.enabled, s.params or {}) for s in ReviewRuleSetting.objects.all()}


def _reresolve(order: Order, lines: list[OrderLine]) -> list[dict]:
    """Lines stored without a SKU get another chance: the mapping may have been fixed since."""
    open_lines = [ln for ln in lines if ln.sku_id is None]
    if not open_lines:
        return []
    sent = {ln.pk: (ln.platform_sku or ln.sku_code) for ln in open_lines}
    resolved = resolve_skus({(order.channel_id, code) for code in sent.values()})
    changed = []
    for ln in open_lines:
        r = resolved.get((order.channel_id, sent[ln.pk]))
        if r is None or r.sku_id is None:
            continue
        changed.append({"line": ln.line_no, "sent": sent[ln.pk], "sku": r.code})
        ln.sku_id, ln.sku_code, ln.platform_sku = r.sku_id, r.code, r.platform_sku
    if changed:
        OrderLine.objects.bulk_update([ln for ln in open_lines if ln.sku_id], ["sku", "sku_code", "platform_sku"])
    return changed


def load_facts(order: Order) -> Loaded:
    lines = list(order.lines.select_related("sku").order_by("line_no"))
    reresolved = _reresolve(order, lines)
    if reresolved:
        lines = list(order.lines.select_related("sku").order_by("line_no"))
    channel = order.channel
    coupon_codes = [d.code for d in order.discounts.all() if d.kind == DiscountKind.COUPON and d.code]
    coupons = {
        c.code: CouponFacts(code=c.code, active=c.active, channel_id=c.channel_id, min_spend=c.min_spend,
                            valid_from=c.valid_from, valid_until=c.valid_until, max_uses=c.max_uses,
                            used_count=c.used_count)
        for c in Coupon.objects.filter(code__in=coupon_codes)
    } if coupon_codes and not channel.platform_funded_discounts else {}
    phones = {phone_key(p) for p in (order.ship_phone, order.customer_phone) if p}
    blocked_phones, blocked_addresses = {}, {}
    for entry in BlockListEntry.objects.filter(
        Q(kind=BlockKind.ADDRESS) | Q(kind=BlockKind.PHONE, value__in=phones), active=True,
    ).only("kind", "value", "reason"):
        if entry.kind == BlockKind.PHONE:
            blocked_phones[entry.value] = entry.reason
        else:
            blocked_addresses[entry.value] = entry.reason

    stockable = [ln for ln in lines if ln.sku_id is not None and ln.sku.active]
    levels: dict[tuple[int, int], StockLevel] = {}
    plan: Plan | None = None
    if stockable:
        warehouses = [w for w in Warehouse.objects.filter(active=True) if w.serves(order.ship_province)]
        wh_ids = [w.pk for w in warehouses]
        levels = lock_levels([ln.sku_id for ln in stockable], wh_ids)
        plan = plan_reservation(
            [Want(ln.pk, ln.sku_id, ln.quantity) for ln in stockable],
            available={k: lv.available for k, lv in levels.items()},
            warehouses=wh_ids,
        )

    facts = ReviewFacts(
        order_no=order.order_no, channel_id=order.channel_id,
        channel_cod_allowed=channel.cod_allowed, channel_cod_limit=channel.cod_limit,
        channel_platform_funded_discounts=channel.platform_funded_discounts,
        placed_at=order.placed_at, customer_phone=order.customer_phone, ship_phone=order.ship_phone,
        province=order.ship_province, city=order.ship_city, district=order.ship_district,
        detail=order.ship_detail, postcode=order.ship_postcode,
        goods_total=order.goods_total, payable_amount=order.payable_amount, paid_amount=order.paid_amount,
        payment_status=order.payment_status, payment_method=order.payment_method,
        transaction_id=order.transaction_id, buyer_remark=order.buyer_remark,
        invoice_type=order.invoice_type, invoice_title=order.invoice_title,
        lines=[
            LineFacts(line_id=ln.pk, line_no=ln.line_no, sku_code=ln.sku_code, platform_sku=ln.platform_sku,
                      name=ln.name, spec=ln.spec, quantity=ln.quantity, sku_id=ln.sku_id,
                      sku_active=bool(ln.sku and ln.sku.active), sku_spec=ln.sku.spec if ln.sku else "")
            for ln in lines
        ],
        coupon_codes=coupon_codes, coupons=coupons,
        blocked_phones=blocked_phones, blocked_addresses=blocked_addresses,
        stock_plan=plan, sku_codes={ln.sku_id: ln.sku_code for ln in lines if ln.sku_id},
    )
    acknowledged, open_holds = set(), []
    for code, cleared_at, resolution in order.holds.filter(
        Q(cleared_at__isnull=True) | Q(resolution=HoldResolution.ACKNOWLEDGED)
    ).values_list("code", "cleared_at", "resolution"):
        if resolution == HoldResolution.ACKNOWLEDGED:
            acknowledged.add(code)
        elif cleared_at is None:
            open_holds.append(code)
    return Loaded(facts=facts, lines=lines, levels=levels, reresolved=reresolved, acknowledged=acknowledged,
                  open_holds=sorted(open_holds))
