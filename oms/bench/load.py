"""HTTP load generator: several processes, each with a few keep-alive connections (threads).

Bodies are encoded before the clock starts; every process waits at a barrier so that
all connections are open before the first timed request. Times come from
time.perf_counter (CLOCK_MONOTONIC, one clock for every process on Linux).
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from oms.bench.environment import BenchError

TIMEOUT_S = 60.0
GIVE_UP_AFTER = 10  # consecutive connection failures: the server is gone, stop sending


@dataclass
class LoadResult:
    planned: int = 0
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    first_start: float = 0.0
    last_end: float = 0.0
    error_samples: list[str] = field(default_factory=list)
    client_cpu_s: float = 0.0

    @property
    def seconds(self) -> float:
        return max(self.last_end - self.first_start, 1e-9)

    @property
    def ok(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def errors(self) -> int:
        return self.planned - self.ok  # non-201 answers, failed connections and orders never sent

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]


def _connection_loop(host, port, path, headers, queue: deque, out: list, lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
    local = []
    failures = 0
    while failures < GIVE_UP_AFTER:
        try:
            body = queue.popleft()
        except IndexError:
            break
        start = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            status = response.status
            detail = content[:300].decode("utf-8", "replace") if status != 201 else ""
            if response.will_close:
                conn.close()
            failures = 0
        except (OSError, http.client.HTTPException) as exc:
            status, detail = 0, f"{type(exc).__name__}: {exc}"
            failures += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
        local.append((start, time.perf_counter(), status, detail))
    conn.close()
    with lock:
        out.extend(local)


def _process_main(host, port, path, token, bodies, threads, barrier, results) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business: it stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (the parent's SIGTERM handler came with fork)
    headers = {"Content-Type": "application/json", "Authorization": f"Token {token}",
               "Accept": "application/json", "Connection": "keep-alive"}
    queue = deque(bodies)
    out: list = []
    lock = threading.Lock()
    workers = [
        threading.Thread(target=_connection_loop, args=(host, port, path, headers, queue, out, lock))
        for _ in range(threads)
    ]
    barrier.wait()
    cpu0 = os.times()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    cpu1 = os.times()
    statuses = Counter(s for _a, _b, s, _d in out)
    samples = [f"{s}: {d}" for _a, _b, s, d in out if s != 201][:5]
    results.put({
        "sent": len(out), "statuses": dict(statuses),
        "latencies_ms": [(b - a) * 1000 for a, b, s, _d in out if s],  # answered requests only
        "first_start": min((a for a, *_ in out), default=0.0), "last_end": max((b for _a, b, *_ in out), default=0.0),
        "error_samples": samples,
        "client_cpu_s": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
    })


def run_load(*, host: str, port: int, path: str, token: str, bodies: list[bytes], connections: int,
             processes: int) -> LoadResult:
    """POST every body once over `connections` keep-alive connections spread over `processes`."""
    processes = max(1, min(processes, connections, len(bodies)))
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    per_process = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    procs = [
        ctx.Process(target=_process_main, daemon=True,
                    args=(host, port, path, token, bodies[i::processes], per_process[i], barrier, results))
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    merged = LoadResult(planned=len(bodies))
    try:
        parts = []
        while len(parts) < len(procs):
            try:
                parts.append(results.get(timeout=1))
            except queue.Empty:
                if not any(p.is_alive() for p in procs) and results.empty():
                    raise BenchError("the load generator processes died") from None
        for p in procs:
            p.join(timeout=5)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
    starts, ends = [], []
    for part in parts:
        merged.sent += part["sent"]
        merged.statuses.update({int(k): v for k, v in part["statuses"].items()})
        merged.latencies_ms.extend(part["latencies_ms"])
        merged.error_samples.extend(part["error_samples"])
        merged.client_cpu_s += part["client_cpu_s"]
        if part["sent"]:
            starts.append(part["first_start"])
            ends.append(part["last_end"])
    merged.first_start = min(starts, default=0.0)
    merged.last_end = max(ends, default=0.0)
    return merged
