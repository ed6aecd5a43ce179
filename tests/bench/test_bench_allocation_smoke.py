"""`oms bench allocation` runs end to end on a few orders and ends with its key=value line (no target checked)."""

import os
import subprocess
import sys

import pytest


@pytest.mark.bench
def test_bench_allocation_runs_and_ends_with_key_value_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "oms.cli", "bench", "allocation", "--orders", "50"],
                          cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True, timeout=300)

    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    figures = dict(pair.split("=", 1) for pair in proc.stdout.strip().splitlines()[-1].split())
    assert list(figures) == ["allocation_cost_ratio", "allocation_orders_per_s", "orders", "more_packages",
                             "disagreements"]
    assert float(figures["allocation_cost_ratio"]) >= 1.0
    assert float(figures["allocation_orders_per_s"]) > 0 and int(figures["orders"]) > 0
    assert figures["more_packages"] == "0" and figures["disagreements"] == "0"
    assert not any(tmp_path.iterdir())
