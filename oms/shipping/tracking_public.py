"""What a buyer may see of an order's journey (order number + phone): no internal data.

The answer is the same for an unknown order and a phone that does not match, so the page
cannot be used to find out which order numbers exist. Attempts are limited per client IP
through Django's cache (TRACK_ATTEMPTS per TRACK_WINDOW_S): with the default local-memory
cache the count is per server process, so a deployment with several processes should configure
a shared cache (Redis or the database cache) for the limit to hold across them.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from oms.core.errors import ApplicationError, NotFound
from oms.fulfillment.models import Package, PackageStatus
from oms.orders.models import Order
from oms.orders.review.rules import phone_key
from oms.shipping.models import TrackingEvent

TRACK_ATTEMPTS = 20
TRACK_WINDOW_S = 600
HIDDEN_PACKAGES = {PackageStatus.MERGED, PackageStatus.SPLIT, PackageStatus.CANCELLED}
MAX_ORDER_NO = 40


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def over_limit(ip: str) -> bool:
    """Count one attempt for this IP; True once it made more than TRACK_ATTEMPTS in the window."""
    key = f"oms:track:{ip}"
    cache.add(key, 0, TRACK_WINDOW_S)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, TRACK_WINDOW_S)
        attempts = 1
    return attempts > TRACK_ATTEMPTS


def public_tracking(order_no: str, phone: str) -> dict | None:
    """The order's status and its parcels' tracking, or None (no such order, or the phone does not match)."""
    order_no, key = (order_no or "").strip(), phone_key(phone or "")
    if not order_no or len(order_no) > MAX_ORDER_NO or len(key) < 5:
        return None
    order = (Order.objects.filter(order_no=order_no)
             .only("order_no", "status", "ship_phone", "customer_phone", "shipped_at", "delivered_at").first())
    if order is None or key not in {phone_key(order.ship_phone), phone_key(order.customer_phone)} - {""}:
        return None
    packages = (Package.objects.filter(order=order).exclude(status__in=HIDDEN_PACKAGES)
                .exclude(tracking_no="").select_related("carrier").order_by("shipped_at", "number")
                .prefetch_related(Prefetch("tracking_events",
                                           queryset=TrackingEvent.objects.order_by("-occurred_at", "-id"))))
    return {
        "order_no": order.order_no, "status": order.status, "status_label": order.get_status_display(),
        "shipped_at": order.shipped_at, "delivered_at": order.delivered_at,
        "parcels": [{
            "carrier": p.carrier.name if p.carrier else "", "tracking_no": p.tracking_no,
            "events": [{"at": e.occurred_at, "status": e.status, "status_label": e.get_status_display(),
                        "location": e.location, "description": e.description} for e in p.tracking_events.all()],
        } for p in packages],
    }


class TooManyAttempts(ApplicationError):
    code = "too_many_attempts"
    http_status = 429
    default_message = _("Too many attempts from this address; try again in a few minutes.")


class TrackingNotFound(NotFound):
    code = "tracking_not_found"
    default_message = _("No order matches this order number and phone number.")
