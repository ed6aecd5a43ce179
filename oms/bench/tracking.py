"""`oms bench tracking`: how many tracking events `ingest_events` takes in per second.

Shipped parcels (one order each, one package each, carrier on the Kuaidi100 adapter) are made
in a throwaway database before the clock starts. Then, with the system actor the push endpoint
and the polling job use:

(a) push:   one batch per parcel, as a carrier's push brings them: 1–20 new events (seeded),
            accepted → in transit … → out for delivery, a third of the parcels ending delivered
            (which delivers the package and the order);
(b) poll:   batches of POLL_BATCH events over 50 parcels, as a polling round brings them;
(c) replay: the pushes of (a) again: every event already stored (Kuaidi100 resends the whole
            history with each push), so nothing is written.

Statements per batch are counted afterwards on fresh parcels (a push of 10 events, a push that
delivers, a poll batch, a replay). Not timed: parsing and signature checks of the HTTP request.
"""

from __future__ import annotations

import math
import random
import sys
import time

from oms.bench.environment import BenchEnvironment, BenchError
from oms.bench.machine import disturbance, machine_busy_seconds, machine_info

DEFAULT_EVENTS = 20_000
POLL_BATCH = 500
POLL_PARCELS = 50  # parcels per poll batch (10 events each)
MAX_PUSH = 20
TARGET = 1000
SEED = 20261127


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(args) -> int:
    events = getattr(args, "events", None) or args.orders or DEFAULT_EVENTS
    if events < POLL_BATCH:
        raise BenchError(f"--events must be at least {POLL_BATCH}")
    machine = machine_info()
    started = time.perf_counter()
    with BenchEnvironment(args.db) as env:
        _log(f"data folder {env.data_dir}" + (f", database {env.db_name}" if env.db_name else ""))
        _log(f"migrating; shipped parcels for {events} pushed and {events} polled events (not timed); then timing")
        busy0 = machine_busy_seconds()
        result = env.run_child("tracking_run", {"events": events, "seed": SEED})
        busy_s = machine_busy_seconds() - busy0
    return report(db=args.db, machine=machine, result=result, busy_s=busy_s, total_s=time.perf_counter() - started)


def _percentile(times: list[float], p: float) -> float:
    if not times:
        return 0.0
    times = sorted(times)
    return times[min(len(times) - 1, max(0, math.ceil(p / 100 * len(times)) - 1))]


def report(*, db: str, machine: dict, result: dict, busy_s: float, total_s: float) -> int:
    cores = machine["cores"]
    print(f"oms bench tracking — {machine['cpu']}, {cores} cores, {machine['memory']}, {machine['speed']}, "
          f"Python {machine['python']}, {result['db_version']}")
    print()
    header = ["run", "db", "cores", "batches", "events/batch", "events", "stored", "seconds", "events/s",
              "p50 ms/batch", "p99 ms/batch"]
    rows = []
    for name in ("push", "poll", "replay"):
        r = result["runs"][name]
        rows.append([name, db, cores, f"{r['batches']:,}", r["per_batch"], f"{r['events']:,}", f"{r['stored']:,}",
                     f"{r['seconds']:.2f}", f"{r['events'] / max(r['seconds'], 1e-9):,.0f}",
                     f"{_percentile(r['times_ms'], 50):.2f}", f"{_percentile(r['times_ms'], 99):.2f}"])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) if i < 3 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True))))
    for row in rows:
        print("  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    print()
    print("statements per batch:")
    for label, q in result["queries"].items():
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(q["kinds"].items(), key=lambda kv: -kv[1]))
        print(f"  {label:<44} {q['count']:>3}  ({kinds})")
    print("  (a delivering batch adds one UPDATE per order that changes status: oms.shipping.progress)")
    push = result["runs"]["push"]
    per_s = push["events"] / max(push["seconds"], 1e-9)
    timed_s = sum(r["seconds"] for r in result["runs"].values())
    others, note = disturbance(busy_s=busy_s, own_cpu_s=result["cpu_s"] + result.get("db_cpu_s", 0.0),
                               seconds=max(total_s, timed_s))
    print()
    print(f"parcels: {result['parcels']:,}, delivered by the pushes: {result['delivered']:,}; "
          f"setup {result['setup_s']:.1f} s; other processes used {others:.2f} cores{note}")
    print(f"target: ≥ {TARGET:,} tracking events/s (pushes) {'met' if per_s >= TARGET else 'MISSED'}")
    poll, replay = result["runs"]["poll"], result["runs"]["replay"]
    print()
    print(f"db={db} cores={cores} tracking_events_per_s={per_s:.0f} "
          f"poll_events_per_s={poll['events'] / max(poll['seconds'], 1e-9):.0f} "
          f"replay_events_per_s={replay['events'] / max(replay['seconds'], 1e-9):.0f} "
          f"queries_per_push={result['queries']['push of 10 new events']['count']}")
    return 0


# --- the measuring child (python -m oms.bench.child tracking_run) -----------------------------

def _history(rng: random.Random, size: int, start, *, deliver: bool) -> list[tuple[str, object, str, str]]:
    from datetime import timedelta

    places = ["浙江,杭州市", "江苏,苏州市", "上海,上海市", "广东,广州市", "湖北,武汉市", "四川,成都市"]
    out = [("accepted", start, "【杭州市】快件已揽收", places[0])]
    for i in range(1, size):
        at = start + timedelta(hours=3 * i, minutes=rng.randint(0, 59))
        if i == size - 1 and deliver:
            out.append(("delivered", at, "已签收，签收人：本人", places[i % len(places)]))
        elif i == size - 1 and size > 3:
            out.append(("out_for_delivery", at, "【当地网点】快递员正在派件", places[i % len(places)]))
        else:
            out.append(("in_transit", at, f"【{places[i % len(places)]}转运中心】已发出，下一站第{i}站",
                        places[i % len(places)]))
    return out


def _make_parcels(count: int, prefix: str, start_index: int) -> list[tuple[str, str]]:
    """Shipped orders with one shipped package each: [(tracking_no, package number)]."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from oms.channels.models import Channel
    from oms.fulfillment.models import Package
    from oms.inventory.models import Warehouse
    from oms.orders.models import Order
    from oms.shipping.models import Carrier

    channel = Channel.objects.get(code="web")
    carrier = Carrier.objects.get(code="zto")
    warehouse = Warehouse.objects.get(code="hz")
    shipped = timezone.now() - timedelta(days=2)
    out = []
    for chunk in range(0, count, 1000):
        with transaction.atomic():
            orders = Order.objects.bulk_create([Order(
                order_no=f"{prefix}{start_index + i:09d}", channel=channel, source="api", status="shipped",
                placed_at=shipped - timedelta(hours=4), customer_name="张三", customer_phone="13800138000",
                ship_name="张三", ship_phone="13800138000", ship_province="浙江省", ship_city="杭州市",
                ship_district="西湖区", ship_detail="文三路100号", goods_total=Decimal("59.00"),
                shipping_fee=Decimal("0.00"), discount_total=Decimal("0.00"), payable_amount=Decimal("59.00"),
                paid_amount=Decimal("59.00"), payment_method="alipay", payment_status="paid", shipped_at=shipped,
            ) for i in range(chunk, min(count, chunk + 1000))])
            orders = list(Order.objects.filter(order_no__in=[o.order_no for o in orders]).only("id", "order_no"))
            series = "PQC".index(prefix) + 1  # tracking numbers unique across the three sets
            packages = [Package(order=o, number=f"{o.order_no}-1", warehouse=warehouse, carrier=carrier,
                                status="shipped", weight_g=800, tracking_no=f"7{series}{o.order_no[1:]}",
                                shipped_at=shipped)
                        for o in orders]
            Package.objects.bulk_create(packages)
            out += [(p.tracking_no, p.number) for p in packages]
    return out


def _events(parcels, sizes, rng, *, deliver_share: float, start):
    from oms.shipping.tracking import IncomingEvent

    batches = []
    for (tracking_no, _number), size in zip(parcels, sizes, strict=True):
        history = _history(rng, size, start, deliver=rng.random() < deliver_share)
        batches.append([IncomingEvent(carrier="zto", tracking_no=tracking_no, status=s, occurred_at=at,
                                      carrier_status="", description=text, location=place)
                        for s, at, text, place in history])
    return batches


def task_run(args: dict) -> dict:
    """Set up the parcels, then time the push, poll and replay runs; count statements on fresh parcels."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from oms.accounts.actor import Actor
    from oms.bench.child import _backend_pid, _db_version, _kinds
    from oms.bench.machine import process_cpu_seconds
    from oms.fulfillment.models import Package
    from oms.inventory.models import Warehouse
    from oms.shipping.models import Carrier
    from oms.shipping.tracking import ingest_events

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    Carrier.objects.create(code="zto", name="中通快递", adapter="kuaidi100", adapter_code="zhongtong")
    Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", address="余杭区1号")
    rng = random.Random(args["seed"])
    target = args["events"]
    sizes = []
    while sum(sizes) < target:
        sizes.append(rng.randint(1, MAX_PUSH))
    sizes[-1] -= sum(sizes) - target
    if sizes[-1] <= 0:
        sizes.pop()
    start = timezone.now() - timedelta(days=2)
    push_parcels = _make_parcels(len(sizes), "P", 1)
    poll_parcels = _make_parcels(math.ceil(target / POLL_BATCH) * POLL_PARCELS, "Q", 1)
    count_parcels = _make_parcels(3 + POLL_PARCELS, "C", 1)
    pushes = _events(push_parcels, sizes, rng, deliver_share=1 / 3, start=start)
    per_poll = POLL_BATCH // POLL_PARCELS
    poll_events = _events(poll_parcels, [per_poll] * len(poll_parcels), rng, deliver_share=0, start=start)
    polls = [[e for batch in poll_events[i:i + POLL_PARCELS] for e in batch]
             for i in range(0, len(poll_events), POLL_PARCELS)]
    total = 0
    for i, batch in enumerate(polls):  # exactly `target` polled events
        polls[i] = batch[:max(0, target - total)]
        total += len(polls[i])
    polls = [b for b in polls if b]
    setup_s = time.perf_counter() - t0

    actor = Actor.system()
    ingest_events(events=_events(count_parcels[:1], [2], rng, deliver_share=0, start=start)[0], source="push",
                  actor=actor)  # first-use caches out of the clock
    backend = _backend_pid()
    db0 = process_cpu_seconds(backend) if backend else 0.0
    cpu0 = time.process_time()
    runs = {}
    delivered = 0
    for name, batches, source in (("push", pushes, "push"), ("poll", polls, "poll"), ("replay", pushes, "push")):
        times, stored, begin = [], 0, time.perf_counter()
        for batch in batches:
            b0 = time.perf_counter()
            result = ingest_events(events=batch, source=source, actor=actor)
            times.append((time.perf_counter() - b0) * 1000)
            stored += result.stored
            if name == "push":
                delivered += len(result.delivered)
        events = sum(len(b) for b in batches)
        runs[name] = {"batches": len(batches), "events": events, "stored": stored,
                      "seconds": time.perf_counter() - begin, "times_ms": [round(t, 3) for t in times],
                      "per_batch": f"1–{MAX_PUSH}" if name != "poll" else str(POLL_BATCH)}
        if name != "replay" and stored != events:
            raise BenchError(f"{name}: {stored} of {events} events stored")
        if name == "replay" and stored:
            raise BenchError(f"replay stored {stored} events again")
    cpu_s = time.process_time() - cpu0
    db_cpu_s = process_cpu_seconds(backend) - db0 if backend else 0.0

    queries = {}
    samples = {
        "push of 10 new events": _events(count_parcels[1:2], [10], rng, deliver_share=0, start=start)[0],
        "push of 10 new events, delivering the order": _events(count_parcels[2:3], [10], rng, deliver_share=1,
                                                               start=start)[0],
    }
    poll_sample = _events(count_parcels[3:], [per_poll] * POLL_PARCELS, rng, deliver_share=0, start=start)
    samples[f"poll batch of {POLL_BATCH} events ({POLL_PARCELS} parcels)"] = [e for b in poll_sample for e in b]
    samples["replay of a push (nothing new)"] = samples["push of 10 new events"]
    for label, batch in samples.items():
        with CaptureQueriesContext(connection) as ctx:
            ingest_events(events=batch, source="push", actor=actor)
        statements = [q["sql"] for q in ctx.captured_queries]
        queries[label] = {"count": len(statements), "kinds": _kinds(statements)}
    if Package.objects.filter(number=count_parcels[2][1], status="delivered").count() != 1:
        raise BenchError("the delivering push did not deliver its package")
    return {"db_version": _db_version(connection), "runs": runs, "queries": queries, "cpu_s": cpu_s,
            "db_cpu_s": db_cpu_s, "setup_s": setup_s, "delivered": delivered,
            "parcels": len(push_parcels) + len(poll_parcels) + len(count_parcels)}
