from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation, Conflict, NotFound


class InvalidCarrierSettings(BusinessRuleViolation):
    """Some fields of a carrier, rate card or carrier rule are not valid; details name each one."""

    code = "invalid_carrier_settings"
    default_message = _("Some fields are not valid; see the messages next to them.")


class CarrierNotFound(NotFound):
    code = "carrier_not_found"
    default_message = _("There is no carrier with this code.")


class RateCardNotFound(NotFound):
    code = "rate_card_not_found"
    default_message = _("This carrier has no rate card for this warehouse.")


class CarrierRuleNotFound(NotFound):
    code = "carrier_rule_not_found"
    default_message = _("There is no carrier rule with this id.")


class CarrierExists(Conflict):
    code = "carrier_exists"
    default_message = _("A carrier with this code exists already.")


class NoCarrierLeft(BusinessRuleViolation):
    code = "no_carrier_left"
    default_message = _("No carrier can take this package: the rules, the destination or the insurance "
                        "dropped every one (see the details).")


class CarrierDoesNotServe(BusinessRuleViolation):
    code = "carrier_does_not_serve"
    default_message = _("This carrier has no active rate card from the package's warehouse to its destination "
                        "(or does not collect cash on delivery).")


class CarrierNotChangeable(Conflict):
    code = "carrier_not_changeable"
    default_message = _("The carrier of a package can only change before it is handed over.")
