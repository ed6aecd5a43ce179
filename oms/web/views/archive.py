"""The archive: search archived orders by number, phone or placed date, and export the results."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import VIEW_ARCHIVE
from oms.core.errors import ValidationFailed
from oms.orders.archive_api import CONTENT_TYPES
from oms.orders.archive_export import FORMATS, export_archive
from oms.orders.archive_selectors import ArchiveQuery, archived_orders, capped_count
from oms.web.access import PermissionRequiredMixin
from oms.web.forms import DateInput

PAGE_SIZE = 50


class ArchiveSearchForm(forms.Form):
    order_no = forms.CharField(label=_("Order number"), required=False, max_length=20)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    date_from = forms.DateField(label=_("Placed from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Placed to"), required=False, widget=DateInput())

    def query(self) -> ArchiveQuery | None:
        """The search, or None when nothing (valid) was asked; problems are added to the form."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        query = ArchiveQuery(order_no=data["order_no"].strip(), phone=data["phone"].strip(),
                             date_from=data["date_from"], date_to=data["date_to"])
        if query.empty:
            return None
        try:
            query.check()
        except ValidationFailed as exc:
            for name, problems in exc.details.items():
                self.add_error(name if name in self.fields else None, [str(p) for p in problems])
            return None
        return query


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else 1


class ArchiveSearchView(PermissionRequiredMixin, View):
    required_permission = VIEW_ARCHIVE

    def get(self, request):
        form = ArchiveSearchForm(request.GET or None)
        query = form.query() if request.GET else None
        context = {"form": form, "searched": query is not None, "orders": [], "formats": FORMATS}
        if query is not None:
            qs = archived_orders(query, Actor.of(request.user))
            count, more = capped_count(qs)
            page = _page_number(request.GET.get("page"))
            rows = list(qs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE + 1])
            params = request.GET.copy()
            params.pop("page", None)
            context.update(
                orders=rows[:PAGE_SIZE], count=count, more=more, page=page, has_next=len(rows) > PAGE_SIZE,
                query_string=params.urlencode(),
            )
        status = 400 if form.is_bound and form.errors else 200
        return render(request, "web/archive/search.html", context, status=status)


class ArchiveExportView(PermissionRequiredMixin, View):
    required_permission = VIEW_ARCHIVE

    def get(self, request, fmt: str):
        form = ArchiveSearchForm(request.GET)  # bound even when empty, so that problems can be added to it
        query = form.query()
        if query is None or fmt not in FORMATS:
            if query is not None:
                form.add_error(None, _("Export as csv or xlsx."))
            elif not form.errors:
                form.add_error(None, _("Give an order number, a phone number or a placed date range."))
            return render(request, "web/archive/search.html",
                          {"form": form, "searched": False, "orders": [], "formats": FORMATS}, status=400)
        try:
            content, filename, _n = export_archive(query=query, fmt=fmt, actor=Actor.of(request.user))
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
            return render(request, "web/archive/search.html",
                          {"form": form, "searched": False, "orders": [], "formats": FORMATS}, status=400)
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
