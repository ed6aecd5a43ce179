"""`oms backup`, `oms restore FILE`, `oms verify`: print a short result, exit non-zero on failure."""

from __future__ import annotations

from pathlib import Path


def run_backup(args) -> int:
    from oms.backup.backup import take_backup
    from oms.backup.manifest import Manifest

    folder = take_backup(to=Path(args.to) if args.to else None)
    manifest = Manifest.read(folder)
    print(f"backup written: {folder} ({sum(manifest.row_counts.values())} rows, audit head seq "
          f"{manifest.audit_head.get('seq', 0)}, {manifest.media.get('files', 0)} media files, "
          f"sha256 {manifest.sha256[:16]}…)")
    return 0


def run_restore(args) -> int:
    from oms.backup.restore import restore_backup

    manifest = restore_backup(source=Path(args.file), data_dir=Path(args.data_dir) if args.data_dir else None,
                              database_url=args.database_url)
    print(f"restored the {manifest.vendor} backup of {manifest.created_at}; now run `oms verify --manifest "
          f"{Path(args.file).resolve()}` against the restored target")
    return 0


def run_verify(args) -> int:
    from oms.backup.manifest import Manifest
    from oms.backup.verify import run_checks

    manifest = Manifest.read(Path(args.manifest)) if args.manifest else None
    checks = run_checks(manifest=manifest)
    width = max(len(c.name) for c in checks)
    for c in checks:
        print(f"{c.name:<{width}}  {'OK  ' if c.ok else 'FAIL'}  {c.detail}")
    ok = all(c.ok for c in checks)
    print("verify: all checks passed" if ok else "verify: FAILED")
    return 0 if ok else 1
