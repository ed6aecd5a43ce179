"""Manual entry of offline orders with a second person's check (双人复核).

An entered order stays a draft until a different user confirms it or sends it
back with a comment; the person who entered or last edited it cannot confirm it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import CHECK_ENTRIES, ENTER_ORDERS
from oms.audit.services import diff, record
from oms.channels.selectors import resolve_skus
from oms.core.errors import Conflict, ValidationFailed
from oms.core.no_delete import discard_uncommitted_lines
from oms.notifications.outbox import enqueue
from oms.orders.errors import NotADraft, OrderNotFound, SelfCheckNotAllowed
from oms.orders.intake.building import build_order, save_built
from oms.orders.intake.command import IntakeCommand
from oms.orders.models import EntryCheck, Order, OrderDiscount, OrderLine
from oms.orders.numbering import next_order_no
from oms.orders.personal_data import masked_changes
from oms.orders.status import OrderSource, OrderStatus, check_transition, intake_status

EDITABLE_FIELDS = (
    "channel_id", "external_id", "placed_at", "customer_name", "customer_phone", "customer_email",
    "ship_name", "ship_phone", "ship_province", "ship_city", "ship_district", "ship_detail", "ship_postcode",
    "goods_total", "shipping_fee", "discount_total", "payable_amount", "paid_amount", "payment_method",
    "payment_status", "paid_at", "transaction_id", "buyer_remark", "seller_note", "invoice_type",
    "invoice_title", "invoice_tax_id", "content_hash",
)


def lock_order(order_no: str) -> Order:
    order = Order.objects.select_for_update().filter(order_no=order_no).first()
    if order is None:
        raise OrderNotFound(details={"order_no": order_no})
    return order


def _lines_summary(lines) -> str:
    return "; ".join(f"{ln.sku_code} {ln.spec} ×{ln.quantity} @{ln.unit_price:.2f}".replace("  ", " ") for ln in lines)


def _discounts_summary(discounts) -> str:
    return "; ".join(f"{d.kind} {d.code} -{d.amount:.2f}".replace("  ", " ") for d in discounts)


@transaction.atomic
def enter_order(*, command: IntakeCommand, actor: Actor) -> Order:
    """Enter an order by hand; it waits as a draft for a second person's check."""
    require(actor, ENTER_ORDERS)
    built = build_order(
        command,
        order_no=next_order_no(),
        source=OrderSource.MANUAL,
        status=OrderStatus.DRAFT,
        created_by_id=actor.user_id,
        skus=resolve_skus({(command.channel_id, ln.sku) for ln in command.lines}),
        entry_check=EntryCheck.AWAITING,
    )
    try:
        with transaction.atomic():
            order = save_built(built)
    except IntegrityError:
        raise Conflict(
            _("An order with this channel and external id exists already."),
            details={"external_id": [command.external_id]},
        ) from None
    record(order, "order_entered", actor=actor, data={"channel": command.channel_code})
    return order


@transaction.atomic
def edit_draft(*, order_no: str, command: IntakeCommand, actor: Actor) -> Order:
    """Correct a draft (for example after it was sent back); it then waits for a check again."""
    require(actor, ENTER_ORDERS)
    order = lock_order(order_no)
    if order.status != OrderStatus.DRAFT:
        raise NotADraft(details={"order_no": order_no, "status": order.status})
    before = {f: getattr(order, f) for f in EDITABLE_FIELDS}
    old_lines = list(order.lines.all())
    old_discounts = list(order.discounts.all())
    built = build_order(
        command,
        order_no=order.order_no,
        source=order.source,
        status=order.status,
        created_by_id=order.created_by_id,
        skus=resolve_skus({(command.channel_id, ln.sku) for ln in command.lines}),
        entry_check=EntryCheck.AWAITING,
    )
    for f in EDITABLE_FIELDS:
        setattr(order, f, getattr(built.order, f))
    changes = diff(before, {f: getattr(order, f) for f in EDITABLE_FIELDS})
    changes.pop("content_hash", None)
    new_lines_summary = _lines_summary(built.lines)
    if _lines_summary(old_lines) != new_lines_summary:
        changes["lines"] = [_lines_summary(old_lines), new_lines_summary]
    if _discounts_summary(old_discounts) != _discounts_summary(built.discounts):
        changes["discounts"] = [_discounts_summary(old_discounts), _discounts_summary(built.discounts)]
    if not changes:
        raise ValidationFailed(_("Nothing changed."), details={"order": [_("The draft is unchanged.")]})
    previous_check = order.entry_check
    order.entry_check = EntryCheck.AWAITING
    order.last_edited_by_id = actor.user_id
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        raise Conflict(
            _("An order with this channel and external id exists already."),
            details={"external_id": [command.external_id]},
        ) from None
    # A draft's lines are replaced whole; the draft_edited event below keeps old → new.
    discard_uncommitted_lines(OrderLine.objects.filter(order=order))
    discard_uncommitted_lines(OrderDiscount.objects.filter(order=order))
    for line in built.lines:
        line.order = order
    OrderLine.objects.bulk_create(built.lines)
    for d in built.discounts:
        d.order = order
    OrderDiscount.objects.bulk_create(built.discounts)
    if previous_check != EntryCheck.AWAITING:
        changes["entry_check"] = [previous_check, EntryCheck.AWAITING]
    record(order, "draft_edited", actor=actor, changes=masked_changes(changes))
    return order


def _require_second_person(order: Order, actor: Actor) -> None:
    if actor.user_id in (order.created_by_id, order.last_edited_by_id):
        raise SelfCheckNotAllowed(details={"order_no": order.order_no})


@transaction.atomic
def confirm_entry(*, order_no: str, actor: Actor, note: str = "") -> Order:
    """Second person confirms a hand-entered order; it enters the normal flow."""
    require(actor, CHECK_ENTRIES)
    order = lock_order(order_no)
    if order.status != OrderStatus.DRAFT or order.entry_check != EntryCheck.AWAITING:
        raise NotADraft(details={"order_no": order_no, "status": order.status, "entry_check": order.entry_check})
    _require_second_person(order, actor)
    new_status = intake_status(payment_status=order.payment_status, payment_method=order.payment_method)
    check_transition(order.status, new_status)
    old_status = order.status
    order.status = new_status
    order.entry_check = EntryCheck.CONFIRMED
    order.checked_by_id = actor.user_id
    order.save(update_fields=["status", "entry_check", "checked_by", "updated_at"])
    record(
        order, "entry_confirmed", actor=actor, note=note,
        changes={"status": [old_status, new_status], "entry_check": [EntryCheck.AWAITING, EntryCheck.CONFIRMED]},
    )
    enqueue("order.received", {"order_no": order.order_no, "status": order.status})
    return order


@transaction.atomic
def return_entry(*, order_no: str, actor: Actor, comment: str) -> Order:
    """Second person sends a hand-entered order back to be corrected, saying what is wrong."""
    require(actor, CHECK_ENTRIES)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_("A comment is required."), details={"comment": [_("Say what needs correcting.")]})
    order = lock_order(order_no)
    if order.status != OrderStatus.DRAFT or order.entry_check != EntryCheck.AWAITING:
        raise NotADraft(details={"order_no": order_no, "status": order.status, "entry_check": order.entry_check})
    _require_second_person(order, actor)
    order.entry_check = EntryCheck.RETURNED
    order.save(update_fields=["entry_check", "updated_at"])
    record(
        order, "entry_returned", actor=actor, note=comment,
        changes={"entry_check": [EntryCheck.AWAITING, EntryCheck.RETURNED]},
    )
    return order
