"""The allocation strategies a channel can choose (manual §2.3.1); used by pure code and models alike."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AllocationStrategy(models.TextChoices):
    FEWEST_THEN_CHEAPEST = "fewest_then_cheapest", _("Fewest packages, then cheapest")
    CHEAPEST = "cheapest", _("Lowest total freight")
    NEAREST = "nearest", _("Nearest warehouse")
    PRIORITY = "priority", _("Fixed warehouse priority")
