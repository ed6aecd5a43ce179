"""Import orders from a CSV or XLSX file, in bulk, under the same rules as API intake.

Rows are grouped into orders and each order is validated by `parse_intake`; an order
with any invalid row is not created. Valid orders are written in batches: one
transaction per batch, a handful of statements per batch whatever its size. An order
whose (channel, external id) is already stored is a duplicate: skipped, unchanged.
If a concurrent import stores one of a batch's orders between our check and our
insert, the batch is retried order by order with savepoints.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from oms.accounts.actor import Actor, require
from oms.accounts.roles import IMPORT_ORDERS
from oms.audit.services import build_event
from oms.channels.selectors import channel_table, resolve_skus
from oms.core.errors import ApplicationError
from oms.notifications.models import OutboxMessage
from oms.notifications.outbox import kick_delivery
from oms.orders.importing import bulk
from oms.orders.importing.grouping import FileOrder, group_orders
from oms.orders.importing.reading import read_file
from oms.orders.importing.report import ImportReport, RowError
from oms.orders.intake.building import BuiltOrder, build_order, initial_status
from oms.orders.intake.command import IntakeCommand
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.orders.numbering import next_order_numbers
from oms.orders.status import OrderSource

__all__ = ["ImportReport", "RowError", "import_orders"]

BATCH_SIZE = 500
Progress = Callable[[int, int], None]


def import_orders(*, fileobj, filename: str, actor: Actor, progress: Progress | None = None) -> ImportReport:
    """Create the file's valid orders once each; report duplicates and every invalid row."""
    require(actor, IMPORT_ORDERS)
    sheet = read_file(fileobj, filename)
    channels = channel_table()
    file_orders = group_orders(sheet, set(channels))
    report = ImportReport(orders_in_file=len(file_orders))
    total = len(file_orders)
    if progress:
        progress(0, total)
    for start in range(0, total, BATCH_SIZE):
        chunk = file_orders[start:start + BATCH_SIZE]
        valid = []
        for file_order in chunk:
            command, errors = _validate(file_order, sheet, channels.get)
            if errors:
                report.errors.extend(errors)
            else:
                valid.append(command)
        if valid:
            _store(valid, actor=actor, filename=filename, report=report)
        if progress:
            progress(min(start + BATCH_SIZE, total), total)
    report.errors.sort(key=lambda e: e.row)  # stable: columns stay in the order they were found
    if report.created:
        transaction.on_commit(kick_delivery)  # once for the whole file, like outbox.enqueue does per message
    return report


def _validate(file_order: FileOrder, sheet, lookup) -> tuple[IntakeCommand | None, list[RowError]]:
    errors = file_order.problem_errors(sheet.header)
    try:
        command = parse_intake(file_order.payload(), channel_lookup=lookup, require_external_id=True)
    except ApplicationError as exc:  # ValidationFailed (malformed) or BusinessRuleViolation (amounts)
        errors += file_order.intake_errors(exc.details, sheet.header)
        if not exc.details:
            errors.append(RowError(file_order.rows[0], "", exc.message))
        return None, errors
    return command, errors


def _key(command: IntakeCommand) -> tuple[int, str]:
    return command.channel_id, command.external_id or ""


def _existing(keys: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these (channel id, external id) are stored already: one query."""
    return bulk.stored_pairs(Order, ("channel", "external_id"), keys)


def _store(commands: list[IntakeCommand], *, actor: Actor, filename: str, report: ImportReport) -> None:
    try:
        with transaction.atomic():
            fresh, duplicates = _split_fresh(commands)
            built = _build(fresh, actor=actor)
            _insert(built, actor=actor, filename=filename)
    except IntegrityError:
        # Another import stored some of these orders after our check; go one by one.
        _store_one_by_one(commands, actor=actor, filename=filename, report=report)
        return
    report.duplicates.extend(c.external_id for c in duplicates)
    report.created.extend(b.order.order_no for _c, b in built)


def _store_one_by_one(commands, *, actor: Actor, filename: str, report: ImportReport) -> None:
    created, dup_ids = [], []
    with transaction.atomic():
        fresh, duplicates = _split_fresh(commands)
        dup_ids = [c.external_id for c in duplicates]
        for command, built in _build(fresh, actor=actor):
            try:
                with transaction.atomic():
                    _insert([(command, built)], actor=actor, filename=filename)
            except IntegrityError:
                if not Order.objects.filter(channel_id=command.channel_id, external_id=command.external_id).exists():
                    raise  # not a concurrent duplicate: a real fault
                dup_ids.append(command.external_id)
                continue
            created.append(built.order.order_no)
    report.duplicates.extend(dup_ids)
    report.created.extend(created)


def _split_fresh(commands: list[IntakeCommand]) -> tuple[list[IntakeCommand], list[IntakeCommand]]:
    stored = _existing({_key(c) for c in commands})
    fresh, duplicates, seen = [], [], set()
    for command in commands:
        key = _key(command)
        if key in stored or key in seen:
            duplicates.append(command)
        else:
            seen.add(key)
            fresh.append(command)
    return fresh, duplicates


Built = tuple[IntakeCommand, BuiltOrder]


def _build(commands: list[IntakeCommand], *, actor: Actor) -> list[Built]:
    """Unsaved rows for these orders: order numbers in one call, SKUs resolved in one go."""
    if not commands:
        return []
    numbers = next_order_numbers(len(commands))
    skus = resolve_skus({(c.channel_id, ln.sku) for c in commands for ln in c.lines})
    return [
        (command, build_order(
            command, order_no=number, source=OrderSource.IMPORT, status=initial_status(command),
            created_by_id=actor.user_id, skus=skus,
        ))
        for command, number in zip(commands, numbers, strict=True)
    ]


def _insert(built: list[Built], *, actor: Actor, filename: str) -> None:
    """Orders, lines, discounts, audit events and outbox messages: one bulk insert each."""
    if not built:
        return
    bulk.insert([b.order for _c, b in built], key="order_no")
    lines, discounts, events, messages = [], [], [], []
    now = timezone.now()
    for command, b in built:
        order = b.order
        for line in b.lines:
            line.order_id = order.pk
            lines.append(line)
        for discount in b.discounts:
            discount.order_id = order.pk
            discounts.append(discount)
        events.append(build_event(
            order=order, action="order_received", actor=actor, at=now,
            data={"source": OrderSource.IMPORT.value, "channel": command.channel_code, "file": filename,
                  "external_id": order.external_id or "", "status": order.status},
        ))
        messages.append(OutboxMessage(topic="order.received", payload={"order_no": order.order_no,
                                                                       "status": order.status}))
    bulk.insert(lines)
    bulk.insert(discounts)
    bulk.insert(events)
    bulk.insert(messages)
