"""Shipped parcels set up as rows (the state hand-over leaves them in), for the tracking tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from oms.channels.models import Channel
from oms.fulfillment.models import Package, PackageStatus
from oms.inventory.models import Warehouse
from oms.orders.models import Order
from oms.orders.status import OrderSource, OrderStatus, PaymentMethod, PaymentStatus
from oms.shipping.models import Carrier

CHINA = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


def at(text: str) -> datetime:
    """A Beijing time, as carriers state it: at("2026-11-27 10:00")."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)


def carrier(code: str = "zto", *, adapter: str = "manual", adapter_code: str = "") -> Carrier:
    return Carrier.objects.get_or_create(code=code, defaults={"name": code.upper(), "adapter": adapter,
                                                              "adapter_code": adapter_code})[0]


def warehouse() -> Warehouse:
    return Warehouse.objects.get_or_create(code="hz", defaults={"name": "杭州仓", "province": "浙江省",
                                                                "city": "杭州市", "address": "余杭区仓前街道1号"})[0]


def shipped_order(*, carrier_code: str = "zto", tracking_nos: tuple[str, ...] = ("731000000001",),
                  status: str = OrderStatus.SHIPPED, package_status: str = PackageStatus.SHIPPED) -> Order:
    """An order whose packages (one per tracking number) left the warehouse a day ago."""
    n = next(_serial)
    shipped_at = timezone.now() - timedelta(days=1)
    order = Order.objects.create(
        order_no=f"T{n:09d}", channel=Channel.objects.get(code="web"), source=OrderSource.API, status=status,
        placed_at=shipped_at - timedelta(hours=5), customer_name="张三", customer_phone="13800138000",
        ship_name="张三", ship_phone="13800138000", ship_province="浙江省", ship_city="杭州市",
        ship_district="西湖区", ship_detail="文三路100号", goods_total=Decimal("59.00"), shipping_fee=Decimal("0.00"),
        discount_total=Decimal("0.00"), payable_amount=Decimal("59.00"), paid_amount=Decimal("59.00"),
        payment_method=PaymentMethod.ALIPAY, payment_status=PaymentStatus.PAID,
        shipped_at=shipped_at if status != OrderStatus.PENDING_SHIPMENT else None)
    c = Carrier.objects.get(code=carrier_code)
    for i, tracking_no in enumerate(tracking_nos, start=1):
        Package.objects.create(order=order, number=f"{order.order_no}-{i}", warehouse=warehouse(), carrier=c,
                               status=package_status, weight_g=800, tracking_no=tracking_no,
                               shipped_at=shipped_at if package_status == PackageStatus.SHIPPED else None)
    return order
