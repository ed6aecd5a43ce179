from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "oms.notifications"
    label = "notifications"

    def ready(self):
        from oms.notifications import handlers  # noqa: F401  (subscribes to outbox topics)
