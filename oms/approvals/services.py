"""Change request actions: ask (with a reason), approve (applies the change), reject, withdraw.

Lock order: the target first (order row, or the stock level), then the request row. Approval
compares the target's live values with those captured at request time and applies the change in
the same transaction, with one audit event holding {field: [old, new]} and the request number.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, OutOfScope, require, require_warehouse
from oms.accounts.roles import REQUEST_CHANGES
from oms.approvals.errors import (
    ChangeRequestNotFound,
    ChangeRequestPending,
    InvalidChangeRequest,
    NotApprover,
    NotRequester,
    OwnRequest,
    TargetChanged,
)
from oms.approvals.kinds import Kind, Target, kind_of
from oms.approvals.models import ChangeRequest
from oms.approvals.status import ChangeStatus, check_transition
from oms.audit.services import record
from oms.core.sequences import next_values
from oms.orders.personal_data import masked_changes, masked_fields

MAX_REASON = 2000
MAX_NOTE = 2000


def _number() -> str:
    return f"CR{next_values('change_request_no')[0]:06d}"


def _stock_target(sku_code: str, warehouse_code: str, *, lock: bool) -> Target:
    from oms.inventory.models import Sku, StockLevel, Warehouse

    sku = Sku.objects.filter(code=sku_code).first()
    warehouse = Warehouse.objects.filter(code=warehouse_code).first()
    errors = {}
    if sku is None:
        errors["sku"] = [_("No SKU has this code.")]
    if warehouse is None:
        errors["warehouse"] = [_("No warehouse has this code.")]
    if errors:
        raise InvalidChangeRequest(details=errors)
    levels = StockLevel.objects.filter(sku=sku, warehouse=warehouse)
    level = (levels.select_for_update() if lock else levels).first()
    return Target(sku=sku, warehouse=warehouse, level=level)


def require_order_scope(actor: Actor, order) -> None:
    """Raise OutOfScope unless the order is within the actor's channels and warehouses (orders/selectors.py)."""
    from oms.orders.models import Order
    from oms.orders.selectors import scoped_orders

    if not scoped_orders(actor, Order.objects.filter(pk=order.pk)).exists():
        raise OutOfScope(_("This is outside the warehouses or channels you work in."),
                         details={"order_no": order.order_no})


def _lock_target(kind: Kind, *, order_no: str, proposed: dict, actor: Actor) -> Target:
    if kind.on_order:
        from oms.orders.entry import lock_order

        if not order_no:
            raise InvalidChangeRequest(details={"order_no": [_("This field is required.")]})
        order = lock_order(order_no)
        require_order_scope(actor, order)  # the order number comes in the body, past the route's scope check
        return Target(order=order)
    return _stock_target(proposed["sku"], proposed["warehouse"], lock=True)


def _relock_target(cr: ChangeRequest) -> Target:
    """The request's target, locked (order row first; the stock level)."""
    if cr.order_id is not None:
        from oms.orders.entry import lock_order

        return Target(order=lock_order(cr.order.order_no))
    return _stock_target(cr.sku.code, cr.warehouse.code, lock=True)


def _subject(cr: ChangeRequest) -> dict:
    if cr.order_id is not None:
        return {"order_no": cr.order.order_no}
    return {"sku": cr.sku.code, "warehouse": cr.warehouse.code}


def get_request(number: str) -> ChangeRequest:
    cr = ChangeRequest.objects.select_related("order", "sku", "warehouse", "requested_by", "decided_by").filter(
        number=number).first()
    if cr is None:
        raise ChangeRequestNotFound(details={"number": number})
    return cr


def _locked(cr: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update(of=("self",)).select_related(
        "order", "sku", "warehouse", "requested_by").get(pk=cr.pk)


@transaction.atomic
def request_change(*, kind: str, actor: Actor, reason: str, proposed: dict, order_no: str = "") -> ChangeRequest:
    """Ask for a sensitive correction; the approving team is told. Nothing changes until approval."""
    require(actor, REQUEST_CHANGES)
    k = kind_of(kind)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidChangeRequest(details={"reason": [_("State why the change is needed.")]})
    if len(reason) > MAX_REASON:
        raise InvalidChangeRequest(details={"reason": [_("At most %(n)d characters.") % {"n": MAX_REASON}]})
    cleaned = k.clean(proposed)
    target = _lock_target(k, order_no=(order_no or "").strip(), proposed=cleaned, actor=actor)
    if not k.on_order:
        require_warehouse(actor, target.warehouse.pk)
    k.check(target, cleaned)
    key = k.conflict_key(target)
    pending = ChangeRequest.objects.filter(conflict_key=key, status=ChangeStatus.PENDING).first()
    if pending is not None:
        raise ChangeRequestPending(details={"change_request": pending.number, "kind": pending.kind})
    cr = ChangeRequest(number=_number(), kind=k.code, order=target.order, sku=target.sku, warehouse=target.warehouse,
                       proposed=cleaned, current=k.snapshot(target, cleaned), reason=reason, conflict_key=key,
                       requested_by=actor.user)
    try:
        with transaction.atomic():  # the partial unique index: a concurrent request on the same data
            cr.save()
    except IntegrityError:
        other = ChangeRequest.objects.filter(conflict_key=key, status=ChangeStatus.PENDING).first()
        raise ChangeRequestPending(details={"change_request": other.number if other else "", "kind": k.code}) \
            from None
    record(target.order, "change_requested", actor=actor, reason=reason,
           data={"change_request": cr.number, "kind": k.code, "proposed": masked_fields(cleaned), **_subject(cr)})
    transaction.on_commit(lambda: _tell_approvers(cr, k))
    return cr


def _require_decider(k: Kind, cr: ChangeRequest, actor: Actor) -> None:
    if actor.user_id is not None and actor.user_id == cr.requested_by_id:
        raise OwnRequest(details={"change_request": cr.number})
    if not k.may_decide(actor):
        raise NotApprover(details={"change_request": cr.number, "permission": k.permission,
                                   "role": k.approver_role})


@transaction.atomic
def approve_change(*, number: str, actor: Actor, note: str = "") -> ChangeRequest:
    """Approve another person's request: apply the change now, atomically, if the data is still as it was."""
    cr = get_request(number)
    k = kind_of(cr.kind)
    _require_decider(k, cr, actor)
    target = _relock_target(cr)
    cr = _locked(cr)
    check_transition(cr.status, ChangeStatus.APPROVED, number=number)
    now_values = k.snapshot(target, cr.proposed)
    if k.refuses_stale and now_values != cr.current:
        raise TargetChanged(details={"change_request": number, "when_requested": masked_fields(cr.current),
                                     "now": masked_fields(now_values)})
    k.check(target, cr.proposed)
    changes = k.apply(target, cr.proposed, actor=actor, number=cr.number, reason=cr.reason)
    # Personal fields are masked: the audit log is no copy of them (orders/personal_data.py).
    event = record(target.order, "change_applied", actor=actor, changes=masked_changes(changes), reason=cr.reason,
                   note=(note or "")[:MAX_NOTE],
                   data={"change_request": cr.number, "kind": k.code, "requested_by": cr.requested_by.username,
                         **_subject(cr)})
    cr.status = ChangeStatus.APPROVED
    cr.decided_by, cr.decided_at = actor.user, timezone.now()
    cr.decision_note = (note or "").strip()[:MAX_NOTE]
    cr.applied_event = event
    cr.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "applied_event", "updated_at"])
    transaction.on_commit(lambda: _tell_requester(cr))
    return cr


@transaction.atomic
def reject_change(*, number: str, actor: Actor, note: str) -> ChangeRequest:
    """Reject another person's request with a note; nothing changes."""
    note = (note or "").strip() if isinstance(note, str) else ""
    if not note:
        raise InvalidChangeRequest(details={"note": [_("Say why the request is rejected.")]})
    cr = get_request(number)
    k = kind_of(cr.kind)
    _require_decider(k, cr, actor)
    cr = _locked(cr)
    check_transition(cr.status, ChangeStatus.REJECTED, number=number)
    cr.status = ChangeStatus.REJECTED
    cr.decided_by, cr.decided_at, cr.decision_note = actor.user, timezone.now(), note[:MAX_NOTE]
    cr.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    record(cr.order, "change_request_rejected", actor=actor, note=cr.decision_note,
           data={"change_request": cr.number, "kind": k.code, **_subject(cr)})
    transaction.on_commit(lambda: _tell_requester(cr))
    return cr


@transaction.atomic
def withdraw_change(*, number: str, actor: Actor, note: str = "") -> ChangeRequest:
    """The requester takes back a pending request."""
    cr = get_request(number)
    if actor.user_id != cr.requested_by_id:
        raise NotRequester(details={"change_request": number})
    cr = _locked(cr)
    check_transition(cr.status, ChangeStatus.WITHDRAWN, number=number)
    cr.status = ChangeStatus.WITHDRAWN
    cr.decided_at = timezone.now()
    cr.decision_note = (note or "").strip()[:MAX_NOTE]
    cr.save(update_fields=["status", "decided_at", "decision_note", "updated_at"])
    record(cr.order, "change_request_withdrawn", actor=actor, note=cr.decision_note,
           data={"change_request": cr.number, "kind": cr.kind, **_subject(cr)})
    return cr


def _link(cr: ChangeRequest) -> str:
    return f"/approvals/{cr.number}/"


def _what(cr: ChangeRequest) -> str:
    return cr.order.order_no if cr.order_id else f"{cr.sku.code} @ {cr.warehouse.code}"


def _tell_approvers(cr: ChangeRequest, k: Kind) -> None:
    from oms.inbox.services import notify_team

    notify_team(team=k.approver_role, kind="change_request", order=cr.order, link=_link(cr),
                title=_("Change request %(no)s waits for approval: %(kind)s, %(what)s") % {
                    "no": cr.number, "kind": k.label, "what": _what(cr)},
                body=cr.reason, dedupe_key=f"change_request:{cr.number}:raised")


def _tell_requester(cr: ChangeRequest) -> None:
    from oms.inbox.services import notify_user

    title = (_("Change request %(no)s approved and applied") if cr.status == ChangeStatus.APPROVED
             else _("Change request %(no)s rejected")) % {"no": cr.number}
    notify_user(user=cr.requested_by, kind="change_request_decided", order=cr.order, link=_link(cr), title=title,
                body=cr.decision_note, dedupe_key=f"change_request:{cr.number}:decided")
