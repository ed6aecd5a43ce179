"""A lean multi-row INSERT for unsaved model instances, used by the bulk import path.

`QuerySet.bulk_create` compiles every value through the SQL compiler (placeholders,
expression checks) and, on Django 5.2, cuts SQLite statements at 999 variables;
for a few hundred thousand values that is most of an import's time. This inserts
the same values, prepared by each field exactly as bulk_create prepares them
(`pre_save`, `get_db_prep_save`), in as few statements as the database allows.

Only for plain instances: no expressions as values, no multi-table inheritance,
no signals (bulk_create sends none either).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from django.db import connection, models
from django.db.models import Field
from django.utils import timezone

POSTGRES_MAX_PARAMS = 65535
# Field classes (exactly these, not subclasses such as MoneyField) that send str/int/None unchanged.
_PLAIN_FIELDS = (
    models.CharField, models.TextField, models.EmailField, models.SlugField, models.IntegerField,
    models.BigIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField, models.ForeignKey,
)


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return POSTGRES_MAX_PARAMS


def _reader(field: Field, now) -> Callable[[models.Model], object]:
    """obj -> the value to send for this field, prepared as bulk_create would."""
    prep = field.get_db_prep_save
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        sent = prep(now, connection)  # one timestamp for the whole insert, as pre_save would set

        def read(obj):
            setattr(obj, attname, now)
            return sent
        return read
    if type(field).pre_save is not Field.pre_save:  # some other field that computes its value
        def read(obj):
            return prep(field.pre_save(obj, True), connection)
        return read
    if type(field) in _PLAIN_FIELDS:  # str stays str, int stays int, None stays NULL: skip the layers of calls
        def read(obj):
            value = getattr(obj, attname)
            if value is None or type(value) is str or type(value) is int:
                return value
            return prep(value, connection)
        return read
    if isinstance(field, models.DateTimeField):  # converting a time is slow on SQLite; many repeat
        cache: dict = {}

        def read(obj):
            value = getattr(obj, attname)
            if value not in cache:
                cache[value] = prep(value, connection)
            return cache[value]
        return read

    def read(obj):
        return prep(getattr(obj, attname), connection)
    return read


def insert(objs: Sequence[models.Model], *, key: str | None = None) -> None:
    """INSERT the instances; with `key` (a unique attname) also set their primary keys.

    SQLite: multi-row VALUES, as many rows per statement as its variable limit allows.
    PostgreSQL: one array per column through UNNEST (as Django 5.2's bulk_create does),
    so a batch of any size is one statement with one parameter per column.
    """
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    now = timezone.now()
    readers = [_reader(f, now) for f in fields]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    key_field = meta.get_field(key) if key else None
    tail = f" RETURNING {quote(meta.pk.column)}, {quote(key_field.column)}" if key_field else ""
    postgres = connection.vendor == "postgresql"
    per_statement = len(objs) if postgres else max(1, _max_params() // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            chunk = objs[start:start + per_statement]
            if postgres:
                arrays = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in fields)
                sql = f"{head}SELECT * FROM UNNEST({arrays}){tail}"
                params = [[read(obj) for obj in chunk] for read in readers]
            else:
                row = "(" + ", ".join(["%s"] * len(fields)) + ")"
                sql = f"{head}VALUES {', '.join([row] * len(chunk))}{tail}"
                params = [read(obj) for obj in chunk for read in readers]
            cursor.execute(sql, params)
            if key_field is not None:
                ids = {k: i for i, k in cursor.fetchall()}
                for obj in chunk:
                    obj.pk = ids[getattr(obj, key_field.attname)]
                    obj._state.adding = False
                    obj._state.db = connection.alias
