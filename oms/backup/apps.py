from django.apps import AppConfig


class BackupConfig(AppConfig):
    # An app only so the worker finds the nightly task in tasks.py; it has no models.
    name = "oms.backup"
    label = "backup"
