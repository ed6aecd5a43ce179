from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "oms.channels"
    label = "channels"

    def ready(self):
        from django.db.models.signals import post_migrate

        from oms.channels.defaults import ensure_default_channels

        post_migrate.connect(ensure_default_channels, sender=self, dispatch_uid="oms.default_channels")
