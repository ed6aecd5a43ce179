"""Payment adapters that execute refunds, chosen by name (settings.OMS_REFUND_ADAPTER or per call)."""

from __future__ import annotations

from django.conf import settings

from oms.payments.refund_adapters.base import AdapterResult, RefundAdapter
from oms.payments.refund_adapters.manual import ManualAdapter
from oms.payments.refund_adapters.testing import TestAdapter
from oms.payments.refund_errors import UnknownRefundAdapter

ADAPTERS: dict[str, type] = {"manual": ManualAdapter, "test": TestAdapter}

__all__ = ["ADAPTERS", "AdapterResult", "RefundAdapter", "adapter_named", "default_adapter_name"]


def default_adapter_name() -> str:
    return getattr(settings, "OMS_REFUND_ADAPTER", "manual") or "manual"


def adapter_named(name: str | None = None) -> RefundAdapter:
    """The adapter of this name, or the configured one; UnknownRefundAdapter (400) for any other name."""
    name = name or default_adapter_name()
    if name not in ADAPTERS:
        raise UnknownRefundAdapter(details={"adapter": [f"one of: {', '.join(sorted(ADAPTERS))}"]})
    return ADAPTERS[name]()
