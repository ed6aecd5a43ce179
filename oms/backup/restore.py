"""`oms restore FILE`: put a backup into an EMPTY data folder or EMPTY PostgreSQL database, never over data.

Runs without Django set up: opening the configured database would create it, which is exactly what
must not happen before the checks. The dump's checksum is compared with the manifest first.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from oms.backup.manifest import SQLITE_DUMP, BackupError, Manifest, sha256_of
from oms.backup.pg_tools import pg_tool


def _folder_and_manifest(source: Path) -> tuple[Path, Manifest]:
    source = Path(source)
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    folder = source if source.is_dir() else source.parent
    return folder, Manifest.read(source)


def _check_dump(folder: Path, manifest: Manifest) -> Path:
    dump = folder / manifest.dump
    if not dump.is_file():
        raise BackupError(f"the backup has no {manifest.dump}")
    if sha256_of(dump) != manifest.sha256:
        raise BackupError(f"checksum mismatch: {dump} is damaged or altered; do not restore it")
    return dump


def _default_data_dir() -> Path:
    return Path(os.environ.get("OMS_DATA_DIR", "var")).resolve()


def _refuse_non_empty_media(media: Path) -> None:
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(f"refusing to restore: {media} is not empty (restore only into an empty data folder)")


def _restore_sqlite(dump: Path, data_dir: Path) -> None:
    target = data_dir / SQLITE_DUMP
    for path in (target, Path(f"{target}-wal")):
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(f"refusing to restore: {path} exists (restore only into an empty data folder)")
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = data_dir / (SQLITE_DUMP + ".restoring")
    partial.unlink(missing_ok=True)
    # as_uri() escapes "#", "?" and "%" in the path: a raw "file:{path}" cut there opened (and created) an
    # empty database elsewhere and restored that.
    source = sqlite3.connect(dump.resolve().as_uri() + "?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    _move_into_place(partial, target)


def _move_into_place(partial: Path, target: Path) -> None:
    """Give the restored file its name without ever replacing a database that appeared meanwhile."""
    if target.exists() and target.stat().st_size == 0:
        target.unlink()  # an empty file left by opening the path: nothing in it to keep
    try:
        os.link(partial, target)  # unlike rename, fails when the target exists
    except FileExistsError:
        raise BackupError(f"refusing to restore: {target} appeared during the restore "
                          f"(restore only into an empty data folder)") from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise BackupError(f"refusing to restore: {target} appeared during the restore") from None
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)


def _restore_postgresql(dump: Path, database_url: str) -> None:
    import psycopg

    restore = pg_tool("pg_restore")
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()[0]
    except psycopg.Error as exc:
        raise BackupError(f"cannot connect to the target database: {' '.join(str(exc).split())}") from None
    if tables:
        raise BackupError(f"refusing to restore: the target database has {tables} tables "
                          f"(restore only into an empty database)")
    result = subprocess.run(
        [restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
         "--dbname", database_url, str(dump)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError("pg_restore failed: " + " ".join(result.stderr.split())[:300])


def restore_backup(*, source: Path, data_dir: Path | None = None, database_url: str | None = None) -> Manifest:
    """Check the dump's checksum, then restore it (and the media files) into an empty target."""
    folder, manifest = _folder_and_manifest(source)
    dump = _check_dump(folder, manifest)
    data_dir = Path(data_dir).resolve() if data_dir else _default_data_dir()
    media = folder / "media"
    if media.is_dir():
        _refuse_non_empty_media(data_dir / "media")
    if manifest.vendor == "postgresql":
        url = database_url or os.environ.get("DATABASE_URL")
        if not url:
            raise BackupError("a PostgreSQL backup needs --database-url (or DATABASE_URL) naming an empty database")
        _restore_postgresql(dump, url)
    else:
        if database_url:
            raise BackupError("a SQLite backup restores into a data folder: use --data-dir, not --database-url")
        _restore_sqlite(dump, data_dir)
    if media.is_dir():
        shutil.copytree(media, data_dir / "media", dirs_exist_ok=True)
    return manifest
