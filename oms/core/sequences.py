"""Gap-tolerant, multi-process-safe counters.

PostgreSQL: one SEQUENCE per name; nextval never blocks and is safe across hosts.
SQLite: one row per name bumped with UPDATE … RETURNING inside the caller's
transaction; SQLite already admits one writer at a time, so this adds no new lock.
"""

from __future__ import annotations

from django.db import connection

KNOWN_SEQUENCES = ("order_no", "pick_list_no", "handover_no", "exception_no", "refund_no", "after_sales_no",
                   "problem_no", "change_request_no")


def pg_sequence_name(name: str) -> str:
    if name not in KNOWN_SEQUENCES:
        raise ValueError(f"unknown sequence {name!r}")
    return f"oms_seq_{name}"


def next_values(name: str, count: int = 1) -> list[int]:
    """Reserve `count` consecutive-or-increasing values of the named sequence."""
    if count < 1:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            seq = pg_sequence_name(name)
            if count == 1:
                cursor.execute("SELECT nextval(%s)", [seq])
                return [cursor.fetchone()[0]]
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [seq, count])
            return sorted(row[0] for row in cursor.fetchall())
        if name not in KNOWN_SEQUENCES:
            raise ValueError(f"unknown sequence {name!r}")
        cursor.execute(
            "INSERT INTO core_sequence (name, value) VALUES (%s, %s) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value RETURNING value",
            [name, count],
        )
        last = cursor.fetchone()[0]
        return list(range(last - count + 1, last + 1))
