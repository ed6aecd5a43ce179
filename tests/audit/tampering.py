"""Edit audit rows behind the application's back, as an attacker with database access would."""

from contextlib import contextmanager
from importlib import import_module

from django.db import connection

TABLE = "audit_auditevent"


@contextmanager
def triggers_off():
    """Lift the database's refusal to edit audit rows for the duration (SQLite: drop; PostgreSQL: replica role)."""
    seal_once = import_module("oms.audit.migrations.0004_seal_once_triggers")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE … DISABLE TRIGGER is refused while the test transaction has deferred FK checks.
            cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")
            else:
                for sql in seal_once.SQLITE_FORWARD:
                    cursor.execute(sql)


def raw(sql: str, params=()) -> None:
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)
