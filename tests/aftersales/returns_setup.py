"""Delivered orders to return or exchange: rows as intake, fulfilment and tracking would leave them.

Stock comes in through inventory's own receive_stock (so the ledger balances); the parcels that
went out are written as rows (shipped or delivered), as in tests/shipping/exception_setup.py.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from oms.accounts.actor import Actor
from oms.channels.models import Channel
from oms.fulfillment.models import Package, PackageLine, PackageStatus
from oms.inventory.models import Sku, Warehouse
from oms.inventory.services import receive_stock
from oms.orders.models import Order, OrderDiscount, OrderLine
from oms.orders.status import DiscountKind, OrderSource, OrderStatus, PaymentMethod, PaymentStatus
from oms.shipping.models import Carrier

_serial = itertools.count(1)
D = Decimal


def network() -> dict:
    """Warehouse hz with a return address, SKUs TEE, TEE-L (exchange size) and MUG, 10 of each in stock."""
    hz = Warehouse.objects.get_or_create(code="hz", defaults={
        "name": "杭州仓", "province": "浙江省", "city": "杭州市", "address": "余杭区文一西路1500号"})[0]
    Warehouse.objects.get_or_create(code="sh", defaults={"name": "上海仓", "province": "上海市", "city": "上海市",
                                                          "address": "浦东新区川沙路1号"})
    for code, name, weight in (("TEE", "纯棉T恤", 200), ("TEE-L", "纯棉T恤 L", 210), ("MUG", "马克杯", 350)):
        Sku.objects.get_or_create(code=code, defaults={"name": name, "weight_g": weight})
        receive_stock(sku_code=code, warehouse_code="hz", quantity=10, actor=Actor.system(), reference="setup")
    zto = Carrier.objects.get_or_create(code="zto", defaults={"name": "中通快递"})[0]
    return {"hz": hz, "zto": zto}


def delivered_order(*, days_ago: float = 2, lines=(("TEE", 2, "59.00"), ("MUG", 1, "30.00")),
                    shipping_fee: str = "10.00", discount: str = "14.80", status: str = OrderStatus.DELIVERED,
                    delivered: bool = True, channel: str = "taobao") -> Order:
    """A paid order whose one parcel from hz left `days_ago` + 1 days ago and (by default) was delivered
    `days_ago` days ago. Default: 2 × TEE @59 + 1 × MUG @30, shipping 10, discount 14.80 → paid 143.20."""
    n = next(_serial)
    now = timezone.now()
    delivered_at = now - timedelta(days=days_ago) if delivered else None
    shipped_at = now - timedelta(days=days_ago + 1)
    goods = sum((D(price) * qty for _c, qty, price in lines), D("0.00"))
    payable = goods + D(shipping_fee) - D(discount)
    order = Order.objects.create(
        order_no=f"26112700{n:06d}", channel=Channel.objects.get(code=channel), source=OrderSource.API,
        status=status, placed_at=shipped_at - timedelta(hours=5), customer_name="张三",
        customer_phone="13800138000", customer_email="zs@example.cn", ship_name="张三", ship_phone="13800138000",
        ship_province="浙江省", ship_city="杭州市", ship_district="西湖区", ship_detail="文三路100号",
        goods_total=goods, shipping_fee=D(shipping_fee), discount_total=D(discount), payable_amount=payable,
        paid_amount=payable, payment_method=PaymentMethod.ALIPAY, payment_status=PaymentStatus.PAID,
        paid_at=shipped_at - timedelta(hours=4), transaction_id=f"ALI{n:010d}", shipped_at=shipped_at,
        delivered_at=delivered_at if status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED) else None,
        completed_at=now - timedelta(days=max(days_ago - 1, 0)) if status == OrderStatus.COMPLETED else None)
    if D(discount):
        OrderDiscount.objects.create(order=order, kind=DiscountKind.COUPON, code="NEW", amount=D(discount))
    hz, zto = Warehouse.objects.get(code="hz"), Carrier.objects.get(code="zto")
    package = Package.objects.create(
        order=order, number=f"{order.order_no}-1", warehouse=hz, carrier=zto,
        status=PackageStatus.DELIVERED if delivered else PackageStatus.SHIPPED, tracking_no=f"7311{n:08d}",
        shipped_at=shipped_at, delivered_at=delivered_at)
    for i, (code, qty, price) in enumerate(lines, start=1):
        sku = Sku.objects.get(code=code)
        line = OrderLine.objects.create(order=order, line_no=i, sku_code=code, sku=sku, name=sku.name,
                                        quantity=qty, unit_price=D(price), subtotal=D(price) * qty)
        PackageLine.objects.create(package=package, line=line, sku=sku, quantity=qty)
    return order


def unshipped_order() -> Order:
    """A paid order still waiting in the warehouse (nothing shipped)."""
    order = delivered_order()
    Package.objects.filter(order=order).update(status=PackageStatus.ALLOCATED, shipped_at=None, delivered_at=None)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PENDING_SHIPMENT, shipped_at=None, delivered_at=None)
    return Order.objects.get(pk=order.pk)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()  # a real 4 × 4 picture
