"""Importing orders from CSV/XLSX files, and the template files to fill in."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import IMPORT_ORDERS
from oms.core.errors import ApplicationError
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.forms import ImportForm

TEMPLATE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TEMPLATE_LANGS = ("zh", "en")


# Imported when used, so the rest of the back office works while importing is being built.
def load_import_service():
    from oms.orders.importing.services import import_orders

    return import_orders


def load_template_builder():
    from oms.orders.importing.template import template_bytes

    return template_bytes


def default_template_lang() -> str:
    return "zh" if (get_language() or "").startswith("zh") else "en"


class OrderImportView(PermissionRequiredMixin, View):
    required_permission = IMPORT_ORDERS

    def show(self, form, *, report=None, error: str = "", status: int = 200):
        context = {"form": form, "report": report, "error": error, "default_lang": default_template_lang()}
        return render(self.request, "web/orders/import.html", context, status=status)

    def get(self, request):
        return self.show(ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            import_orders = load_import_service()
        except ImportError:
            return self.show(form, error=_("Importing is not available yet. Please try again later."), status=503)
        try:
            report = import_orders(fileobj=upload, filename=upload.name, actor=Actor.of(request.user))
        except ApplicationError as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            return self.show(form, error=exc.message, status=exc.http_status)
        return self.show(ImportForm(), report=report)


class ImportTemplateView(PermissionRequiredMixin, View):
    required_permission = IMPORT_ORDERS

    def get(self, request, fmt: str):
        if fmt not in TEMPLATE_TYPES:
            raise Http404("unknown template format")
        lang = request.GET.get("lang", "")
        if lang not in TEMPLATE_LANGS:
            lang = default_template_lang()
        try:
            template_bytes = load_template_builder()
        except ImportError:
            return HttpResponse(_("The import template is not available yet."), status=503,
                                content_type="text/plain; charset=utf-8")
        response = HttpResponse(template_bytes(fmt, lang), content_type=TEMPLATE_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="order-import-template-{lang}.{fmt}"'
        return response
