"""Build unsaved order rows from an intake command (shared by single and bulk intake)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from oms.channels.selectors import ResolvedSku
from oms.orders.intake.command import IntakeCommand, content_hash
from oms.orders.models import Order, OrderDiscount, OrderLine
from oms.orders.personal_data import search_hashes
from oms.orders.status import OrderStatus, PaymentStatus, intake_status
from oms.orders.totals import line_subtotal


@dataclass
class BuiltOrder:
    order: Order
    lines: list[OrderLine]
    discounts: list[OrderDiscount]


def initial_status(command: IntakeCommand) -> OrderStatus:
    if command.cancellation is not None:
        return OrderStatus.CANCELLED
    return intake_status(payment_status=command.payment.status, payment_method=command.payment.method)


def build_order(
    command: IntakeCommand,
    *,
    order_no: str,
    source: str,
    status: str,
    created_by_id: int | None,
    skus: dict[tuple[int, str], ResolvedSku],
    entry_check: str = "",
) -> BuiltOrder:
    t = command.totals
    paid = command.payment.status == PaymentStatus.PAID
    order = Order(
        order_no=order_no,
        channel_id=command.channel_id,
        external_id=command.external_id,
        source=source,
        status=status,
        placed_at=command.placed_at,
        customer_name=command.customer_name,
        customer_phone=command.customer_phone,
        customer_email=command.customer_email,
        ship_name=command.address.name,
        ship_phone=command.address.phone,
        ship_province=command.address.province,
        ship_city=command.address.city,
        ship_district=command.address.district,
        ship_detail=command.address.detail,
        ship_postcode=command.address.postcode,
        goods_total=t.goods_total,
        shipping_fee=t.shipping_fee,
        discount_total=t.discount_total,
        payable_amount=t.payable,
        paid_amount=command.paid_amount,
        payment_method=command.payment.method,
        payment_status=command.payment.status,
        paid_at=command.payment.paid_at if paid else None,
        transaction_id=command.payment.transaction_id,
        buyer_remark=command.buyer_remark,
        seller_note=command.seller_note,
        invoice_type=command.invoice_type,
        invoice_title=command.invoice_title,
        invoice_tax_id=command.invoice_tax_id,
        created_by_id=created_by_id,
        last_edited_by_id=created_by_id if entry_check else None,
        entry_check=entry_check,
        content_hash=content_hash(command.content()),
    )
    # The phone/recipient search hashes: Order.save() sets them too, but the bulk import and
    # bulk_create store built orders past save() (oms/orders/personal_data.py).
    for name, value in search_hashes(order).items():
        setattr(order, name, value)
    if command.cancellation is not None:
        order.cancelled_at = command.cancellation.cancelled_at or timezone.now()
        order.cancel_reason = command.cancellation.reason
    lines = []
    for i, ln in enumerate(command.lines, start=1):
        resolved = skus.get((command.channel_id, ln.sku))
        lines.append(OrderLine(
            line_no=i,
            sku_code=resolved.code if resolved else ln.sku,
            platform_sku=resolved.platform_sku if resolved else "",
            sku_id=resolved.sku_id if resolved else None,
            name=ln.name,
            spec=ln.spec,
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            subtotal=line_subtotal(ln.quantity, ln.unit_price),
        ))
    discounts = [
        OrderDiscount(kind=d.kind, code=d.code, amount=d.amount, description=d.description)
        for d in command.discounts
    ]
    return BuiltOrder(order=order, lines=lines, discounts=discounts)


def save_built(built: BuiltOrder) -> Order:
    built.order.save(force_insert=True)
    for line in built.lines:
        line.order = built.order
    OrderLine.objects.bulk_create(built.lines)
    if built.discounts:
        for d in built.discounts:
            d.order = built.order
        OrderDiscount.objects.bulk_create(built.discounts)
    return built.order
