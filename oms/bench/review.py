"""`oms bench review`: how many orders the automatic review gets through per second.

The worker reviews every new paid (or cash-on-delivery) order: it takes the pending
`order.received` messages up to BATCH_SIZE at a time and calls `review_orders` on their
orders, which loads the facts of the whole batch, runs every rule on each order, reserves
stock or holds it with all its reasons, and enqueues `order.approved`. A person's click
(and an order arriving alone) goes through `review_order`, the same review for one order.
This benchmark times those calls, with the system actor the worker uses:

(a) worker:   one process reviews its orders in batches of BATCH_SIZE, as one worker does;
(b) parallel: 2 processes, each reviewing its own share in batches at the same time;
(c) single:   one process reviews its orders one call each (`review_order`);
(d) queries_per_review: SQL statements of one `review_order`, for a 3-line and a 10-line
    order, on the path that passes (stock reserved, a coupon claimed) and on the one that
    holds; and of one batch of BATCH_SIZE 3-line and 10-line orders.

Not timed: marking the batch's outbox messages sent (one UPDATE per batch).

The orders (realistic Chinese orders from oms.bench.data, about 85 % meant to pass and 15 %
spoiled in one of eleven ways that the rules catch) are taken in through `intake_order` before
the clock starts. Everything runs in a temporary data folder (and, for PostgreSQL, a
throwaway database), in child processes (`python -m oms.bench.child review_…`).
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from oms.bench.environment import BenchEnvironment, BenchError
from oms.bench.machine import disturbance, machine_busy_seconds, machine_info

# The worker's batch (oms.notifications.outbox.BATCH_SIZE; the parent stays free of Django,
# the reviewing child checks that the two agree).
BATCH_SIZE = 50
DEFAULT_ORDERS = 2000  # per measurement (worker, parallel, single)
WARMUP = 20  # reviews per process before the clock starts (first-use caches, the division list)
PARALLEL = 2
LINES = 3
CHECK_LINES = 10
FAIL_SHARE = 0.15
TARGET = 500
TRIGGER = "received"  # what the worker passes for a new order
CHILD_TIMEOUT_S = 1800

# The ways an order is spoiled, each caught by one rule (the finding code it should produce).
SPOILS = {
    "address_invalid": "address_invalid",
    "address_incomplete": "address_incomplete",
    "phone_invalid": "phone_invalid",
    "unknown_sku": "unknown_sku",
    "out_of_stock": "out_of_stock",
    "coupon_expired": "coupon_invalid",
    "no_transaction_id": "unpaid",
    "remark": "remark_attention",
    "blacklisted": "blacklisted",
    "spec_mismatch": "quantity_mismatch",
    "amount_over_limit": "amount_over_limit",
}

# --- the data (used by the setup child; pure Python) -----------------------------------------

# Regional warehouses serve their region first (priority), the central one the whole country.
WAREHOUSES = [
    ("hz", "杭州仓", "浙江省", "杭州市", 10, ["浙江省", "上海市", "江苏省", "安徽省", "福建省", "江西省"]),
    ("gz", "广州仓", "广东省", "广州市", 10, ["广东省", "广西壮族自治区", "海南省", "福建省", "湖南省"]),
    ("bj", "北京仓", "北京市", "北京市", 10, ["北京市", "天津市", "河北省", "山东省", "辽宁省", "吉林省",
                                             "黑龙江省", "内蒙古自治区", "山西省"]),
    ("cd", "成都仓", "四川省", "成都市", 20, ["四川省", "重庆市", "云南省", "贵州省", "陕西省", "湖北省",
                                             "河南省"]),
    ("wh", "武汉中心仓", "湖北省", "武汉市", 50, []),
]
# Heavy or slow SKUs are kept in some warehouses only, so some orders need two warehouses.
REGIONAL_ONLY = ("RICE",)  # not in the central warehouse
CENTRAL_ONLY = ("DOWN", "TEA")  # only in the central warehouse
NO_STOCK_SKU = ("LAMP-01-01", "LED护眼台灯", "白色/标准版", Decimal("199.00"), 900)  # announced, not received
COUPONS = [
    # code, channel (None: every channel), min spend, days valid from now (negative: expired), use limit
    ("NEW10", None, "0.00", 30, None),
    ("VIP20", None, "50.00", 30, 1_000_000),
    ("DOUBLE11", None, "0.00", 30, None),
    ("APP15", "app", "100.00", 30, 100_000),
    ("SUMMER50", None, "200.00", -30, None),  # expired
]
BLOCKED_PHONES = ["13912345678", "18688886666", "15000000000"]
BLOCKED_ADDRESS = "幸福里小区13幢"
OWN_SHOPS = ("web", "app", "miniapp")
NEEDS_PAID = ("no_transaction_id", "amount_over_limit")  # cash on delivery would add an `unpaid` finding


def _retotal(payload: dict) -> None:
    """Make the amounts add up again after lines changed (paid orders pay the payable amount)."""
    goods = sum((Decimal(ln["unit_price"]) * ln["quantity"] for ln in payload["lines"]), Decimal("0.00"))
    shipping = Decimal(payload["shipping_fee"])
    discounts = sum((Decimal(d["amount"]) for d in payload["discounts"]), Decimal("0.00"))
    if payload["payment"]["status"] == "paid":
        payload["paid_amount"] = f"{goods + shipping - discounts:.2f}"


def _reviewable(payload: dict) -> bool:
    """Paid, or cash on delivery within the own shops' limit: the order waits for review and passes."""
    pay = payload["payment"]
    if pay["status"] == "paid":
        return True
    if pay["method"] != "cod":
        return False
    goods = sum((Decimal(ln["unit_price"]) * ln["quantity"] for ln in payload["lines"]), Decimal(0))
    return goods + Decimal(payload["shipping_fee"]) <= Decimal("3000")


def make_review_order(rng: random.Random, index: int, *, spoil: str = "", lines: int = LINES,
                      channel: str | None = None, coupon: bool | None = None, skus=None) -> dict:
    """One order that lands in pending_review: passes every rule, or fails the one `spoil` names."""
    from oms.bench.data import ADDRESSES, make_order

    if spoil == "coupon_expired":
        channel, coupon = rng.choice(OWN_SHOPS), True
    for attempt in range(100):
        payload = make_order(rng, index * 100 + attempt, lines=lines, channel=channel, coupon=coupon, skus=skus)
        if _reviewable(payload) and (spoil not in NEEDS_PAID or payload["payment"]["status"] == "paid"):
            break
    else:  # pragma: no cover - make_order pays 93 % of orders
        raise BenchError("could not draw a paid order")
    addr, line0 = payload["shipping_address"], payload["lines"][0]
    if spoil == "address_invalid":  # a city that is not in the province
        addr["city"] = "杭州市" if addr["province"] == "江苏省" else "苏州市"
        addr["district"] = addr["district"] or "吴中区"
    elif spoil == "address_incomplete":  # the district left out where the city has districts
        province, city, district, road, postcode = rng.choice([a for a in ADDRESSES if a[2]])
        addr.update(province=province, city=city, district="", postcode=postcode)
    elif spoil == "phone_invalid":  # a digit short
        addr["phone"] = addr["phone"][:-1]
    elif spoil == "unknown_sku":  # a code the channel never mapped
        line0["sku"] = f"{line0['sku']}-OLD"
    elif spoil == "out_of_stock":
        line0.update(sku=NO_STOCK_SKU[0], name=NO_STOCK_SKU[1], spec=NO_STOCK_SKU[2])
    elif spoil == "coupon_expired":
        payload["discounts"][0]["code"] = "SUMMER50"
    elif spoil == "no_transaction_id":
        payload["payment"].pop("transaction_id", None)
    elif spoil == "remark":
        payload["buyer_remark"] = rng.choice(["麻烦加急发货，谢谢", "地址写错了，要改地址", "需要开票，请电话联系"])
    elif spoil == "blacklisted":
        if rng.random() < 0.5:
            addr["phone"] = payload["customer"]["phone"] = rng.choice(BLOCKED_PHONES)
        else:
            road = addr["detail"].split("号", 1)[0]
            addr["detail"] = f"{road}号{BLOCKED_ADDRESS}{rng.randint(1, 6)}单元{rng.randint(101, 2204)}室"
    elif spoil == "spec_mismatch":
        line0["spec"] = "荧光绿/XXXL"
    elif spoil == "amount_over_limit":  # a bulk purchase of the dearest line, still under 200 per line
        dear = max(payload["lines"], key=lambda ln: Decimal(ln["unit_price"]))
        dear["quantity"] = min(200, math.ceil(Decimal("5200") / Decimal(dear["unit_price"])))
        _retotal(payload)
    elif spoil:
        raise BenchError(f"unknown spoil {spoil!r}")
    return payload


# --- parent side -------------------------------------------------------------------------------

@dataclass
class Measurement:
    label: str
    processes: int
    results: list[dict]  # one per process
    busy_s: float  # CPU seconds of every process on the machine during the timed run
    db_cpu_s: float  # PostgreSQL backends of the bench database during the timed run

    @property
    def reviews(self) -> int:
        return sum(r["reviewed"] for r in self.results)

    @property
    def seconds(self) -> float:
        return max(r["end"] for r in self.results) - min(r["start"] for r in self.results)

    @property
    def per_s(self) -> float:
        return self.reviews / max(self.seconds, 1e-9)

    @property
    def cpu_s(self) -> float:
        return sum(r["cpu_s"] for r in self.results)

    @property
    def errors(self) -> int:
        return sum(r["errors"] for r in self.results)

    def percentile(self, p: float) -> float:
        times = sorted(t for r in self.results for t in r["times_ms"])
        if not times:
            return 0.0
        return times[min(len(times) - 1, max(0, math.ceil(p / 100 * len(times)) - 1))]

    def counter(self, key: str) -> Counter:
        total: Counter = Counter()
        for r in self.results:
            total.update(r[key])
        return total


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _measure(env: BenchEnvironment, label: str, plan_path: str, group: str, shares: int,
             count_queries: bool) -> Measurement:
    """Start one child per share, let them warm up, start their clocks together, collect the results."""
    from oms.bench.child import RESULT_PREFIX

    procs, logs = [], []
    try:
        for share in range(shares):
            log_path = os.path.join(env.data_dir, f"review-{group}-{share}.log")
            logs.append(log_path)
            args = {"plan": plan_path, "group": group, "share": share,
                    "count_queries": count_queries and share == 0}
            with open(log_path, "w") as err:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "oms.bench.child", "review_measure", json.dumps(args)],
                    env=env.child_env(), cwd=env.data_dir, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=err, text=True,
                ))
        for proc, log_path in zip(procs, logs, strict=True):
            while True:
                line = proc.stdout.readline()
                if not line:
                    raise BenchError(f"{label}: a reviewing process ended before it was ready "
                                     f"(exit {proc.wait()}): {_tail(log_path)}")
                if line.startswith("BENCH_READY"):
                    break
        busy0 = machine_busy_seconds()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = []
        for proc in procs:
            out, _err = proc.communicate(timeout=CHILD_TIMEOUT_S)
            outputs.append((proc.returncode, out))
        busy1 = machine_busy_seconds()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    results = []
    for (code, out), log_path in zip(outputs, logs, strict=True):
        found = [ln for ln in out.splitlines() if ln.startswith(RESULT_PREFIX)]
        if code != 0 or not found:
            raise BenchError(f"{label}: a reviewing process failed (exit {code}): {_tail(log_path)}")
        results.append(json.loads(found[-1][len(RESULT_PREFIX):]))
    # Each child measured its own PostgreSQL backend (gone by now, with the child's connection).
    db_cpu = sum(r["db_cpu_s"] for r in results)
    return Measurement(label=label, processes=shares, results=results, busy_s=busy1 - busy0, db_cpu_s=db_cpu)


def _tail(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().strip().splitlines()
    except OSError:
        return "no output"
    return lines[-1] if lines else "no output"


def run(args) -> int:
    db = args.db
    orders = args.orders or DEFAULT_ORDERS
    if orders < PARALLEL:
        raise BenchError(f"--orders must be at least {PARALLEL}")
    machine = machine_info()
    started = time.perf_counter()
    with BenchEnvironment(db) as env:
        _log(f"data folder {env.data_dir}" + (f", database {env.db_name}" if env.db_name else ""))
        taken_in = 3 * orders + (2 + PARALLEL) * WARMUP + 4 + 2 * BATCH_SIZE
        _log(f"migrating; warehouses, SKUs, stock, coupons, block list; taking in {taken_in} orders (not timed)")
        plan_path = os.path.join(env.data_dir, "review-plan.json")
        setup = env.run_child("review_setup", {"orders": orders, "parallel": PARALLEL, "warmup": WARMUP,
                                               "plan": plan_path, "seed": 20261126})
        _log(f"worker: {orders} reviews in batches of {BATCH_SIZE} in 1 process (and counting SQL statements)")
        worker = _measure(env, "worker", plan_path, "worker", 1, count_queries=True)
        _log(f"parallel: {orders} reviews in batches of {BATCH_SIZE} in {PARALLEL} processes")
        parallel = _measure(env, f"parallel ({PARALLEL} processes)", plan_path, "parallel", PARALLEL,
                            count_queries=False)
        _log(f"single: {orders} reviews one call each in 1 process")
        single = _measure(env, "single (one call each)", plan_path, "single", 1, count_queries=False)
    return report(db=db, machine=machine, setup=setup, runs=[worker, parallel, single],
                  total_s=time.perf_counter() - started)


def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _kinds(kinds: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))


def report(*, db: str, machine: dict, setup: dict, runs: list[Measurement], total_s: float) -> int:
    cores = machine["cores"]
    worker, parallel, single = runs
    header = ["run", "db", "cores", "processes", "orders/call", "orders", "seconds", "reviews/s",
              "p50 ms/call", "p99 ms/call", "passed", "held", "errors"]
    rows = []
    for m in runs:
        outcomes = m.counter("outcomes")
        rows.append([m.label, db, cores, str(m.processes), str(m.results[0]["batch"]), str(m.reviews + m.errors),
                     _fmt(m.seconds, 2), _fmt(m.per_s), _fmt(m.percentile(50), 2), _fmt(m.percentile(99), 2),
                     str(outcomes.get("passed", 0)), str(outcomes.get("held", 0)), str(m.errors)])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    right = set(range(3, len(header)))

    def line(cells):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    out = [f"oms bench review — {machine['cpu']}, {cores} cores, {machine['memory']}, {machine['speed']}, "
           f"Python {machine['python']}, {setup['db_version']}", "", line(header), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    out.append("")

    queries = worker.results[0]["queries"]
    for path, what in (("pass", "passed, stock reserved, own-shop coupon claimed"), ("hold", "held")):
        q3, q10 = queries[path][str(LINES)], queries[path][str(CHECK_LINES)]
        same = "same" if q3["count"] == q10["count"] else "DIFFERENT"
        out.append(f"queries per review_order ({what}): {q3['count']} for a {LINES}-line order, {q10['count']} "
                   f"for a {CHECK_LINES}-line order ({same}); {_kinds(q3['kinds'])}")
    b3, b10 = queries["batch"][str(LINES)], queries["batch"][str(CHECK_LINES)]
    same = "same" if b3["count"] == b10["count"] else "DIFFERENT"
    out.append(f"queries per batch of {BATCH_SIZE} passing orders (review_orders): {b3['count']} for {LINES}-line "
               f"orders, {b10['count']} for {CHECK_LINES}-line orders ({same}; "
               f"{b3['count'] / BATCH_SIZE:.2f} per review); {_kinds(b3['kinds'])}")
    outcomes, reasons, spoils = worker.counter("outcomes"), worker.counter("reasons"), worker.counter("spoils")
    reviewed = max(worker.reviews, 1)
    out.append(f"outcomes ({worker.label}): passed {outcomes.get('passed', 0)} "
               f"({100 * outcomes.get('passed', 0) / reviewed:.1f} %), held {outcomes.get('held', 0)} "
               f"({100 * outcomes.get('held', 0) / reviewed:.1f} %); hold reasons: {_kinds(reasons) or 'none'}")
    out.append(f"  spoiled on purpose: {_kinds(spoils) or 'none'}")
    for m in runs:
        n = max(m.reviews, 1)
        db_part = f" + PostgreSQL {m.db_cpu_s / n * 1000:.2f} ms" if db == "postgres" else ""
        others, note = disturbance(busy_s=m.busy_s, own_cpu_s=m.cpu_s + m.db_cpu_s, seconds=m.seconds)
        per_core = n / max(m.cpu_s + m.db_cpu_s, 1e-9)
        out.append(f"cpu per review ({m.label}): {m.cpu_s / n * 1000:.2f} ms in the reviewing process"
                   f"{'es' if m.processes > 1 else ''}{db_part} (= {per_core:.0f} reviews/s per busy core); "
                   f"warm-up {WARMUP} reviews per process not timed")
        out.append(f"  machine during the run: {m.busy_s / max(m.seconds, 1e-9):.2f} of {cores} cores busy, "
                   f"{others:.2f} by other processes{note}")
    out.append(f"data: {setup['warehouses']} warehouses, {setup['skus']} SKUs, {setup['stock_levels']} stock "
               f"levels, {setup['coupons']} coupons, {setup['block_list']} block-list entries; {setup['orders']} "
               f"orders taken in ({setup['orders_per_s']:.0f}/s, not timed), setup {setup['seconds']:.0f} s")
    unexpected = [u for m in runs for r in m.results for u in r["unexpected"]]
    n_unexpected = sum(r["unexpected_count"] for m in runs for r in m.results)
    if n_unexpected:
        out.append(f"WARNING: {n_unexpected} orders did not end as generated (the rules or the data changed); "
                   f"e.g. {'; '.join(unexpected[:3])}")
    for m in runs:
        for sample in [s for r in m.results for s in r["error_samples"]][:3]:
            out.append(f"review error ({m.label}): {sample}")
    verdict = "met" if worker.per_s >= TARGET else "MISSED"
    out.append(f"target: >= {TARGET} reviews/s by one worker process {verdict} ({worker.per_s:.0f}/s; "
               f"{parallel.per_s:.0f}/s with {parallel.processes} processes; one call per order "
               f"{single.per_s:.0f}/s); whole run {total_s:.0f} s")
    errors = sum(m.errors for m in runs)
    if errors:
        out.append(f"FAILED: {errors} reviews raised an error")
    out.append("")
    out.append(" ".join([
        f"db={db}", f"cores={cores}", f"reviews_per_s={worker.per_s:.0f}",
        f"queries_per_review={queries['pass'][str(LINES)]['count']}", f"batch={BATCH_SIZE}",
        f"queries_per_batch={b3['count']}", f"parallel_reviews_per_s={parallel.per_s:.0f}",
        f"single_reviews_per_s={single.per_s:.0f}", f"single_p50_ms={single.percentile(50):.2f}",
        f"single_p99_ms={single.percentile(99):.2f}",
    ]))
    print("\n".join(out), flush=True)
    return 1 if errors else 0


# --- child side (python -m oms.bench.child review_setup|review_measure) -----------------------

def task_setup(args: dict) -> dict:
    """Migrate; warehouses, SKUs with stock, coupons, block list; take in every order of the plan."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from oms.accounts.actor import Actor
    from oms.accounts.services import create_user
    from oms.bench.child import _db_version
    from oms.bench.data import PLATFORM_PREFIX, catalogue
    from oms.channels.models import Channel, ChannelSkuMapping
    from oms.channels.selectors import channel_table
    from oms.inventory.models import Sku, StockLevel, Warehouse
    from oms.inventory.services import receive_stock
    from oms.orders.intake.services import intake_order
    from oms.orders.intake.validation import parse_intake
    from oms.orders.review.models import BlockKind, BlockListEntry, Coupon
    from oms.orders.status import OrderStatus

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    shop = Actor.of(create_user(username="bench_shop", role="integration"))
    keeper = Actor.of(create_user(username="bench_warehouse", role="warehouse"))
    risk = create_user(username="bench_risk", role="customer_service")

    cat = catalogue()
    with transaction.atomic():
        Warehouse.objects.bulk_create(
            Warehouse(code=code, name=name, province=province, city=city, priority=priority,
                      service_provinces=served)
            for code, name, province, city, priority, served in WAREHOUSES
        )
        Sku.objects.bulk_create([Sku(code=s.code, name=s.name, spec=s.spec, weight_g=s.weight_g) for s in cat]
                                + [Sku(code=NO_STOCK_SKU[0], name=NO_STOCK_SKU[1], spec=NO_STOCK_SKU[2],
                                       weight_g=NO_STOCK_SKU[4])])
        skus = {s.code: s for s in Sku.objects.all()}
        for channel in Channel.objects.filter(code__in=PLATFORM_PREFIX):
            ChannelSkuMapping.objects.bulk_create(
                ChannelSkuMapping(channel=channel, platform_sku=f"{PLATFORM_PREFIX[channel.code]}{s.code}",
                                  sku=skus[s.code])
                for s in cat
            )
        now = timezone.now()
        channels = dict(Channel.objects.values_list("code", "id"))
        for code, channel, min_spend, days, limit in COUPONS:
            Coupon.objects.create(
                code=code, name=code, channel_id=channels[channel] if channel else None,
                amount=Decimal("10.00"), min_spend=Decimal(min_spend),
                valid_from=now - timedelta(days=60 if days < 0 else 7),
                valid_until=now + timedelta(days=days), max_uses=limit,
            )
        for phone in BLOCKED_PHONES:
            BlockListEntry.objects.create(kind=BlockKind.PHONE, value=phone, reason="多次拒收", created_by=risk)
        BlockListEntry.objects.create(kind=BlockKind.ADDRESS, value=BLOCKED_ADDRESS, reason="疑似刷单收货地址",
                                      created_by=risk)
        BlockListEntry.objects.create(kind=BlockKind.ADDRESS, value="某某路0号", reason="测试地址",
                                      created_by=risk, active=False)

    total = 3 * args["orders"] + (2 + args["parallel"]) * args["warmup"] + 4 + 2 * BATCH_SIZE
    # Generous stock: about ten times what the orders take (3 lines, 1.6 units a line, 39 SKUs).
    per_level = max(200, total // 3)
    for s in cat:
        product = s.code.split("-", 1)[0]
        for code, *_rest in WAREHOUSES:
            central = code == "wh"
            if (central and product in REGIONAL_ONLY) or (not central and product in CENTRAL_ONLY):
                continue
            receive_stock(sku_code=s.code, warehouse_code=code, quantity=per_level, actor=keeper,
                          reference="BENCH-GRN")

    rng = random.Random(args["seed"])
    lookup = channel_table().get
    expect: dict[str, str] = {}
    spoil_cycle = list(SPOILS)
    spoiled = 0

    def take_in(payload: dict, spoil: str) -> str:
        result = intake_order(command=parse_intake(payload, channel_lookup=lookup), actor=shop)
        order = result.order
        if order.status != OrderStatus.PENDING_REVIEW:
            raise BenchError(f"order {order.order_no} is {order.status}, not pending_review")
        expect[order.order_no] = spoil
        return order.order_no

    index = 0

    def next_order(**kw) -> str:
        nonlocal index, spoiled
        index += 1
        spoil = kw.pop("spoil", None)
        if spoil is None:
            spoil = spoil_cycle[spoiled % len(spoil_cycle)] if rng.random() < FAIL_SHARE else ""
            spoiled += bool(spoil)
        return take_in(make_review_order(rng, index, spoil=spoil, **kw), spoil)

    t_orders = time.perf_counter()
    # The statement counts: an own-shop order with a coupon (the longest passing path), cheap SKUs so
    # that 10 lines stay under the amount limit; the held ones fail on the phone only.
    cheap = [s for s in cat if s.price < 100]
    queries = {
        path: {str(n): next_order(lines=n, channel="web", coupon=True, skus=cheap,
                                  spoil="" if path == "pass" else "phone_invalid")
               for n in (LINES, CHECK_LINES)}
        for path in ("pass", "hold")
    }
    # A batch of own-shop orders with a coupon that all pass, of 3-line and of 10-line orders.
    queries["batch"] = {str(n): [next_order(lines=n, channel="web", coupon=True, skus=cheap, spoil="")
                                 for _ in range(BATCH_SIZE)] for n in (LINES, CHECK_LINES)}
    plan = {"queries": queries, "expect": expect, "worker": [], "parallel": [], "single": []}
    for group, shares in (("worker", 1), ("parallel", args["parallel"]), ("single", 1)):
        parts = [{"warmup": [next_order() for _ in range(args["warmup"])], "timed": []} for _ in range(shares)]
        for i in range(args["orders"]):
            parts[i % shares]["timed"].append(next_order())
        plan[group] = parts
    orders_s = time.perf_counter() - t_orders
    with open(args["plan"], "w", encoding="utf-8") as fh:
        json.dump(plan, fh)
    return {
        "db_version": _db_version(connection), "warehouses": len(WAREHOUSES), "skus": len(skus),
        "stock_levels": StockLevel.objects.count(), "coupons": len(COUPONS),
        "block_list": len(BLOCKED_PHONES) + 2, "orders": len(expect), "orders_per_s": len(expect) / orders_s,
        "seconds": time.perf_counter() - t0,
    }


def task_measure(args: dict) -> dict:
    """Review this process's share: warm up, count statements (share 0), wait for `go`, then time it.

    The worker group and the parallel one review in batches of BATCH_SIZE (`review_orders`, as the
    worker does); the single group one call per order (`review_order`).
    """
    from oms.accounts.actor import Actor
    from oms.bench.child import _backend_pid
    from oms.bench.machine import process_cpu_seconds
    from oms.notifications import outbox
    from oms.orders.review.services import review_order, review_orders

    if outbox.BATCH_SIZE != BATCH_SIZE:
        raise BenchError(f"the worker's batch is {outbox.BATCH_SIZE}, the benchmark's {BATCH_SIZE}")
    with open(args["plan"], encoding="utf-8") as fh:
        plan = json.load(fh)
    part = plan[args["group"]][args["share"]]
    expect = plan["expect"]
    actor = Actor.system()
    batched = args["group"] != "single"

    def review(order_nos: list[str]) -> list:
        if batched:
            return review_orders(order_nos=order_nos, actor=actor, trigger=TRIGGER)
        return [review_order(order_no=no, actor=actor, trigger=TRIGGER) for no in order_nos]

    calls = [part["timed"][i:i + BATCH_SIZE] for i in range(0, len(part["timed"]), BATCH_SIZE)] if batched \
        else [[no] for no in part["timed"]]
    review(part["warmup"])
    queries = _count_queries(plan["queries"], actor) if args.get("count_queries") else None

    sys.stdout.write("BENCH_READY\n")
    sys.stdout.flush()
    sys.stdin.readline()

    backend = _backend_pid()
    times, outcomes, reasons, spoils = [], Counter(), Counter(), Counter()
    unexpected, errors = [], []
    reviewed = 0
    profile_dir = os.environ.get("OMS_BENCH_PROFILE")  # a CPU profile of the timed part, per process
    profiler = None
    if profile_dir:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start, cpu0 = time.time(), time.process_time()
    db0 = process_cpu_seconds(backend) if backend else 0.0
    for order_nos in calls:
        t0 = time.perf_counter()
        try:
            results = review(order_nos)
        except Exception as exc:  # counted and shown; the run then fails
            errors.append(f"{order_nos[0]}…: {type(exc).__name__}: {exc}"[:300])
            continue
        times.append((time.perf_counter() - t0) * 1000)
        reviewed += len(results)
        for outcome in results:
            codes = sorted({f.code for f in outcome.findings})
            outcomes["passed" if outcome.passed else "held"] += 1
            reasons.update(codes)
            spoil = expect.get(outcome.order.order_no, "")
            if spoil:
                spoils[spoil] += 1
            wanted = [SPOILS[spoil]] if spoil else []
            if codes != wanted:
                unexpected.append(f"{outcome.order.order_no} spoiled {spoil or 'no'}, found {codes or 'nothing'}")
    end, cpu_s = time.time(), time.process_time() - cpu0
    db_cpu_s = process_cpu_seconds(backend) - db0 if backend else 0.0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.path.join(profile_dir, f"review-{args['group']}-{args['share']}.prof"))
    return {
        "reviewed": reviewed, "calls": len(times), "batch": BATCH_SIZE if batched else 1,
        "start": start, "end": end, "cpu_s": cpu_s, "db_cpu_s": db_cpu_s,
        "times_ms": [round(t, 4) for t in times], "outcomes": outcomes, "reasons": reasons, "spoils": spoils,
        "unexpected": unexpected[:5], "unexpected_count": len(unexpected), "errors": len(errors),
        "error_samples": errors[:3], "queries": queries,
    }


def _count_queries(orders: dict, actor) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oms.bench.child import _kinds
    from oms.orders.review.services import review_order, review_orders

    result = {}
    for path, by_lines in orders.items():
        result[path] = {}
        for lines, order_nos in by_lines.items():
            with CaptureQueriesContext(connection) as ctx:
                if path == "batch":
                    outcomes = review_orders(order_nos=order_nos, actor=actor, trigger=TRIGGER)
                else:
                    outcomes = [review_order(order_no=order_nos, actor=actor, trigger=TRIGGER)]
            if any(o.passed != (path != "hold") for o in outcomes) or not outcomes:
                raise BenchError(f"queries: a {lines}-line order meant to {'hold' if path == 'hold' else 'pass'} "
                                 f"did not ({[f.code for o in outcomes for f in o.findings]})")
            statements = [q["sql"] for q in ctx.captured_queries]
            result[path][lines] = {"count": len(statements), "kinds": _kinds(statements),
                                   "statements": [s[:200] for s in statements]}
    return result
