"""Insert many new rows with few statements and little CPU, for hot paths (batch review).

Django's bulk_create prepares every value through the field's full save path, which on the
review path cost more CPU than the database spent storing the rows. Here each field's
conversion is chosen once per model and plain values (numbers, text, foreign keys) pass
through untouched. The rows get no primary keys back: use it where nothing reads them.
Timestamps with auto_now/auto_now_add are set to now, as save() sets them on a new row; values
of any other type than plain str/int/bool/None (a choices member, a naive datetime, a lazy
string) go through the field's own conversion, as in bulk_create.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from django.db import connection, models
from django.utils import timezone

PARAMS_PER_STATEMENT = 30_000  # under PostgreSQL's 65,535 and SQLite's 32,766 (3.32 and later)
# Exactly these classes, not subclasses: a custom field (money in cents, say) converts its values.
_PLAIN = (
    models.BigIntegerField, models.BooleanField, models.CharField, models.ForeignKey, models.IntegerField,
    models.PositiveIntegerField, models.PositiveSmallIntegerField, models.SmallIntegerField, models.TextField,
)
_AS_IS = (str, int, bool, type(None))  # exact types: a choices enum or a lazy string is converted


@cache
def _plan(model: type[models.Model], vendor: str) -> tuple[str, list[tuple[str, models.Field, bool, bool]]]:
    """The column list and, per field, (attribute, field, plain, is an auto timestamp)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    plan = [(f.attname, f, type(f) in _PLAIN,
             bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))) for f in fields]
    return columns, plan


@contextmanager
def server_bound_cursor() -> Iterator:
    """PostgreSQL: a cursor that sends its parameters apart from the SQL.

    Django's default cursor quotes every parameter into the statement text, which for an
    array of thousands of values costs more CPU than the database spends on the rows. This
    one is wrapped like Django's own, so it is logged and counted the same way.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    # No automatic prepared statements: they would not survive a pooler in transaction mode.
    connection.connection.prepare_threshold = None
    raw = ServerBindingCursor(connection.connection)
    try:
        yield connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    finally:
        raw.close()


@cache
def _array_types(model: type[models.Model]) -> str:
    """PostgreSQL: `unnest(%b::bigint[], %b::text[], …)`, one array parameter per column, sent in
    binary (text arrays in text format cost a regular-expression escape per element).

    Text goes as text[], not varchar(n)[]: an explicit cast to varchar(n) would cut a long value
    silently, while the assignment to the column refuses it, as an ordinary INSERT does.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return ", ".join(f"%b::{'text' if f.db_type(connection).startswith('varchar') else f.db_type(connection)}[]"
                     for f in fields)


def _values(obj: models.Model, plan, now) -> list:
    row = []
    for attname, field, plain, stamp in plan:
        value = getattr(obj, attname)
        if stamp:
            value = now
            setattr(obj, attname, value)
        row.append(value if plain and type(value) in _AS_IS else field.get_db_prep_save(value, connection))
    return row


def insert_rows(objs: Sequence[models.Model]) -> None:
    """INSERT these new instances of one model (no primary keys are set on them)."""
    if not objs:
        return
    model = type(objs[0])
    columns, plan = _plan(model, connection.vendor)
    now = timezone.now()
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        # One array per column: the statement has as many parameters as columns, whatever the
        # number of rows (the client-side binding's cost grows with the parameters).
        rows = [_values(obj, plan, now) for obj in objs]
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({_array_types(model)})"
        with server_bound_cursor() as cursor:
            cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
        return
    width = len(plan)
    per_statement = max(1, PARAMS_PER_STATEMENT // width)
    row_marks = "(" + ", ".join(["%s"] * width) + ")"
    for start in range(0, len(objs), per_statement):
        chunk = objs[start:start + per_statement]
        params = [value for obj in chunk for value in _values(obj, plan, now)]
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_marks] * len(chunk))}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
