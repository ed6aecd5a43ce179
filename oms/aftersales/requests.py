"""After-sales requests (售后单): submit, review (approve or reject) and withdraw (manual §2.6.1).

Every action locks the order row first, then the request, records one audit event on the order
and recomputes the order's after-sales state. Buyer messages leave through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import INTEGRATION, OVERRIDE_AFTER_SALES, REQUEST_AFTER_SALES, REVIEW_AFTER_SALES
from oms.aftersales import photos as photo_store
from oms.aftersales.eligibility import Assessment, assess, input_problems
from oms.aftersales.errors import (
    InvalidRequestInput,
    NotEligible,
    NotShippedUseCancellation,
    OverrideNeedsSupervisor,
    QuantityNotAvailable,
    RequestNotFound,
)
from oms.aftersales.models import AfterSalesLine, AfterSalesRequest, AttachmentKind
from oms.aftersales.selectors import line_facts, order_facts
from oms.aftersales.state import refresh_after_sales_status
from oms.aftersales.status import RefundCause, RequestKind, RequestStatus, check_request_transition
from oms.audit.services import record
from oms.core.errors import ValidationFailed
from oms.core.money import InvalidMoney, parse_money
from oms.core.sequences import next_values
from oms.fulfillment.models import PackageLine, PackageStatus
from oms.inventory.models import Sku, Warehouse
from oms.notifications.outbox import enqueue
from oms.orders.errors import ChannelNotAllowed, OrderNotFound
from oms.orders.models import Order, OrderLine

APPROVED_TOPIC = "after_sales.approved"
REJECTED_TOPIC = "after_sales.rejected"
TEXT_MAX = 500
DESCRIPTION_MAX = 2000


class Via:
    BACK_OFFICE = "back_office"
    API = "api"
    CHANNEL = "channel"


@dataclass(frozen=True)
class LineInput:
    line_no: int
    quantity: int
    exchange_sku: str = ""  # exchange: the SKU wanted instead (blank: the same SKU)
    exchange_unit_price: Decimal | None = None  # exchange: its unit price today (blank: the line's price)


def parse_lines(raw) -> list[LineInput]:
    """Request lines from API or form data: a list of {line_no, quantity[, exchange_sku, exchange_unit_price]}."""
    if not isinstance(raw, list) or not raw:
        raise InvalidRequestInput(details={"lines": [_("A list of at least one line with line_no and quantity.")]})
    out, problems = [], {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            problems[f"lines[{i}]"] = [_("Must be an object.")]
            continue
        line_no, quantity = item.get("line_no"), item.get("quantity")
        if not isinstance(line_no, int) or isinstance(line_no, bool) or line_no <= 0:
            problems[f"lines[{i}].line_no"] = [_("A positive whole number.")]
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            problems[f"lines[{i}].quantity"] = [_("A positive whole number.")]
        sku = item.get("exchange_sku") or ""
        if not isinstance(sku, str):
            problems[f"lines[{i}].exchange_sku"] = [_("Must be a string.")]
            sku = ""
        price = item.get("exchange_unit_price")
        if price not in (None, ""):
            try:
                price = parse_money(price)
                if price < 0:
                    raise InvalidMoney("negative")
            except InvalidMoney:
                problems[f"lines[{i}].exchange_unit_price"] = [_("A decimal string such as \"59.00\".")]
                price = None
        else:
            price = None
        if not any(k.startswith(f"lines[{i}]") for k in problems):
            out.append(LineInput(line_no=line_no, quantity=quantity, exchange_sku=sku.strip(),
                                 exchange_unit_price=price))
    nos = [ln.line_no for ln in out]
    if len(nos) != len(set(nos)):
        problems["lines"] = [_("Each order line at most once.")]
    if problems:
        raise InvalidRequestInput(details=problems)
    return out


def _text(value: str, name: str, *, limit: int = TEXT_MAX, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("Give a reason."), details={name: [_("This field is required.")]})
    if len(value) > limit:
        raise ValidationFailed(details={name: [_("At most %(n)s characters.") % {"n": limit}]})
    return value


def _check_channel(actor: Actor, order: Order) -> None:
    if actor.user is not None and INTEGRATION in actor.roles and not actor.user.may_act_for_channel(
            order.channel_id):
        raise ChannelNotAllowed(details={"channel": order.channel.code})


def lock_request(number: str, actor: Actor) -> AfterSalesRequest:
    """Lock the request's order, then the request (the order-first lock order of every write)."""
    order_id = AfterSalesRequest.objects.filter(number=number).values_list("order_id", flat=True).first()
    if order_id is None:
        raise RequestNotFound(details={"number": number})
    order = Order.objects.select_for_update(of=("self",)).select_related("channel").get(pk=order_id)
    _check_channel(actor, order)
    request = AfterSalesRequest.objects.select_for_update().get(number=number)
    request.order = order
    return request


def _raise_for(result: Assessment, *, override_reason: str, actor: Actor) -> bool:
    """Refuse what the rules refuse; True when a supervisor accepts findings with a reason."""
    if result.before_shipment:
        raise NotShippedUseCancellation()
    if result.over_quantity:
        raise QuantityNotAvailable(details={"lines": result.over_quantity})
    if not result.findings:
        return False
    if not override_reason:
        raise NotEligible(details={"findings": result.findings})
    if not actor.has(OVERRIDE_AFTER_SALES):
        raise OverrideNeedsSupervisor(details={"findings": result.findings, "permission": OVERRIDE_AFTER_SALES})
    return True


def request_number(order: Order) -> str:
    return f"AS{order.order_no}-{next_values('after_sales_no')[0]}"


@transaction.atomic
def submit_request(*, order_no: str, kind: str, reason: str, lines: list[LineInput], actor: Actor,
                   description: str = "", photos: list | None = None, override_reason: str = "",
                   via: str = Via.BACK_OFFICE) -> AfterSalesRequest:
    """Open an after-sales request for chosen lines and units; refused (422) outside the rules unless a
    supervisor accepts it with a reason."""
    require(actor, REQUEST_AFTER_SALES)
    problems = input_problems(kind=kind, reason=reason)
    if problems:
        raise InvalidRequestInput(details=problems)
    if not lines:
        raise InvalidRequestInput(details={"lines": [_("At least one line.")]})
    if via == Via.CHANNEL or INTEGRATION in actor.roles:
        # The price difference of an exchange is money paid back: a channel may not type its price.
        priced = {f"lines[{i}].exchange_unit_price": [_("Channels may not set the exchange price; customer "
                                                        "service does.")]
                  for i, ln in enumerate(lines) if ln.exchange_unit_price is not None}
        if priced:
            raise InvalidRequestInput(details=priced)
    description = _text(description, "description", limit=DESCRIPTION_MAX)
    override_reason = _text(override_reason, "override_reason")
    checked_photos = photo_store.validated(list(photos or []))
    order = Order.objects.select_for_update(of=("self",)).select_related("channel").filter(order_no=order_no).first()
    if order is None:
        raise OrderNotFound(details={"order_no": order_no})
    _check_channel(actor, order)
    by_no = {ln.line_no: ln for ln in OrderLine.objects.filter(order=order)}
    unknown = [ln.line_no for ln in lines if ln.line_no not in by_no]
    if unknown:
        raise InvalidRequestInput(details={"lines": [_("No line %(no)s on this order.") % {"no": n} for n in unknown]})
    exchange_skus = _exchange_skus(kind, lines, by_no)
    wanted = {by_no[ln.line_no].pk: ln.quantity for ln in lines}
    now = timezone.now()
    result = assess(kind=kind, reason=reason, order=order_facts(order), lines=line_facts(order), wanted=wanted,
                    now=now)
    overridden = _raise_for(result, override_reason=override_reason, actor=actor)
    request = AfterSalesRequest.objects.create(
        number=request_number(order), order=order, kind=kind, reason=reason, description=description,
        ineligible=result.findings, override_reason=override_reason if overridden else "",
        override_by_id=actor.user_id if overridden else None, requested_by_id=actor.user_id, via=via)
    AfterSalesLine.objects.bulk_create([
        AfterSalesLine(request=request, line=by_no[ln.line_no], quantity=ln.quantity,
                       exchange_sku=exchange_skus.get(ln.line_no),
                       exchange_unit_price=ln.exchange_unit_price if kind == RequestKind.EXCHANGE else None)
        for ln in lines])
    if checked_photos:
        photo_store.store(request, checked_photos, kind=AttachmentKind.BUYER, actor=actor)
    record(order, "after_sales_requested", actor=actor, reason=reason, note=description[:2000],
           changes={"after_sales_request": ["", RequestStatus.SUBMITTED]},
           data={"request": request.number, "kind": kind, "via": via, "photos": len(checked_photos),
                 "lines": [{"line_no": ln.line_no, "quantity": ln.quantity,
                            **({"exchange_sku": exchange_skus[ln.line_no].code} if ln.line_no in exchange_skus
                               else {})} for ln in lines],
                 **({"outside_rules": result.findings, "override_reason": override_reason} if overridden else {})})
    refresh_after_sales_status(order)
    return request


def _exchange_skus(kind: str, lines: list[LineInput], by_no: dict[int, OrderLine]) -> dict[int, Sku]:
    """Exchange: the SKU each line is swapped for (its own SKU by default); other kinds name none."""
    if kind != RequestKind.EXCHANGE:
        named = [ln.line_no for ln in lines if ln.exchange_sku or ln.exchange_unit_price is not None]
        if named:
            raise InvalidRequestInput(details={"lines": [_("Only exchanges name an exchange SKU or price.")]})
        return {}
    codes = {ln.exchange_sku for ln in lines if ln.exchange_sku}
    skus = {s.code: s for s in Sku.objects.filter(code__in=codes, active=True)}
    out, problems = {}, []
    for ln in lines:
        if ln.exchange_sku:
            sku = skus.get(ln.exchange_sku)
            if sku is None:
                problems.append(_("No active SKU %(code)s to exchange for.") % {"code": ln.exchange_sku})
                continue
        else:
            sku = by_no[ln.line_no].sku
            if sku is None:
                problems.append(_("Line %(no)s has no catalogue SKU: name the exchange SKU.") % {"no": ln.line_no})
                continue
        out[ln.line_no] = sku
    if problems:
        raise InvalidRequestInput(details={"exchange_sku": problems})
    return out


def return_contact() -> str:
    """Who receives returns at every warehouse (OMS_RETURN_CONTACT, e.g. "售后组 0571-88886666")."""
    return str(getattr(settings, "OMS_RETURN_CONTACT", "") or "")


def return_address(warehouse: Warehouse) -> str:
    """The buyer's return address: warehouse name, contact, then the address as written on a parcel."""
    parts = [warehouse.name, return_contact(), f"{warehouse.province}{warehouse.city}{warehouse.address}"]
    return " ".join(p for p in parts if p)


def shipping_warehouse(request: AfterSalesRequest) -> Warehouse | None:
    """The warehouse that shipped the request's goods (the latest parcel carrying its first line)."""
    line_ids = list(request.lines.order_by("line__line_no").values_list("line_id", flat=True))
    found = (PackageLine.objects.filter(line_id__in=line_ids,
                                        package__status__in=(PackageStatus.SHIPPED, PackageStatus.DELIVERED))
             .select_related("package__warehouse").order_by("-package__shipped_at", "-id").first())
    return found.package.warehouse if found else None


def _warehouse(code: str) -> Warehouse:
    found = Warehouse.objects.filter(code=code, active=True).first()
    if found is None:
        raise ValidationFailed(details={"return_warehouse": [_("No active warehouse with this code.")]})
    return found


@transaction.atomic
def approve_request(*, number: str, actor: Actor, return_warehouse: str = "", override_reason: str = "",
                    note: str = "") -> AfterSalesRequest:
    """Approve per the return policy: returns and exchanges get return instructions; refund-only raises
    its refund at once and completes."""
    require(actor, REVIEW_AFTER_SALES)
    override_reason, note = _text(override_reason, "override_reason"), _text(note, "note")
    request = lock_request(number, actor)
    order = request.order
    check_request_transition(request.status, RequestStatus.APPROVED)
    lines = list(request.lines.select_related("line").order_by("line__line_no"))
    # The rules are measured when the buyer asked; quantities as they are now (other requests moved on).
    result = assess(kind=request.kind, reason=request.reason, order=order_facts(order),
                    lines=line_facts(order, exclude_request_id=request.pk),
                    wanted={al.line_id: al.quantity for al in lines}, now=request.created_at)
    if result.findings and request.override_by_id:
        result.findings = []  # a supervisor accepted them when the request was opened
    if _raise_for(result, override_reason=override_reason, actor=actor):
        request.ineligible, request.override_reason, request.override_by_id = (
            result.findings, override_reason, actor.user_id)
    now = timezone.now()
    old = request.status
    request.status, request.reviewed_by_id, request.reviewed_at = RequestStatus.APPROVED, actor.user_id, now
    data = {"request": request.number, "kind": request.kind}
    if request.kind == RequestKind.REFUND_ONLY:
        from oms.payments.refunds import raise_refund_locked

        refund = raise_refund_locked(order, cause=RefundCause.REFUND_ONLY, actor=actor, reason=request.reason,
                                     lines={al.line_id: al.quantity for al in lines}, request=request,
                                     note=request.number)
        check_request_transition(RequestStatus.APPROVED, RequestStatus.COMPLETED)
        request.status, request.completed_at = RequestStatus.COMPLETED, now
        data.update(refund=refund.number, amount=f"{refund.amount:.2f}")
    else:
        warehouse = _warehouse(return_warehouse) if return_warehouse else shipping_warehouse(request)
        if warehouse is None:
            raise ValidationFailed(details={"return_warehouse": [_("Choose the warehouse that receives the return.")]})
        address = return_address(warehouse)
        request.return_warehouse = warehouse
        data.update(return_warehouse=warehouse.code, return_address=address)
        enqueue(APPROVED_TOPIC, {"request_no": request.number, "order_no": order.order_no,
                                 "return_address": address})
    request.save()
    if request.override_by_id and override_reason:
        data.update(outside_rules=request.ineligible, override_reason=override_reason)
    record(order, "after_sales_approved", actor=actor, note=note, reason=request.reason,
           changes={"after_sales_request": [old, request.status]}, data=data)
    refresh_after_sales_status(order)
    return request


@transaction.atomic
def reject_request(*, number: str, actor: Actor, reason: str) -> AfterSalesRequest:
    """Reject with a reason the buyer is told."""
    require(actor, REVIEW_AFTER_SALES)
    reason = _text(reason, "reason", required=True)
    request = lock_request(number, actor)
    check_request_transition(request.status, RequestStatus.REJECTED)
    old = request.status
    request.status, request.reject_reason = RequestStatus.REJECTED, reason
    request.reviewed_by_id, request.reviewed_at = actor.user_id, timezone.now()
    request.save()
    enqueue(REJECTED_TOPIC, {"request_no": request.number, "order_no": request.order.order_no,
                             "reject_reason": reason})
    record(request.order, "after_sales_rejected", actor=actor, reason=reason,
           changes={"after_sales_request": [old, RequestStatus.REJECTED]}, data={"request": request.number})
    refresh_after_sales_status(request.order)
    return request


@transaction.atomic
def withdraw_request(*, number: str, actor: Actor, note: str = "") -> AfterSalesRequest:
    """The buyer withdraws the request (through customer service or the channel) before the parcel arrives."""
    require(actor, REQUEST_AFTER_SALES)
    note = _text(note, "note")
    request = lock_request(number, actor)
    check_request_transition(request.status, RequestStatus.WITHDRAWN)
    old = request.status
    request.status = RequestStatus.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    record(request.order, "after_sales_withdrawn", actor=actor, note=note,
           changes={"after_sales_request": [old, RequestStatus.WITHDRAWN]}, data={"request": request.number})
    refresh_after_sales_status(request.order)
    return request
