from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "oms.problems"
    label = "problems"
