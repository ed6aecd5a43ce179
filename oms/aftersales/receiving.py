"""Receiving returned parcels (退货验收): match the parcel, inspect per line, put units where they belong.

Resellable units go back on hand with a RETURN row in the stock ledger; damaged ones into the
warehouse's quarantine (its own stock and ledger, never on hand). A return-and-refund request then
raises its refund for the resellable and damaged units (the shipping rule follows the request's
reason) and completes; an exchange settles its price difference and sends its replacement.
Wrong-item and missing units are not refunded automatically: customer service decides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require, require_warehouse
from oms.accounts.roles import RECEIVE_RETURNS
from oms.aftersales import photos as photo_store
from oms.aftersales.errors import InspectionIncomplete, WrongKindForAction
from oms.aftersales.exchange import PASSED, settle_difference_locked, try_replacement_locked
from oms.aftersales.models import (
    AfterSalesLine,
    AfterSalesRequest,
    AttachmentKind,
    InspectionLine,
    QuarantineMovement,
    QuarantineStock,
)
from oms.aftersales.requests import lock_request
from oms.aftersales.state import refresh_after_sales_status
from oms.aftersales.status import ItemCondition, RefundCause, RequestKind, RequestStatus, check_request_transition
from oms.audit.services import record
from oms.core.errors import ValidationFailed
from oms.fulfillment.models import PackageLine, PackageStatus
from oms.inventory.services import lock_levels
from oms.inventory.services import receive_return as put_back_on_hand

NOTE_MAX = 500
REFUNDED_CONDITIONS = (ItemCondition.RESELLABLE, ItemCondition.DAMAGED)


@dataclass(frozen=True)
class InspectionInput:
    line_no: int
    condition: str
    quantity: int
    note: str = ""


def parse_inspections(raw) -> list[InspectionInput]:
    """Inspection rows from API or form data: a list of {line_no, condition, quantity[, note]}."""
    if not isinstance(raw, list) or not raw:
        raise InspectionIncomplete(details={"lines": [_("A list of {line_no, condition, quantity, note}.")]})
    out, problems = [], {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            problems[f"lines[{i}]"] = [_("Must be an object.")]
            continue
        line_no, quantity, condition = item.get("line_no"), item.get("quantity"), item.get("condition")
        note = item.get("note") or ""
        if not isinstance(line_no, int) or isinstance(line_no, bool) or line_no <= 0:
            problems[f"lines[{i}].line_no"] = [_("A positive whole number.")]
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            problems[f"lines[{i}].quantity"] = [_("A whole number, 0 or more.")]
        if condition not in ItemCondition.values:
            problems[f"lines[{i}].condition"] = [", ".join(ItemCondition.values)]
        if not isinstance(note, str) or len(note) > NOTE_MAX:
            problems[f"lines[{i}].note"] = [_("Text of at most %(n)s characters.") % {"n": NOTE_MAX}]
        if not any(k.startswith(f"lines[{i}]") for k in problems) and quantity:
            out.append(InspectionInput(line_no=line_no, condition=condition, quantity=quantity, note=note.strip()))
    if problems:
        raise InspectionIncomplete(details=problems)
    return out


def _check_counts(lines: list[AfterSalesLine], inspections: list[InspectionInput]) -> None:
    """Every requested unit accounted for exactly once per line (received in a condition, or missing)."""
    requested = {al.line.line_no: al.quantity for al in lines}
    counted: dict[int, int] = defaultdict(int)
    for i in inspections:
        counted[i.line_no] += i.quantity
    problems = {}
    for line_no in sorted(set(counted) - set(requested)):
        problems[f"line {line_no}"] = [_("This line is not on the request.")]
    for line_no, qty in requested.items():
        if counted.get(line_no, 0) != qty:
            problems[f"line {line_no}"] = [_("%(counted)s units inspected, %(asked)s requested.") % {
                "counted": counted.get(line_no, 0), "asked": qty}]
    if problems:
        raise InspectionIncomplete(details=problems)


def returned_sku(line_id: int, fallback: int | None) -> int | None:
    """The SKU that went out for an order line (the latest parcel: a replacement may have swapped it)."""
    found = (PackageLine.objects.filter(line_id=line_id,
                                        package__status__in=(PackageStatus.SHIPPED, PackageStatus.DELIVERED))
             .order_by("-package__shipped_at", "-id").values_list("sku_id", flat=True).first())
    return found or fallback


def quarantine(*, sku_id: int, warehouse_id: int, quantity: int, request: AfterSalesRequest, actor: Actor,
               reason: str = "") -> QuarantineStock:
    """Put damaged units into the warehouse's quarantine with a ledger row (inside the caller's transaction)."""
    level = QuarantineStock.objects.select_for_update().filter(sku_id=sku_id, warehouse_id=warehouse_id).first()
    if level is None:
        try:
            with transaction.atomic():
                QuarantineStock.objects.create(sku_id=sku_id, warehouse_id=warehouse_id)
        except IntegrityError:
            pass  # created concurrently; lock the one that exists
        level = QuarantineStock.objects.select_for_update().get(sku_id=sku_id, warehouse_id=warehouse_id)
    level.quantity += quantity
    level.save(update_fields=["quantity"])
    QuarantineMovement.objects.create(sku_id=sku_id, warehouse_id=warehouse_id, delta=quantity,
                                      quantity_after=level.quantity, request=request, reason=reason[:200],
                                      actor_id=actor.user_id, actor_username=actor.username)
    return level


@transaction.atomic
def receive_parcel(*, number: str, actor: Actor, inspections: list[InspectionInput], tracking_no: str = "",
                   carrier: str = "", note: str = "", photos: list | None = None) -> AfterSalesRequest:
    """Record what came back for an approved return or exchange, per line and condition, and act on it."""
    require(actor, RECEIVE_RETURNS)
    tracking_no, carrier, note = (tracking_no or "").strip(), (carrier or "").strip(), (note or "").strip()
    if len(tracking_no) > 40 or len(carrier) > 64 or len(note) > NOTE_MAX:
        raise ValidationFailed(details={k: [_("Too long.")] for k, v, n in (
            ("tracking_no", tracking_no, 40), ("carrier", carrier, 64), ("note", note, NOTE_MAX)) if len(v) > n})
    checked_photos = photo_store.validated(list(photos or []))
    request = lock_request(number, actor)
    order = request.order
    if request.kind not in (RequestKind.RETURN_REFUND, RequestKind.EXCHANGE):
        raise WrongKindForAction(_("Refund-only requests have no parcel to receive."),
                                 details={"kind": request.kind})
    check_request_transition(request.status, RequestStatus.RECEIVED)
    require_warehouse(actor, request.return_warehouse_id)
    lines = list(request.lines.select_related("line").order_by("line__line_no"))
    _check_counts(lines, inspections)
    by_no = {al.line.line_no: al for al in lines}
    now = timezone.now()
    InspectionLine.objects.bulk_create([
        InspectionLine(request_line=by_no[i.line_no], quantity=i.quantity, condition=i.condition, note=i.note,
                       inspected_by_id=actor.user_id) for i in inspections])
    # Stock: on hand for resellable units, quarantine for damaged ones; levels locked in (sku) order.
    back: dict[tuple[str, int], int] = defaultdict(int)
    for i in inspections:
        if i.condition in REFUNDED_CONDITIONS:
            al = by_no[i.line_no]
            back[(i.condition, returned_sku(al.line_id, al.line.sku_id))] += i.quantity
    warehouse_id = request.return_warehouse_id
    # Every stock level this receipt and an exchange's replacement touch, locked in one go in the fixed
    # (sku, warehouse) order: locking the returned SKU first and the exchange SKU later could invert it.
    level_skus = {sku_id for (condition, sku_id) in back if sku_id is not None and
                  condition == ItemCondition.RESELLABLE}
    if request.kind == RequestKind.EXCHANGE:
        level_skus |= {by_no[i.line_no].exchange_sku_id for i in inspections
                       if i.condition in PASSED and by_no[i.line_no].exchange_sku_id}
    lock_levels(level_skus, [warehouse_id])
    moved = []
    for (condition, sku_id), qty in sorted(back.items(), key=lambda kv: (kv[0][1] or 0, kv[0][0])):
        if sku_id is None:
            continue  # a line without a catalogue SKU: nothing to count in stock
        if condition == ItemCondition.RESELLABLE:
            put_back_on_hand(sku_id=sku_id, warehouse_id=warehouse_id, quantity=qty, actor=actor, order=order,
                             reference=request.number, reason="return received")
        else:
            quarantine(sku_id=sku_id, warehouse_id=warehouse_id, quantity=qty, request=request, actor=actor,
                       reason="damaged return")
        moved.append({"sku_id": sku_id, "condition": condition, "quantity": qty})
    old = request.status
    request.status, request.received_at, request.received_by_id = RequestStatus.RECEIVED, now, actor.user_id
    if tracking_no:
        request.return_tracking_no = tracking_no
    if carrier:
        request.return_carrier = carrier
    request.save()
    if checked_photos:
        photo_store.store(request, checked_photos, kind=AttachmentKind.INSPECTION, actor=actor)
    refundable = defaultdict(int)
    for i in inspections:
        if i.condition in REFUNDED_CONDITIONS:
            refundable[by_no[i.line_no].line_id] += i.quantity
    not_refunded = [{"line_no": i.line_no, "condition": i.condition, "quantity": i.quantity}
                    for i in inspections if i.condition not in REFUNDED_CONDITIONS]
    data = {"request": request.number, "warehouse_id": warehouse_id, "photos": len(checked_photos),
            "inspections": [{"line_no": i.line_no, "condition": i.condition, "quantity": i.quantity,
                             **({"note": i.note} if i.note else {})} for i in inspections]}
    if not_refunded:
        data["not_refunded"] = not_refunded
        data["detail"] = "cs_decides"  # wrong-item and missing units: not refunded automatically
    record(order, "after_sales_received", actor=actor, note=note,
           changes={"after_sales_request": [old, RequestStatus.RECEIVED]}, data=data)
    if request.kind == RequestKind.RETURN_REFUND:
        _refund_and_complete(request, dict(refundable), actor=actor)
    else:
        lines = list(request.lines.select_related("line", "exchange_sku").prefetch_related("inspections")
                     .order_by("line__line_no"))
        settled = settle_difference_locked(request, lines, actor=actor)
        outcome = try_replacement_locked(request, actor=actor)
        if settled:
            record(order, "after_sales_exchange_priced", actor=actor,
                   data={"request": request.number, "replacement": outcome, **settled})
    refresh_after_sales_status(order)
    return request


def _refund_and_complete(request: AfterSalesRequest, units: dict[int, int], *, actor: Actor) -> None:
    from oms.payments.refunds import live_refunded, raise_refund_locked

    order = request.order
    data = {"request": request.number}
    if units and order.paid_amount - live_refunded(order) > 0:
        # The goods are back: refund what is left of what was paid rather than refuse the receipt.
        refund = raise_refund_locked(order, cause=RefundCause.RETURN, actor=actor, lines=units,
                                     reason=request.reason, request=request, note=request.number,
                                     cap_to_refundable=True)
        data.update(refund=refund.number, amount=f"{refund.amount:.2f}")
    elif units:
        data["detail"] = "nothing_left_to_refund"
    else:
        data["detail"] = "nothing_passed_inspection"
    check_request_transition(request.status, RequestStatus.COMPLETED)
    request.status, request.completed_at = RequestStatus.COMPLETED, timezone.now()
    request.save(update_fields=["status", "completed_at", "updated_at"])
    record(order, "after_sales_completed", actor=actor,
           changes={"after_sales_request": [RequestStatus.RECEIVED, RequestStatus.COMPLETED]}, data=data)
