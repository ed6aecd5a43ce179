"""Reads of the archive: archived orders by number, phone or placed date, and their whole lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from oms.audit.models import AuditEvent
from oms.core.errors import ValidationFailed
from oms.fulfillment.models import Package, PackageLine
from oms.orders.models import Order
from oms.orders.personal_data import phone_hash
from oms.orders.selectors import _day_start, prefix_filter, scoped_orders

MAX_EXPORT = 5000  # orders in one export; a narrower search gets the rest
COUNT_CAP = 1000  # the result count stops here ("1000+"): counting a million rows per page is not worth it


@dataclass(frozen=True)
class ArchiveQuery:
    order_no: str = ""
    phone: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.order_no or self.phone or self.date_from or self.date_to)

    def check(self) -> None:
        """Refuse a search without criteria or with the dates the wrong way round."""
        if self.empty:
            raise ValidationFailed(
                message=_("Give an order number, a phone number or a placed date range."),
                details={"order_no": [_("Give at least one search criterion.")]},
            )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationFailed(message=_("The end date is before the start date."),
                                   details={"date_to": [_("The end date is before the start date.")]})


def archived_orders(query: ArchiveQuery, actor=None) -> QuerySet[Order]:
    """Archived orders matching every given criterion (within the actor's scopes), the most recently placed first."""
    query.check()
    qs = Order.objects.filter(archived_at__isnull=False)
    if actor is not None:
        qs = scoped_orders(actor, qs)
    if query.order_no:
        qs = qs.filter(prefix_filter("order_no", query.order_no))
    if query.phone:
        key = phone_hash(query.phone)  # encrypted at rest: the keyed hash finds the full number
        qs = qs.filter(Q(customer_phone_hash=key) | Q(ship_phone_hash=key))
    if query.date_from:
        qs = qs.filter(placed_at__gte=_day_start(query.date_from))
    if query.date_to:
        qs = qs.filter(placed_at__lt=_day_start(query.date_to + timedelta(days=1)))
    return qs.select_related("channel").order_by("-placed_at", "-id")


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Rows of the query up to `cap`, and whether there are more."""
    n = qs.order_by().values("id")[: cap + 1].count()
    return min(n, cap), n > cap


def with_lifecycle(qs: QuerySet[Order]) -> QuerySet[Order]:
    """The orders with lines, discounts, packages (tracking events, lines) and audit events prefetched."""
    return qs.prefetch_related(
        "lines", "discounts",
        Prefetch("packages", queryset=Package.objects.select_related("carrier", "warehouse").prefetch_related(
            "tracking_events", Prefetch("lines", queryset=PackageLine.objects.select_related("line"))
        ).order_by("number")),
        Prefetch("events", queryset=AuditEvent.objects.order_by("at", "id")),
    )
