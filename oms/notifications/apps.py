from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "oms.notifications"
    label = "notifications"
