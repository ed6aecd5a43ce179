from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "oms.web"
    label = "web"
