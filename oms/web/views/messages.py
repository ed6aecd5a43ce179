"""Messages to buyers: the list with delivery status and resend, template editing, language per channel."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import CHANGE_MESSAGE_TEMPLATES, RESEND_MESSAGES, VIEW_MESSAGES
from oms.core.errors import ApplicationError, NotFound, PermissionDenied
from oms.notifications import selectors, services
from oms.notifications.errors import MessageTemplateNotFound
from oms.notifications.forms import ChannelLanguageForm, MessageFilterForm, TemplateForm
from oms.notifications.models import MessageLanguage, MessageStatus
from oms.notifications.rendering import TemplateProblem, allowed_variables, check_template
from oms.web.access import PermissionRequiredMixin, forbidden

PAGE_SIZE = 50
# Badge colours of the existing stylesheet, by message status.
STATUS_BADGES = {
    MessageStatus.QUEUED: "check-awaiting",
    MessageStatus.SENDING: "status-pending_shipment",
    MessageStatus.SENT: "check-confirmed",
    MessageStatus.FAILED: "check-returned",
    MessageStatus.LOGGED: "status-draft",
}


class MessageListView(PermissionRequiredMixin, View):
    required_permission = VIEW_MESSAGES

    def get(self, request):
        form = MessageFilterForm(request.GET)
        paginator = Paginator(selectors.message_list(form.filters(), Actor.of(request.user)), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        for message in page:
            message.badge = STATUS_BADGES.get(message.status, "")
        context = {
            "form": form, "page": page,
            "page_numbers": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "can_resend": request.user.has_perm(RESEND_MESSAGES),
            "here": request.get_full_path(),
        }
        return render(request, "notifications/messages.html", context)


def not_found(request, what: str, back_url: str):
    return render(request, "notifications/404.html", {"what": what, "back_url": back_url}, status=404)


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


class ResendMessageView(PermissionRequiredMixin, View):
    required_permission = RESEND_MESSAGES

    def post(self, request, message_id: int):
        try:
            message = services.resend_message(message_id=message_id, actor=Actor.of(request.user))
        except NotFound:
            return not_found(request, _("No such message."), reverse("web:message_list"))
        except PermissionDenied:
            return forbidden(request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return _back(request, reverse("web:message_list"))
        messages.success(
            request, _("Message queued again to %(to)s (%(medium)s).")
            % {"to": message.recipient, "medium": message.get_medium_display()},
        )
        return _back(request, reverse("web:message_list"))


class TemplateListView(PermissionRequiredMixin, View):
    required_permission = CHANGE_MESSAGE_TEMPLATES

    def get(self, request):
        return render(request, "notifications/templates.html", {
            "templates": list(selectors.template_list()),
            "channels": selectors.channel_languages(),
            "language_choices": MessageLanguage.choices,
        })


class ChannelLanguageView(PermissionRequiredMixin, View):
    required_permission = CHANGE_MESSAGE_TEMPLATES

    def post(self, request):
        form = ChannelLanguageForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a channel and a language."))
            return redirect("web:message_templates")
        try:
            services.set_channel_language(
                channel_code=form.cleaned_data["channel"], language=form.cleaned_data["language"],
                actor=Actor.of(request.user),
            )
        except PermissionDenied:
            return forbidden(request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:message_templates")
        messages.success(request, _("Message language saved."))
        return redirect("web:message_templates")


class TemplateEditView(PermissionRequiredMixin, View):
    required_permission = CHANGE_MESSAGE_TEMPLATES

    def show(self, template, form, *, preview=None, problem: str = "", status: int = 200):
        variables = allowed_variables(template.event)
        return render(self.request, "notifications/template_edit.html", {
            "template": template, "form": form, "preview": preview, "problem": problem,
            "variables": sorted(variables.items()), "variable_example": "{{ order_no }}",
        }, status=status)

    def load(self, template_id: int):
        try:
            return selectors.template_detail(template_id)
        except MessageTemplateNotFound:
            return None

    def get(self, request, template_id: int):
        template = self.load(template_id)
        if template is None:
            return not_found(request, _("No such message template."), reverse("web:message_templates"))
        form = TemplateForm(initial={
            "subject": template.subject, "body": template.body,
            "provider_template_code": template.provider_template_code, "active": template.active,
        })
        try:
            preview = check_template(event=template.event, subject=template.subject, body=template.body)
            problem = ""
        except TemplateProblem as exc:  # a stored template that a later rule refuses: say so
            preview, problem = None, str(exc)
        return self.show(template, form, preview=preview, problem=problem)

    def post(self, request, template_id: int):
        template = self.load(template_id)
        if template is None:
            return not_found(request, _("No such message template."), reverse("web:message_templates"))
        form = TemplateForm(request.POST)
        if not form.is_valid():
            return self.show(template, form, status=400)
        data = form.cleaned_data
        try:
            services.validate_template_text(
                event=template.event, medium=template.medium, subject=data["subject"].strip(),
                body=data["body"].replace("\r\n", "\n").strip("\n"),
                provider_template_code=data["provider_template_code"],
            )
            preview = check_template(event=template.event, subject=data["subject"].strip(), body=data["body"])
            if "preview" in request.POST:
                return self.show(template, form, preview=preview)
            services.update_template(
                template_id=template.pk, actor=Actor.of(request.user), subject=data["subject"], body=data["body"],
                active=data["active"], provider_template_code=data["provider_template_code"],
            )
        except PermissionDenied:
            return forbidden(request)
        except ApplicationError as exc:
            for field, errors in exc.details.items():
                for error in errors if isinstance(errors, list) else [errors]:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.details:
                form.add_error(None, exc.message)
            return self.show(template, form, status=exc.http_status)
        messages.success(request, _("Template saved."))
        return redirect("web:message_template_edit", template_id=template.pk)
