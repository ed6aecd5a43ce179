from django.apps import AppConfig


class TimelinessConfig(AppConfig):
    name = "oms.timeliness"
    label = "timeliness"
