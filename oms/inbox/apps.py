from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "oms.inbox"
    label = "inbox"
