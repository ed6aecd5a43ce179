"""The intake command: one validated order, whatever route it came by."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from oms.orders.totals import Totals, compute_totals


@dataclass(frozen=True)
class LineInput:
    sku: str
    name: str
    spec: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class DiscountInput:
    kind: str
    amount: Decimal
    code: str = ""
    description: str = ""


@dataclass(frozen=True)
class AddressInput:
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    postcode: str


@dataclass(frozen=True)
class PaymentInput:
    method: str
    status: str
    paid_at: datetime | None
    transaction_id: str


@dataclass(frozen=True)
class CancellationInput:
    reason: str
    cancelled_at: datetime | None


@dataclass(frozen=True)
class IntakeCommand:
    channel_id: int
    channel_code: str
    external_id: str | None
    placed_at: datetime
    customer_name: str
    customer_phone: str
    customer_email: str
    address: AddressInput
    lines: tuple[LineInput, ...]
    shipping_fee: Decimal
    discounts: tuple[DiscountInput, ...]
    paid_amount: Decimal
    payment: PaymentInput
    buyer_remark: str = ""
    seller_note: str = ""
    invoice_type: str = ""
    invoice_title: str = ""
    invoice_tax_id: str = ""
    cancellation: CancellationInput | None = None
    totals: Totals = field(init=False)

    def __post_init__(self):
        object.__setattr__(
            self,
            "totals",
            compute_totals(
                lines=[(ln.quantity, ln.unit_price) for ln in self.lines],
                shipping_fee=self.shipping_fee,
                discounts=[d.amount for d in self.discounts],
            ),
        )

    def content(self) -> dict:
        """What the channel says about the order apart from payment and cancellation."""
        return order_content(
            placed_at=self.placed_at,
            customer=(self.customer_name, self.customer_phone, self.customer_email),
            address=self.address,
            lines=[(ln.sku, ln.name, ln.spec, ln.quantity, ln.unit_price) for ln in self.lines],
            shipping_fee=self.shipping_fee,
            discounts=[(d.kind, d.code, d.amount) for d in self.discounts],
            buyer_remark=self.buyer_remark,
            invoice=(self.invoice_type, self.invoice_title, self.invoice_tax_id),
        )


def order_content(*, placed_at, customer, address, lines, shipping_fee, discounts, buyer_remark, invoice) -> dict:
    return {
        "placed_at": placed_at.timestamp(),
        "customer": list(customer),
        "shipping_address": [
            address.name, address.phone, address.province, address.city,
            address.district, address.detail, address.postcode,
        ],
        "lines": [[sku, name, spec, qty, f"{price:.2f}"] for sku, name, spec, qty, price in lines],
        "shipping_fee": f"{shipping_fee:.2f}",
        "discounts": sorted([kind, code, f"{amount:.2f}"] for kind, code, amount in discounts),
        "buyer_remark": buyer_remark,
        "invoice": list(invoice),
    }


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
