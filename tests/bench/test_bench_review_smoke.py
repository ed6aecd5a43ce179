"""`oms bench review` runs end to end on a small order count and ends with its key=value line.

A smoke test, not a performance test: no figure is compared with a target. The timeout
only stops a hung run (a normal one takes well under a minute).
"""

import os
import subprocess
import sys

import pytest

TIMEOUT_S = 120
KEYS = ["db", "cores", "reviews_per_s", "queries_per_review", "batch", "queries_per_batch", "parallel_reviews_per_s",
        "single_reviews_per_s", "single_p50_ms", "single_p99_ms"]


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


@pytest.mark.bench
def test_bench_review_runs_on_sqlite_and_ends_with_key_value_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OMS_DATA_DIR")}
    proc = subprocess.run(
        [sys.executable, "-m", "oms.cli", "bench", "review", "--db", "sqlite", "--orders", "50"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) > 1, proc.stdout  # the table comes first
    figures = dict(pair.split("=", 1) for pair in lines[-1].split())
    assert list(figures) == KEYS
    assert figures["db"] == "sqlite"
    for key in KEYS[1:]:
        assert _is_number(figures[key]), f"{key}={figures[key]}"
    assert int(figures["cores"]) == os.cpu_count()
    assert float(figures["reviews_per_s"]) > 0
    assert float(figures["parallel_reviews_per_s"]) > 0 and float(figures["single_reviews_per_s"]) > 0
    assert int(figures["queries_per_review"]) > 0
    assert int(figures["batch"]) > 1 and 0 < int(figures["queries_per_batch"]) < int(figures["batch"])
    # Every path was measured, and the statement count does not grow with the orders' lines.
    assert "queries per review_order (passed" in proc.stdout and "queries per review_order (held)" in proc.stdout
    assert "queries per batch of" in proc.stdout
    assert "DIFFERENT" not in proc.stdout, proc.stdout
    assert not any(tmp_path.iterdir()), "the benchmark wrote into the working directory"
