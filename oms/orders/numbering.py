"""Order numbers: human-readable, unique and time-ordered, e.g. 26112600001234.

yymmdd (Asia/Shanghai) followed by eight digits of a database sequence. The
sequence is shared by every process and host (PostgreSQL SEQUENCE, or SQLite's
single writer), so numbers never collide and grow with time; no process keeps a
counter of its own and no lock is held beyond the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from oms.core.sequences import next_values

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEQUENCE_DIGITS = 8


def format_order_no(day: datetime, value: int) -> str:
    return f"{day.astimezone(SHANGHAI):%y%m%d}{value % 10**SEQUENCE_DIGITS:0{SEQUENCE_DIGITS}d}"


def next_order_numbers(count: int = 1) -> list[str]:
    now = timezone.now()
    return [format_order_no(now, v) for v in next_values("order_no", count)]


def next_order_no() -> str:
    return next_order_numbers(1)[0]
