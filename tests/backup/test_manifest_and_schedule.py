"""The manifest round-trips, the client tools are found or named, and the jobs run when the docs say."""

from datetime import datetime

import pytest

from oms.backup.manifest import BackupError, Manifest, latest_migrations
from oms.backup.pg_tools import pg_tool


def test_a_manifest_round_trips_through_its_file(tmp_path):
    manifest = Manifest(created_at="2026-11-27T12:00:00+00:00", vendor="sqlite", dump="oms.sqlite3", sha256="ab" * 32,
                        oms_version="0.1.0", migrations={"audit": "0004_seal_once_triggers"},
                        row_counts={"orders_order": 3}, audit_head={"seq": 3, "hash": "cd" * 32},
                        media={"files": 0, "bytes": 0})
    manifest.write(tmp_path)
    assert Manifest.read(tmp_path) == manifest
    assert Manifest.read(tmp_path / "manifest.json") == manifest


def test_an_unreadable_manifest_is_one_clear_error(tmp_path):
    with pytest.raises(BackupError, match="cannot read the manifest"):
        Manifest.read(tmp_path)


def test_the_latest_migration_per_app_is_the_last_applied():
    rows = [("audit", "0001_initial"), ("orders", "0001_initial"), ("audit", "0002_immutable_events")]
    assert latest_migrations(rows) == {"audit": "0002_immutable_events", "orders": "0001_initial"}


def test_a_missing_pg_dump_names_the_debian_package(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BackupError, match="postgresql-client"):
        pg_tool("pg_dump")


def test_the_seal_runs_every_minute_and_the_backup_at_0230_shanghai():
    from oms.audit.tasks import seal_audit_events
    from oms.backup.tasks import nightly_backup

    assert seal_audit_events.task_class().validate_datetime(datetime(2026, 11, 27, 9, 41))
    assert nightly_backup.task_class().validate_datetime(datetime(2026, 11, 27, 18, 30))  # huey runs in UTC
    assert not nightly_backup.task_class().validate_datetime(datetime(2026, 11, 27, 2, 30))
