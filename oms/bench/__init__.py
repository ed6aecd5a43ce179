"""`oms bench NAME`: benchmarks that make their own data in a temporary folder (never the user's)."""

from __future__ import annotations

import sys


def run_benchmark(name: str, args) -> int:
    """Run the named benchmark; print its table and the key=value line; return the exit code."""
    from oms.bench.environment import BenchError

    if name == "intake":
        from oms.bench.intake import run
    elif name == "review":
        from oms.bench.review import run
    elif name == "allocation":
        from oms.bench.allocation import run
    elif name == "picking":
        from oms.bench.picking import run
    elif name == "tracking":
        from oms.bench.tracking import run
    elif name == "search":
        from oms.bench.search import run
    else:
        print(f"oms: error: unknown benchmark {name!r}", file=sys.stderr)
        return 2
    try:
        return run(args)
    except BenchError as exc:
        print(f"oms: error: {exc}".replace("\n", " "), file=sys.stderr)
        return 1
