"""A backup taken during concurrent intake restores into an empty target and verifies; damage is caught.

Runs on whichever database the suite runs on: SQLite (backup API) or PostgreSQL (pg_dump/pg_restore).
`oms verify` runs as a real command against the restored target, in its own process.
"""

import itertools
import os
import sqlite3
import subprocess
import sys
import threading

import psycopg
import pytest
from django.db import connection

from oms.backup.backup import take_backup
from oms.backup.manifest import BackupError, Manifest
from oms.backup.restore import restore_backup
from oms.channels.selectors import channel_lookup
from oms.cli import main
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "aftersales").mkdir(parents=True)
    (settings.MEDIA_ROOT / "aftersales" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    return settings.MEDIA_ROOT


@pytest.fixture
def push(actor, order_payload):
    shop, counter = actor("integration"), itertools.count(1)

    def push_one():
        command = parse_intake(order_payload(external_id=f"BK-{next(counter)}"), channel_lookup=channel_lookup)
        return intake_order(command=command, actor=shop).order

    return push_one


@pytest.fixture
def target(tmp_path):
    """An empty restore target: a data folder (SQLite) or a new empty database (PostgreSQL), dropped after."""
    data_dir = tmp_path / "restored"
    if connection.vendor != "postgresql":
        yield {"data_dir": data_dir, "database_url": None}
        return
    name = f"test_restore_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield {"data_dir": data_dir, "database_url": f"{PG_SERVER}/{name}"}
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def oms(target, *args):
    """Run an `oms` command in its own process against the restore target, as an operator would."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OMS_DATA_DIR")}
    env.update(OMS_LANGUAGE="en", OMS_DATA_DIR=str(target["data_dir"]))
    if target["database_url"]:
        env["DATABASE_URL"] = target["database_url"]
    result = subprocess.run([sys.executable, "-m", "oms.cli", *map(str, args)],
                            env=env, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def oms_verify(target, manifest_path):
    return oms(target, "verify", "--manifest", manifest_path)


def test_a_backup_taken_during_concurrent_intake_restores_and_verifies(push, media, target, tmp_path):
    for _ in range(3):
        push()
    stop, backups = threading.Event(), []

    def work(i):
        if i == 2:
            backups.append(take_backup(to=tmp_path / "backups"))
            stop.set()
            return 0
        pushed = 0
        while not stop.is_set() or pushed < 2:  # keep pushing until (and a little after) the backup is done
            push()
            pushed += 1
        return pushed

    pushed = run_concurrently(3, work)
    (folder,) = backups
    manifest = Manifest.read(folder)
    assert manifest.vendor == connection.vendor
    assert manifest.row_counts["orders_order"] >= 3
    assert manifest.row_counts["orders_order"] < Order.objects.count() == 3 + sum(pushed)
    assert manifest.audit_head["seq"] >= 3
    assert manifest.migrations["audit"] and manifest.media == {"files": 1, "bytes": 10}

    where = ["--database-url", target["database_url"]] if target["database_url"] else []
    code, out = oms(target, "restore", folder / "manifest.json", "--data-dir", target["data_dir"], *where)
    assert code == 0, out
    code, out = oms_verify(target, folder / "manifest.json")
    assert code == 0, out
    assert "row counts" in out and "audit chain" in out and "stock ledger" in out
    assert (target["data_dir"] / "media" / "aftersales" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"


def test_verify_catches_a_missing_row_in_the_restored_target(push, media, target, tmp_path):
    push()
    push()
    folder = take_backup(to=tmp_path / "backups")
    restore_backup(source=folder, **target)
    sql = "DELETE FROM orders_orderdiscount WHERE id = (SELECT MIN(id) FROM orders_orderdiscount)"
    if target["database_url"]:
        with psycopg.connect(target["database_url"], autocommit=True) as conn:
            conn.execute(sql)
    else:
        with sqlite3.connect(target["data_dir"] / "oms.sqlite3") as conn:
            conn.execute(sql)
    code, out = oms_verify(target, folder / "manifest.json")
    assert code == 1
    assert "orders_orderdiscount: 1 (manifest 2)" in out and "FAILED" in out


def test_a_tampered_dump_fails_the_checksum_and_nothing_is_restored(push, media, target, tmp_path):
    push()
    folder = take_backup(to=tmp_path / "backups")
    manifest = Manifest.read(folder)
    dump = folder / manifest.dump
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="checksum mismatch"):
        restore_backup(source=folder, **target)
    assert not (target["data_dir"] / "oms.sqlite3").exists()
    assert not (target["data_dir"] / "media").exists()


def test_restore_refuses_a_non_empty_target_in_one_line(push, media, tmp_path, capsys):
    push()
    folder = take_backup(to=tmp_path / "backups")
    occupied = tmp_path / "occupied"
    if connection.vendor == "postgresql":
        # The test database itself is anything but empty.
        s = connection.settings_dict
        args = ["--database-url", f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"]
    else:
        occupied.mkdir()
        (occupied / "oms.sqlite3").write_bytes(b"existing data")
        args = ["--data-dir", str(occupied)]
    assert main(["restore", str(folder), *args]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refusing to restore" in err
    if connection.vendor != "postgresql":
        assert (occupied / "oms.sqlite3").read_bytes() == b"existing data"


def test_rotation_keeps_the_newest_backups(db, media, tmp_path):
    made = [take_backup(to=tmp_path / "backups", keep=2) for _ in range(3)]
    left = sorted(p for p in (tmp_path / "backups").iterdir())
    assert left == made[1:]


def test_oms_backup_prints_where_it_wrote(db, media, tmp_path, capsys):
    assert main(["backup", "--to", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and str(tmp_path / "b") in out


def test_a_backup_in_a_folder_whose_name_has_a_hash_sign_restores(push, media, target, tmp_path):
    push()
    folder = take_backup(to=tmp_path / "nightly #3?")
    restore_backup(source=folder, **target)
    code, out = oms_verify(target, folder / "manifest.json")
    assert code == 0, out
