"""`oms backup`: a consistent online backup while orders keep coming in.

SQLite: the sqlite3 backup API copies the live database page by page into a new file (WAL mode lets
writers go on); the row counts and the audit chain head are then read from that copy, so they describe
exactly what was saved. PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the counts and
the head are read in it and `pg_dump --snapshot` dumps that same snapshot.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

from oms.audit.chain import seal_pending
from oms.backup.manifest import (
    PG_DUMP,
    SQLITE_DUMP,
    BackupError,
    Manifest,
    latest_migrations,
    package_version,
    sha256_of,
)
from oms.backup.pg_tools import pg_env, pg_params, pg_tool

PREFIX = "oms-backup-"
AUDIT_HEAD_SQL = "SELECT seq, hash FROM audit_chainhead WHERE id = 1"
MIGRATIONS_SQL = "SELECT app, name FROM django_migrations ORDER BY id"


def _count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _head(cursor) -> dict:
    cursor.execute(AUDIT_HEAD_SQL)
    row = cursor.fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": "0" * 64}


def _backup_sqlite(folder: Path) -> dict:
    source_path = connection.settings_dict["NAME"]
    target_path = folder / SQLITE_DUMP
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        source.close()
    try:
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        cursor = target.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [r[0] for r in cursor.fetchall()]
        counts = _count_rows(cursor, tables)
        head = _head(cursor)
        cursor.execute(MIGRATIONS_SQL)
        migrations = latest_migrations(cursor.fetchall())
    finally:
        target.close()
    return {"dump": SQLITE_DUMP, "row_counts": counts, "audit_head": head, "migrations": migrations}


def _backup_postgresql(folder: Path) -> dict:
    import psycopg

    dump = pg_tool("pg_dump")
    args, env = pg_env(connection.settings_dict)
    # autocommit: the explicit BEGIN below is the transaction, with the isolation level it names.
    with psycopg.connect(**pg_params(connection.settings_dict), autocommit=True) as conn:
        with conn.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            # Counted in the exported snapshot, the same one pg_dump is handed below.
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            counts = _count_rows(cursor, [r[0] for r in cursor.fetchall()])
            head = _head(cursor)
            cursor.execute(MIGRATIONS_SQL)
            migrations = latest_migrations(cursor.fetchall())
            result = subprocess.run(
                [dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                 "--file", str(folder / PG_DUMP), *args],
                env=env, capture_output=True, text=True,
            )
            cursor.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError("pg_dump failed: " + " ".join(result.stderr.split())[:300])
    return {"dump": PG_DUMP, "row_counts": counts, "audit_head": head, "migrations": migrations}


def _copy_media(folder: Path) -> dict:
    media = Path(settings.MEDIA_ROOT)
    files = size = 0
    if media.is_dir():
        shutil.copytree(media, folder / "media")
        for path in (folder / "media").rglob("*"):
            if path.is_file():
                files, size = files + 1, size + path.stat().st_size
    return {"files": files, "bytes": size}


def take_backup(*, to: Path | None = None, keep: int | None = None) -> Path:
    """Write one backup folder (dump + media + manifest.json) and keep only the newest `keep` ones there."""
    target_dir = Path(to or settings.OMS_BACKUP_DIR)
    target_dir.mkdir(parents=True, exist_ok=True)
    seal_pending()  # so the manifest's chain head covers every event written so far
    now = datetime.now(UTC)
    name = PREFIX + now.strftime("%Y%m%dT%H%M%S%fZ")
    partial = target_dir / (name + ".partial")
    partial.mkdir()
    try:
        taken = _backup_postgresql(partial) if connection.vendor == "postgresql" else _backup_sqlite(partial)
        media = _copy_media(partial)
        Manifest(
            created_at=now.isoformat(), vendor=connection.vendor, dump=taken["dump"],
            sha256=sha256_of(partial / taken["dump"]), oms_version=package_version(),
            migrations=taken["migrations"], row_counts=taken["row_counts"], audit_head=taken["audit_head"],
            media=media,
        ).write(partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    final = target_dir / name
    partial.rename(final)  # a folder without ".partial" is always complete
    rotate(target_dir, keep=settings.OMS_BACKUP_KEEP if keep is None else keep)
    return final


def rotate(target_dir: Path, *, keep: int) -> list[Path]:
    """Remove all but the newest `keep` complete backups in this folder; return the removed ones."""
    backups = sorted(p for p in target_dir.iterdir() if p.is_dir() and p.name.startswith(PREFIX)
                     and not p.name.endswith(".partial"))
    removed = backups[:-keep] if keep > 0 else []
    for path in removed:
        shutil.rmtree(path)
    return removed
