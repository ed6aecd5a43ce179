"""`oms bench picking` runs end to end on a few pick lists and ends with its key=value line (no target checked)."""

import os
import subprocess
import sys

import pytest


@pytest.mark.bench
def test_bench_picking_runs_and_ends_with_key_value_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "oms.cli", "bench", "picking", "--orders", "10"],
                          cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True, timeout=300)

    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    figures = dict(pair.split("=", 1) for pair in proc.stdout.strip().splitlines()[-1].split())
    assert list(figures) == ["route_ratio", "sshape_ratio", "largest_gap_ratio", "lists", "route_ms"]
    assert 1.0 <= float(figures["route_ratio"]) <= float(figures["largest_gap_ratio"]) <= float(
        figures["sshape_ratio"])
    assert not any(tmp_path.iterdir())
