"""Each package's tracking timeline for the order page: newest first, one query for all its packages."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects

from oms.shipping.models import TrackingEvent, TrackingStatus


def with_tracking(packages: list) -> list:
    """Attach `timeline` (tracking events, newest first) to each package; one query whatever their number."""
    shown = [p for p in packages if p.tracking_no or p.shipped_at]
    prefetch_related_objects(shown, Prefetch("tracking_events", to_attr="timeline",
                                             queryset=TrackingEvent.objects.order_by("-occurred_at", "-id")))
    for p in packages:
        if not hasattr(p, "timeline"):
            p.timeline = []
        p.tracking_status_label = TrackingStatus(p.tracking_status).label if p.tracking_status in \
            TrackingStatus.values else p.tracking_status
    return packages
