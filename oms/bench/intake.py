"""`oms bench intake`: how fast orders come in, through the HTTP API and by file import.

(a) api:  the real server (gunicorn gthread) in a child process, driven by a load
          generator in other processes: POST /api/v1/orders, one 3-line order each.
(b) bulk: import_orders on a generated CSV, timed in a child process.
(c) queries_per_intake: SQL statements of one API intake (3 and 10 lines).

Everything runs in a temporary data folder (and, for PostgreSQL, a throwaway database).
Overrides for experiments (environment), see docs/performance.md:
  OMS_BENCH_SERVER="3x1[,2x2,...]"  gunicorn workers x threads; several run one after
                                    another, the key=value line reports the fastest
  OMS_BENCH_CONNECTIONS=N           concurrent client connections (default 8)
  OMS_BENCH_GUNICORN_ARGS="..."     extra gunicorn arguments
  OMS_BENCH_BULK_ORDERS=N           orders in the import file (default 20,000 or --orders)
  OMS_BENCH_PROFILE=DIR             cProfile the server's workers into DIR (slows them down)
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from dataclasses import dataclass

from oms.bench.data import make_order
from oms.bench.environment import BenchEnvironment, BenchError
from oms.bench.load import LoadResult, run_load
from oms.bench.machine import disturbance, machine_busy_seconds, machine_info
from oms.bench.server import Server

DEFAULT_API_ORDERS = 3000
DEFAULT_BULK_ORDERS = 20000
LINES = 3
CHECK_LINES = 10
# gunicorn gthread workers x threads, chosen by measurement on 2 cores (docs/performance.md):
# one thread per worker (threads only queue on the GIL and, with SQLite, hold its single
# write lock while waiting for it) and one worker more than there are cores, so a worker
# waiting for the database leaves none idle. 8 client connections spread over the workers
# evenly enough (keep-alive pins a connection to the worker that accepted it).
DEFAULT_WORKERS = (os.cpu_count() or 1) + 1
DEFAULT_THREADS = 1
DEFAULT_CONNECTIONS = 8
LOAD_PROCESSES = 2
TARGET_API = 300
TARGET_BULK = 3000
API_PATH = "/api/v1/orders"


@dataclass
class ApiRun:
    server: str
    workers: int
    threads: int
    connections: int
    warmup: int
    load: LoadResult
    server_cpu_s: float
    worker_cpu_s: list[float]  # per worker, busiest first: shows how evenly connections spread
    machine_busy_s: float  # CPU seconds used by every process on the machine during the timed run
    db_cpu_s: float  # PostgreSQL backends of the bench database (0 for SQLite: it runs in the workers)

    @property
    def per_s(self) -> float:
        return self.load.ok / self.load.seconds


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _server_configs() -> list[tuple[int, int]]:
    raw = os.environ.get("OMS_BENCH_SERVER", "").strip()
    if not raw:
        return [(DEFAULT_WORKERS, DEFAULT_THREADS)]
    configs = []
    for part in raw.split(","):
        try:
            w, t = (int(x) for x in part.lower().split("x"))
        except ValueError:
            raise BenchError(f"OMS_BENCH_SERVER: expected WORKERSxTHREADS, got {part!r}") from None
        configs.append((max(1, w), max(1, t)))
    return configs


def _bodies(rng: random.Random, start: int, count: int, lines: int) -> list[bytes]:
    return [json.dumps(make_order(rng, start + i, lines=lines), ensure_ascii=False).encode() for i in range(count)]


def _api_run(env: BenchEnvironment, token: str, workers: int, threads: int, orders: int,
             start_index: int) -> ApiRun:
    connections = int(os.environ.get("OMS_BENCH_CONNECTIONS", 0)) or max(DEFAULT_CONNECTIONS, workers * threads)
    rng = random.Random(start_index)
    warmup = max(20, 2 * connections)
    warm_bodies = _bodies(rng, start_index, warmup, LINES)
    bodies = _bodies(rng, start_index + warmup, orders, LINES)
    with Server(env, workers=workers, threads=threads) as server:
        _log(f"{server.label}: starting")
        server.wait_ready(token)
        kw = dict(host=server.host, port=server.port, path=API_PATH, token=token, connections=connections,
                  processes=LOAD_PROCESSES)
        warm = run_load(bodies=warm_bodies, **kw)
        if warm.errors:
            raise BenchError(f"warm-up failed: {warm.error_samples[:1]} | {server.log_tail()}")
        cpu0, db0, busy0 = server.cpu_seconds(), env.db_backend_cpu(), machine_busy_seconds()
        _log(f"{server.label}: {orders} orders over {connections} connections")
        load = run_load(bodies=bodies, **kw)
        cpu1, db1, busy1 = server.cpu_seconds(), env.db_backend_cpu(), machine_busy_seconds()
        delta = {pid: cpu1[pid] - cpu0.get(pid, 0.0) for pid in cpu1}
        workers_cpu = sorted((v for pid, v in delta.items() if pid != server.proc.pid), reverse=True)
        return ApiRun(server=server.label, workers=workers, threads=threads, connections=connections,
                      warmup=warmup, load=load, server_cpu_s=sum(delta.values()), worker_cpu_s=workers_cpu,
                      machine_busy_s=busy1 - busy0, db_cpu_s=sum(v - db0.get(pid, 0.0) for pid, v in db1.items()))


def run(args) -> int:
    db = args.db
    api_orders = args.orders or DEFAULT_API_ORDERS
    bulk_orders = int(os.environ.get("OMS_BENCH_BULK_ORDERS") or args.orders or DEFAULT_BULK_ORDERS)
    if api_orders < 1:
        raise BenchError("--orders must be at least 1")
    configs = _server_configs()
    if os.environ.get("OMS_BENCH_PROFILE"):
        os.environ["OMS_BENCH_PROFILE"] = os.path.abspath(os.environ["OMS_BENCH_PROFILE"])
        _log("profiling the server: its figures below are slowed down by the profiler")
    machine = machine_info()
    started = time.perf_counter()
    with BenchEnvironment(db) as env:
        _log(f"data folder {env.data_dir}" + (f", database {env.db_name}" if env.db_name else ""))
        _log("migrating and creating the bench users")
        setup = env.run_child("setup", {})
        token = setup["token"]
        _log("counting SQL statements per intake")
        queries = env.run_child("queries", {"token": token, "lines": [LINES, CHECK_LINES],
                                            "start_index": 900_000_000})
        runs = []
        for k, (workers, threads) in enumerate(configs):
            runs.append(_api_run(env, token, workers, threads, api_orders, start_index=(k + 1) * 10_000_000))
        if os.environ.get("OMS_BENCH_PROFILE"):
            from oms.bench.profiling import summarize

            summary = os.path.join(os.environ["OMS_BENCH_PROFILE"], "summary.txt")
            with open(summary, "w") as fh:
                fh.write(summarize(os.environ["OMS_BENCH_PROFILE"]))
            _log(f"server profile (CPU, cProfile): {summary}")
        _log(f"bulk import of {bulk_orders} orders")
        bulk = env.run_child("bulk", {"orders": bulk_orders, "lines": LINES, "start_index": 500_000_000})
    machine["db_version"] = setup["db_version"]
    return report(db=db, machine=machine, runs=runs, bulk=bulk, queries=queries,
                  total_s=time.perf_counter() - started)


def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def report(*, db, machine, runs: list[ApiRun], bulk: dict, queries: dict, total_s: float) -> int:
    cores = machine["cores"]
    header = ["test", "db", "cores", "server", "orders", "seconds", "orders/s", "p50 ms", "p99 ms", "errors"]
    rows = []
    for r in runs:
        rows.append([f"api ({LINES}-line)", db, cores, r.server + f", {r.connections} conns",
                     str(r.load.planned), _fmt(r.load.seconds, 2), _fmt(r.per_s), _fmt(r.load.percentile(50), 1),
                     _fmt(r.load.percentile(99), 1), str(r.load.errors)])
    if bulk.get("measured"):
        bulk_rate = bulk["created"] / max(bulk["seconds"], 1e-9)
        bulk_errors = bulk["errors"] + bulk["duplicates"] + (bulk["orders"] - bulk["created"])
        rows.append([f"bulk ({LINES}-line CSV)", db, cores, "import_orders in-process", str(bulk["orders"]),
                     _fmt(bulk["seconds"], 2), _fmt(bulk_rate), "-", "-", str(bulk_errors)])
    else:
        bulk_rate, bulk_errors = None, 0
        rows.append([f"bulk ({LINES}-line CSV)", db, cores, "import_orders", "-", "-", "not measured", "-", "-",
                     "-"])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    right = {4, 5, 6, 7, 8, 9}

    def line(cells):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    out = [f"oms bench intake — {machine['cpu']}, {cores} cores, {machine['memory']}, {machine['speed']}, "
           f"Python {machine['python']}, {machine['db_version']}", "", line(header),
           line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    out.append("")

    best = max(runs, key=lambda r: r.per_s)
    q = queries["by_lines"]
    q3, q10 = q[str(LINES)], q[str(CHECK_LINES)]
    same = "same" if q3["count"] == q10["count"] else "DIFFERENT"
    out.append(f"queries per intake: {q3['count']} for a {LINES}-line order, {q10['count']} for a "
               f"{CHECK_LINES}-line order ({same}; pdd order with one coupon); {_kinds(q3['kinds'])}")
    for r in runs:
        ok = max(r.load.ok, 1)
        split = "/".join(f"{100 * c / max(sum(r.worker_cpu_s), 1e-9):.0f}" for c in r.worker_cpu_s)
        others, note = disturbance(busy_s=r.machine_busy_s, seconds=r.load.seconds,
                                   own_cpu_s=r.server_cpu_s + r.db_cpu_s + r.load.client_cpu_s)
        db_part = f", PostgreSQL {r.db_cpu_s / ok * 1000:.2f} ms" if db == "postgres" else ""
        out.append(f"cpu per order ({r.server}): server {r.server_cpu_s / ok * 1000:.2f} ms (workers' share % "
                   f"{split}){db_part}, load generator {r.load.client_cpu_s / ok * 1000:.2f} ms; "
                   f"warm-up {r.warmup} orders not timed")
        out.append(f"  machine during the run: {r.machine_busy_s / r.load.seconds:.2f} of {cores} cores busy, "
                   f"{others:.2f} by other processes{note}")
    if bulk.get("measured"):
        out.append(f"bulk: {bulk['rows']:,} CSV rows, {bulk['bytes'] / 1e6:.1f} MB, created {bulk['created']:,}, "
                   f"duplicates {bulk['duplicates']}, errors {bulk['errors']}, stored {bulk['stored']:,}; "
                   f"CPU {bulk['cpu_s'] / max(bulk['created'], 1) * 1000:.2f} ms per order"
                   + (f" + PostgreSQL {bulk['db_cpu_s'] / max(bulk['created'], 1) * 1000:.2f} ms"
                      if db == "postgres" else ""))
        others, note = disturbance(busy_s=bulk["machine_busy_s"], own_cpu_s=bulk["cpu_s"] + bulk["db_cpu_s"],
                                   seconds=bulk["seconds"])
        out.append(f"  machine during the import: {bulk['machine_busy_s'] / bulk['seconds']:.2f} of {cores} cores "
                   f"busy, {others:.2f} by other processes{note}")
        for note in bulk.get("header_notes") or []:
            out.append(f"bulk: {note}")
        for sample in bulk.get("error_sample") or []:
            out.append(f"bulk error: {sample}")
    else:
        out.append(f"bulk: not measured ({bulk.get('reason', 'unknown')})")
    for r in runs:
        for sample in r.load.error_samples[:3]:
            out.append(f"api error ({r.server}): {sample}")
    verdict_api = "met" if best.per_s >= TARGET_API else "MISSED"
    verdict_bulk = "not measured" if bulk_rate is None else ("met" if bulk_rate >= TARGET_BULK else "MISSED")
    out.append(f"targets: api >= {TARGET_API}/s {verdict_api}; bulk >= {TARGET_BULK}/s {verdict_bulk}; "
               f"whole run {total_s:.0f} s")
    api_errors = sum(r.load.errors for r in runs)
    failed = api_errors > 0 or bulk_errors > 0
    if failed:
        out.append(f"FAILED: {api_errors} API errors, {bulk_errors} bulk errors")
    out.append("")
    out.append(" ".join([
        f"db={db}", f"cores={cores}", f"api_orders_per_s={best.per_s:.0f}",
        f"bulk_orders_per_s={'na' if bulk_rate is None else f'{bulk_rate:.0f}'}",
        f"queries_per_intake={q3['count']}", f"p99_ms={best.load.percentile(99):.1f}",
    ]))
    print("\n".join(out), flush=True)
    return 1 if failed else 0


def _kinds(kinds: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
