"""Orders with personal data for the privacy tests."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from oms.channels.models import Channel
from oms.orders.models import Order, OrderLine
from oms.orders.status import OrderSource, OrderStatus, PaymentMethod, PaymentStatus

_serial = itertools.count(1)


def make_order(*, phone="13800138000", customer_phone=None, name="张小明", detail="文三路100号", email="",
               status=OrderStatus.PENDING_SHIPMENT, archived_days_ago: float | None = None) -> Order:
    n = next(_serial)
    now = timezone.now()
    archived = archived_days_ago is not None
    order = Order.objects.create(
        order_no=f"P{n:09d}", channel=Channel.objects.get(code="web"), source=OrderSource.API,
        status=OrderStatus.COMPLETED if archived else status,
        placed_at=now - timedelta(days=(archived_days_ago or 0) + 30),
        customer_name=name, customer_phone=customer_phone or phone, customer_email=email, ship_name=name,
        ship_phone=phone, ship_province="浙江省", ship_city="杭州市", ship_district="西湖区", ship_detail=detail,
        ship_postcode="310012", goods_total=Decimal("59.00"), shipping_fee=Decimal("0.00"),
        discount_total=Decimal("0.00"), payable_amount=Decimal("59.00"), paid_amount=Decimal("59.00"),
        payment_method=PaymentMethod.ALIPAY, payment_status=PaymentStatus.PAID, paid_at=now,
        transaction_id=f"TX{n:08d}",
        completed_at=now - timedelta(days=archived_days_ago + 10) if archived else None,
        settled_at=now - timedelta(days=archived_days_ago + 5) if archived else None,
        archived_at=now - timedelta(days=archived_days_ago) if archived else None,
    )
    OrderLine.objects.create(order=order, line_no=1, sku_code="TEA-01", name="龙井茶", spec="250g", quantity=1,
                             unit_price=Decimal("59.00"), subtotal=Decimal("59.00"))
    return order
