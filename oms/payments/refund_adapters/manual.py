"""Manual (offline) refunds: finance refunds in the payment platform's own console and records its reference."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oms.payments.refund_adapters.base import AdapterResult
from oms.payments.refund_errors import RefundReferenceRequired

MAX_REFERENCE = 64


class ManualAdapter:
    name = "manual"
    needs_reference = True

    def refund(self, refund, *, reference: str = "") -> AdapterResult:
        """The refund was made by hand elsewhere: succeed with the reference finance copied from the platform."""
        reference = (reference or "").strip()
        if not reference:
            raise RefundReferenceRequired(details={"reference": [str(RefundReferenceRequired.default_message)]})
        if len(reference) > MAX_REFERENCE:
            message = _("At most %(n)s characters.") % {"n": MAX_REFERENCE}
            raise RefundReferenceRequired(message, details={"reference": [message]})
        return AdapterResult(ok=True, reference=reference)
