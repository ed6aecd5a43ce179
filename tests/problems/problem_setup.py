"""Orders, held orders, logistics exceptions and people for the problem report tests (built as rows)."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from oms.accounts.services import create_user
from oms.channels.models import Channel
from oms.fulfillment.models import Package, PackageStatus
from oms.inventory.models import Warehouse
from oms.orders.models import Order
from oms.orders.review.models import OrderHold
from oms.orders.status import OrderSource, OrderStatus, PaymentMethod, PaymentStatus
from oms.shipping.models import Carrier, LogisticsException

PASSWORD = "test-pass-2026"
_serial = itertools.count(1)


def person(username: str, role: str, *, team: str = "", supervisor: bool = False):
    return create_user(username=username, role=role, password=PASSWORD, team=team or role,
                       is_supervisor=supervisor, must_change_password=False)


def order(*, status: str = OrderStatus.PENDING_REVIEW) -> Order:
    n = next(_serial)
    channel = Channel.objects.get_or_create(code="web", defaults={"name": "官网", "kind": "own"})[0]
    return Order.objects.create(
        order_no=f"P{n:09d}", channel=channel, source=OrderSource.API, status=status,
        placed_at=timezone.now(), customer_name="张三", customer_phone="13900139000", ship_name="李四",
        ship_phone="13800138000", ship_province="浙江省", ship_city="杭州市", ship_district="西湖区",
        ship_detail="文三路100号", goods_total=Decimal("20.00"), shipping_fee=Decimal("0.00"),
        discount_total=Decimal("0.00"), payable_amount=Decimal("20.00"), paid_amount=Decimal("20.00"),
        payment_method=PaymentMethod.ALIPAY, payment_status=PaymentStatus.PAID)


def held(count: int, code: str, *, at: datetime | None = None) -> list[Order]:
    """`count` orders on hold for `code` (the hold rows dated `at`, default now)."""
    orders = [order(status=OrderStatus.ON_HOLD) for _ in range(count)]
    holds = OrderHold.objects.bulk_create([OrderHold(order=o, code=code, details={}) for o in orders])
    if at is not None:
        OrderHold.objects.filter(pk__in=[h.pk for h in holds]).update(created_at=at)
    return orders


def carrier_exceptions(count: int, reason: str, *, at: datetime | None = None) -> list[Order]:
    """`count` shipped orders, each with a logistics exception ticket for `reason` opened at `at`."""
    at = at or timezone.now()
    hz = Warehouse.objects.get_or_create(code="hz", defaults={"name": "杭州仓", "province": "浙江省",
                                                              "city": "杭州市"})[0]
    zto = Carrier.objects.get_or_create(code="zto", defaults={"name": "中通快递"})[0]
    out = []
    for _ in range(count):
        o = order(status=OrderStatus.SHIPPED)
        package = Package.objects.create(order=o, number=f"{o.order_no}-1", warehouse=hz, carrier=zto,
                                         status=PackageStatus.SHIPPED, weight_g=200, tracking_no=f"73{o.pk:010d}",
                                         shipped_at=at)
        LogisticsException.objects.create(number=f"EX-{o.order_no}", package=package, order=o, carrier=zto,
                                          reason=reason, opened_at=at)
        out.append(o)
    return out
