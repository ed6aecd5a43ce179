"""`oms bench tracking` runs end to end on a small event count and ends with its key=value line.

A smoke test, not a performance test: no figure is compared with a target. The timeout
only stops a hung run.
"""

import os
import subprocess
import sys

import pytest

TIMEOUT_S = 180
KEYS = ["db", "cores", "tracking_events_per_s", "poll_events_per_s", "replay_events_per_s", "queries_per_push"]


@pytest.mark.bench
def test_bench_tracking_runs_on_sqlite_and_ends_with_key_value_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OMS_DATA_DIR")}
    proc = subprocess.run(
        [sys.executable, "-m", "oms.cli", "bench", "tracking", "--db", "sqlite", "--events", "600"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) > 1, proc.stdout  # the table comes first
    figures = dict(pair.split("=", 1) for pair in lines[-1].split())
    assert list(figures) == KEYS
    assert figures["db"] == "sqlite" and int(figures["cores"]) == os.cpu_count()
    assert float(figures["tracking_events_per_s"]) > 0 and float(figures["replay_events_per_s"]) > 0
    assert 0 < int(figures["queries_per_push"]) < 20
    assert "replay of a push (nothing new)" in proc.stdout
    assert not any(tmp_path.iterdir()), "the benchmark wrote into the working directory"


def test_bench_tracking_refuses_too_few_events_in_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "oms.cli", "bench", "tracking", "--events", "5"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == ["oms: error: --events must be at least 500"]
