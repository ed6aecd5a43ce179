"""Encrypt the personal data of existing orders and fill their search hashes, in batches."""

from django.db import migrations, transaction

BATCH = 500
FIELDS = ("customer_name", "customer_phone", "customer_email", "ship_name", "ship_phone", "ship_detail")


def encrypt_rows(apps, schema_editor):
    from oms.orders.personal_data import name_hash, phone_hash

    Order = apps.get_model("orders", "Order")
    last = 0
    while True:
        # The field reads a value stored before encryption as it is and encrypts it on the update.
        rows = list(Order.objects.filter(pk__gt=last).order_by("pk").values("pk", *FIELDS)[:BATCH])
        if not rows:
            return
        with transaction.atomic(using=schema_editor.connection.alias):
            for row in rows:
                Order.objects.filter(pk=row["pk"]).update(
                    **{f: row[f] for f in FIELDS},
                    customer_phone_hash=phone_hash(row["customer_phone"]),
                    ship_phone_hash=phone_hash(row["ship_phone"]),
                    ship_name_hash=name_hash(row["ship_name"]),
                )
        last = rows[-1]["pk"]


class Migration(migrations.Migration):
    atomic = False  # batch by batch: a large table is not held in one transaction

    dependencies = [("orders", "0008_personal_data_encryption")]

    operations = [migrations.RunPython(encrypt_rows, migrations.RunPython.noop, elidable=True)]
