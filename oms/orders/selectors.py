"""Reads of orders: filtered lists, counts per status, one order with its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from oms.audit.models import AuditEvent
from oms.fulfillment.models import Package, PackageLine
from oms.inventory.models import Reservation
from oms.orders.errors import OrderNotFound
from oms.orders.models import EntryCheck, Order
from oms.orders.personal_data import name_hash, phone_hash
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
    include_archived: bool = False  # archived orders are out of the working lists unless asked for

    def without_status(self) -> OrderFilters:
        return OrderFilters(**{**self.__dict__, "status": ""})


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=SHANGHAI)


def prefix_filter(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as a range an ordinary index serves (LIKE does not, on SQLite).

    Same rows as startswith for ASCII text under a byte-order collation (SQLite, PostgreSQL "C");
    anything else keeps startswith.
    """
    if prefix.isascii() and prefix.isalnum():
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    return Q(**{f"{field}__startswith": prefix})


def filtered_orders(filters: OrderFilters, actor=None) -> QuerySet[Order]:
    """Orders under the filters; only those within the actor's scopes when an actor is given."""
    qs = Order.objects.all() if actor is None else scoped_orders(actor, Order.objects.all())
    if not filters.include_archived:
        qs = qs.filter(archived_at__isnull=True)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel__code=filters.channel)
    if filters.date_from:
        qs = qs.filter(placed_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(placed_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.order_no:
        qs = qs.filter(prefix_filter("order_no", filters.order_no.strip()))
    if filters.external_id:
        qs = qs.filter(external_id=filters.external_id.strip())
    if filters.phone:
        # Encrypted at rest: found through the keyed hash, so only by the full number (docs/privacy.md).
        key = phone_hash(filters.phone)
        qs = qs.filter(Q(customer_phone_hash=key) | Q(ship_phone_hash=key))
    if filters.recipient:
        qs = qs.filter(ship_name_hash=name_hash(filters.recipient))
    if filters.entry_check:
        qs = qs.filter(entry_check=filters.entry_check)
    return qs


def order_list(filters: OrderFilters, actor=None) -> QuerySet[Order]:
    return filtered_orders(filters, actor).select_related("channel").order_by("-placed_at", "-id")


def status_counts(filters: OrderFilters, actor=None) -> dict[str, int]:
    """Orders per status under every filter except the status itself (for the tabs)."""
    # COUNT(*), not COUNT(id): PostgreSQL can then answer from a partial index without the id
    # (channel + status, status + recipient) instead of reading every row from the table.
    rows = filtered_orders(filters.without_status(), actor).values("status").annotate(n=Count("*")).order_by()
    counts = {s.value: 0 for s in OrderStatus}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


class OrderPaginator(Paginator):
    """Pages of an order list; a deep page finds its ids on the index first, then loads those rows.

    OFFSET makes the database step over every earlier row; stepping over index entries only
    (the ids) is several times cheaper than over whole rows, which matters from a few pages on.
    """

    DEFERRED_FROM = 1000  # rows skipped before the ids are looked up first

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.DEFERRED_FROM or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("id", flat=True)[bottom:top])
        return self._get_page(list(self.object_list.filter(id__in=ids)), number, self)


def total_from_counts(counts: dict[str, int], filters: OrderFilters) -> int:
    """The number of orders under the filters, from the per-status counts (no second COUNT)."""
    return counts.get(filters.status, 0) if filters.status else sum(counts.values())


def drafts_awaiting_check(actor=None) -> QuerySet[Order]:
    qs = Order.objects.all() if actor is None else scoped_orders(actor, Order.objects.all())
    return (
        qs.filter(status=OrderStatus.DRAFT)
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


def scoped_orders(actor, qs: QuerySet[Order]) -> QuerySet[Order]:
    """The orders of qs the actor may see: of their channels, and (warehouse-scoped staff) having a
    package in one of their warehouses; an order not yet allocated to a warehouse is not theirs."""
    from django.db.models import Exists, OuterRef

    from oms.accounts.actor import scope_q, warehouse_scope

    qs = qs.filter(scope_q(actor, channel="channel_id"))
    warehouses = warehouse_scope(actor)
    if warehouses is not None:
        qs = qs.filter(Exists(Package.objects.filter(order_id=OuterRef("pk"), warehouse_id__in=warehouses)))
    return qs
