from django.db import migrations


def create_pg_sequences(apps, schema_editor):
    """Every known sequence that does not exist yet (refunds and after-sales requests are new)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from oms.core.sequences import KNOWN_SEQUENCES, pg_sequence_name

    for name in KNOWN_SEQUENCES:
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {pg_sequence_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_handover_and_exception_sequences")]

    operations = [migrations.RunPython(create_pg_sequences, migrations.RunPython.noop)]
