"""Server-side CPU profile for the API benchmark (OMS_BENCH_PROFILE=DIR).

Used as both the gunicorn config (`--config python:oms.bench.profiling`, for the
worker_exit hook) and the WSGI application (`oms.bench.profiling:application`).
Each request thread gets its own cProfile.Profile timed with time.thread_time, so
the profile shows CPU, not time spent waiting for a lock; cProfile itself roughly
doubles the CPU per request, so read the shares, not the absolute times. When a
worker exits, the profiles are merged into DIR/worker-PID.prof (pstats format).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import threading
import time

_local = threading.local()
_profiles: list[cProfile.Profile] = []
_lock = threading.Lock()
_app = None


def _profiler() -> cProfile.Profile:
    prof = getattr(_local, "profiler", None)
    if prof is None:
        prof = cProfile.Profile(timer=time.thread_time)
        _local.profiler = prof
        with _lock:
            _profiles.append(prof)
    return prof


def application(environ, start_response):
    global _app
    if _app is None:
        from oms.config.wsgi import application as app

        _app = app
    prof = _profiler()
    prof.enable()
    try:
        return list(_app(environ, start_response))  # consume the body inside the profile
    finally:
        prof.disable()


def worker_exit(server, worker) -> None:  # gunicorn hook
    out_dir = os.environ.get("OMS_BENCH_PROFILE")
    if not out_dir:
        return
    with _lock:
        profiles = [p for p in _profiles if p.getstats()]
    if not profiles:
        return
    stats = pstats.Stats(profiles[0])
    for p in profiles[1:]:
        stats.add(p)
    os.makedirs(out_dir, exist_ok=True)
    stats.dump_stats(os.path.join(out_dir, f"worker-{os.getpid()}.prof"))


def summarize(out_dir: str, limit: int = 25) -> str:
    """The merged profiles of every worker in out_dir, by cumulative and by own time."""
    import io

    files = [os.path.join(out_dir, f) for f in sorted(os.listdir(out_dir)) if f.endswith(".prof")]
    if not files:
        return f"no profiles in {out_dir}"
    buf = io.StringIO()
    stats = pstats.Stats(files[0], stream=buf)
    for f in files[1:]:
        stats.add(f)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    text = buf.getvalue()
    import site
    import sys

    for prefix in sorted({*site.getsitepackages(), os.path.dirname(os.path.dirname(__file__)), sys.prefix},
                         key=len, reverse=True):
        text = text.replace(prefix.rstrip("/") + "/", "")
    return text
