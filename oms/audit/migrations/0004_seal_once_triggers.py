"""Audit events stay append-only, with one exception: the sealer sets seq, prev_hash and hash once.

An UPDATE passes only on an unsealed row (seq IS NULL) that gets a seq, with every other column
unchanged; anything else is refused by the database itself. PostgreSQL also refuses DELETE; SQLite
keeps DELETE open because Django's test flush empties tables with DELETE (the model refuses it).
"""

from django.db import migrations

PG_FORWARD = """
DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent;
CREATE OR REPLACE FUNCTION oms_audit_event_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are never edited or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION oms_audit_event_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent;
CREATE OR REPLACE FUNCTION oms_audit_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are never edited or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION oms_audit_event_immutable();
"""
_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in (
    "id", "order_id", "action", "actor_id", "actor_username", "actor_roles", "at", "changes", "reason", "note", "data"))
# 0003 rebuilt the table on SQLite (a unique column), which dropped the old trigger: create it anew.
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    WHEN NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND {_SAME})
    BEGIN SELECT RAISE(ABORT, 'audit events are never edited'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are never edited'); END;""",
]


def forward(apps, schema_editor):
    for sql in [PG_FORWARD] if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in [PG_BACKWARD] if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain")]
    operations = [migrations.RunPython(forward, backward)]
