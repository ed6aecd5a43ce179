"""Payment adapters that execute refunds, chosen by name (settings.OMS_REFUND_ADAPTER or per call).

Only the adapters listed in settings.OMS_REFUND_ADAPTERS (plus the configured default) can be used,
so the test adapter, which "succeeds" without moving money, is never offered in production.
"""

from __future__ import annotations

from django.conf import settings

from oms.payments.refund_adapters.base import AdapterResult, RefundAdapter
from oms.payments.refund_adapters.manual import ManualAdapter
from oms.payments.refund_adapters.testing import TestAdapter
from oms.payments.refund_errors import UnknownRefundAdapter

ADAPTERS: dict[str, type] = {"manual": ManualAdapter, "test": TestAdapter}

__all__ = ["ADAPTERS", "AdapterResult", "RefundAdapter", "adapter_named", "allowed_adapter_names",
           "default_adapter_name"]


def default_adapter_name() -> str:
    return getattr(settings, "OMS_REFUND_ADAPTER", "manual") or "manual"


def allowed_adapter_names() -> list[str]:
    """The adapters finance may use here: settings.OMS_REFUND_ADAPTERS and the configured default."""
    listed = [*getattr(settings, "OMS_REFUND_ADAPTERS", ("manual",)), default_adapter_name()]
    return [name for name in ADAPTERS if name in listed]


def adapter_named(name: str | None = None) -> RefundAdapter:
    """The adapter of this name, or the configured one; UnknownRefundAdapter (400) for a name not allowed here."""
    name = name or default_adapter_name()
    allowed = allowed_adapter_names()
    if name not in allowed:
        raise UnknownRefundAdapter(details={"adapter": [f"one of: {', '.join(allowed)}"]})
    return ADAPTERS[name]()
