"""Errors of the stock area; codes are part of the API."""

from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation, NotFound, ValidationFailed


class UnknownSku(NotFound):
    code = "unknown_sku"
    default_message = _("No SKU has this code.")


class UnknownWarehouse(NotFound):
    code = "unknown_warehouse"
    default_message = _("No warehouse has this code.")


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = _("A stock adjustment needs a reason.")


class InvalidQuantity(ValidationFailed):
    code = "invalid_quantity"
    default_message = _("The quantity must be a whole number above zero.")


class StockWouldGoNegative(BusinessRuleViolation):
    code = "stock_would_go_negative"
    default_message = _("This change would leave less stock on hand than is reserved for orders.")


class OutOfStock(BusinessRuleViolation):
    code = "out_of_stock"
    default_message = _("Not enough available stock.")


class WarehouseInactive(BusinessRuleViolation):
    code = "warehouse_inactive"
    default_message = _("This warehouse is switched off; switch it on before moving stock in or out.")
