"""The benchmark's throwaway data: a temporary data folder and, for PostgreSQL, a database of its own.

Nothing here reads or writes the user's data folder or database: DATABASE_URL is used
only to reach the PostgreSQL server, where a database `oms_bench_<pid>` is created,
and dropped again at the end (also after an error or Ctrl-C).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit

from oms.bench.child import RESULT_PREFIX

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
# Settings the children must not inherit from the user's shell: they would point at the
# user's data (database, Redis queue) or change what is measured (debug query log).
_STRIP = ("DATABASE_URL", "REDIS_URL", "OMS_DEBUG", "OMS_SECRET_KEY", "OMS_HUEY_IMMEDIATE", "OMS_HUEY_NAME",
          "OMS_DATA_DIR", "DJANGO_SETTINGS_MODULE")


class BenchError(Exception):
    """A benchmark could not run; the message says why (one line)."""


class BenchEnvironment:
    """Context manager: temp data folder (+ PostgreSQL database), child environment, cleanup."""

    def __init__(self, db: str):
        self.db = db
        self.data_dir = ""
        self.database_url = ""
        self.db_name = ""
        self._server_url = ""
        self._old_sigterm = None

    # --- lifecycle ---------------------------------------------------------
    def __enter__(self) -> BenchEnvironment:
        self._old_sigterm = signal.signal(signal.SIGTERM, _raise_interrupt)
        self.data_dir = tempfile.mkdtemp(prefix="oms-bench-")
        try:
            if self.db == "postgres":
                self._create_database()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            if self.db_name:
                self._drop_database()
        finally:
            if self.data_dir:
                shutil.rmtree(self.data_dir, ignore_errors=True)
                self.data_dir = ""
            if self._old_sigterm is not None:
                signal.signal(signal.SIGTERM, self._old_sigterm)
                self._old_sigterm = None

    # --- PostgreSQL ----------------------------------------------------------
    def _create_database(self) -> None:
        import secrets

        import psycopg

        self._server_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        parts = urlsplit(self._server_url)
        if not parts.scheme.startswith("postgres"):
            raise BenchError(f"DATABASE_URL is not a PostgreSQL URL (scheme {parts.scheme!r})")
        name = f"oms_bench_{os.getpid()}"
        with self._admin_connection() as conn:
            try:
                conn.execute(f'CREATE DATABASE "{name}"')
            except psycopg.errors.DuplicateDatabase:  # never reuse (or drop) a database we did not create
                name = f"{name}_{secrets.token_hex(4)}"
                conn.execute(f'CREATE DATABASE "{name}"')
        self.db_name = name
        self.database_url = urlunsplit(parts._replace(path="/" + name))

    def _admin_connection(self):
        import psycopg

        parts = urlsplit(self._server_url)
        last_error = None
        # The URL's own database first, then the maintenance database.
        for dbname in dict.fromkeys([parts.path.lstrip("/") or "postgres", "postgres"]):
            url = urlunsplit(parts._replace(path="/" + dbname))
            try:
                return psycopg.connect(_libpq_url(url), autocommit=True, connect_timeout=10)
            except psycopg.OperationalError as exc:
                last_error = exc
        raise BenchError(f"cannot reach PostgreSQL at {_redact(self._server_url)}: "
                         f"{str(last_error).strip().splitlines()[0] if last_error else 'unknown error'}")

    def _drop_database(self) -> None:
        name, self.db_name = self.db_name, ""
        with self._admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def db_backend_cpu(self) -> dict[int, float]:
        """CPU seconds so far of the PostgreSQL backends serving the bench database, by pid."""
        if not self.db_name:
            return {}
        from oms.bench.machine import cpu_of, pids_with_cmdline

        return cpu_of(pids_with_cmdline(f" {self.db_name} "))

    # --- children ----------------------------------------------------------
    def child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _STRIP}
        env.update({
            "OMS_DATA_DIR": self.data_dir,
            "DJANGO_SETTINGS_MODULE": "oms.config.settings",
            "OMS_AXES_ENABLED": "0",
            "OMS_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        })
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def run_child(self, task: str, args: dict, *, timeout: float = 1800) -> dict:
        """Run `python -m oms.bench.child TASK` in the benchmark environment; return its result."""
        proc = subprocess.run(
            [sys.executable, "-m", "oms.bench.child", task, json.dumps(args)],
            env=self.child_env(), cwd=self.data_dir, capture_output=True, text=True, timeout=timeout,
        )
        for line in reversed(proc.stdout.splitlines()):
            if line.startswith(RESULT_PREFIX):
                if proc.returncode == 0:
                    return json.loads(line[len(RESULT_PREFIX):])
                break
        tail = (proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"benchmark step {task!r} failed (exit {proc.returncode}): {tail}")


def _libpq_url(url: str) -> str:
    # libpq understands postgres:// and postgresql://, not Django-style variants such as postgis://.
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
