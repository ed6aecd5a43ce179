"""Load what the review rules look at, with a fixed number of queries whatever the order's size.

Called inside the review transaction with the order row locked; the stock levels the stock
check reads are locked here too, so the reservation that follows uses the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Q

from oms.channels.selectors import resolve_skus
from oms.inventory.models import StockLevel, Warehouse
from oms.inventory.planning import Want, plan_reservation
from oms.inventory.services import lock_levels
from oms.orders.models import Order, OrderDiscount, OrderLine
from oms.orders.review.models import BlockKind, BlockListEntry, Coupon, HoldResolution, OrderHold, ReviewRuleSetting
from oms.orders.review.rules import CouponFacts, LineFacts, ReviewFacts, phone_key
from oms.orders.status import DiscountKind
from oms.orders.stock_choice_models import withheld_by_line


@dataclass(slots=True)
class LineRow:
    """An order line as the review reads it (plain values: thousands are read per batch)."""

    pk: int
    order_id: int
    line_no: int
    sku_id: int | None
    sku_code: str
    platform_sku: str
    name: str
    spec: str
    quantity: int
    sku_active: bool
    sku_spec: str


_LINE_COLUMNS = ("id", "order_id", "line_no", "sku_id", "sku_code", "platform_sku", "name", "spec", "quantity",
                 "sku__active", "sku__spec")


@dataclass
class Loaded:
    order: Order
    facts: ReviewFacts  # stock_plan is filled by plan_stock(), against the levels as they are then
    lines: list[LineRow]
    coupon_discounts: list[OrderDiscount]
    stockable: list[LineRow]  # lines with an active SKU: what the stock check plans for
    warehouse_ids: list[int]  # active warehouses serving the delivery province, best priority first
    levels: dict[tuple[int, int], StockLevel]  # locked; shared by every order of a batch
    reresolved: list[dict]  # lines whose SKU the current mapping resolved during this review
    acknowledged: set[str]  # reasons a person has accepted on this order (remarks)
    open_holds: list[str]  # codes of the hold reasons open before this review

    def plan_stock(self) -> None:
        """Plan the reservation from what the (locked, shared) levels have available now."""
        if not self.stockable:
            return
        available = {}
        for ln in self.stockable:
            for wh in self.warehouse_ids:
                level = self.levels.get((ln.sku_id, wh))
                if level is not None:
                    available[(ln.sku_id, wh)] = level.available
        self.facts.stock_plan = plan_reservation(
            [Want(ln.pk, ln.sku_id, ln.quantity) for ln in self.stockable],
            available=available, warehouses=self.warehouse_ids,
        )


def rule_settings() -> dict[str, tuple[bool, dict]]:
    return {s.code: (s.enabled, s.params or {}) for s in ReviewRuleSetting.objects.all()}


def _grouped(rows, key) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


def _load_lines(order_ids: list[int]) -> dict[int, list[LineRow]]:
    rows = OrderLine.objects.filter(order_id__in=order_ids).order_by("order_id", "line_no").values_list(
        *_LINE_COLUMNS)
    return _grouped((LineRow(*row[:9], bool(row[9]), row[10] or "") for row in rows), lambda ln: ln.order_id)


def _reresolve(orders: list[Order], lines: dict[int, list[LineRow]]) -> dict[int, list[dict]]:
    """Lines stored without a SKU get another chance: the mapping may have been fixed since."""
    open_lines = [(o, ln) for o in orders for ln in lines.get(o.pk, []) if ln.sku_id is None]
    if not open_lines:
        return {}
    sent = {ln.pk: (ln.platform_sku or ln.sku_code) for _o, ln in open_lines}
    resolved = resolve_skus({(o.channel_id, sent[ln.pk]) for o, ln in open_lines})
    changed: dict[int, list[dict]] = defaultdict(list)
    fixed = []
    for o, ln in open_lines:
        r = resolved.get((o.channel_id, sent[ln.pk]))
        if r is None or r.sku_id is None:
            continue
        changed[o.pk].append({"line": ln.line_no, "sent": sent[ln.pk], "sku": r.code})
        fixed.append(OrderLine(pk=ln.pk, sku_id=r.sku_id, sku_code=r.code, platform_sku=r.platform_sku))
    if fixed:
        OrderLine.objects.bulk_update(fixed, ["sku", "sku_code", "platform_sku"])
    return changed


def load_facts(order: Order) -> Loaded:
    """The facts of one order (its row locked by the caller), stock planned."""
    loaded = load_batch([order])[0]
    loaded.plan_stock()
    return loaded


def load_batch(orders: list[Order]) -> list[Loaded]:
    """The facts of several locked orders with one query per kind of thing, whatever their number and size.

    The stock levels of every SKU and serving warehouse involved are locked here, in the fixed
    order; each order's stock plan is left to `Loaded.plan_stock`, made when its turn comes.
    """
    ids = [o.pk for o in orders]
    lines = _load_lines(ids)
    reresolved = _reresolve(orders, lines)
    if reresolved:  # the SKUs of the fixed lines come along with a fresh read
        lines.update(_load_lines(list(reresolved)))
    discounts = _grouped(
        OrderDiscount.objects.filter(order_id__in=ids, kind=DiscountKind.COUPON).exclude(code=""),
        lambda d: d.order_id,
    )
    ours = {d.code for o in orders if not o.channel.platform_funded_discounts for d in discounts.get(o.pk, [])}
    coupons = {
        c.code: CouponFacts(code=c.code, active=c.active, channel_id=c.channel_id, min_spend=c.min_spend,
                            valid_from=c.valid_from, valid_until=c.valid_until, max_uses=c.max_uses,
                            used_count=c.used_count)
        for c in Coupon.objects.filter(code__in=ours)
    } if ours else {}
    phones = {phone_key(p) for o in orders for p in (o.ship_phone, o.customer_phone) if p}
    blocked_phones, blocked_addresses = {}, {}
    for entry in BlockListEntry.objects.filter(
        Q(kind=BlockKind.ADDRESS) | Q(kind=BlockKind.PHONE, value__in=phones), active=True,
    ).only("kind", "value", "reason"):
        if entry.kind == BlockKind.PHONE:
            blocked_phones[entry.value] = entry.reason
        else:
            blocked_addresses[entry.value] = entry.reason

    # Units the buyer's out-of-stock choice held back (cancelled, or waiting after a partial
    # shipment) are not planned for; a line with none left is not planned at all.
    withheld = withheld_by_line(ids)
    stockable = {o.pk: [replace(ln, quantity=ln.quantity - withheld.get(ln.pk, 0)) for ln in lines.get(o.pk, [])
                        if ln.sku_id is not None and ln.sku_active and ln.quantity > withheld.get(ln.pk, 0)]
                 for o in orders}
    serving: dict[int, list[int]] = {}
    levels: dict[tuple[int, int], StockLevel] = {}
    if any(stockable.values()):
        warehouses = list(Warehouse.objects.filter(active=True))
        by_province: dict[str, list[int]] = {}
        for o in orders:
            if o.ship_province not in by_province:
                by_province[o.ship_province] = [w.pk for w in warehouses if w.serves(o.ship_province)]
            serving[o.pk] = by_province[o.ship_province]
        levels = lock_levels({ln.sku_id for group in stockable.values() for ln in group},
                             {wh for o in orders if stockable[o.pk] for wh in serving[o.pk]})

    holds: dict[int, tuple[set[str], list[str]]] = {o.pk: (set(), []) for o in orders}
    for order_id, code, cleared_at, resolution in OrderHold.objects.filter(
        Q(cleared_at__isnull=True) | Q(resolution=HoldResolution.ACKNOWLEDGED), order_id__in=ids,
    ).values_list("order_id", "code", "cleared_at", "resolution"):
        if resolution == HoldResolution.ACKNOWLEDGED:
            holds[order_id][0].add(code)
        elif cleared_at is None:
            holds[order_id][1].append(code)

    result = []
    for o in orders:
        own_lines, codes = lines.get(o.pk, []), [d.code for d in discounts.get(o.pk, [])]
        own_phones = {phone_key(p) for p in (o.ship_phone, o.customer_phone) if p}
        mine = not o.channel.platform_funded_discounts
        result.append(Loaded(
            order=o, facts=_facts(o, own_lines, codes, {c: coupons[c] for c in codes if mine and c in coupons},
                                  {p: r for p, r in blocked_phones.items() if p in own_phones}, blocked_addresses),
            lines=own_lines, coupon_discounts=discounts.get(o.pk, []), stockable=stockable[o.pk],
            warehouse_ids=serving.get(o.pk, []), levels=levels, reresolved=reresolved.get(o.pk, []),
            acknowledged=holds[o.pk][0], open_holds=sorted(holds[o.pk][1]),
        ))
    return result


def _facts(order: Order, lines: list[LineRow], coupon_codes: list[str], coupons: dict[str, CouponFacts],
           blocked_phones: dict[str, str], blocked_addresses: dict[str, str]) -> ReviewFacts:
    channel = order.channel
    return ReviewFacts(
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
                      sku_active=ln.sku_active, sku_spec=ln.sku_spec)
            for ln in lines
        ],
        coupon_codes=coupon_codes, coupons=coupons,
        blocked_phones=blocked_phones, blocked_addresses=blocked_addresses,
        stock_plan=None, sku_codes={ln.sku_id: ln.sku_code for ln in lines if ln.sku_id},
    )
