from django.db import migrations


def create_pg_sequence(apps, schema_editor):
    """The change request counter (oms/core/sequences.py); SQLite keeps it in core_sequence rows."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from oms.core.sequences import pg_sequence_name

    schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {pg_sequence_name('change_request_no')}")


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial"), ("core", "0004_refund_and_after_sales_sequences")]

    operations = [migrations.RunPython(create_pg_sequence, migrations.RunPython.noop)]
