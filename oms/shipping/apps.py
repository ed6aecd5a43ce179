from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "oms.shipping"
    label = "shipping"
    verbose_name = _("Shipping")

    def ready(self) -> None:
        from oms.shipping import (
            exception_triggers,  # noqa: F401  (tickets after tracking news; the sweep)
            tasks,  # noqa: F401  (tracking subscriptions after hand-over; polling)
        )
