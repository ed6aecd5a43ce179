"""The stock ledger is append-only: the database refuses UPDATE (and DELETE on PostgreSQL).

As for audit events, SQLite keeps DELETE open because Django's test flush empties tables with it.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION oms_stock_movement_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock ledger rows are never edited or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stock_movement_no_update BEFORE UPDATE OR DELETE ON inventory_stockmovement
    FOR EACH ROW EXECUTE FUNCTION oms_stock_movement_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS stock_movement_no_update ON inventory_stockmovement;
DROP FUNCTION IF EXISTS oms_stock_movement_immutable();
"""
SQLITE_FORWARD = """
CREATE TRIGGER stock_movement_no_update BEFORE UPDATE ON inventory_stockmovement
BEGIN SELECT RAISE(ABORT, 'stock ledger rows are never edited'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS stock_movement_no_update;"


def forward(apps, schema_editor):
    schema_editor.execute(PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD)


def backward(apps, schema_editor):
    schema_editor.execute(PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_warehouses_stock_ledger")]
    operations = [migrations.RunPython(forward, backward)]
