"""Reads of after-sales: the facts eligibility needs, the queue and one request with everything on it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet, Sum

from oms.aftersales.eligibility import LineFacts, OrderFacts
from oms.aftersales.errors import RequestNotFound
from oms.aftersales.models import AfterSalesLine, AfterSalesRequest, InspectionLine
from oms.aftersales.status import OPEN_REQUEST_STATUSES, ItemCondition, RequestKind, RequestStatus
from oms.fulfillment.models import PackageLine, PackageStatus
from oms.orders.models import Order, OrderLine

DEFAULT_AFTER_SALES_WINDOW_DAYS = 15
LEFT_WAREHOUSE = (PackageStatus.SHIPPED, PackageStatus.DELIVERED)


def after_sales_window_days() -> int:
    """Days after delivery for quality, wrong-item, damage and other requests (OMS_AFTER_SALES_WINDOW_DAYS)."""
    return int(getattr(settings, "OMS_AFTER_SALES_WINDOW_DAYS", DEFAULT_AFTER_SALES_WINDOW_DAYS))


def _per_line(qs, field: str = "quantity", key: str = "line_id") -> dict[int, int]:
    return {r[key]: r["n"] or 0 for r in qs.values(key).annotate(n=Sum(field))}


def line_facts(order: Order, *, exclude_request_id: int | None = None) -> list[LineFacts]:
    """Per order line: ordered, shipped, delivered, refunded, exchanged and in other open requests."""
    from oms.payments.refunds import refunded_units

    shipped = _per_line(PackageLine.objects.filter(package__order=order, package__status__in=LEFT_WAREHOUSE))
    delivered = _per_line(PackageLine.objects.filter(package__order=order, package__status=PackageStatus.DELIVERED))
    refunded = refunded_units(order)
    exchanged = _per_line(InspectionLine.objects.filter(
        request_line__request__order=order, request_line__request__kind=RequestKind.EXCHANGE,
        condition__in=(ItemCondition.RESELLABLE, ItemCondition.DAMAGED)), key="request_line__line_id")
    open_lines = AfterSalesLine.objects.filter(request__order=order, request__status__in=OPEN_REQUEST_STATUSES)
    if exclude_request_id:
        open_lines = open_lines.exclude(request_id=exclude_request_id)
    in_open = _per_line(open_lines)
    return [LineFacts(line_id=ln.pk, line_no=ln.line_no, ordered=ln.quantity, shipped=shipped.get(ln.pk, 0),
                      delivered=delivered.get(ln.pk, 0), refunded=refunded.get(ln.pk, 0),
                      exchanged=exchanged.get(ln.pk, 0), in_open_requests=in_open.get(ln.pk, 0))
            for ln in OrderLine.objects.filter(order=order).order_by("line_no")]


def order_facts(order: Order) -> OrderFacts:
    from oms.shipping.models import ExceptionReason, LogisticsException

    lost = LogisticsException.objects.filter(order=order, reason=ExceptionReason.LOST).exists()
    return OrderFacts(status=order.status, shipped_at=order.shipped_at, delivered_at=order.delivered_at,
                      completed_at=order.completed_at, return_window_days=order.channel.return_window_days,
                      after_sales_window_days=after_sales_window_days(), lost=lost)


def get_request(number: str) -> AfterSalesRequest:
    found = (AfterSalesRequest.objects.select_related("order", "order__channel", "return_warehouse",
                                                      "replacement_package", "override_by", "reviewed_by",
                                                      "received_by", "requested_by")
             .filter(number=number).first())
    if found is None:
        raise RequestNotFound(details={"number": number})
    return found


def request_lines(request: AfterSalesRequest) -> list[AfterSalesLine]:
    return list(request.lines.select_related("line", "exchange_sku").prefetch_related("inspections")
                .order_by("line__line_no"))


class Tab:
    TO_REVIEW = "review"
    AWAITING_PARCEL = "awaiting"
    RECEIVED = "received"
    DONE = "done"

    ALL = (TO_REVIEW, AWAITING_PARCEL, RECEIVED, DONE)


TAB_FILTERS = {
    Tab.TO_REVIEW: Q(status=RequestStatus.SUBMITTED),
    Tab.AWAITING_PARCEL: Q(status=RequestStatus.APPROVED, kind__in=(RequestKind.RETURN_REFUND, RequestKind.EXCHANGE)),
    Tab.RECEIVED: Q(status=RequestStatus.RECEIVED),
    Tab.DONE: Q(status__in=(RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN)),
}


@dataclass(frozen=True)
class QueueFilters:
    tab: str = ""
    status: str = ""
    kind: str = ""
    order_no: str = ""
    warehouse_ids: frozenset[int] | None = None  # the warehouse's own parcels only
    channel_ids: frozenset[int] | None = None  # the person's channels only (accounts.actor.channel_scope)


def queue(filters: QueueFilters) -> QuerySet[AfterSalesRequest]:
    """Requests, oldest first for work tabs, newest first for the finished ones."""
    qs = AfterSalesRequest.objects.select_related("order", "return_warehouse")
    if filters.tab in TAB_FILTERS:
        qs = qs.filter(TAB_FILTERS[filters.tab])
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.order_no:
        qs = qs.filter(order__order_no=filters.order_no)
    if filters.warehouse_ids is not None:
        qs = qs.filter(return_warehouse_id__in=filters.warehouse_ids)
    if filters.channel_ids is not None:
        qs = qs.filter(order__channel_id__in=filters.channel_ids)
    if filters.tab == Tab.DONE:
        return qs.order_by("-updated_at", "-id")
    return qs.order_by("created_at", "id")


def tab_counts(warehouse_ids: frozenset[int] | None = None,
               channel_ids: frozenset[int] | None = None) -> dict[str, int]:
    base = AfterSalesRequest.objects.all()
    if warehouse_ids is not None:
        base = base.filter(return_warehouse_id__in=warehouse_ids)
    if channel_ids is not None:
        base = base.filter(order__channel_id__in=channel_ids)
    return {tab: base.filter(flt).count() for tab, flt in TAB_FILTERS.items() if tab != Tab.DONE}


def find_parcel(code: str, actor=None) -> AfterSalesRequest | None:
    """The request a returned parcel belongs to: by request number or by the return tracking number
    (among those coming back to the actor's warehouses, when given: a scan must not reveal others)."""
    code = (code or "").strip()
    if not code:
        return None
    base = AfterSalesRequest.objects.all()
    if actor is not None:
        base = scoped_return_parcels(actor, base)
    return (base.filter(number=code).first()
            or base.filter(return_tracking_no=code).order_by("-id").first())


def requests_of_order(order: Order) -> list[AfterSalesRequest]:
    return list(AfterSalesRequest.objects.filter(order=order).select_related("replacement_package")
                .order_by("-created_at", "-id"))


def request_data(request: AfterSalesRequest, *, lines: list[AfterSalesLine] | None = None) -> dict:
    """The API shape of one request."""
    from oms.payments.models import Refund

    lines = lines if lines is not None else request_lines(request)
    return {
        "number": request.number, "order_no": request.order.order_no, "kind": request.kind,
        "reason": request.reason, "description": request.description, "status": request.status,
        "ineligible": request.ineligible, "override_reason": request.override_reason,
        "override_by": request.override_by.username if request.override_by_id else None,
        "via": request.via, "reject_reason": request.reject_reason,
        "return_warehouse": request.return_warehouse.code if request.return_warehouse_id else None,
        "return_tracking_no": request.return_tracking_no, "return_carrier": request.return_carrier,
        "created_at": request.created_at.isoformat() if request.created_at else None,
        "reviewed_at": request.reviewed_at.isoformat() if request.reviewed_at else None,
        "received_at": request.received_at.isoformat() if request.received_at else None,
        "completed_at": request.completed_at.isoformat() if request.completed_at else None,
        "replacement_package": request.replacement_package.number if request.replacement_package_id else None,
        "difference_due": f"{request.difference_due:.2f}",
        "difference_collected_at": (request.difference_collected_at.isoformat()
                                    if request.difference_collected_at else None),
        "lines": [{
            "line_no": al.line.line_no, "sku": al.line.sku_code, "name": al.line.name, "quantity": al.quantity,
            "exchange_sku": al.exchange_sku.code if al.exchange_sku_id else None,
            "exchange_unit_price": (f"{al.exchange_unit_price:.2f}" if al.exchange_unit_price is not None
                                    else None),
            "inspections": [{"condition": i.condition, "quantity": i.quantity, "note": i.note}
                            for i in al.inspections.all()],
        } for al in lines],
        "refunds": [{"number": r.number, "cause": r.cause, "status": r.status, "amount": f"{r.amount:.2f}"}
                    for r in Refund.objects.filter(request=request).order_by("id")],
        "photos": [{"id": a.pk, "kind": a.kind, "content_type": a.content_type, "size": a.size}
                   for a in request.attachments.order_by("id")],
    }


def quarantine_mismatches() -> list[dict]:
    """Quarantine levels that differ from the sums of their ledger rows (empty when the ledger balances)."""
    from oms.aftersales.models import QuarantineMovement, QuarantineStock

    sums = {(r["sku_id"], r["warehouse_id"]): r["n"] or 0 for r in QuarantineMovement.objects.values(
        "sku_id", "warehouse_id").annotate(n=Sum("delta")).order_by()}
    out = []
    for level in QuarantineStock.objects.all():
        expected = sums.pop((level.sku_id, level.warehouse_id), 0)
        if level.quantity != expected:
            out.append({"sku_id": level.sku_id, "warehouse_id": level.warehouse_id, "level": level.quantity,
                        "ledger": expected})
    out += [{"sku_id": s, "warehouse_id": w, "level": 0, "ledger": n} for (s, w), n in sums.items() if n]
    return out


def scoped_requests(actor, qs: QuerySet[AfterSalesRequest]) -> QuerySet[AfterSalesRequest]:
    """The after-sales requests of qs on orders of the actor's channels."""
    from oms.accounts.actor import scope_q

    return qs.filter(scope_q(actor, channel="order__channel_id"))


def scoped_return_parcels(actor, qs: QuerySet[AfterSalesRequest]) -> QuerySet[AfterSalesRequest]:
    """Requests of qs whose parcel comes back to one of the actor's warehouses, on orders of their channels."""
    from oms.accounts.actor import scope_q

    return qs.filter(scope_q(actor, channel="order__channel_id", warehouse="return_warehouse_id"))
