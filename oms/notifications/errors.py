from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation, Conflict, NotFound


class MessageNotFound(NotFound):
    code = "message_not_found"
    default_message = _("No such message.")


class MessageTemplateNotFound(NotFound):
    code = "message_template_not_found"
    default_message = _("No such message template.")


class MessageStillPending(Conflict):
    code = "message_pending"
    default_message = _(
        "This message is still waiting to be sent; it can be resent once it has been sent or has failed."
    )


class InvalidMessageTemplate(BusinessRuleViolation):
    code = "invalid_template"
    default_message = _("The template cannot be used.")
