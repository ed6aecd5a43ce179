from django.db import migrations, models


def create_pg_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from oms.core.sequences import KNOWN_SEQUENCES, pg_sequence_name

    for name in KNOWN_SEQUENCES:
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {pg_sequence_name(name)}")


def drop_pg_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from oms.core.sequences import KNOWN_SEQUENCES, pg_sequence_name

    for name in KNOWN_SEQUENCES:
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {pg_sequence_name(name)}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Sequence",
            fields=[
                ("name", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_pg_sequences, drop_pg_sequences),
    ]
