"""Carrier adapters: how waybill numbers are obtained and tracking news reaches us, per Carrier.adapter."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.core.errors import NotFound
from oms.shipping.adapters.base import Adapter
from oms.shipping.models import CarrierAdapter


class UnknownAdapter(NotFound):
    code = "unknown_adapter"
    default_message = _("There is no carrier adapter of this name.")


def adapter_named(code: str) -> Adapter:
    """The adapter of this code (CarrierAdapter); UnknownAdapter otherwise."""
    if code == CarrierAdapter.MANUAL:
        from oms.shipping.adapters.manual import ManualAdapter

        return ManualAdapter()
    if code == CarrierAdapter.KUAIDI100:
        from oms.shipping.adapters.kuaidi100 import Kuaidi100Adapter

        return Kuaidi100Adapter()
    raise UnknownAdapter(details={"adapter": code})


def adapter_for(carrier) -> Adapter:
    """The adapter a carrier is set to use."""
    return adapter_named(carrier.adapter or CarrierAdapter.MANUAL)
