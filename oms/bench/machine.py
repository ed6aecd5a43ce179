"""The machine a benchmark ran on, and how busy it was meanwhile (Linux /proc)."""

from __future__ import annotations

import os
import platform

# Other processes using more than this many cores during a measurement make it unreliable.
DISTURBED_CORES = 0.2


def machine_info() -> dict[str, str]:
    info = {"cores": str(os.cpu_count()), "python": platform.python_version(), "cpu": "?", "memory": "?"}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal"):
                    info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    info["speed"] = f"a 5M-step Python loop in {python_loop_seconds(5_000_000):.2f} s"
    return info


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has used since boot (/proc/stat)."""
    try:
        with open("/proc/stat") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    busy = sum(values[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def pids_with_cmdline(text: str) -> list[int]:
    """Processes whose command line contains text (e.g. PostgreSQL backends of one database)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline:
            pids.append(int(entry))
    return pids


def cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: process_cpu_seconds(pid) for pid in pids}


def disturbance(*, busy_s: float, own_cpu_s: float, seconds: float) -> tuple[float, str]:
    """Cores used by other processes during a measurement, and a note when that is too many."""
    others = max(0.0, busy_s - own_cpu_s) / max(seconds, 1e-9)
    note = " (DISTURBED: other processes competed for the CPU; the figure understates)" \
        if others > DISTURBED_CORES else ""
    return others, note


def python_loop_seconds(steps: int = 10_000_000) -> float:
    """Seconds a plain Python loop of `steps` additions takes (best of 3): how fast this CPU is today.

    Virtual machines of one kind differ from day to day; this figure, printed beside the
    results, lets two runs on different days be compared (lower is faster).
    """
    import time

    best = float("inf")
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for i in range(steps):
            total += i
        best = min(best, time.perf_counter() - start)
    return best
