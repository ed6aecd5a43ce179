"""A lean bulk INSERT for unsaved model instances, used by the bulk import path.

`QuerySet.bulk_create` compiles every value through the SQL compiler (placeholders,
expression checks) and, on Django 5.2, cuts SQLite statements at 999 variables;
for a few hundred thousand values that was most of an import's time. This stores
the same values, prepared by each field exactly as bulk_create prepares them
(`pre_save`, `get_db_prep_save`):

- SQLite: multi-row INSERT … VALUES, as many rows per statement as its variable
  limit allows, with RETURNING for primary keys;
- PostgreSQL: COPY … FROM STDIN (psycopg formats rows in C), with primary keys
  taken beforehand from the table's own sequence in one query.

Only for plain instances: no expressions as values, no multi-table inheritance,
no signals (bulk_create sends none either).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from operator import attrgetter

from django.db import connection, models
from django.db.models import Field
from django.utils import timezone

POSTGRES_MAX_PARAMS = 65535
# Field classes (exactly these, not subclasses such as MoneyField) whose str/int values are sent unchanged.
_TEXT_FIELDS = (models.CharField, models.TextField, models.EmailField, models.SlugField)
_INT_FIELDS = (models.IntegerField, models.BigIntegerField, models.PositiveIntegerField,
               models.PositiveSmallIntegerField, models.SmallIntegerField, models.ForeignKey)
NoneType = type(None)


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return POSTGRES_MAX_PARAMS


def _reader(field: Field, now) -> Callable[[models.Model], object]:
    """obj -> the value to send for this (not plain) field, prepared as bulk_create would."""
    prep = field.get_db_prep_save
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        sent = prep(now, connection)  # one timestamp for the whole insert, as pre_save would set

        def read(obj):
            setattr(obj, attname, now)
            return sent
        return read
    if type(field).pre_save is not Field.pre_save and not isinstance(field, models.DateField):
        def read(obj):  # a field that computes its value when saved
            return prep(field.pre_save(obj, True), connection)
        return read
    cache: dict = {}  # preparing money and times is slow; prices and times repeat a lot

    def read(obj):
        value = getattr(obj, attname)
        try:
            return cache[value]
        except KeyError:
            sent = cache[value] = prep(value, connection)
            return sent
        except TypeError:  # unhashable, e.g. a JSON document
            return prep(value, connection)
    return read


class _Rows:
    """Turns an instance into the row of values to send, columns in `fields` order.

    Text fields holding str (or None) and integer fields holding int (or None) are sent as
    they are, read with one attrgetter per kind; anything else goes through the field.
    """

    def __init__(self, fields: list[Field], now):
        text = [f for f in fields if type(f) in _TEXT_FIELDS]
        ints = [f for f in fields if type(f) in _INT_FIELDS]
        other = [f for f in fields if f not in text and f not in ints]
        self.fields = text + ints + other
        self.groups = [(_getter(text), [f.get_db_prep_save for f in text], frozenset({str, NoneType})),
                       (_getter(ints), [f.get_db_prep_save for f in ints], frozenset({int, NoneType}))]
        self.readers = [_reader(f, now) for f in other]

    def __call__(self, obj) -> list:
        row = []
        for get, preps, as_is in self.groups:
            values = get(obj)
            if not as_is.issuperset(map(type, values)):
                values = [v if type(v) in as_is else prep(v, connection) for v, prep in zip(values, preps, strict=True)]
            row.extend(values)
        row.extend([read(obj) for read in self.readers])
        return row


def _getter(fields: list[Field]) -> Callable[[models.Model], tuple]:
    if not fields:
        return lambda obj: ()
    get = attrgetter(*[f.attname for f in fields])
    return get if len(fields) > 1 else lambda obj: (get(obj),)


def insert(objs: Sequence[models.Model], *, key: str | None = None) -> None:
    """Store the instances; with `key` (a unique attname) also set their primary keys."""
    if not objs:
        return
    meta = type(objs[0])._meta
    rows = _Rows([f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))],
                 timezone.now())
    if connection.vendor == "postgresql":
        _copy(objs, meta, rows, set_pks=key is not None)
    else:
        _values(objs, meta, rows, key_field=meta.get_field(key) if key else None)
    if key is not None:
        for obj in objs:
            obj._state.adding = False
            obj._state.db = connection.alias


def _values(objs, meta, rows: _Rows, *, key_field) -> None:
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in rows.fields)}) VALUES "
    row = "(" + ", ".join(["%s"] * len(rows.fields)) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}, {quote(key_field.column)}" if key_field else ""
    per_statement = max(1, _max_params() // len(rows.fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            chunk = objs[start:start + per_statement]
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, [v for obj in chunk for v in rows(obj)])
            if key_field is not None:  # matched by key: RETURNING promises no order
                ids = {k: i for i, k in cursor.fetchall()}
                for obj in chunk:
                    obj.pk = ids[getattr(obj, key_field.attname)]


def _copy(objs, meta, rows: _Rows, *, set_pks: bool) -> None:
    quote = connection.ops.quote_name
    columns = [f.column for f in rows.fields]
    with connection.cursor() as cursor:
        if set_pks:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(meta.db_table), meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
            columns.insert(0, meta.pk.column)
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:  # IntegrityError as Django's
            write = copy.write_row
            for obj in objs:
                write([obj.pk, *rows(obj)] if set_pks else rows(obj))


def stored_pairs(model: type[models.Model], names: tuple[str, str], pairs: set[tuple]) -> set[tuple]:
    """Which of these (a, b) value pairs the table holds, in one query.

    On PostgreSQL the pairs are joined as arrays, so the (a, b) unique index is used
    even when the table's statistics are stale (a plain `a IN … AND b IN …` then
    tends to scan every row of the channel).
    """
    if not pairs:
        return set()
    meta = model._meta
    first, second = (meta.get_field(n) for n in names)
    if connection.vendor != "postgresql":
        rows = model._base_manager.filter(
            **{f"{first.attname}__in": {a for a, _b in pairs}, f"{second.attname}__in": {b for _a, b in pairs}}
        ).values_list(first.attname, second.attname)
        return {row for row in rows if row in pairs}
    quote = connection.ops.quote_name
    a, b = quote(first.column), quote(second.column)
    types = [f.target_field.db_type(connection) if f.is_relation else f.db_type(connection) for f in (first, second)]
    sql = (
        f"SELECT t.{a}, t.{b} FROM {quote(meta.db_table)} t "
        f"JOIN UNNEST(%s::{types[0].split('(')[0]}[], %s::{types[1].split('(')[0]}[]) AS k(a, b) "
        f"ON t.{a} = k.a AND t.{b} = k.b WHERE t.{b} IS NOT NULL"
    )
    ordered = list(pairs)
    with connection.cursor() as cursor:
        cursor.execute(sql, [[p[0] for p in ordered], [p[1] for p in ordered]])
        return {tuple(row) for row in cursor.fetchall()}
