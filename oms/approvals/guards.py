"""What direct actions call so they do not change data a pending change request covers.

Callers hold the target's lock (order row, or the stock level) when they ask: approval takes the
same lock first, so a direct action sees the request either pending (refused) or decided.
"""

from __future__ import annotations

from oms.approvals.errors import ApprovalRequired, ChangeRequestPending
from oms.approvals.models import ChangeRequest
from oms.approvals.status import ChangeStatus

__all__ = ["ApprovalRequired", "pending_request", "refuse_if_pending", "require_approving"]


def pending_request(*, order=None, family: str = "", sku_id: int | None = None,
                    warehouse_id: int | None = None) -> ChangeRequest | None:
    """The pending request on this order's family of data, or on this SKU in this warehouse."""
    key = f"order:{order.pk}:{family}" if order is not None else f"stock:{sku_id}:{warehouse_id}"
    return ChangeRequest.objects.filter(conflict_key=key, status=ChangeStatus.PENDING).first()


def refuse_if_pending(*, order=None, family: str = "", sku_id: int | None = None,
                      warehouse_id: int | None = None) -> None:
    """Raise ChangeRequestPending (409) naming the pending request that covers the same data."""
    found = pending_request(order=order, family=family, sku_id=sku_id, warehouse_id=warehouse_id)
    if found is not None:
        raise ChangeRequestPending(details={"change_request": found.number, "kind": found.kind})


def require_approving(*, number: str, sku_id: int, warehouse_id: int, delta: int) -> None:
    """Raise ApprovalRequired unless `number` is the pending stock request for exactly this adjustment.

    adjust_stock skips its threshold only for the request being approved (still pending inside the
    approval's transaction), so a made-up number cannot let a large adjustment through.
    """
    found = pending_request(sku_id=sku_id, warehouse_id=warehouse_id)
    if found is None or found.number != number or found.proposed.get("delta") != delta:
        raise ApprovalRequired(details={"change_request": number, "delta": delta})
