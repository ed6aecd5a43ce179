"""Stock pages: levels, the ledger per SKU, receipts and adjustments, the SKU catalogue with its
files, warehouses with their bins, and platform SKU mappings.

Forms convert types only; the rules are the services' (inventory.services, inventory.catalogue,
channels.mapping), whose errors are shown next to the fields they name.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import ADJUST_STOCK, MANAGE_CATALOGUE, RECEIVE_STOCK, REQUEST_CHANGES, VIEW_STOCK
from oms.channels.mapping import map_platform_sku
from oms.core.errors import ApplicationError, BusinessRuleViolation
from oms.inventory import catalogue, selectors, services, sku_files
from oms.inventory.models import MovementKind
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.forms import channel_choices

PAGE_SIZE = 50
BIN_PAGE_SIZE = 100


# --- helpers -------------------------------------------------------------------------------------

def paged(request, items, size: int | None = None) -> dict:
    paginator = Paginator(items, size or PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {"page": page, "page_numbers": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)}


def not_found(request, message: str):
    return render(request, "web/stock/not_found.html", {"message": message}, status=404)


def show_service_error(request, form: forms.Form, exc: ApplicationError):
    """Put a service's error on the fields its details name, or above the form; None unless forbidden.

    Details are {field: [messages]} (catalogue) or {field: value} (stock services, mapping): the
    first shows its messages, the second the error's own message. Rule violations (422) concern
    the whole form.
    """
    if exc.code == "permission_denied":
        return forbidden(request)
    placed = False
    if not isinstance(exc, BusinessRuleViolation):
        for key, value in exc.details.items():
            own_texts = isinstance(value, list) and all(isinstance(v, str) for v in value)
            field = form.fields.get(key) if key else None
            if field is None or field.disabled:
                if not own_texts:
                    continue
                key = None
            for text in value if own_texts else [exc.message]:
                form.add_error(key, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
    return None


def default_file_lang() -> str:
    return "zh" if (get_language() or "").startswith("zh") else "en"


def marked_required(field: forms.Field) -> forms.Field:
    """Show the field as required (web/_field.html) while the service decides."""
    field.marked_required = True
    return field


def count_field(label, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, widget=forms.NumberInput(attrs={"min": 0}), **kwargs)


# --- stock levels --------------------------------------------------------------------------------

class StockFilterForm(forms.Form):
    warehouse = forms.ChoiceField(label=gettext_lazy("Warehouse"), required=False)
    q = forms.CharField(label=gettext_lazy("SKU code, name or barcode"), required=False, max_length=100)
    low = forms.BooleanField(label=gettext_lazy("Only low stock"), required=False)
    active = forms.BooleanField(label=gettext_lazy("Only active SKUs"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [("", _("All warehouses")), *selectors.warehouse_choices()]

    def filters(self) -> selectors.StockFilters:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return selectors.StockFilters(
            warehouse=data.get("warehouse") or "", search=(data.get("q") or "").strip(),
            low_only=bool(data.get("low")), active_only=bool(data.get("active")),
        )


class StockLevelsView(PermissionRequiredMixin, View):
    required_permission = VIEW_STOCK

    def get(self, request):
        form = StockFilterForm(request.GET)
        levels = selectors.stock_levels(form.filters(), Actor.of(request.user))
        context = {"form": form, "totals": selectors.stock_totals(levels), **paged(request, levels)}
        partial = request.htmx and not request.htmx.history_restore_request
        response = render(request, "web/stock/_levels.html" if partial else "web/stock/levels.html", context)
        patch_vary_headers(response, ("HX-Request",))
        return response


class MovementFilterForm(forms.Form):
    warehouse = forms.ChoiceField(label=gettext_lazy("Warehouse"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [("", _("All warehouses")), *selectors.warehouse_choices()]
        self.fields["kind"].choices = [("", _("All kinds")), *MovementKind.choices]

    def filters(self) -> selectors.MovementFilters:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return selectors.MovementFilters(warehouse=data.get("warehouse") or "", kind=data.get("kind") or "")


class MovementsView(PermissionRequiredMixin, View):
    required_permission = VIEW_STOCK

    def get(self, request, sku_code: str):
        sku = selectors.sku_by_code(sku_code)
        if sku is None:
            return not_found(request, _("No SKU has the code %(code)s.") % {"code": sku_code})
        form = MovementFilterForm(request.GET)
        context = {
            "sku": sku, "form": form, "levels": selectors.sku_stock(sku, Actor.of(request.user)),
            **paged(request, selectors.sku_movements(sku, form.filters(), Actor.of(request.user))),
        }
        return render(request, "web/stock/movements.html", context)


# --- receipts and adjustments ------------------------------------------------------------------------

class StockChangeForm(forms.Form):
    sku = forms.CharField(label=gettext_lazy("SKU code"), max_length=64)
    warehouse = forms.ChoiceField(label=gettext_lazy("Warehouse"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [("", "—"), *selectors.warehouse_choices(active_only=True)]


class ReceiptForm(StockChangeForm):
    quantity = forms.IntegerField(label=gettext_lazy("Quantity received"), widget=forms.NumberInput(attrs={"min": 1}))
    reference = forms.CharField(label=gettext_lazy("Reference (delivery note, purchase order)"), required=False,
                                max_length=64)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)


class AdjustmentForm(StockChangeForm):
    delta = forms.IntegerField(
        label=gettext_lazy("Change of on-hand units"),
        help_text=gettext_lazy("Positive to add units, negative to remove them (for example -2)."),
    )
    # Required by the service (adjust_stock); marked here so the form says so before it is sent.
    reason = marked_required(forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=200,
        help_text=gettext_lazy("Required: why the count changes (stock take, damage, loss …). "
                               "It is kept in the stock ledger."),
        widget=forms.TextInput(attrs={"required": True}),
    ))


class StockChangeView(PermissionRequiredMixin, View):
    form_class: type[StockChangeForm] = ReceiptForm
    template_name = "web/stock/change.html"
    title = ""
    intro = ""

    def show(self, form, *, status: int = 200):
        data = form.data if form.is_bound else form.initial
        sku, warehouse = (data.get("sku") or "").strip(), data.get("warehouse") or ""
        level = selectors.stock_level(sku, warehouse) if sku and warehouse else None
        if level is not None:
            known = "level"
        elif sku and selectors.sku_by_code(sku) is None:
            known = "unknown_sku"
        else:
            known = "no_level" if sku and warehouse else "incomplete"
        context = {"form": form, "title": self.title, "intro": self.intro, "level": level, "known": known,
                   "submit_label": self.submit_label, **self.extra_context(form)}
        return render(self.request, self.template_name, context, status=status)

    def extra_context(self, form) -> dict:
        return {}

    def get(self, request):
        initial = {k: request.GET[k] for k in ("sku", "warehouse") if request.GET.get(k)}
        return self.show(self.form_class(initial=initial))

    def post(self, request):
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        try:
            level = self.change(form.cleaned_data, Actor.of(request.user))
        except ApplicationError as exc:
            return show_service_error(request, form, exc) or self.show(form, status=exc.http_status)
        messages.success(request, _("%(sku)s in %(warehouse)s: on hand %(on_hand)s, reserved %(reserved)s, "
                                    "available %(available)s.") % {
            "sku": level.sku.code, "warehouse": level.warehouse.name, "on_hand": level.on_hand,
            "reserved": level.reserved, "available": level.available})
        if not request.user.has_perm(VIEW_STOCK):
            return redirect(request.path)
        url = reverse("web:stock_movements", args=[level.sku.code])
        return redirect(f"{url}?{urlencode({'warehouse': level.warehouse.code})}")


class ReceiveStockView(StockChangeView):
    required_permission = RECEIVE_STOCK
    form_class = ReceiptForm
    title = gettext_lazy("Receive stock")
    intro = gettext_lazy("Units that arrived in a warehouse are added to its on-hand count and written to the "
                         "stock ledger.")
    submit_label = gettext_lazy("Receive")

    def change(self, data, actor):
        return services.receive_stock(sku_code=data["sku"].strip(), warehouse_code=data["warehouse"],
                                      quantity=data["quantity"], actor=actor, reference=data["reference"],
                                      note=data["note"])


class AdjustStockView(StockChangeView):
    required_permission = ADJUST_STOCK
    form_class = AdjustmentForm
    title = gettext_lazy("Adjust stock")
    intro = gettext_lazy("Correct the on-hand count after a stock take, damage or loss. Every adjustment needs a "
                         "reason; units reserved for orders cannot be adjusted away.")
    submit_label = gettext_lazy("Adjust")

    def change(self, data, actor):
        return services.adjust_stock(sku_code=data["sku"].strip(), warehouse_code=data["warehouse"],
                                     delta=data["delta"], reason=data["reason"], actor=actor)

    def extra_context(self, form) -> dict:
        """The threshold, and above it a link to ask for the same adjustment as a change request."""
        threshold = settings.OMS_STOCK_ADJUSTMENT_APPROVAL_ABOVE
        context = {"approval_threshold": threshold}
        data = form.data if form.is_bound else form.initial
        try:
            delta = int(data.get("delta") or 0)
        except (TypeError, ValueError):
            delta = 0
        if abs(delta) > threshold and self.request.user.has_perm(REQUEST_CHANGES):
            query = {k: str(data.get(k) or "").strip() for k in ("sku", "warehouse", "reason")}
            context["approval_url"] = f"{reverse('web:approval_new')}?" + urlencode(
                {"kind": "stock_adjustment", "delta": delta, **query})
        return context


# --- SKUs ----------------------------------------------------------------------------------------------

class SkuFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("SKU code, name or barcode"), required=False, max_length=100)
    active = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[
        ("", gettext_lazy("All")), ("yes", gettext_lazy("Active")), ("no", gettext_lazy("Inactive"))])


class SkuListView(PermissionRequiredMixin, View):
    required_permission = VIEW_STOCK

    def get(self, request):
        form = SkuFilterForm(request.GET)
        form.is_valid()
        data = form.cleaned_data if not form.errors else {}
        active = {"yes": True, "no": False}.get(data.get("active") or "")
        items = selectors.skus(search=(data.get("q") or "").strip(), active=active, actor=Actor.of(request.user))
        context = {"form": form, "default_lang": default_file_lang(), **paged(request, items)}
        return render(request, "web/stock/skus.html", context)


class SkuForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("SKU code"), max_length=64)
    name = forms.CharField(label=gettext_lazy("Item name"), max_length=200)
    spec = forms.CharField(label=gettext_lazy("Specification"), required=False, max_length=200)
    barcode = forms.CharField(label=gettext_lazy("Barcode"), required=False, max_length=64)
    weight_g = count_field(gettext_lazy("Unit weight (g)"))
    length_mm = count_field(gettext_lazy("Length (mm)"))
    width_mm = count_field(gettext_lazy("Width (mm)"))
    height_mm = count_field(gettext_lazy("Height (mm)"))
    low_stock_threshold = count_field(
        gettext_lazy("Low-stock threshold"),
        help_text=gettext_lazy("Stock levels at or below this available quantity are marked as low."))
    fragile = forms.BooleanField(label=gettext_lazy("Fragile"), required=False)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code cannot change: orders and the stock ledger refer to it.")

    def values(self) -> catalogue.SkuFields:
        d = self.cleaned_data
        return catalogue.SkuFields(
            name=d["name"], spec=d["spec"], barcode=d["barcode"], weight_g=d["weight_g"] or 0,
            length_mm=d["length_mm"] or 0, width_mm=d["width_mm"] or 0, height_mm=d["height_mm"] or 0,
            fragile=d["fragile"], low_stock_threshold=d["low_stock_threshold"] or 0, active=d["active"],
        )


class SkuFormView(PermissionRequiredMixin, View):
    required_permission = MANAGE_CATALOGUE
    sku = None

    def show(self, form, *, status: int = 200):
        context = {"form": form, "sku": self.sku,
                   "levels": selectors.sku_stock(self.sku, Actor.of(self.request.user)) if self.sku else [],
                   "mappings": list(self.sku.channel_mappings.select_related("channel")) if self.sku else []}
        return render(self.request, "web/stock/sku_form.html", context, status=status)

    def submit(self, request, save):
        form = SkuForm(request.POST, editing=self.sku is not None,
                       initial={"code": self.sku.code} if self.sku else None)
        if not form.is_valid():
            return self.show(form, status=400)
        try:
            sku = save(form)
        except ApplicationError as exc:
            return show_service_error(request, form, exc) or self.show(form, status=exc.http_status)
        messages.success(request, _("SKU %(code)s saved.") % {"code": sku.code})
        return redirect(f"{reverse('web:sku_list')}?{urlencode({'q': sku.code})}")


class SkuCreateView(SkuFormView):
    def get(self, request):
        return self.show(SkuForm())

    def post(self, request):
        actor = Actor.of(request.user)
        return self.submit(request, lambda form: catalogue.create_sku(
            code=form.cleaned_data["code"], values=form.values(), actor=actor))


class SkuEditView(SkuFormView):
    def load(self, code: str):
        self.sku = selectors.sku_by_code(code)
        if self.sku is None:
            return not_found(self.request, _("No SKU has the code %(code)s.") % {"code": code})
        return None

    def get(self, request, code: str):
        if missing := self.load(code):
            return missing
        initial = {"code": self.sku.code, **{name: getattr(self.sku, name) for name in catalogue.SKU_FIELDS}}
        return self.show(SkuForm(initial=initial, editing=True))

    def post(self, request, code: str):
        if missing := self.load(code):
            return missing
        actor = Actor.of(request.user)
        return self.submit(request, lambda form: catalogue.update_sku(code=code, values=form.values(), actor=actor))


class SkuFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("SKU file (CSV or XLSX)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))


class SkuImportView(PermissionRequiredMixin, View):
    required_permission = MANAGE_CATALOGUE

    def show(self, form, *, report=None, error: str = "", status: int = 200):
        context = {"form": form, "report": report, "error": error, "default_lang": default_file_lang(),
                   "columns": sku_files.COLUMNS}
        return render(self.request, "web/stock/sku_import.html", context, status=status)

    def get(self, request):
        return self.show(SkuFileForm())

    def post(self, request):
        form = SkuFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            report = sku_files.import_skus(fileobj=upload, filename=upload.name, actor=Actor.of(request.user))
        except ApplicationError as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            return self.show(form, error=exc.message, status=exc.http_status)
        # The result table sits below the upload form: the summary goes where the eye starts.
        summary = _("%(file)s: %(rows)d rows, %(created)d SKUs created, %(updated)d updated, %(unchanged)d unchanged, "
                    "%(rejected)d rows refused.") % {
            "file": upload.name, "rows": report.rows_in_file, "created": len(report.created),
            "updated": len(report.updated), "unchanged": len(report.unchanged), "rejected": report.rejected}
        (messages.warning if report.rejected else messages.success)(request, summary)
        return self.show(SkuFileForm(), report=report)


class SkuExportView(PermissionRequiredMixin, View):
    """`?lang=zh|en`, `?template=1` for the header row only, `?active=1` for active SKUs only."""

    required_permission = VIEW_STOCK

    def get(self, request, fmt: str):
        if fmt not in sku_files.FORMATS:
            raise Http404("unknown format")
        lang = request.GET.get("lang", "")
        if lang not in sku_files.LANGUAGES:
            lang = default_file_lang()
        template = request.GET.get("template") == "1"
        active_only = request.GET.get("active") == "1"
        content = sku_files.export_skus(fmt=fmt, lang=lang, template=template, active_only=active_only)
        response = HttpResponse(content, content_type=sku_files.CONTENT_TYPES[fmt])
        filename = sku_files.export_filename(fmt, template=template)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- warehouses and bins ------------------------------------------------------------------------------------

PROVINCE_SEPARATORS = re.compile(r"[\s,，、;；]+")


class WarehouseForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32,
                           help_text=gettext_lazy("Letters, digits, hyphens and underscores, e.g. hz-1."))
    name = forms.CharField(label=gettext_lazy("Warehouse name"), max_length=100)
    province = forms.CharField(label=gettext_lazy("Province"), max_length=32)
    city = forms.CharField(label=gettext_lazy("City"), max_length=32)
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=255)
    priority = forms.IntegerField(label=gettext_lazy("Priority"), initial=100,
                                  help_text=gettext_lazy("Lower numbers ship first when several warehouses can."))
    service_provinces = forms.CharField(
        label=gettext_lazy("Provinces served"), required=False, max_length=1000,
        help_text=gettext_lazy("Separated by commas or spaces, short names welcome (广东, 广西); "
                               "empty means the whole country."),
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    # The picking layout; left empty, a field keeps its current value (a new warehouse: the default).
    aisle_width_m = forms.FloatField(label=gettext_lazy("Aisle spacing (m)"), required=False, initial=3.0)
    bay_width_m = forms.FloatField(label=gettext_lazy("Bay width (m)"), required=False, initial=1.2)
    bays_per_block = forms.IntegerField(label=gettext_lazy("Bays per block"), required=False, initial=20)
    blocks = forms.IntegerField(label=gettext_lazy("Blocks"), required=False, initial=1, help_text=gettext_lazy(
        "Cross aisles run between blocks, at the front and at the back."))
    cross_aisle_width_m = forms.FloatField(label=gettext_lazy("Cross aisle width (m)"), required=False, initial=2.0)
    LAYOUT = ("aisle_width_m", "bay_width_m", "bays_per_block", "blocks", "cross_aisle_width_m")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True

    def values(self) -> catalogue.WarehouseFields:
        d = self.cleaned_data
        provinces = tuple(p for p in PROVINCE_SEPARATORS.split(d["service_provinces"]) if p)
        return catalogue.WarehouseFields(
            name=d["name"], province=d["province"], city=d["city"], address=d["address"], priority=d["priority"],
            service_provinces=provinces, active=d["active"],
            **{name: d[name] if d.get(name) is not None else self.initial.get(name, self.fields[name].initial)
               for name in self.LAYOUT},
        )


class BinForm(forms.Form):
    prefix = forms.CharField(label=gettext_lazy("Code prefix"), required=False, max_length=10,
                             help_text=gettext_lazy("Codes are prefix + aisle-bay-level, e.g. A-01-02-03."))
    aisle_from = forms.IntegerField(label=gettext_lazy("Aisle from"), initial=1)
    aisle_to = forms.IntegerField(label=gettext_lazy("to"), required=False)
    bay_from = forms.IntegerField(label=gettext_lazy("Bay from"), initial=1)
    bay_to = forms.IntegerField(label=gettext_lazy("to"), required=False)
    level_from = forms.IntegerField(label=gettext_lazy("Level from"), initial=1)
    level_to = forms.IntegerField(label=gettext_lazy("to"), required=False)
    code = forms.CharField(label=gettext_lazy("Own code (one bin only)"), required=False, max_length=32)

    def specs(self) -> list[catalogue.BinSpec]:
        d = self.cleaned_data

        def span(name):
            to = d[f"{name}_to"]
            return d[f"{name}_from"], d[f"{name}_from"] if to is None else to

        return catalogue.bin_range(prefix=d["prefix"], aisles=span("aisle"), bays=span("bay"), levels=span("level"),
                                   code=d["code"])


BIN_ERROR_FIELDS = {"aisle": "aisle_from", "bay": "bay_from", "level": "level_from", "bins": None}


class WarehouseListView(PermissionRequiredMixin, View):
    required_permission = MANAGE_CATALOGUE

    def get(self, request):
        return render(request, "web/stock/warehouses.html", {"warehouses": selectors.warehouses()})


class WarehouseFormView(PermissionRequiredMixin, View):
    required_permission = MANAGE_CATALOGUE
    warehouse = None

    def load(self, code: str):
        self.warehouse = selectors.warehouse_by_code(code)
        if self.warehouse is None:
            return not_found(self.request, _("No warehouse has the code %(code)s.") % {"code": code})
        return None

    def show(self, form, *, bin_form=None, status: int = 200):
        context = {"form": form, "warehouse": self.warehouse, "bin_form": bin_form or BinForm()}
        if self.warehouse is not None:
            context.update(paged(self.request, selectors.warehouse_bins(self.warehouse), BIN_PAGE_SIZE))
        return render(self.request, "web/stock/warehouse_form.html", context, status=status)

    def edit_form(self, data=None):
        w = self.warehouse
        initial = {"code": w.code, "name": w.name, "province": w.province, "city": w.city, "address": w.address,
                   "priority": w.priority, "service_provinces": ", ".join(w.service_provinces or []),
                   "active": w.active, "aisle_width_m": w.aisle_width_m, "bay_width_m": w.bay_width_m,
                   "bays_per_block": w.bays_per_block, "blocks": w.blocks,
                   "cross_aisle_width_m": w.cross_aisle_width_m}
        return WarehouseForm(data, initial=initial, editing=True)

    def submit(self, request, form, save):
        if not form.is_valid():
            return self.show(form, status=400)
        try:
            warehouse = save(form)
        except ApplicationError as exc:
            return show_service_error(request, form, exc) or self.show(form, status=exc.http_status)
        messages.success(request, _("Warehouse %(code)s saved.") % {"code": warehouse.code})
        return redirect("web:warehouse_edit", code=warehouse.code)


class WarehouseCreateView(WarehouseFormView):
    def get(self, request):
        return self.show(WarehouseForm())

    def post(self, request):
        actor = Actor.of(request.user)
        return self.submit(request, WarehouseForm(request.POST), lambda form: catalogue.create_warehouse(
            code=form.cleaned_data["code"], values=form.values(), actor=actor))


class WarehouseEditView(WarehouseFormView):
    def get(self, request, code: str):
        return self.load(code) or self.show(self.edit_form())

    def post(self, request, code: str):
        if missing := self.load(code):
            return missing
        actor = Actor.of(request.user)
        return self.submit(request, self.edit_form(request.POST), lambda form: catalogue.update_warehouse(
            code=code, values=form.values(), actor=actor))


class BinCreateView(WarehouseFormView):
    def post(self, request, code: str):
        if missing := self.load(code):
            return missing
        form = BinForm(request.POST)
        if not form.is_valid():
            return self.show(self.edit_form(), bin_form=form, status=400)
        try:
            created = catalogue.create_bins(warehouse_code=code, bins=form.specs(), actor=Actor.of(request.user))
        except ApplicationError as exc:
            # The own-code field shows code problems only when a code was given; range codes are above the form.
            fields = {**BIN_ERROR_FIELDS, "code": "code" if form.cleaned_data["code"].strip() else None}
            exc.details = {fields.get(k, k): v for k, v in exc.details.items()}
            return show_service_error(request, form, exc) or self.show(
                self.edit_form(), bin_form=form, status=exc.http_status)
        messages.success(request, _("%(n)d bins added.") % {"n": len(created)})
        return redirect("web:warehouse_edit", code=code)


# --- platform SKU mappings ------------------------------------------------------------------------------------

class MappingForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Channel"))
    platform_sku = forms.CharField(label=gettext_lazy("Platform SKU code"), max_length=64)
    sku = forms.CharField(label=gettext_lazy("Our SKU code"), max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", "—"), *channel_choices()]


class MappingFilterForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    q = forms.CharField(label=gettext_lazy("Platform or SKU code, name"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("All channels")), *channel_choices()]


class MappingListView(PermissionRequiredMixin, View):
    """The mappings, and a form that adds one or points an existing platform code at another SKU."""

    required_permission = MANAGE_CATALOGUE

    def show(self, form, *, status: int = 200):
        filters = MappingFilterForm(self.request.GET)
        filters.is_valid()
        data = filters.cleaned_data if not filters.errors else {}
        items = selectors.sku_mappings(channel=data.get("channel") or "", search=(data.get("q") or "").strip())
        context = {"form": form, "filters": filters, **paged(self.request, items)}
        return render(self.request, "web/stock/mappings.html", context, status=status)

    def get(self, request):
        initial = {k: request.GET[k] for k in ("channel", "platform_sku", "sku") if request.GET.get(k)}
        return self.show(MappingForm(initial=initial))

    def post(self, request):
        form = MappingForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        d = form.cleaned_data
        try:
            mapping = map_platform_sku(channel_code=d["channel"], platform_sku=d["platform_sku"],
                                       sku_code=d["sku"].strip(), actor=Actor.of(request.user))
        except ApplicationError as exc:
            return show_service_error(request, form, exc) or self.show(form, status=exc.http_status)
        messages.success(request, _("%(channel)s %(platform_sku)s now means SKU %(sku)s.") % {
            "channel": mapping.channel.name, "platform_sku": mapping.platform_sku, "sku": mapping.sku.code})
        return redirect("web:sku_mappings")
