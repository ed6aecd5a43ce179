"""`oms bench search`: the order list's filters and the archive search with a million orders.

In a throwaway database (a temporary data folder; for PostgreSQL a database of its own):

1. generate N orders (default 1,000,000) with 1–3 lines each, written straight into the tables
   (COPY on PostgreSQL, executemany on SQLite): placed over the last two years, from every
   channel, over the provinces of oms.bench.data, Chinese mobile numbers, and a realistic mix of
   statuses — old orders are mostly completed and settled, some cancelled; recent ones are spread
   over the whole lifecycle. Not timed (the rate is shown).
2. ANALYZE (VACUUM ANALYZE on PostgreSQL: what autovacuum does on its own; SQLite needs it said),
   again after archiving.
3. archive with the real `archive_orders` (batches of 1000): timed; orders/s and the longest
   single batch transaction.
4. time the order list as the page runs it (oms.web.views.orders.OrderListView: status tabs,
   the count, page rows, which of them may merge) for each filter, and the archive search
   (count and first page), RUNS times each with varying values; p50/p95 per filter, overall p95.
"""

from __future__ import annotations

import math
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from oms.bench.environment import BenchEnvironment, BenchError
from oms.bench.machine import machine_info

DEFAULT_ORDERS = 1_000_000
RUNS = 50
ARCHIVE_BATCH = 1000
TARGET_P95_MS = 100.0
CHUNK = 20_000  # orders generated and written per step
SEED = 20261127
DAYS = 730
CHILD_TIMEOUT_S = 4 * 3600


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(args) -> int:
    db = args.db
    orders = args.orders or DEFAULT_ORDERS
    if orders < 100:
        raise BenchError("--orders must be at least 100")
    machine = machine_info()
    started = time.perf_counter()
    with BenchEnvironment(db) as env:
        _log(f"data folder {env.data_dir}" + (f", database {env.db_name}" if env.db_name else ""))
        _log(f"generating {orders:,} orders with 1–3 lines, archiving the old finished ones, then timing the filters")
        result = env.run_child("search_run", {"orders": orders, "runs": RUNS, "seed": SEED},
                               timeout=CHILD_TIMEOUT_S)
    return report(db=db, machine=machine, result=result, total_s=time.perf_counter() - started)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def report(*, db: str, machine: dict, result: dict, total_s: float) -> int:
    gen, arch, cases = result["generate"], result["archive"], result["cases"]
    header = ["filter", "runs", "rows (last)", "p50 ms", "p95 ms", "max ms", "queries"]
    rows = []
    every = []
    for c in cases:
        every += c["times_ms"]
        rows.append([c["label"], str(len(c["times_ms"])), c["rows"], f"{percentile(c['times_ms'], 50):.1f}",
                     f"{percentile(c['times_ms'], 95):.1f}", f"{max(c['times_ms']):.1f}", str(c["queries"])])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                                strict=True)))

    overall = percentile(every, 95)
    out = [f"oms bench search — {machine['cpu']}, {machine['cores']} cores, {machine['memory']}, {machine['speed']}, "
           f"Python {machine['python']}, {result['db_version']}", ""]
    out.append(f"data: {gen['orders']:,} orders, {gen['lines']:,} lines generated in {gen['seconds']:.0f} s "
               f"({gen['orders'] / max(gen['seconds'], 1e-9):,.0f} orders/s, not timed); "
               f"ANALYZE {gen['analyze_s']:.1f} s")
    out.append(f"archive: {arch['archived']:,} orders archived by archive_orders in {arch['batches']} batches of "
               f"{ARCHIVE_BATCH} in {arch['seconds']:.1f} s = {arch['per_s']:,.0f} orders/s; longest batch "
               f"transaction {arch['longest_ms']:.0f} ms, p95 batch {arch['p95_ms']:.0f} ms; a second run archived "
               f"{arch['second_run']} (idempotent)")
    out.append(f"working set: {result['working']:,} orders not archived; {result['archived']:,} archived")
    out.append("")
    out += [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append("")
    slow = [c["label"] for c in cases if percentile(c["times_ms"], 95) > TARGET_P95_MS]
    verdict = "met" if overall < TARGET_P95_MS else "MISSED"
    out.append(f"target: p95 < {TARGET_P95_MS:.0f} ms over all filters {verdict} (overall p95 {overall:.1f} ms)"
               + (f"; over the target: {', '.join(slow)}" if slow else ""))
    out.append(f"whole run {total_s:.0f} s")
    out.append("")
    out.append(" ".join([
        f"db={db}", f"cores={machine['cores']}", f"orders={gen['orders']}", f"search_p95_ms={overall:.1f}",
        f"archive_orders_per_s={arch['per_s']:.0f}", f"archive_longest_batch_ms={arch['longest_ms']:.0f}",
    ]))
    print("\n".join(out), flush=True)
    return 0


# --- child side (python -m oms.bench.child search_run) -----------------------------------------

_RECENT_STATUSES = [  # orders of the last ~3 months: every step of the lifecycle
    ("pending_payment", 3), ("pending_review", 4), ("on_hold", 2), ("pending_shipment", 10),
    ("partially_shipped", 1), ("shipped", 12), ("delivered", 10), ("completed", 50), ("cancelled", 8),
]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    total = sum(w for _s, w in weighted)
    x = rng.random() * total
    for value, w in weighted:
        x -= w
        if x < 0:
            return value
    return weighted[-1][0]


def _generate(n: int, seed: int) -> dict:
    """Write n orders and their lines straight into the tables; return counts and samples."""
    from django.db import connection

    from oms.bench.data import _CHANNELS, ADDRESSES, GIVEN, SURNAMES, catalogue
    from oms.channels.models import Channel
    from oms.orders.models import Order, OrderLine

    rng = random.Random(seed)
    now = datetime.now(UTC)
    channels = dict(Channel.objects.values_list("code", "id"))
    channel_codes = [c for c in _CHANNELS if c in channels] or list(channels)
    cat = [(s.code, s.name, s.spec, int(s.price * 100)) for s in catalogue()]
    order_cols = [f.column for f in Order._meta.concrete_fields]
    line_cols = [f.column for f in OrderLine._meta.concrete_fields]
    pg = connection.vendor == "postgresql"

    def ts(value):
        if value is None or pg:
            return value
        return str(value.replace(tzinfo=None))  # SQLite: naive UTC text, as Django stores it

    from oms.core.pii_crypto import encrypt
    from oms.orders.personal_data import ENCRYPTED_FIELDS, name_hash, phone_hash

    # One token per distinct value: a few thousand encryptions instead of millions (bench data only;
    # the application encrypts every value anew).
    sealed = lru_cache(maxsize=None)(lambda text: encrypt(text) if text else text)
    phones = [f"1{rng.choice('3578')}{rng.randrange(10)}{rng.randrange(10**8):08d}" for _ in range(max(1000, n // 3))]
    line_id = 0
    samples = {"working_no": [], "archived_no": [], "phones": [], "archived_phones": []}
    t0 = time.perf_counter()
    raw = connection.connection if not pg else None
    if raw is not None:  # a bigger page cache for the load only: index inserts land all over the file
        raw.execute("PRAGMA cache_size = -524288")
    for start in range(0, n, CHUNK):
        orders, lines = [], []
        for oid in range(start + 1, min(n, start + CHUNK) + 1):
            age = rng.random() * DAYS
            placed = now - timedelta(days=age)
            old = age > 100
            status = (_pick(rng, [("completed", 90), ("cancelled", 10)]) if old
                      else _pick(rng, _RECENT_STATUSES))
            channel = rng.choice(channel_codes)
            province, city, district, road, postcode = rng.choice(ADDRESSES)
            phone = rng.choice(phones)
            buyer = rng.choice(SURNAMES) + rng.choice(GIVEN)
            goods = 0
            for line_no in range(1, rng.randint(1, 3) + 1):
                code, name, spec, price = rng.choice(cat)
                qty = rng.choice((1, 1, 1, 2, 3))
                line_id += 1
                goods += price * qty
                lines.append((line_id, oid, line_no, code, "", None, name, spec, qty, price, price * qty))
            fee = rng.choice((0, 0, 600, 1000))
            payable = goods + fee
            unpaid = status in ("pending_payment",) or (status == "cancelled" and rng.random() < 0.5)
            paid_at = None if unpaid else placed + timedelta(minutes=rng.randint(1, 30))
            shipped = status in ("partially_shipped", "shipped", "delivered", "completed")
            shipped_at = placed + timedelta(hours=rng.randint(6, 48)) if shipped else None
            delivered_at = shipped_at + timedelta(days=rng.randint(1, 4)) if shipped and status in (
                "delivered", "completed") else None
            completed_at = delivered_at + timedelta(days=rng.randint(0, 7)) if status == "completed" else None
            settled_at = (completed_at + timedelta(days=rng.randint(1, 5))
                          if completed_at and (old or rng.random() < 0.6) else None)
            if settled_at and settled_at > now:
                settled_at = None
            cancelled_at = placed + timedelta(hours=rng.randint(1, 72)) if status == "cancelled" else None
            order_no = f"{placed + timedelta(hours=8):%y%m%d}{oid:08d}"
            values = {
                "id": oid, "created_at": ts(placed), "updated_at": ts(placed), "order_no": order_no,
                "channel_id": channels[channel], "external_id": f"{channel.upper()}{oid:012d}", "source": "api",
                "status": status, "placed_at": ts(placed), "customer_name": buyer, "customer_phone": phone,
                "customer_email": "", "ship_name": buyer if rng.random() < 0.8 else rng.choice(SURNAMES)
                + rng.choice(GIVEN), "ship_phone": phone if rng.random() < 0.9 else rng.choice(phones),
                "ship_province": province, "ship_city": city, "ship_district": district,
                "ship_detail": f"{road}{rng.randint(1, 999)}号", "ship_postcode": postcode,
                "goods_total": goods, "shipping_fee": fee, "discount_total": 0, "payable_amount": payable,
                "paid_amount": 0 if unpaid else payable, "payment_method": "alipay",
                "payment_status": "unpaid" if unpaid else "paid", "paid_at": ts(paid_at),
                "transaction_id": "" if unpaid else f"T{oid:016d}", "buyer_remark": "", "seller_note": "",
                "invoice_type": "", "invoice_title": "", "invoice_tax_id": "", "cancelled_at": ts(cancelled_at),
                "shipped_at": ts(shipped_at), "delivered_at": ts(delivered_at), "completed_at": ts(completed_at),
                "receipt_confirmed_by": "auto" if completed_at else "", "settled_at": ts(settled_at),
                "archived_at": None, "cancel_reason": "buyer" if cancelled_at else "", "created_by_id": None,
                "after_sales_status": "", "stock_choice": "",
                "entry_check": "", "last_edited_by_id": None, "checked_by_id": None, "content_hash": "",
                "anonymised_at": None,
            }
            # Rows go in by COPY/executemany past the model: encrypt and hash as Order.save() would.
            values.update(customer_phone_hash=phone_hash(values["customer_phone"]),
                          ship_phone_hash=phone_hash(values["ship_phone"]),
                          ship_name_hash=name_hash(values["ship_name"]))
            for field in ENCRYPTED_FIELDS:
                values[field] = sealed(values[field])
            orders.append(tuple(values[c] for c in order_cols))
            if oid % 997 == 0:
                key = "archived_no" if settled_at and old else "working_no"
                samples[key].append(order_no)
                samples["archived_phones" if settled_at and old else "phones"].append(phone)
        _write(connection, raw, Order._meta.db_table, order_cols, orders)
        _write(connection, raw, OrderLine._meta.db_table, line_cols, lines)
        if raw is not None:
            raw.commit()
        _log(f"  {min(n, start + CHUNK):,} orders")
    if pg:
        with connection.cursor() as cur:
            for table in (Order._meta.db_table, OrderLine._meta.db_table):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    _analyze(connection)
    return {"orders": n, "lines": line_id, "seconds": seconds, "analyze_s": time.perf_counter() - t1,
            "samples": samples}


def _analyze(connection) -> None:
    """Planner statistics (and on PostgreSQL the visibility map), as autovacuum would leave them."""
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _write(connection, raw, table: str, cols: list[str], rows: list[tuple]) -> None:
    if raw is None:  # PostgreSQL: COPY
        with connection.connection.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        connection.connection.commit()
        return
    marks = ", ".join("?" * len(cols))
    raw.executemany(f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({marks})', rows)


def _none(n: int) -> list[str]:
    return [""] * n


def _cases(samples: dict, channels: list[str], today, rng: random.Random) -> list[tuple[str, object]]:
    """(label, function of the run number returning (kind, filters or query, page))."""
    from oms.bench.data import GIVEN
    from oms.orders.archive_selectors import ArchiveQuery
    from oms.orders.selectors import OrderFilters

    def week(i):
        start = today - timedelta(days=rng.randint(1, 80))
        return start, start + timedelta(days=6)

    def pick(key, i):
        values = samples[key]
        return values[i % len(values)]

    def month(i):
        start = today - timedelta(days=rng.randint(1, 80))
        return start, start + timedelta(days=27)

    def arch_day(i):
        d = today - timedelta(days=rng.randint(120, 700))
        return d, d

    return [
        ("default list", lambda i: ("list", OrderFilters(), 1)),
        ("status pending_shipment", lambda i: ("list", OrderFilters(status="pending_shipment"), 1)),
        ("status completed", lambda i: ("list", OrderFilters(status="completed"), 1)),
        ("status on_hold", lambda i: ("list", OrderFilters(status="on_hold"), 1)),
        ("channel", lambda i: ("list", OrderFilters(channel=channels[i % len(channels)]), 1)),
        ("date range (7 days)", lambda i: ("list", OrderFilters(*_none(2), *week(i)), 1)),
        ("order number", lambda i: ("list", OrderFilters(order_no=pick("working_no", i)), 1)),
        ("order number prefix", lambda i: ("list", OrderFilters(order_no=pick("working_no", i)[:9]), 1)),
        ("phone", lambda i: ("list", OrderFilters(phone=pick("phones", i)), 1)),
        # Names are encrypted at rest: a recipient is found by the full name, through its hash.
        ("recipient (full name)", lambda i: ("list", OrderFilters(recipient="王" + GIVEN[0]), 1)),
        ("status + channel + dates", lambda i: ("list", OrderFilters(
            "completed", channels[i % len(channels)], *month(i)), 1)),
        ("default list, deep page", lambda i: ("list", OrderFilters(), 500 + i)),
        ("archive: order number", lambda i: ("archive", ArchiveQuery(order_no=pick("archived_no", i)), 1)),
        ("archive: phone", lambda i: ("archive", ArchiveQuery(phone=pick("archived_phones", i)), 1)),
        ("archive: one day", lambda i: ("archive", ArchiveQuery("", "", *arch_day(i)), 1)),
        ("archive: phone + month", lambda i: ("archive", ArchiveQuery(
            phone=pick("archived_phones", i), date_from=today - timedelta(days=700), date_to=today), 1)),
    ]


def _list_page(filters, page_no: int) -> int:
    """What OrderListView does for its data: tabs, the count, the page rows, the merge hints."""
    from oms.fulfillment import merging
    from oms.orders import selectors
    from oms.web.views.orders import PAGE_SIZE

    counts = selectors.status_counts(filters)
    paginator = selectors.OrderPaginator(selectors.order_list(filters), PAGE_SIZE)
    paginator.count = selectors.total_from_counts(counts, filters)
    page = paginator.get_page(page_no)
    rows = list(page.object_list)
    merging.mergeable_orders([o.pk for o in rows])
    return paginator.count


def _archive_page(query) -> int:
    from oms.orders.archive_selectors import archived_orders, capped_count
    from oms.web.views.archive import PAGE_SIZE

    qs = archived_orders(query)
    count, _more = capped_count(qs)
    list(qs[:PAGE_SIZE + 1])
    return count


def task_run(args: dict) -> dict:
    """Generate, archive (timed), then time every filter RUNS times."""
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from oms.accounts.actor import Actor
    from oms.bench.child import _db_version
    from oms.channels.models import Channel
    from oms.orders.archiving import ArchiveRun, archive_orders
    from oms.orders.models import Order

    call_command("migrate", interactive=False, verbosity=0)
    gen = _generate(args["orders"], args["seed"])
    samples = gen.pop("samples")
    for key, values in samples.items():
        if not values:
            raise BenchError(f"no sample for {key}: too few orders")

    _log("archiving")
    run = ArchiveRun()
    now = timezone.now()  # both runs at the same moment: the second must find nothing left
    t0 = time.perf_counter()
    archive_orders(now=now, batch_size=ARCHIVE_BATCH, actor=Actor.system(), run=run)
    seconds = time.perf_counter() - t0
    second = archive_orders(now=now, batch_size=ARCHIVE_BATCH, actor=Actor.system())
    _analyze(connection)
    archive = {"archived": run.archived, "batches": run.batches, "seconds": seconds,
               "per_s": run.archived / max(seconds, 1e-9), "longest_ms": run.longest_batch_ms,
               "p95_ms": percentile(run.batch_ms, 95), "second_run": second}

    channels = list(Channel.objects.values_list("code", flat=True))
    rng = random.Random(args["seed"] + 1)
    today = timezone.localdate()
    results = []
    for label, make in _cases(samples, channels, today, rng):
        _log(f"timing: {label}")
        kind, what, page = make(0)
        with CaptureQueriesContext(connection) as ctx:  # warm-up, and the statements of one view
            rows = _list_page(what, page) if kind == "list" else _archive_page(what)
        queries = len(ctx.captured_queries)
        times = []
        for i in range(args["runs"]):
            kind, what, page = make(i)
            t = time.perf_counter()
            rows = _list_page(what, page) if kind == "list" else _archive_page(what)
            times.append((time.perf_counter() - t) * 1000)
            reset_queries()
        results.append({"label": label, "times_ms": times, "rows": f"{rows:,}", "queries": queries})
    return {
        "db_version": _db_version(connection), "generate": gen, "archive": archive, "cases": results,
        "working": Order.objects.filter(archived_at__isnull=True).count(),
        "archived": Order.objects.filter(archived_at__isnull=False).count(),
    }
