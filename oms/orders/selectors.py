"""Reads of orders: filtered lists, counts per status, one order with its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q, QuerySet

from oms.audit.models import AuditEvent
from oms.fulfillment.models import Package, PackageLine
from oms.inventory.models import Reservation
from oms.orders.errors import OrderNotFound
from oms.orders.models import EntryCheck, Order
from oms.orders.review.models import OrderHold
from oms.orders.status import OrderStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    order_no: str = ""
    external_id: str = ""
    phone: str = ""
    recipient: str = ""
    entry_check: str = ""

    def without_status(self) -> OrderFilters:
        return OrderFilters(**{**self.__dict__, "status": ""})


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=SHANGHAI)


def filtered_orders(filters: OrderFilters) -> QuerySet[Order]:
    qs = Order.objects.all()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel__code=filters.channel)
    if filters.date_from:
        qs = qs.filter(placed_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(placed_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.order_no:
        qs = qs.filter(order_no__startswith=filters.order_no.strip())
    if filters.external_id:
        qs = qs.filter(external_id=filters.external_id.strip())
    if filters.phone:
        phone = filters.phone.strip()
        qs = qs.filter(Q(customer_phone=phone) | Q(ship_phone=phone))
    if filters.recipient:
        qs = qs.filter(ship_name__contains=filters.recipient.strip())
    if filters.entry_check:
        qs = qs.filter(entry_check=filters.entry_check)
    return qs


def order_list(filters: OrderFilters) -> QuerySet[Order]:
    return filtered_orders(filters).select_related("channel").order_by("-placed_at", "-id")


def status_counts(filters: OrderFilters) -> dict[str, int]:
    """Orders per status under every filter except the status itself (for the tabs)."""
    rows = filtered_orders(filters.without_status()).values("status").annotate(n=Count("id")).order_by()
    counts = {s.value: 0 for s in OrderStatus}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def drafts_awaiting_check() -> QuerySet[Order]:
    return (
        Order.objects.filter(status=OrderStatus.DRAFT)
        .exclude(entry_check=EntryCheck.CONFIRMED)
        .select_related("channel", "created_by", "last_edited_by")
        .order_by("created_at")
    )


def order_detail(order_no: str) -> Order:
    order = (
        Order.objects.select_related("channel", "created_by", "checked_by", "last_edited_by")
        .prefetch_related(
            "lines", "discounts",
            Prefetch("events", queryset=AuditEvent.objects.order_by("at", "id")),
            Prefetch("holds", queryset=OrderHold.objects.filter(cleared_at__isnull=True).order_by("id"),
                     to_attr="open_holds"),
            Prefetch("reservations",
                     queryset=Reservation.objects.select_related("sku", "warehouse", "line").order_by("id")),
            Prefetch("packages", queryset=Package.objects.select_related("warehouse", "carrier").prefetch_related(
                Prefetch("lines", queryset=PackageLine.objects.select_related("line", "sku"))).order_by("number")),
        )
        .filter(order_no=order_no)
        .first()
    )
    if order is None:
        raise OrderNotFound(details={"order_no": order_no})
    return order
