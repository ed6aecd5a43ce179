"""`oms bench search` runs end to end on 2000 orders and ends with its key=value line (no target checked)."""

import os
import subprocess
import sys

import pytest


@pytest.mark.bench
def test_bench_search_runs_archives_and_ends_with_key_value_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    db = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    if db == "postgres":
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]  # the server only; the bench makes its own database
    proc = subprocess.run([sys.executable, "-m", "oms.cli", "bench", "search", "--db", db, "--orders", "2000"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)

    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    figures = dict(pair.split("=", 1) for pair in proc.stdout.strip().splitlines()[-1].split())
    assert figures["db"] == db and figures["orders"] == "2000"
    assert float(figures["search_p95_ms"]) > 0 and float(figures["archive_orders_per_s"]) > 0
    assert "archive: order number" in proc.stdout and "a second run archived 0" in proc.stdout
    assert not any(tmp_path.iterdir())


def test_bench_search_refuses_too_few_orders_in_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "oms.cli", "bench", "search", "--orders", "5"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)

    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["oms: error: --orders must be at least 100"]
