"""A deterministic adapter for tests and demos: refuses when the original transaction id starts with FAIL."""

from __future__ import annotations

from oms.payments.refund_adapters.base import AdapterResult


class TestAdapter:
    __test__ = False  # not a pytest test class despite its name
    name = "test"
    needs_reference = False

    def refund(self, refund, *, reference: str = "") -> AdapterResult:
        """Succeed with a reference made from the refund number and attempt, unless the transaction id says FAIL."""
        if (refund.original_transaction_id or "").upper().startswith("FAIL"):
            return AdapterResult(ok=False, message=f"test adapter: the platform refused transaction "
                                                   f"{refund.original_transaction_id} (account closed)")
        return AdapterResult(ok=True, reference=f"TEST-{refund.number}-{refund.attempts + 1}")
