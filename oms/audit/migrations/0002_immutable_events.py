"""Audit events are append-only: the database itself refuses UPDATE (and DELETE on PostgreSQL).

SQLite keeps DELETE open because Django's test flush empties tables with DELETE;
the model refuses deletes there, and PostgreSQL's TRUNCATE is not a row DELETE.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION oms_audit_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are never edited or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION oms_audit_event_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent;
DROP FUNCTION IF EXISTS oms_audit_event_immutable();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are never edited'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_event_no_update;"


def forward(apps, schema_editor):
    sql = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    schema_editor.execute(sql)


def backward(apps, schema_editor):
    sql = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
