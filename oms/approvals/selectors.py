"""Reading change requests: the approver's queue tabs, one request as data, refunds awaiting a second approval."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor
from oms.accounts.roles import APPROVE_REFUNDS
from oms.approvals.kinds import KINDS
from oms.approvals.models import ChangeRequest
from oms.approvals.status import ChangeStatus
from oms.orders.personal_data import masked_fields


@dataclass(frozen=True)
class Tab:
    key: str
    label: str


TABS = (
    Tab("waiting", _("Waiting for me")),
    Tab("pending", _("All pending")),
    Tab("decided", _("Decided")),
    Tab("mine", _("My requests")),
)
TAB_KEYS = {t.key for t in TABS}


def decidable_kinds(actor: Actor) -> list[str]:
    return [code for code, kind in KINDS.items() if kind.may_decide(actor)]


def scoped_requests(actor: Actor, qs: QuerySet[ChangeRequest]) -> QuerySet[ChangeRequest]:
    """The requests of qs within the actor's scopes: on orders they may see (orders/selectors.py), or
    on the stock of their warehouses."""
    from oms.accounts.actor import channel_scope, warehouse_scope
    from oms.orders.models import Order
    from oms.orders.selectors import scoped_orders

    warehouses = warehouse_scope(actor)
    if channel_scope(actor) is None and warehouses is None:
        return qs
    stock = Q(order__isnull=True) if warehouses is None else Q(order__isnull=True, warehouse_id__in=warehouses)
    return qs.filter(Q(order__in=scoped_orders(actor, Order.objects.all())) | stock)


def queue(*, tab: str, actor: Actor, kind: str = "", order_no: str = "") -> QuerySet[ChangeRequest]:
    qs = scoped_requests(actor, ChangeRequest.objects.select_related("order", "sku", "warehouse", "requested_by",
                                                                     "decided_by"))
    if tab == "waiting":
        qs = qs.filter(status=ChangeStatus.PENDING, kind__in=decidable_kinds(actor)).exclude(
            requested_by_id=actor.user_id).order_by("requested_at", "id")
    elif tab == "pending":
        qs = qs.filter(status=ChangeStatus.PENDING).order_by("requested_at", "id")
    elif tab == "decided":
        qs = qs.exclude(status=ChangeStatus.PENDING).order_by("-decided_at", "-id")
    else:
        qs = qs.filter(requested_by_id=actor.user_id)
    if kind:
        qs = qs.filter(kind=kind)
    if order_no:
        qs = qs.filter(order__order_no=order_no)
    return qs


def waiting_count(actor: Actor) -> int:
    return queue(tab="waiting", actor=actor).count()


def for_order(order) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(order=order).select_related("requested_by", "decided_by")


def refunds_awaiting_second_approval(actor: Actor):
    """Refunds above the threshold waiting for a second finance user (read-only here; decided in /refunds/)."""
    if not actor.has(APPROVE_REFUNDS):
        return []
    from oms.aftersales.status import RefundStatus
    from oms.payments.models import Refund
    from oms.payments.refund_selectors import scoped_refunds

    return list(scoped_refunds(actor, Refund.objects.filter(status=RefundStatus.AWAITING_SECOND_APPROVAL))
                .select_related("order").order_by("id")[:200])


def request_data(cr: ChangeRequest) -> dict:
    """One change request as the API returns it; personal values masked like everywhere (orders/personal_data.py)."""
    return {
        "number": cr.number, "kind": cr.kind, "status": cr.status,
        "order_no": cr.order.order_no if cr.order_id else None,
        "sku": cr.sku.code if cr.sku_id else None, "warehouse": cr.warehouse.code if cr.warehouse_id else None,
        "proposed": masked_fields(cr.proposed), "current": masked_fields(cr.current), "reason": cr.reason,
        "requested_by": cr.requested_by.username, "requested_at": cr.requested_at,
        "decided_by": cr.decided_by.username if cr.decided_by_id else None, "decided_at": cr.decided_at,
        "decision_note": cr.decision_note, "applied_event": cr.applied_event_id,
    }
