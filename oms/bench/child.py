"""The measuring side of the benchmarks: run as `python -m oms.bench.child TASK JSON-ARGS`.

The parent (oms.bench.intake) starts this module with OMS_DATA_DIR and DATABASE_URL
pointing at the benchmark's throwaway data, so Django reads the right settings at
import. The answer is one line `BENCH_RESULT {json}` on stdout.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time

RESULT_PREFIX = "BENCH_RESULT "
BENCH_USER = "bench"
BENCH_CS_USER = "bench_cs"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.config.settings")
    import django

    django.setup()


def task_setup(args: dict) -> dict:
    """Migrate, create the integration and customer-service users, the catalogue and SKU mappings."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from django.db import connection, transaction

    from oms.accounts.services import create_user, token_for
    from oms.bench.data import PLATFORM_PREFIX, catalogue
    from oms.channels.models import Channel, ChannelSkuMapping
    from oms.inventory.models import Sku

    create_user(username=BENCH_USER, role="integration")
    create_user(username=BENCH_CS_USER, role="customer_service")
    with transaction.atomic():
        skus = Sku.objects.bulk_create(
            Sku(code=s.code, name=s.name, spec=s.spec, weight_g=s.weight_g) for s in catalogue()
        )
        skus = list(Sku.objects.filter(code__in=[s.code for s in skus]))
        for channel in Channel.objects.filter(code__in=PLATFORM_PREFIX):
            ChannelSkuMapping.objects.bulk_create(
                ChannelSkuMapping(channel=channel, platform_sku=f"{PLATFORM_PREFIX[channel.code]}{s.code}", sku=s)
                for s in skus
            )
    return {"token": token_for(username=BENCH_USER), "db_version": _db_version(connection), "skus": len(skus)}


def _db_version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0].split()[0]
        cursor.execute("SELECT sqlite_version()")
        return "SQLite " + cursor.fetchone()[0]


def task_queries(args: dict) -> dict:
    """SQL statements of one API intake (DRF test client, token auth), per order size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from oms.bench.data import make_order

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {args['token']}")
    rng = random.Random(args.get("seed", 7))
    index = args["start_index"]

    def push(lines: int):
        nonlocal index
        index += 1
        # One shape for every size: a pdd order (unmapped SKU codes) with one coupon.
        payload = make_order(rng, index, lines=lines, channel="pdd", coupon=True)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/orders", payload, format="json")
        if response.status_code != 201:
            raise SystemExit(f"queries: intake answered {response.status_code}: {response.content[:500]!r}")
        return [q["sql"] for q in ctx.captured_queries]

    push(3)  # warm-up: first request of the process (content types, permission caches)
    result = {}
    for lines in args["lines"]:
        statements = push(lines)
        result[str(lines)] = {"count": len(statements), "kinds": _kinds(statements),
                              "statements": [s[:160] for s in statements] if args.get("verbose") else []}
    return {"by_lines": result, "orders": 1 + len(args["lines"])}


def _kinds(statements: list[str]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for sql in statements:
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        kinds[word] = kinds.get(word, 0) + 1
    return kinds


def task_bulk(args: dict) -> dict:
    """Time import_orders on a generated CSV of `orders` orders (3 lines each)."""
    import importlib.util

    if importlib.util.find_spec("oms.orders.importing") is None or \
            importlib.util.find_spec("oms.orders.importing.services") is None:
        return {"measured": False, "reason": "oms.orders.importing.services does not exist yet"}

    import csv

    from oms.accounts.actor import Actor
    from oms.accounts.models import User
    from oms.bench.data import CSV_COLUMNS, csv_rows, make_order
    from oms.bench.machine import machine_busy_seconds, process_cpu_seconds
    from oms.orders.importing.services import import_orders
    from oms.orders.models import Order

    header, notes = _template_header()
    path = os.path.join(os.environ["OMS_DATA_DIR"], "bench-import.csv")
    rng = random.Random(args.get("seed", 11))
    start = args["start_index"]
    t0 = time.perf_counter()
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(args["orders"]):
            for row in csv_rows(make_order(rng, start + i, lines=args["lines"])):
                writer.writerow([row.get(_column_key(col), "") for col in header])
    generate_s = time.perf_counter() - t0
    size = os.path.getsize(path)

    actor = Actor.of(User.objects.get(username=BENCH_CS_USER))
    before = Order.objects.count()
    backend = _backend_pid()
    with open(path, "rb") as fh:
        db0, busy0 = process_cpu_seconds(backend) if backend else 0.0, machine_busy_seconds()
        cpu0, t0 = time.process_time(), time.perf_counter()
        report = import_orders(fileobj=fh, filename="bench-import.csv", actor=actor, progress=None)
        seconds = time.perf_counter() - t0
        cpu_s, busy_s = time.process_time() - cpu0, machine_busy_seconds() - busy0
        db_cpu_s = process_cpu_seconds(backend) - db0 if backend else 0.0
    stored = Order.objects.count() - before
    errors = getattr(report, "errors", [])
    return {
        "measured": True, "orders": args["orders"], "rows": args["orders"] * args["lines"], "bytes": size,
        "generate_s": generate_s, "seconds": seconds, "cpu_s": cpu_s, "db_cpu_s": db_cpu_s,
        "machine_busy_s": busy_s,
        "created": len(report.created),
        "duplicates": _count(getattr(report, "duplicates", 0)), "errors": _count(errors),
        "error_sample": [str(e)[:300] for e in list(errors)[:3]] if errors else [],
        "orders_in_file": getattr(report, "orders_in_file", None), "stored": stored,
        "header_notes": notes, "columns": CSV_COLUMNS == [_column_key(c) for c in header],
    }


def _backend_pid() -> int | None:
    """The PostgreSQL backend serving this process (same machine), to count its CPU."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _count(value) -> int:
    if isinstance(value, int):
        return value
    try:
        return len(value)
    except TypeError:
        return int(bool(value))


def _column_key(column: str) -> str:
    return column.strip().lstrip("*").strip().lower().replace(" ", "_")


def _template_header() -> tuple[list[str], list[str]]:
    """The import template's header row (English), or our column list when there is no template."""
    import csv
    import io

    from oms.bench.data import CSV_COLUMNS

    try:
        from oms.orders.importing.template import template_bytes
    except ImportError:
        return list(CSV_COLUMNS), ["no import template module; used the documented column list"]
    raw = template_bytes("csv", "en")
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else str(raw)
    header = next(csv.reader(io.StringIO(text)))
    known = set(CSV_COLUMNS)
    unknown = [c for c in header if _column_key(c) not in known]
    missing = [c for c in CSV_COLUMNS if c not in {_column_key(h) for h in header}]
    notes = []
    if unknown:
        notes.append(f"template columns left empty: {', '.join(unknown)}")
    if missing:
        notes.append(f"bench columns not in the template: {', '.join(missing)}")
    return header, notes


TASKS = {"setup": task_setup, "queries": task_queries, "bulk": task_bulk}


def _review_task(name: str):
    """`oms bench review`'s steps live in oms.bench.review (imported after Django is set up)."""

    def task(args: dict) -> dict:
        from oms.bench import review

        return getattr(review, f"task_{name}")(args)

    return task


TASKS.update({"review_setup": _review_task("setup"), "review_measure": _review_task("measure")})


def _tracking_run(args: dict) -> dict:
    from oms.bench import tracking  # `oms bench tracking` (imported after Django is set up)

    return tracking.task_run(args)


TASKS["tracking_run"] = _tracking_run


def _search_run(args: dict) -> dict:
    from oms.bench import search  # `oms bench search` (imported after Django is set up)

    return search.task_run(args)


TASKS["search_run"] = _search_run


def main(argv: list[str]) -> int:
    task = TASKS[argv[0]]
    args = json.loads(argv[1]) if len(argv) > 1 else {}
    _setup_django()
    result = task(args)
    sys.stdout.write(RESULT_PREFIX + json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
