"""The real web server for the API benchmark: gunicorn (gthread) as a child process."""

from __future__ import annotations

import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
import time

from oms.bench.environment import BenchEnvironment, BenchError
from oms.bench.machine import cpu_of

READY_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: BenchEnvironment, *, workers: int, threads: int):
        self.env = env
        self.workers = workers
        self.threads = threads
        self.host = "127.0.0.1"
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = os.path.join(env.data_dir, f"gunicorn-{workers}x{threads}.log")

    @property
    def label(self) -> str:
        return f"gunicorn gthread {self.workers}w x {self.threads}t reuse-port"

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self.port = free_port()
        profile = bool(os.environ.get("OMS_BENCH_PROFILE"))
        argv = [
            sys.executable, "-m", "gunicorn",
            "oms.bench.profiling:application" if profile else "oms.config.wsgi:application",
            *(["--config", "python:oms.bench.profiling"] if profile else []),
            "--bind", f"{self.host}:{self.port}", "--workers", str(self.workers),
            "--worker-class", "gthread", "--threads", str(self.threads),
            "--log-level", "warning", "--graceful-timeout", "5",
            "--timeout", "120",
            # One listening socket per worker: the kernel spreads new connections over the
            # workers. Without it a gthread worker keeps accepting while busy and one worker
            # can end up holding every keep-alive connection while another sits idle.
            "--reuse-port",
            *shlex.split(os.environ.get("OMS_BENCH_GUNICORN_ARGS", "")),
        ]
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            argv, env=self.env.child_env(), cwd=self.env.data_dir, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, token: str) -> None:
        """Until every worker has booted and the API answers an authenticated GET."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}: {self.log_tail()}")
            if len(self.worker_pids()) >= self.workers and self._answers(token):
                return
            time.sleep(0.1)
        raise BenchError(f"gunicorn did not answer within {READY_TIMEOUT_S}s: {self.log_tail()}")

    def _answers(self, token: str) -> bool:
        try:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
            conn.request("GET", "/api/v1/channels", headers={"Authorization": f"Token {token}"})
            status = conn.getresponse().status
            conn.close()
        except OSError:
            return False
        if status != 200:
            raise BenchError(f"GET /api/v1/channels answered {status}: {self.log_tail()}")
        return True

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        pids = []
        task_dir = f"/proc/{self.proc.pid}/task"
        try:
            for tid in os.listdir(task_dir):
                with open(f"{task_dir}/{tid}/children") as fh:
                    pids.extend(int(p) for p in fh.read().split())
        except OSError:
            return []
        return pids

    def cpu_seconds(self) -> dict[int, float]:
        """User + system CPU so far of the master and of each worker, by pid (Linux /proc)."""
        return cpu_of([self.proc.pid, *self.worker_pids()])

    def log_tail(self, lines: int = 5) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as fh:
                tail = [ln.strip() for ln in fh.read().splitlines() if ln.strip()][-lines:]
        except OSError:
            return "no log"
        return " | ".join(tail) or "empty log"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
