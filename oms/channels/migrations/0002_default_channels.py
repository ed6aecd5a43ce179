"""The sales channels every installation starts with."""

from django.db import migrations

CHANNELS = [
    ("web", "官网", "own"),
    ("app", "APP", "own"),
    ("miniapp", "小程序", "own"),
    ("taobao", "淘宝", "marketplace"),
    ("jd", "京东", "marketplace"),
    ("pdd", "拼多多", "marketplace"),
    ("offline", "线下", "offline"),
]


def create(apps, schema_editor):
    Channel = apps.get_model("channels", "Channel")
    for code, name, kind in CHANNELS:
        Channel.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
