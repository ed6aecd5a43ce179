"""The payment-adapter boundary: how a refund is sent back by its original payment route.

An adapter gets the refund (number, amount, payment method, original transaction id) and answers
with an AdapterResult. It must be idempotent by the refund number: real payment platforms take it
as the merchant's refund number (Alipay out_request_no, WeChat Pay out_refund_no), so a retry after
a crash between the platform's answer and our commit finds the first refund instead of paying twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AdapterResult:
    ok: bool
    reference: str = ""  # the platform's refund reference; required when ok
    message: str = ""  # why it failed, shown to finance as it came


class RefundAdapter(Protocol):
    name: str
    needs_reference: bool  # finance types the platform's reference (manual/offline refunds)

    def refund(self, refund, *, reference: str = "") -> AdapterResult:
        """Send the refund's amount back by its original route; never raise for a refusal, answer ok=False."""
        ...
