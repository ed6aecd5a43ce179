from datetime import datetime
from zoneinfo import ZoneInfo

from oms.orders.numbering import format_order_no, next_order_numbers


def test_order_numbers_start_with_the_shanghai_date():
    late_utc = datetime(2026, 11, 26, 17, 30, tzinfo=ZoneInfo("UTC"))  # already the 27th in Shanghai
    assert format_order_no(late_utc, 42) == "26112700000042"


def test_order_numbers_are_unique_and_increasing(db):
    numbers = next_order_numbers(5) + next_order_numbers(1) + next_order_numbers(3)
    assert len(set(numbers)) == 9
    assert numbers == sorted(numbers)
