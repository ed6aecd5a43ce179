"""When a shipped parcel needs a person: pure rules over a package's tracking facts, no database.

Each rule names a reason (ExceptionReason) and the moment we learned of its cause (`since`):
when the last sign of life reached us for the time-based reasons, when the triggering scan
reached us for the others (a scan's received time; carriers push late, so not its own time).
The service opens a ticket only when no ticket of that reason was opened for the package at or
after `since`, so a ticket someone closed is not reopened by the same old cause, and news that
arrives later starts a new count.

Thresholds (hours) and keyword lists are constants here; settings may override the thresholds:
OMS_EXCEPTION_STUCK_HOURS (default 72) and OMS_EXCEPTION_LOST_HOURS (default 168, 7 days).
The no-update threshold is the rate zone's `no_update_hours` (default 48).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oms.shipping.models import ExceptionReason, TrackingStatus

DEFAULT_NO_UPDATE_HOURS = 48
DEFAULT_STUCK_HOURS = 72
DEFAULT_LOST_HOURS = 7 * 24

# Words carriers use when a parcel cannot be delivered because of the address or the recipient
# (Chinese carriers' usual texts, and a few English ones from aggregators). Matched as substrings
# of the event's description and carrier status, case-insensitively.
ADDRESS_KEYWORDS = (
    "地址不详", "地址错误", "地址有误", "地址不全", "地址不存在", "查无此人", "查无此地址", "无此人",
    "电话无人接听", "电话无法接通", "电话空号", "电话错误", "联系不上收件人", "收件人拒收", "拒收",
    "address", "addressee unknown", "no such person",
)
# Texts that say the carrier lost the parcel.
LOST_KEYWORDS = ("丢失", "遗失", "丢件", "lost")

# Statuses after which a parcel is no longer expected to move.
FINISHED = {TrackingStatus.DELIVERED, TrackingStatus.RETURNED_TO_SENDER}
MOVING = {TrackingStatus.ACCEPTED, TrackingStatus.IN_TRANSIT}


@dataclass(frozen=True)
class Scan:
    status: str
    occurred_at: datetime
    location: str = ""
    description: str = ""
    carrier_status: str = ""
    received_at: datetime | None = None

    @property
    def learned_at(self) -> datetime:
        return max(self.occurred_at, self.received_at or self.occurred_at)

    @property
    def text(self) -> str:
        return f"{self.carrier_status} {self.description}".lower()


@dataclass(frozen=True)
class PackageFacts:
    shipped_at: datetime
    scans: tuple[Scan, ...] = ()  # any order; read by time
    returned: bool = False  # Package.status is returned
    last_tracking_at: datetime | None = None
    no_update_hours: int = DEFAULT_NO_UPDATE_HOURS


@dataclass(frozen=True)
class Finding:
    reason: str
    since: datetime
    detail: str = field(default="", compare=False)


def mentions(text: str, keywords) -> str:
    """The first keyword the text contains ("" when none)."""
    text = text.lower()
    return next((k for k in keywords if k.lower() in text), "")


def stuck_since(scans: list[Scan]) -> Scan | None:
    """The first of the latest scans at one place (None without a location)."""
    if not scans or not scans[-1].location:
        return None
    first = scans[-1]
    for scan in reversed(scans):
        if scan.location != first.location:
            break
        first = scan
    return first


def findings(facts: PackageFacts, *, now: datetime, stuck_hours: int = DEFAULT_STUCK_HOURS,
             lost_hours: int = DEFAULT_LOST_HOURS) -> list[Finding]:
    """The reasons this parcel needs a person now, each with the moment its cause began."""
    scans = sorted(facts.scans, key=lambda s: s.occurred_at)
    latest = scans[-1] if scans else None
    status = latest.status if latest else ""
    out: list[Finding] = []
    if status == TrackingStatus.DELIVERED:
        return out
    if status == TrackingStatus.RETURNED_TO_SENDER or facts.returned:
        out.append(Finding(ExceptionReason.RETURNED_TO_SENDER, latest.learned_at if latest else facts.shipped_at,
                           latest.description if latest else ""))
    if status == TrackingStatus.DELIVERY_FAILED:
        out.append(Finding(ExceptionReason.DELIVERY_FAILED, latest.learned_at, latest.description))
    for scan in reversed(scans):  # the latest scan that names an address problem
        if scan.status in (TrackingStatus.EXCEPTION, TrackingStatus.DELIVERY_FAILED) \
                and mentions(scan.text, ADDRESS_KEYWORDS):
            out.append(Finding(ExceptionReason.ADDRESS_PROBLEM, scan.learned_at, scan.description))
            break
    lost_scan = next((s for s in reversed(scans) if mentions(s.text, LOST_KEYWORDS)), None)
    if status in FINISHED or facts.returned:
        return out
    last_news = max([facts.shipped_at, *(s.occurred_at for s in scans),
                     *([facts.last_tracking_at] if facts.last_tracking_at else [])])
    quiet = now - last_news
    learned = max([facts.shipped_at, *(s.learned_at for s in scans)])
    if lost_scan is not None:
        out.append(Finding(ExceptionReason.LOST, lost_scan.learned_at, lost_scan.description))
    elif quiet >= timedelta(hours=lost_hours):
        out.append(Finding(ExceptionReason.LOST, learned, ""))
    elif quiet >= timedelta(hours=facts.no_update_hours):
        out.append(Finding(ExceptionReason.NO_UPDATE, learned, ""))
    elif status in MOVING:
        # Still scanned, but in the same place: a parcel that goes quiet is no_update's, not this.
        first = stuck_since(scans)
        if first is not None and now - first.occurred_at >= timedelta(hours=stuck_hours):
            out.append(Finding(ExceptionReason.STUCK, first.learned_at, latest.location))
    return out
