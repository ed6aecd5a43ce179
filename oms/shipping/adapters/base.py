"""What every carrier adapter offers, and the errors a carrier's answer can raise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from oms.core.errors import ApplicationError
from oms.shipping.tracking import IncomingEvent


class CarrierUnavailable(ApplicationError):
    """The carrier or aggregator refused a request or could not be reached."""

    code = "carrier_unavailable"
    http_status = 502
    default_message = _("The carrier's system refused the request or could not be reached.")


class WaybillFailed(CarrierUnavailable):
    code = "waybill_failed"
    default_message = _("No electronic waybill number could be obtained from the carrier.")


class SubscriptionFailed(CarrierUnavailable):
    code = "tracking_subscription_failed"
    default_message = _("The carrier did not accept the tracking subscription.")


class AdapterNotConfigured(CarrierUnavailable):
    code = "adapter_not_configured"
    http_status = 503
    default_message = _("The carrier adapter is not configured.")


@dataclass(frozen=True)
class PushReply:
    """What the push endpoint answers the carrier (its own documented shape)."""

    status: int
    body: dict = field(default_factory=dict)


class Adapter(Protocol):
    code: str
    needs_polling: bool

    def create_waybill(self, *, package) -> str | None:
        """The carrier's waybill number for a package; None when a person types or scans it."""

    def subscribe(self, *, package) -> None:
        """Ask the carrier to push this parcel's tracking to us."""

    def parse_push(self, request) -> tuple[list[IncomingEvent], PushReply]:
        """The events of a pushed request whose signature holds (none, and a refusal, otherwise)."""

    def poll(self, packages: Iterable) -> list[IncomingEvent]:
        """The events the carrier knows now for these packages."""


def required_setting(name: str, error: type[CarrierUnavailable] = AdapterNotConfigured) -> str:
    """A setting the adapter cannot work without; a clear error naming it when it is empty."""
    value = getattr(settings, name, "") or ""
    if not str(value).strip():
        raise error(_("%(setting)s is not set: the carrier adapter cannot be used without it.") % {"setting": name},
                    details={"setting": name})
    return str(value).strip()
