"""Exchanges (换货): once inspection passed, a replacement package goes out like any order's parcel.

The replacement is built the way a logistics reship is (shipping/exceptions.py `reship`): a new
allocated package of the order, its stock reserved on locked levels, then picking, packing and
hand-over as usual. Its lines point at the original order lines with the exchange SKU.

Price difference, from unit prices (the exchange item's price today, typed at the request since the
catalogue keeps no prices, against the price the line was sold at; order-level discounts stay with
the order): cheaper → the difference is refunded (cause exchange_difference), per line at most what
the exchanged units were paid net of their share of the order's discounts; dearer → the buyer owes
it, the request shows "difference to collect" and the replacement waits until someone who records
payments marks it collected with its payment reference.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import RECORD_PAYMENT, REVIEW_AFTER_SALES
from oms.aftersales.errors import ExchangeOutOfStock, NoDifferenceToCollect, WrongKindForAction
from oms.aftersales.models import AfterSalesLine, AfterSalesRequest
from oms.aftersales.state import refresh_after_sales_status
from oms.aftersales.status import ItemCondition, RefundCause, RequestKind, RequestStatus, check_request_transition
from oms.audit.services import record
from oms.core.errors import ValidationFailed
from oms.core.money import ZERO
from oms.fulfillment.extra_packages import lock_free_units, next_package_number
from oms.fulfillment.models import Package, PackageStatus
from oms.inventory.models import Sku, Warehouse
from oms.inventory.planning import Take
from oms.inventory.services import ReservationBatch
from oms.orders.models import OrderLine
from oms.payments.refund_amounts import LineMoney, net_line_amounts, units_amount

PASSED = (ItemCondition.RESELLABLE, ItemCondition.DAMAGED)


def passed_units(lines: list[AfterSalesLine]) -> dict[int, int]:
    """Request line id → units received back in a condition that earns the exchange."""
    out: dict[int, int] = defaultdict(int)
    for al in lines:
        for i in al.inspections.all():
            if i.condition in PASSED:
                out[al.pk] += i.quantity
    return dict(out)


def price_difference(lines: list[AfterSalesLine], passed: dict[int, int],
                     refund_caps: dict[int, Decimal] | None = None) -> Decimal:
    """What the buyer owes (positive) or gets back (negative) for the exchanged units.

    `refund_caps` (request line id → the most its units may pay back) bounds a cheaper line's refund.
    """
    total = ZERO
    for al in lines:
        units = passed.get(al.pk, 0)
        new_price = al.exchange_unit_price if al.exchange_unit_price is not None else al.line.unit_price
        line_diff = (new_price - al.line.unit_price) * units
        if line_diff < 0 and refund_caps is not None:
            line_diff = max(line_diff, -refund_caps.get(al.pk, ZERO))
        total += line_diff
    return total


def net_refund_caps(order, lines: list[AfterSalesLine], passed: dict[int, int]) -> dict[int, Decimal]:
    """Request line id → what its passed units were paid net of discounts (as a refund of them would pay)."""
    from oms.payments.refunds import refunded_units

    order_lines = list(OrderLine.objects.filter(order=order))
    nets = net_line_amounts([LineMoney(ln.pk, ln.quantity, ln.subtotal) for ln in order_lines],
                            order.discount_total)
    already = refunded_units(order)
    return {al.pk: units_amount(net=nets[al.line_id], quantity=al.line.quantity,
                                already=already.get(al.line_id, 0), units=passed[al.pk])
            for al in lines if passed.get(al.pk)}


def settle_difference_locked(request: AfterSalesRequest, lines: list[AfterSalesLine], *, actor: Actor) -> dict:
    """Right after inspection: refund a cheaper exchange's difference, or record a dearer one's as due."""
    from oms.payments.refunds import live_refunded, raise_refund_locked

    passed = passed_units(lines)
    # A typed price of 0 must not refund more than the units were paid: the cap is their net amount.
    diff = price_difference(lines, passed, net_refund_caps(request.order, lines, passed))
    if diff < 0:
        amount = min(-diff, request.order.paid_amount - live_refunded(request.order))
        if amount > 0:
            refund = raise_refund_locked(request.order, cause=RefundCause.EXCHANGE_DIFFERENCE, actor=actor,
                                         extra_amount=amount, reason=request.reason, request=request,
                                         note=request.number)
            return {"difference_refund": refund.number, "difference": f"{diff:.2f}"}
        return {"difference": f"{diff:.2f}"}
    if diff > 0:
        request.difference_due = diff
        request.save(update_fields=["difference_due", "updated_at"])
        return {"difference_due": f"{diff:.2f}"}
    return {}


def send_replacement_locked(request: AfterSalesRequest, *, actor: Actor, warehouse: Warehouse | None = None,
                            note: str = "") -> Package | None:
    """Create the replacement package with its stock reserved and complete the request (order locked).

    Returns None when nothing passed inspection (the request completes; CS decides what follows) and
    leaves the request received while a difference is still to collect. ExchangeOutOfStock when
    the warehouse lacks free units: nothing is written and the request stays received.
    """
    if request.difference_due > 0 and request.difference_collected_at is None:
        return None
    lines = list(request.lines.select_related("line", "exchange_sku").prefetch_related("inspections")
                 .order_by("line__line_no"))
    passed = passed_units(lines)
    warehouse = warehouse or request.return_warehouse
    now = timezone.now()
    check_request_transition(request.status, RequestStatus.COMPLETED)
    if not any(passed.values()):
        request.status, request.completed_at = RequestStatus.COMPLETED, now
        request.save(update_fields=["status", "completed_at", "updated_at"])
        record(request.order, "after_sales_completed", actor=actor, note=note,
               changes={"after_sales_request": [RequestStatus.RECEIVED, RequestStatus.COMPLETED]},
               data={"request": request.number, "detail": "nothing_passed_inspection"})
        return None
    wanted: dict[int, int] = defaultdict(int)
    for al in lines:
        if passed.get(al.pk):
            wanted[al.exchange_sku_id] += passed[al.pk]
    levels = lock_free_units(wanted, warehouse, ExchangeOutOfStock)
    carrier_id = (Package.objects.filter(order=request.order, warehouse=warehouse,
                                         status__in=(PackageStatus.SHIPPED, PackageStatus.DELIVERED))
                  .order_by("-shipped_at", "-id").values_list("carrier_id", flat=True).first())
    weights = dict(Sku.objects.filter(pk__in=wanted).values_list("pk", "weight_g"))
    package = Package.objects.create(
        order=request.order, number=next_package_number(f"{request.order.order_no}-X"), warehouse=warehouse,
        carrier_id=carrier_id,
        status=PackageStatus.ALLOCATED, weight_g=sum(weights.get(s, 0) * q for s, q in wanted.items()))
    from oms.fulfillment.models import PackageLine

    PackageLine.objects.bulk_create([PackageLine(package=package, line_id=al.line_id, sku_id=al.exchange_sku_id,
                                                 quantity=passed[al.pk]) for al in lines if passed.get(al.pk)])
    batch = ReservationBatch(levels=levels, actor=actor)
    batch.add(order=request.order, takes=[Take(line_id=al.line_id, sku_id=al.exchange_sku_id,
                                               warehouse_id=warehouse.pk, quantity=passed[al.pk])
                                          for al in lines if passed.get(al.pk)])
    batch.write()
    request.replacement_package = package
    request.status, request.completed_at = RequestStatus.COMPLETED, now
    request.save(update_fields=["replacement_package", "status", "completed_at", "updated_at"])
    record(request.order, "after_sales_replacement_created", actor=actor, note=note,
           changes={"after_sales_request": [RequestStatus.RECEIVED, RequestStatus.COMPLETED]},
           data={"request": request.number, "package": package.number, "warehouse": warehouse.code,
                 "lines": [{"line_no": al.line.line_no, "sku": al.exchange_sku.code, "quantity": passed[al.pk]}
                           for al in lines if passed.get(al.pk)]})
    return package


def try_replacement_locked(request: AfterSalesRequest, *, actor: Actor) -> str:
    """After inspection or collection: send the replacement if stock allows; what happened, for the caller."""
    try:
        with transaction.atomic():  # a savepoint: a stock shortage leaves the receipt in place
            package = send_replacement_locked(request, actor=actor)
    except ExchangeOutOfStock as exc:
        request.refresh_from_db()
        record(request.order, "after_sales_replacement_waiting", actor=actor,
               data={"request": request.number, "short": exc.details.get("short", []), "detail": "waits_for_stock"})
        return "replacement_out_of_stock"
    if package is not None:
        return "replacement_sent"
    if request.status == RequestStatus.RECEIVED:
        return "replacement_waits_for_difference"
    return "replacement_not_needed"


def _lock_exchange(number: str, actor: Actor) -> AfterSalesRequest:
    from oms.aftersales.requests import lock_request

    request = lock_request(number, actor)
    if request.kind != RequestKind.EXCHANGE:
        raise WrongKindForAction(details={"kind": request.kind})
    return request


@transaction.atomic
def send_replacement(*, number: str, actor: Actor, warehouse: str = "", note: str = "") -> Package | None:
    """Send an inspected exchange's replacement (again after a stock shortage), optionally from another warehouse."""
    require(actor, REVIEW_AFTER_SALES)
    request = _lock_exchange(number, actor)
    check_request_transition(request.status, RequestStatus.COMPLETED)
    chosen = None
    if warehouse:
        chosen = Warehouse.objects.filter(code=warehouse, active=True).first()
        if chosen is None:
            raise ValidationFailed(details={"warehouse": [_("No active warehouse with this code.")]})
    if request.difference_due > 0 and request.difference_collected_at is None:
        raise ValidationFailed(_("Collect the price difference first."), details={"difference_due": [
            f"{request.difference_due:.2f}"]})
    package = send_replacement_locked(request, actor=actor, warehouse=chosen, note=note[:500])
    refresh_after_sales_status(request.order)
    return package


@transaction.atomic
def collect_difference(*, number: str, actor: Actor, reference: str, note: str = "") -> AfterSalesRequest:
    """Record that the buyer paid a dearer exchange's difference (its payment reference); the replacement
    then goes out if stock allows."""
    require(actor, RECORD_PAYMENT)
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise ValidationFailed(details={"reference": [_("The payment's reference, at most 64 characters.")]})
    request = _lock_exchange(number, actor)
    if request.difference_due <= 0 or request.difference_collected_at is not None:
        raise NoDifferenceToCollect(details={"number": number})
    request.difference_collected_at, request.difference_reference = timezone.now(), reference
    request.save(update_fields=["difference_collected_at", "difference_reference", "updated_at"])
    record(request.order, "after_sales_difference_collected", actor=actor, note=(note or "")[:500],
           data={"request": request.number, "amount": f"{request.difference_due:.2f}", "reference": reference})
    if request.status == RequestStatus.RECEIVED:
        try_replacement_locked(request, actor=actor)
    refresh_after_sales_status(request.order)
    return request
