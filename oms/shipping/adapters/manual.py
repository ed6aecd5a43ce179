"""The manual adapter: a person types or scans the tracking number; news is entered by hand or not at all."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from oms.core.errors import NotFound
from oms.shipping.adapters.base import PushReply
from oms.shipping.tracking import IncomingEvent


class NoPushes(NotFound):
    code = "adapter_takes_no_pushes"
    default_message = _("This carrier adapter does not take pushed tracking updates.")


class ManualAdapter:
    code = "manual"
    needs_polling = False

    def create_waybill(self, *, package) -> str | None:
        return None

    def subscribe(self, *, package) -> None:
        return None

    def parse_push(self, request) -> tuple[list[IncomingEvent], PushReply]:
        raise NoPushes(details={"adapter": self.code})

    def poll(self, packages: Iterable) -> list[IncomingEvent]:
        return []
