"""The `oms` command: run, administer and measure the system.

Errors end with one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        self.exit(2, f"oms: error: {message}\n")


def _area_command(target: str, *, django: bool = True):
    """A command whose work lives in its area's own module ("module:function", called with the args)."""

    def command(args) -> int:
        if django:
            _setup_django()
        module, function = target.split(":")
        return getattr(importlib.import_module(module), function)(args)

    return command


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    # Messages in the system language (Simplified Chinese) unless OMS_LANGUAGE=en asks otherwise.
    translation.activate(os.environ.get("OMS_LANGUAGE") or settings.LANGUAGE_CODE)


def cmd_serve(args) -> int:
    _setup_django()
    port = str(args.port or os.environ.get("PORT", "8000"))
    argv = [
        sys.executable, "-m", "gunicorn", "oms.config.wsgi:application",
        "--bind", f"{args.host}:{port}", "--worker-class", "gthread",
        "--workers", str(args.workers), "--threads", str(args.threads),
        # Each worker gets its own listening socket, so the kernel spreads keep-alive
        # connections over the workers instead of one worker taking them all.
        "--reuse-port",
        "--access-logfile", "-", "--graceful-timeout", "5",
    ]
    print(f"OMS back office: http://{args.host}:{port}/", flush=True)
    os.execv(sys.executable, argv)
    return 0


def cmd_worker(args) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("run_huey")
    return 0


def cmd_migrate(args) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0 if args.quiet else 1)
    return 0


def cmd_demo(args) -> int:
    _setup_django()
    from oms.demo_data import load_demo

    report = load_demo(orders=args.orders)
    print(report)
    return 0


def cmd_warehouses(args) -> int:
    _setup_django()
    from oms.accounts.actor import Actor
    from oms.accounts.services import assign_warehouses

    codes = assign_warehouses(username=args.username, warehouse_codes=args.codes, actor=Actor.system())
    print(f"{args.username}: " + (", ".join(codes) if codes else "all warehouses"))
    return 0


def cmd_createuser(args) -> int:
    _setup_django()
    from oms.accounts.actor import Actor
    from oms.accounts.passwords import generate_password
    from oms.accounts.services import create_user

    password = args.password
    generated = False
    if password is None and not args.no_password:
        password = generate_password()
        generated = True
    # The person must change this first password at their first sign-in (docs/accounts.md).
    create_user(username=args.username, role=args.role, password=password, email=args.email or "",
                full_name=args.full_name or "", employee_no=args.employee_no or "", team=args.team or "",
                actor=Actor.system())
    print(f"created {args.username} ({args.role})" + (f", password: {password}" if generated else ""))
    return 0


def cmd_token(args) -> int:
    _setup_django()
    from oms.accounts.services import token_for

    print(token_for(username=args.username))
    return 0


def cmd_import(args) -> int:
    _setup_django()
    from oms.orders.importing.cli import run_import

    return run_import(path=args.file, username=args.user, progress=not args.quiet)


cmd_stock = _area_command("oms.inventory.cli:run_stock_command")


cmd_skus = _area_command("oms.inventory.sku_files:run_skus_command")


def cmd_orders_archive(args) -> int:
    _setup_django()
    from oms.orders.archiving import run_archive_command

    return run_archive_command(dry_run=args.dry_run, older_than_days=args.older_than_days)


def cmd_orders_anonymise(args) -> int:
    _setup_django()
    from oms.orders.anonymisation import run_anonymise_command

    return run_anonymise_command(dry_run=args.dry_run, older_than_days=args.older_than_days)


cmd_pii = _area_command("oms.orders.key_rotation:run_pii_command")


def cmd_orders_complete_delivered(args) -> int:
    _setup_django()
    from oms.orders.completion import auto_complete_days, complete_delivered

    done = complete_delivered()
    print(f"completed={done} after_days={auto_complete_days()}")
    return 0


def cmd_orders_expire_unpaid(args) -> int:
    _setup_django()
    from oms.orders.expiry import expire_unpaid

    print(f"expired={expire_unpaid()}")
    return 0


def cmd_timeliness_sweep(args) -> int:
    _setup_django()
    from oms.timeliness.sweep import sweep

    print(sweep().line())
    return 0


cmd_exceptions = _area_command("oms.shipping.exceptions_cli:run_exceptions_command")


cmd_problems = _area_command("oms.problems.cli:run_problems_command")


def cmd_tracking_poll(args) -> int:
    _setup_django()
    from oms.accounts.actor import Actor
    from oms.shipping.polling import adapters_that_poll, poll_tracking

    if args.batch is not None and args.batch < 1:
        raise ValueError("--batch must be at least 1")
    report = poll_tracking(actor=Actor.system(), batch_size=args.batch)
    print(f"adapters polling: {', '.join(adapters_that_poll()) or 'none'}; parcels queried: {report.packages}, "
          f"events received: {report.events}, new: {report.stored}, unmatched: {report.unmatched}")
    return 0


def cmd_permissions_doc(args) -> int:
    # No Django setup: the matrix is plain data in accounts.roles, so the check runs anywhere (CI, pre-commit).
    from pathlib import Path

    from oms.accounts import matrix

    path = Path(args.output) if args.output else matrix.DOC_PATH
    if args.check:
        if matrix.is_stale(path):
            print(f"oms: error: {path} is stale; run `oms permissions doc`", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    print(matrix.write(path))
    return 0


cmd_audit = _area_command("oms.audit.cli:run_audit_command")


cmd_backup = _area_command("oms.backup.cli:run_backup")


# The restore sets its target up itself: it must not open (and create) the configured database.
cmd_restore = _area_command("oms.backup.cli:run_restore", django=False)


cmd_verify = _area_command("oms.backup.cli:run_verify")


def cmd_bench(args) -> int:
    from oms.bench import run_benchmark

    return run_benchmark(args.name, args)


def build_parser() -> argparse.ArgumentParser:
    from oms.accounts.roles import ROLE_ORDER

    p = _Parser(prog="oms", description="OMS order management system")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("serve", help="run the web server (back office and API)")
    s.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
    # The app is CPU-bound Python: one process per core plus one (to cover I/O waits) beats
    # threads, which only queue on the GIL (docs/performance.md).
    s.add_argument(
        "--workers", type=int, default=int(os.environ.get("OMS_WEB_WORKERS") or (os.cpu_count() or 1) + 1),
        help="worker processes (default: $OMS_WEB_WORKERS or cores + 1)",
    )
    s.add_argument(
        "--threads", type=int, default=int(os.environ.get("OMS_WEB_THREADS", "1")),
        help="threads per worker (default: $OMS_WEB_THREADS or 1)",
    )
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("worker", help="run the background worker (outbox, periodic jobs)")
    s.set_defaults(func=cmd_worker)

    s = sub.add_parser("migrate", help="create or upgrade the database")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser("demo", help="load demo data (idempotent) and show the demo accounts")
    s.add_argument("--orders", type=int, default=300, help="number of demo channel orders (default 300)")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("createuser", help="create a personal account with a role")
    s.add_argument("username")
    s.add_argument("--role", required=True, choices=ROLE_ORDER)
    s.add_argument("--password", help="default: a generated one, printed once")
    s.add_argument("--no-password", action="store_true", help="API-only account (use `oms token`)")
    s.add_argument("--email")
    s.add_argument("--full-name", help="the person's name (personal accounts, §3.1)")
    s.add_argument("--employee-no", help="employee number (unique)")
    s.add_argument("--team", choices=ROLE_ORDER, help="the team the person works in")
    s.set_defaults(func=cmd_createuser)

    s = sub.add_parser("warehouses", help="limit a person's warehouse work to some warehouses (none: all)")
    s.add_argument("username")
    s.add_argument("codes", nargs="*", metavar="WAREHOUSE")
    s.set_defaults(func=cmd_warehouses)

    s = sub.add_parser("permissions", help="the permission matrix (who may do what)")
    permissions = s.add_subparsers(dest="permissions_command", required=True, parser_class=_Parser)
    t = permissions.add_parser("doc", help="write docs/permissions.md from the matrix in oms/accounts/roles.py")
    t.add_argument("--check", action="store_true", help="only check: exit 1 when the file is stale")
    t.add_argument("--output", default=None, help="another file to write or check (default: docs/permissions.md)")
    t.set_defaults(func=cmd_permissions_doc)

    s = sub.add_parser("token", help="print a user's API token, creating it if needed")
    s.add_argument("username")
    s.set_defaults(func=cmd_token)

    s = sub.add_parser("import", help="import orders from a CSV or XLSX file")
    s.add_argument("file")
    s.add_argument("--user", required=True, help="the account the import is done as")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("stock", help="stock: verify the ledger, receive, adjust")
    stock = s.add_subparsers(dest="stock_command", required=True, parser_class=_Parser)
    t = stock.add_parser("verify", help="check that every stock level equals the sum of its ledger rows")
    t.set_defaults(func=cmd_stock)
    t = stock.add_parser("receive", help="receive units of a SKU into a warehouse")
    t.add_argument("sku")
    t.add_argument("warehouse")
    t.add_argument("quantity", type=int)
    t.add_argument("--user", required=True, help="the account the receipt is done as")
    t.add_argument("--reference", default="", help="delivery note or purchase order number")
    t.set_defaults(func=cmd_stock)
    t = stock.add_parser("adjust", help="correct the on-hand count of a SKU in a warehouse, with a reason")
    t.add_argument("sku")
    t.add_argument("warehouse")
    t.add_argument("delta", type=int, help="units to add (positive) or remove (negative)")
    t.add_argument("--reason", required=True)
    t.add_argument("--user", required=True, help="the account the adjustment is done as")
    t.set_defaults(func=cmd_stock)

    s = sub.add_parser("skus", help="SKU catalogue: import or export a CSV/XLSX file")
    skus = s.add_subparsers(dest="skus_command", required=True, parser_class=_Parser)
    t = skus.add_parser("import", help="create or update SKUs by code from a CSV or XLSX file")
    t.add_argument("file")
    t.add_argument("--user", required=True, help="the account the import is done as")
    t.set_defaults(func=cmd_skus)
    t = skus.add_parser("export", help="write every SKU to FILE (.csv or .xlsx), in the import's columns")
    t.add_argument("file")
    t.add_argument("--lang", choices=["zh", "en"], default=None,
                   help="language of the column headers (default: the system language)")
    t.set_defaults(func=cmd_skus)

    s = sub.add_parser("orders", help="orders: complete delivered ones, archive finished ones")
    orders = s.add_subparsers(dest="orders_command", required=True, parser_class=_Parser)
    t = orders.add_parser("archive", help="archive completed, settled orders older than OMS_ARCHIVE_AFTER_DAYS")
    t.add_argument("--dry-run", action="store_true", help="only count the orders that would be archived")
    t.add_argument("--older-than-days", type=int, default=None,
                   help="archive orders completed more than N days ago (default: $OMS_ARCHIVE_AFTER_DAYS or 90)")
    t.set_defaults(func=cmd_orders_archive)
    t = orders.add_parser("complete-delivered",
                          help="complete orders delivered OMS_AUTO_COMPLETE_DAYS ago or earlier (the hourly job)")
    t.set_defaults(func=cmd_orders_complete_delivered)
    t = orders.add_parser("expire-unpaid",
                          help="cancel orders unpaid for longer than their channel's timeout (the minutely job)")
    t.set_defaults(func=cmd_orders_expire_unpaid)
    t = orders.add_parser("anonymise", help="anonymise personal data of orders archived longer ago than "
                                            "OMS_PII_RETENTION_DAYS (the nightly job)")
    t.add_argument("--dry-run", action="store_true", help="only count the orders that would be anonymised")
    t.add_argument("--older-than-days", type=int, default=None,
                   help="orders archived more than N days ago (default: $OMS_PII_RETENTION_DAYS)")
    t.set_defaults(func=cmd_orders_anonymise)

    s = sub.add_parser("pii", help="personal data at rest: re-encrypt with the newest key")
    pii = s.add_subparsers(dest="pii_command", required=True, parser_class=_Parser)
    t = pii.add_parser("rotate", help="re-encrypt every order's personal data with the first key of "
                                      "OMS_PII_KEYS and recompute the search hashes, in batches")
    t.add_argument("--batch-size", type=int, default=500)
    t.set_defaults(func=cmd_pii)

    s = sub.add_parser("exceptions", help="logistics exception tickets: open the ones due now")
    exceptions = s.add_subparsers(dest="exceptions_command", required=True, parser_class=_Parser)
    t = exceptions.add_parser("sweep", help="evaluate the rules (no update, stuck, lost…) for every shipped parcel")
    t.set_defaults(func=cmd_exceptions)

    s = sub.add_parser("timeliness", help="deadlines: open, close and announce at-risk and overdue work")
    timeliness = s.add_subparsers(dest="timeliness_command", required=True, parser_class=_Parser)
    t = timeliness.add_parser("sweep", help="the minutely job: track new work, close finished steps, send notices")
    t.set_defaults(func=cmd_timeliness_sweep)

    s = sub.add_parser("tracking", help="carrier tracking: query carriers that do not push")
    tracking = s.add_subparsers(dest="tracking_command", required=True, parser_class=_Parser)
    t = tracking.add_parser("poll", help="query the carriers of polling adapters about shipped parcels, stalest first")
    t.add_argument("--batch", type=int, default=None, help="parcels per query batch (default OMS_TRACKING_POLL_BATCH)")
    t.set_defaults(func=cmd_tracking_poll)

    s = sub.add_parser("audit", help="audit log: seal new events into the hash chain, verify the chain")
    audit = s.add_subparsers(dest="audit_command", required=True, parser_class=_Parser)
    t = audit.add_parser("verify", help="walk the hash chain; report the first altered, removed or re-ordered event")
    t.set_defaults(func=cmd_audit)
    t = audit.add_parser("seal", help="give new audit events their place in the chain (the minutely job)")
    t.set_defaults(func=cmd_audit)

    s = sub.add_parser("backup", help="take a consistent online backup with a manifest (the nightly job)")
    s.add_argument("--to", default=None, help="folder to write into (default: OMS_BACKUP_DIR)")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("restore", help="restore a backup into an EMPTY data folder or database")
    s.add_argument("file", help="the backup folder or its manifest.json")
    s.add_argument("--database-url", default=None, help="an empty PostgreSQL database (PostgreSQL backups)")
    s.add_argument("--data-dir", default=None, help="an empty data folder (SQLite backups; default: OMS_DATA_DIR)")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("verify", help="check a (restored) database: row counts, audit chain, stock ledger")
    s.add_argument("--manifest", default=None, help="the backup's manifest.json to compare row counts with")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("problems", help="problem reports: escalate unacknowledged ones, raise burst incidents")
    problems = s.add_subparsers(dest="problems_command", required=True, parser_class=_Parser)
    t = problems.add_parser("escalate", help="escalate reports nobody acknowledged in time (the minutely job)")
    t.set_defaults(func=cmd_problems)
    t = problems.add_parser("detect-bursts", help="raise one incident per burst of the same problem (every 5 min)")
    t.set_defaults(func=cmd_problems)

    s = sub.add_parser("bench", help="run a benchmark in a temporary data folder")
    s.add_argument("name", choices=["intake", "review", "allocation", "picking", "search", "tracking"])
    s.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    s.add_argument("--orders", type=int, default=None, help="orders per measurement")
    s.add_argument("--events", type=int, default=None, help="tracking events per measurement (bench tracking)")
    s.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's contract is one line, no traceback
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        details = getattr(exc, "details", None)
        if details:
            message += " (" + "; ".join(f"{k}: {v}" for k, v in details.items()) + ")"
        print(f"oms: error: {message}".replace("\n", " "), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
