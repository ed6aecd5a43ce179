"""The manifest written next to every backup: what was saved, from which version, and how to check it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

MANIFEST = "manifest.json"
SQLITE_DUMP = "oms.sqlite3"
PG_DUMP = "oms.dump"
FORMAT = 1


class BackupError(Exception):
    """A backup, restore or verify that cannot go on; the CLI prints its message on one line."""


@dataclass
class Manifest:
    created_at: str  # UTC, ISO 8601
    vendor: str  # "sqlite" or "postgresql"
    dump: str  # file name inside the backup folder
    sha256: str
    oms_version: str
    migrations: dict[str, str]  # app label → latest applied migration
    row_counts: dict[str, int]  # table → rows, counted in the same snapshot as the dump
    audit_head: dict = field(default_factory=dict)  # {"seq": int, "hash": str}
    media: dict = field(default_factory=dict)  # {"files": int, "bytes": int}
    format: int = FORMAT

    def write(self, folder: Path) -> Path:
        path = folder / MANIFEST
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        return path

    @classmethod
    def read(cls, path: Path) -> Manifest:
        path = Path(path)
        if path.is_dir():
            path = path / MANIFEST
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise BackupError(f"cannot read the manifest {path}: {exc}") from None
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in raw.items() if k in known})


def package_version() -> str:
    try:
        return metadata.version("oms")
    except metadata.PackageNotFoundError:
        return "unknown"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def latest_migrations(rows) -> dict[str, str]:
    """From (app, name) rows in applied order: the last one per app."""
    latest: dict[str, str] = {}
    for app, name in rows:
        latest[app] = name
    return latest
