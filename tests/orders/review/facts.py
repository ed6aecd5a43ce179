"""A ReviewFacts that passes every rule; tests change one thing at a time."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from oms.inventory.planning import Plan
from oms.orders.review.rules import LineFacts, ReviewFacts

GOOD = ReviewFacts(
    order_no="26112600000001", channel_id=1, channel_cod_allowed=True, channel_cod_limit=Decimal("3000"),
    channel_platform_funded_discounts=False, placed_at=datetime(2026, 11, 26, 2, 15, tzinfo=UTC),
    customer_phone="13800138000", ship_phone="13800138000",
    province="浙江省", city="杭州市", district="西湖区", detail="文三路100号", postcode="310012",
    goods_total=Decimal("118.00"), payable_amount=Decimal("118.00"), paid_amount=Decimal("118.00"),
    payment_status="paid", payment_method="alipay", transaction_id="2026112622001",
    buyer_remark="周末送货", invoice_type="personal", invoice_title="张三",
    lines=[LineFacts(line_id=1, line_no=1, sku_code="TSHIRT-RED-M", platform_sku="", name="纯棉T恤", spec="红色/M",
                     quantity=2, sku_id=10, sku_active=True, sku_spec="红色/M")],
    coupon_codes=[], coupons={}, blocked_phones={}, blocked_addresses={},
    stock_plan=Plan(takes=[], shortages=[]), sku_codes={10: "TSHIRT-RED-M"},
)


def facts(**changes) -> ReviewFacts:
    return replace(GOOD, **changes)
