from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.orders.completion_fixtures import place  # noqa: F401  (fixture)

# ruff: noqa: F811  (`completed` takes the imported `place` fixture)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def day() -> date:
    """Yesterday in Asia/Shanghai: a business day that is over."""
    return timezone.now().astimezone(SHANGHAI).date() - timedelta(days=1)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """A moment of a business day, Shanghai wall-clock time."""
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


@pytest.fixture
def completed(place, day):
    """completed(hh=10, channel="taobao", **payment fields) -> a completed, paid order of `day` (118.00)."""

    def make(hh: int = 10, mm: int = 0, *, on=None, **fields):
        return place(status="completed", completed_at=at(on or day, hh, mm), **fields)

    return make


@pytest.fixture(autouse=True)
def _test_refund_adapter_allowed(settings):
    """The test adapter pays nothing, so only tests list it (production allows "manual" alone)."""
    settings.OMS_REFUND_ADAPTERS = ("manual", "test")
