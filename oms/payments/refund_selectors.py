"""Reads of refunds: finance's and customer service's queue, one refund, an order's refunds, API shapes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.aftersales.status import RefundStatus
from oms.payments.models import Refund, RefundLine
from oms.payments.refund_errors import RefundNotFound


@dataclass(frozen=True)
class QueueTab:
    key: str
    label: str
    statuses: tuple[str, ...]
    who: str  # the role that acts on this tab, for the page's hint


# The queue's tabs, in the order refunds move through them.
QUEUE_TABS = (
    QueueTab("to_verify", _("To verify"), (RefundStatus.REQUESTED,), _("customer service")),
    QueueTab("to_approve", _("To approve"), (RefundStatus.VERIFIED,), _("finance")),
    QueueTab("second_approval", _("Awaiting second approval"), (RefundStatus.AWAITING_SECOND_APPROVAL,),
             _("another finance user")),
    QueueTab("to_execute", _("To execute"), (RefundStatus.APPROVED,), _("finance")),
    QueueTab("failed", _("Failed"), (RefundStatus.FAILED,), _("finance")),
    QueueTab("done", _("Refunded"), (RefundStatus.SUCCEEDED,), ""),
    QueueTab("rejected", _("Rejected"), (RefundStatus.REJECTED,), ""),
)
TABS_BY_KEY = {t.key: t for t in QUEUE_TABS}


def scoped_refunds(actor, qs: QuerySet[Refund]) -> QuerySet[Refund]:
    """The refunds of qs on orders of the actor's channels."""
    from oms.accounts.actor import scope_q

    return qs.filter(scope_q(actor, channel="order__channel_id"))


def refund_queue(*, status: str = "", cause: str = "", order_no: str = "", actor=None) -> QuerySet[Refund]:
    """Refunds filtered by status, cause and order number; oldest first while work is open on them."""
    qs = Refund.objects.select_related("order", "order__channel", "requested_by", "verified_by", "approved_by",
                                       "second_approved_by")
    if actor is not None:
        qs = scoped_refunds(actor, qs)
    if status:
        qs = qs.filter(status=status)
    if cause:
        qs = qs.filter(cause=cause)
    if order_no:
        qs = qs.filter(order__order_no=order_no.strip())
    done = status in (RefundStatus.SUCCEEDED, RefundStatus.REJECTED)
    return qs.order_by("-requested_at", "-id") if done or not status else qs.order_by("requested_at", "id")


def status_counts(actor=None) -> dict[str, int]:
    qs = Refund.objects.all() if actor is None else scoped_refunds(actor, Refund.objects.all())
    return dict(qs.values_list("status").annotate(n=Count("id")).order_by())


def refund_by_number(number: str) -> Refund:
    """One refund with its order and lines, or RefundNotFound (404)."""
    refund = (Refund.objects.select_related("order", "order__channel", "request", "requested_by", "verified_by",
                                            "approved_by", "second_approved_by")
              .prefetch_related(Prefetch("lines", queryset=RefundLine.objects.select_related("line").order_by("id")))
              .filter(number=number).first())
    if refund is None:
        raise RefundNotFound(details={"refund": number})
    return refund


def refunds_of_order(order) -> list[Refund]:
    return list(Refund.objects.filter(order=order).select_related("order", "requested_by")
                .order_by("requested_at", "id"))


def _username(user) -> str | None:
    return user.username if user is not None else None


def _at(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def refund_summary(refund: Refund) -> dict:
    """A refund as lists show it (the order's API detail, the queue)."""
    return {
        "number": refund.number, "order_no": refund.order.order_no, "cause": refund.cause, "status": refund.status,
        "amount": f"{refund.amount:.2f}", "goods_amount": f"{refund.goods_amount:.2f}",
        "shipping_amount": f"{refund.shipping_amount:.2f}",
        "payment_method": refund.payment_method, "original_transaction_id": refund.original_transaction_id,
        "external_reference": refund.external_reference, "attempts": refund.attempts, "failure": refund.failure,
        "requested_at": _at(refund.requested_at), "refunded_at": _at(refund.refunded_at),
    }


def refund_data(refund: Refund) -> dict:
    """One refund as the API shows it, with its lines and who did each step."""
    return {
        **refund_summary(refund),
        "request": refund.request.number if refund.request_id else None,
        "adapter": refund.adapter, "note": refund.note, "reject_reason": refund.reject_reason,
        "requested_by": _username(refund.requested_by), "verified_by": _username(refund.verified_by),
        "approved_by": _username(refund.approved_by), "second_approved_by": _username(refund.second_approved_by),
        "approved_at": _at(refund.approved_at),
        "lines": [{"line_no": ln.line.line_no, "sku": ln.line.sku_code, "quantity": ln.quantity,
                   "amount": f"{ln.amount:.2f}"} for ln in refund.lines.all()],
    }
