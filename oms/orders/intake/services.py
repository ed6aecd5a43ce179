"""Order intake: accept an order from a channel exactly once, and apply later payment
or cancellation news about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import IMPORT_ORDERS, PUSH_ORDERS
from oms.audit.services import record
from oms.channels.selectors import resolve_skus
from oms.notifications.outbox import enqueue
from oms.orders.cancellation import cancel_locked
from oms.orders.errors import ChannelNotAllowed, ExternalOrderChanged, IdempotencyKeyReused
from oms.orders.intake.building import build_order, initial_status, save_built
from oms.orders.intake.command import AddressInput, IntakeCommand, content_hash, order_content
from oms.orders.models import IdempotencyKey, Order
from oms.orders.numbering import next_order_no
from oms.orders.status import OrderSource, OrderStatus, PaymentStatus, check_transition


@dataclass
class IntakeResult:
    order: Order
    created: bool
    applied: list[str] = field(default_factory=list)  # what a re-push changed


def intake_order(
    *,
    command: IntakeCommand,
    actor: Actor,
    source: str = OrderSource.API,
    idempotency_key: str | None = None,
    request_hash: str = "",
) -> IntakeResult:
    """Store a channel's order once; a repeat returns the stored order and applies payment/cancel news."""
    require(actor, PUSH_ORDERS if source == OrderSource.API else IMPORT_ORDERS)
    if source == OrderSource.API and actor.user is not None and not actor.user.may_act_for_channel(
        command.channel_id
    ):
        raise ChannelNotAllowed(details={"channel": command.channel_code})

    replay = _replayed(actor, idempotency_key, request_hash)
    if replay is not None:
        return IntakeResult(order=replay, created=False)
    if command.external_id:
        existing_id = _existing_order_id(command)
        if existing_id is not None:
            return apply_repush(order_id=existing_id, command=command, actor=actor)
    # Read before the write transaction: on SQLite it holds the database's one write lock.
    skus = resolve_skus({(command.channel_id, ln.sku) for ln in command.lines})
    try:
        with transaction.atomic():
            order = _create(command=command, actor=actor, source=source, skus=skus)
            if idempotency_key:
                IdempotencyKey.objects.create(
                    user_id=actor.user_id, key=idempotency_key, request_hash=request_hash, order=order
                )
        return IntakeResult(order=order, created=True)
    except IntegrityError:
        # A concurrent request stored the same order (or used the same key) first.
        replay = _replayed(actor, idempotency_key, request_hash)
        if replay is not None:
            return IntakeResult(order=replay, created=False)
        existing_id = _existing_order_id(command) if command.external_id else None
        if existing_id is None:
            raise
        return apply_repush(order_id=existing_id, command=command, actor=actor)


def _replayed(actor: Actor, key: str | None, request_hash: str) -> Order | None:
    if not key:
        return None
    found = IdempotencyKey.objects.select_related("order").filter(user_id=actor.user_id, key=key).first()
    if found is None:
        return None
    if found.request_hash != request_hash:
        raise IdempotencyKeyReused(details={"idempotency_key": key})
    return found.order


def _existing_order_id(command: IntakeCommand) -> int | None:
    return (
        Order.objects.filter(channel_id=command.channel_id, external_id=command.external_id)
        .values_list("id", flat=True).first()
    )


def _create(*, command: IntakeCommand, actor: Actor, source: str, skus: dict) -> Order:
    built = build_order(
        command,
        order_no=next_order_no(),
        source=source,
        status=initial_status(command),
        created_by_id=actor.user_id,
        skus=skus,
    )
    order = save_built(built)
    record(
        order, "order_received", actor=actor,
        data={"source": source, "channel": command.channel_code, "external_id": command.external_id or "",
              "status": order.status},
    )
    enqueue("order.received", {"order_no": order.order_no, "status": order.status})
    return order


def stored_content(order: Order) -> dict:
    return order_content(
        placed_at=order.placed_at,
        customer=(order.customer_name, order.customer_phone, order.customer_email),
        address=AddressInput(
            name=order.ship_name, phone=order.ship_phone, province=order.ship_province, city=order.ship_city,
            district=order.ship_district, detail=order.ship_detail, postcode=order.ship_postcode,
        ),
        lines=[
            (ln.platform_sku or ln.sku_code, ln.name, ln.spec, ln.quantity, ln.unit_price)
            for ln in order.lines.all()
        ],
        shipping_fee=order.shipping_fee,
        discounts=[(d.kind, d.code, d.amount) for d in order.discounts.all()],
        buyer_remark=order.buyer_remark,
        invoice=(order.invoice_type, order.invoice_title, order.invoice_tax_id),
    )


@transaction.atomic
def apply_repush(*, order_id: int, command: IntakeCommand, actor: Actor) -> IntakeResult:
    """Apply what a channel may legitimately change on an order it sent before: payment and cancellation."""
    order = Order.objects.select_for_update().get(pk=order_id)
    new_content = command.content()
    if order.content_hash != content_hash(new_content):
        old_content = stored_content(order)
        changed = sorted(k for k in new_content if new_content[k] != old_content.get(k))
        raise ExternalOrderChanged(details={"order_no": order.order_no, "changed_fields": changed})
    applied: list[str] = []
    pay = command.payment
    if pay.status == PaymentStatus.PAID and order.payment_status == PaymentStatus.UNPAID:
        before = _payment_fields(order)
        order.payment_status = PaymentStatus.PAID
        order.payment_method = pay.method
        order.paid_amount = command.paid_amount
        order.paid_at = pay.paid_at
        order.transaction_id = pay.transaction_id
        status_before = order.status
        if order.status == OrderStatus.PENDING_PAYMENT:
            check_transition(order.status, OrderStatus.PENDING_REVIEW)
            order.status = OrderStatus.PENDING_REVIEW
        order.save()
        changes = {k: [before[k], v] for k, v in _payment_fields(order).items() if before[k] != v}
        if status_before != order.status:
            changes["status"] = [status_before, order.status]
        record(order, "payment_received", actor=actor, changes=changes, data={"via": "channel_repush"})
        enqueue("order.paid", {"order_no": order.order_no})
        applied.append("payment_received")
    elif pay.status == PaymentStatus.PAID and (
        (pay.transaction_id and order.transaction_id and pay.transaction_id != order.transaction_id)
        or command.paid_amount != order.paid_amount
    ):
        raise ExternalOrderChanged(
            _("The channel reports a different payment for an order already paid."),
            details={"order_no": order.order_no, "changed_fields": ["payment"]},
        )
    if command.cancellation is not None and order.status != OrderStatus.CANCELLED:
        order.cancelled_at = command.cancellation.cancelled_at or timezone.now()
        outcome = cancel_locked(order, actor=actor, reason=command.cancellation.reason, via="channel_repush")
        applied.append("cancelled" if outcome.cancelled else "interception_requested")
    return IntakeResult(order=order, created=False, applied=applied)


def _payment_fields(order: Order) -> dict:
    return {
        "payment_status": order.payment_status,
        "payment_method": order.payment_method,
        "paid_amount": f"{order.paid_amount:.2f}",
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "transaction_id": order.transaction_id,
    }
