"""Shipped parcels with lines, stock and tracking events, built as rows (the state hand-over leaves)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from oms.channels.models import Channel
from oms.fulfillment.models import Package, PackageLine, PackageStatus
from oms.inventory.models import Sku, StockLevel, Warehouse
from oms.orders.models import Order, OrderLine
from oms.orders.status import OrderSource, OrderStatus, PaymentMethod, PaymentStatus
from oms.shipping.models import Carrier, RateCard, RateZone, TrackingEvent

_serial = itertools.count(1)


def network(*, no_update_hours: int = 48) -> dict:
    """Warehouse hz, SKU TEE with 10 units on hand, carrier zto with a zone for 浙江省."""
    hz = Warehouse.objects.get_or_create(code="hz", defaults={"name": "杭州仓", "province": "浙江省",
                                                              "city": "杭州市"})[0]
    tee = Sku.objects.get_or_create(code="TEE", defaults={"name": "纯棉T恤", "weight_g": 200})[0]
    StockLevel.objects.get_or_create(sku=tee, warehouse=hz, defaults={"on_hand": 10, "reserved": 0})
    zto = Carrier.objects.get_or_create(code="zto", defaults={"name": "中通快递"})[0]
    card = RateCard.objects.get_or_create(carrier=zto, warehouse=hz)[0]
    RateZone.objects.get_or_create(rate_card=card, name="华东", defaults={
        "provinces": ["浙江", "江苏省"], "no_update_hours": no_update_hours})
    return {"hz": hz, "tee": tee, "zto": zto}


def shipped(*, shipped_at: datetime, quantity: int = 2, phone: str = "13800138000", tracking_no: str = "",
            province: str = "浙江省") -> Package:
    """An order of `quantity` TEE shipped in one zto parcel at `shipped_at` (network() first)."""
    n = next(_serial)
    hz, tee, zto = Warehouse.objects.get(code="hz"), Sku.objects.get(code="TEE"), Carrier.objects.get(code="zto")
    order = Order.objects.create(
        order_no=f"X{n:09d}", channel=Channel.objects.get(code="web"), source=OrderSource.API,
        status=OrderStatus.SHIPPED, placed_at=shipped_at - timedelta(hours=5), customer_name="张三",
        customer_phone="13900139000", ship_name="李四", ship_phone=phone, ship_province=province,
        ship_city="杭州市", ship_district="西湖区", ship_detail="文三路100号", goods_total=Decimal("20.00"),
        shipping_fee=Decimal("0.00"), discount_total=Decimal("0.00"), payable_amount=Decimal("20.00"),
        paid_amount=Decimal("20.00"), payment_method=PaymentMethod.ALIPAY, payment_status=PaymentStatus.PAID,
        shipped_at=shipped_at)
    line = OrderLine.objects.create(order=order, line_no=1, sku_code="TEE", sku=tee, name="纯棉T恤",
                                    quantity=quantity, unit_price=Decimal("10.00"), subtotal=10 * quantity)
    package = Package.objects.create(order=order, number=f"{order.order_no}-1", warehouse=hz, carrier=zto,
                                     status=PackageStatus.SHIPPED, weight_g=200 * quantity,
                                     tracking_no=tracking_no or f"7310{n:08d}", shipped_at=shipped_at)
    PackageLine.objects.create(package=package, line=line, sku=tee, quantity=quantity)
    return package


def scan(package: Package, status: str, at: datetime, *, location: str = "", description: str = "") -> TrackingEvent:
    """A tracking event, and the package's last tracking facts as ingestion would leave them."""
    event = TrackingEvent.objects.create(package=package, status=status, occurred_at=at, location=location,
                                         description=description, source="manual",
                                         dedup_key=f"{status}-{at.isoformat()}-{location}")
    Package.objects.filter(pk=package.pk).update(tracking_status=status, last_tracking_at=at)
    return event


def hours_ago(h: float) -> datetime:
    return timezone.now() - timedelta(hours=h)
