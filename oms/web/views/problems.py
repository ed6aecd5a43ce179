"""Problem report pages (问题上报): the queue with tabs, one report with its actions, a new report,
the escalation and burst rules, and the root-cause review (§5.5) with its CSV."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.models import User
from oms.accounts.roles import HANDLE_PROBLEMS, MANAGE_PROBLEM_RULES, RAISE_PROBLEMS, VIEW_PROBLEM_REVIEW
from oms.core.errors import ApplicationError
from oms.orders.models import Order
from oms.problems import selectors, services
from oms.problems.api import review_period, rules_data
from oms.problems.bursts import reason_label
from oms.problems.errors import ProblemNotFound
from oms.problems.status import (
    TEAMS,
    BurstSource,
    Category,
    ProblemStatus,
    ProcessStep,
    RootCause,
    Severity,
)
from oms.web.access import PermissionRequiredMixin
from oms.web.labels import role_labels
from oms.web.views.action_forms import ActionFormsMixin

PAGE_SIZE = 100
TEXT = {"widget": forms.Textarea(attrs={"rows": 3})}


def team_choices() -> list[tuple[str, str]]:
    return [(t, role_labels((t,))) for t in TEAMS]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Open or acknowledged")), *ProblemStatus.choices])
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False,
                                 choices=[("", gettext_lazy("All categories")), *Category.choices])
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), required=False,
                                 choices=[("", gettext_lazy("All severities")), *Severity.choices])
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    q = forms.CharField(label=gettext_lazy("Report, order or text"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All teams")), *team_choices()]


TAB_LABELS = [("team", gettext_lazy("My team, open")), ("escalated", gettext_lazy("Escalated")),
              ("incidents", gettext_lazy("Incidents")), ("all", gettext_lazy("All"))]


class QueueView(PermissionRequiredMixin, View):
    required_permission = HANDLE_PROBLEMS

    def get(self, request):
        tab = request.GET.get("tab", "team")
        tab = tab if tab in selectors.TABS else "team"
        form = QueueFilterForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        filters = selectors.QueueFilters(tab=tab, **{k: data.get(k, "") for k in ("status", "category", "severity",
                                                                                  "team", "q")})
        page = Paginator(selectors.queue(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "web/problems/queue.html", {
            "form": form, "page": page, "tab": tab, "tabs": TAB_LABELS,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "counts": selectors.home_counts(request.user), "now": timezone.now(),
        })


class NewReportForm(forms.Form):
    order_no = forms.CharField(label=gettext_lazy("Order number"), required=False, max_length=32,
                               help_text=gettext_lazy("Empty for a fault of the system rather than of an order."))
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=Severity.choices, initial=Severity.MINOR)
    team = forms.ChoiceField(label=gettext_lazy("Owning team"), required=False,
                             help_text=gettext_lazy("Empty: the category's team."))
    description = forms.CharField(label=gettext_lazy("What happened"), max_length=services.DESCRIPTION_MAX, **TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("The category's team")), *team_choices()]


class NewReportView(PermissionRequiredMixin, View):
    required_permission = RAISE_PROBLEMS

    def get(self, request):
        order_no = request.GET.get("order", "")
        initial = {"order_no": order_no, "category": Category.OTHER if order_no else Category.SYSTEM_FAULT}
        return self.show(NewReportForm(initial=initial))

    def show(self, form, status: int = 200, error: ApplicationError | None = None):
        order_no = form["order_no"].value() or ""
        order = Order.objects.filter(order_no=order_no).first() if order_no else None
        return render(self.request, "web/problems/new.html", {"form": form, "order": order, "error": error},
                      status=status)

    def post(self, request):
        form = NewReportForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        d = form.cleaned_data
        try:
            report = services.raise_problem(actor=Actor.of(request.user), category=d["category"],
                                            severity=d["severity"], description=d["description"],
                                            order_no=d["order_no"].strip(), team=d["team"])
        except ApplicationError as exc:
            field = next((k for k in (exc.details or {}) if k in form.fields), None)
            if field:
                form.add_error(field, exc.message)
            return self.show(form, status=exc.http_status, error=None if field else exc)
        messages.success(request, _("Problem %(no)s reported.") % {"no": report.number})
        if request.user.has_perm(HANDLE_PROBLEMS):
            return redirect("web:problem_detail", report.number)
        if report.order_id:
            return redirect("web:order_detail", report.order.order_no)
        return redirect("web:home")


class CommentForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Comment"), max_length=services.TEXT_MAX, **TEXT)


class AcknowledgeForm(forms.Form):
    pass


class AssignForm(forms.Form):
    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=services.TEXT_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        handlers = [u for u in User.objects.filter(is_active=True).prefetch_related("groups").order_by("username")
                    if u.has_perm(HANDLE_PROBLEMS)]
        self.fields["owner"].choices = [("", _("Nobody")), *[(u.username, u.full_name or u.username)
                                                              for u in handlers]]


class TeamForm(forms.Form):
    team = forms.ChoiceField(label=gettext_lazy("Team"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=services.TEXT_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices()


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=gettext_lazy("What was done"), max_length=services.TEXT_MAX, **TEXT)
    root_cause = forms.ChoiceField(label=gettext_lazy("Root cause"), required=False,
                                   choices=[("", "—"), *RootCause.choices])
    step = forms.ChoiceField(label=gettext_lazy("Process step where it arose"), required=False,
                             choices=[("", "—"), *ProcessStep.choices])


class CloseForm(forms.Form):
    root_cause = forms.ChoiceField(label=gettext_lazy("Root cause"), required=False,
                                   choices=[("", "—"), *RootCause.choices])
    step = forms.ChoiceField(label=gettext_lazy("Process step where it arose"), required=False,
                             choices=[("", "—"), *ProcessStep.choices])
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=services.TEXT_MAX)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is not solved"), max_length=services.TEXT_MAX)


FORMS = {"acknowledge": AcknowledgeForm, "comment": CommentForm, "assign": AssignForm, "team": TeamForm,
         "resolve": ResolveForm, "close": CloseForm, "reopen": ReopenForm}


def _run(action: str, number: str, data: dict, actor: Actor) -> str:
    if action == "acknowledge":
        services.acknowledge(number=number, actor=actor)
        return _("Acknowledged: escalation stopped.")
    if action == "comment":
        services.add_comment(number=number, body=data["body"], actor=actor)
        return _("Comment added.")
    if action == "assign":
        services.assign_owner(number=number, owner_username=data["owner"], actor=actor, note=data["note"])
        return _("Owner changed.")
    if action == "team":
        services.change_team(number=number, team=data["team"], actor=actor, note=data["note"])
        return _("Team changed.")
    if action == "resolve":
        services.resolve(number=number, resolution=data["resolution"], root_cause=data["root_cause"],
                         step=data["step"], actor=actor)
        return _("Report resolved.")
    if action == "close":
        services.close(number=number, root_cause=data["root_cause"], step=data["step"], note=data["note"],
                       actor=actor)
        return _("Report closed.")
    services.reopen(number=number, reason=data["reason"], actor=actor)
    return _("Report reopened.")


class ReportView(PermissionRequiredMixin, ActionFormsMixin, View):
    required_permission = HANDLE_PROBLEMS
    action_forms = FORMS
    not_found = (ProblemNotFound,)

    def show(self, number: str, *, bound: dict | None = None, error: ApplicationError | None = None,
             status: int = 200):
        try:
            report = selectors.report(number)
        except ProblemNotFound:
            return render(self.request, "web/404.html", {}, status=404)
        initial = {"assign": {"owner": report.owner.username if report.owner_id else ""},
                   "team": {"team": report.team},
                   "close": {"root_cause": report.root_cause, "step": report.step},
                   "resolve": {"root_cause": report.root_cause, "step": report.step}}
        forms_ = {name: (bound or {}).get(name) or cls(prefix=name, initial=initial.get(name))
                  for name, cls in FORMS.items()}
        return render(self.request, "web/problems/detail.html", {
            "r": report, "forms": forms_, "error": error, "comments": list(report.comments.all()),
            "team_label": role_labels((report.team,)),
            "linked_orders": list(selectors.linked_orders(report, self.request.user)[:200]) if report.is_incident
            else [],
            "burst_reason_label": reason_label(report.burst_source, report.burst_reason) if report.is_incident
            else "",
            "can": {"acknowledge": report.status == ProblemStatus.OPEN,
                    "resolve": report.status == ProblemStatus.ACKNOWLEDGED,
                    "close": report.status == ProblemStatus.RESOLVED,
                    "reopen": report.status == ProblemStatus.RESOLVED,
                    "edit": report.status != ProblemStatus.CLOSED},
        }, status=status)

    def get(self, request, number: str):
        return self.show(number)

    def perform(self, action: str, key: str, data: dict, actor: Actor) -> str:
        return _run(action, key, data, actor)

    def done_url(self, key: str) -> str:
        return reverse("web:problem_detail", args=[key])


class EscalationRuleForm(forms.Form):
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=Severity.choices)
    supervisor_minutes = forms.IntegerField(label=gettext_lazy("To the supervisor after (minutes)"), min_value=1)
    operations_minutes = forms.IntegerField(label=gettext_lazy("To operations after (minutes)"), min_value=1)


class BurstRuleForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=BurstSource.choices)
    reason = forms.CharField(label=gettext_lazy("Reason code"), required=False, max_length=32,
                             help_text=gettext_lazy("Empty: every reason, each counted on its own."))
    threshold = forms.IntegerField(label=gettext_lazy("Threshold"), min_value=2)
    window_minutes = forms.IntegerField(label=gettext_lazy("Window (minutes)"), min_value=1)
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False, initial=True)


class RulesView(PermissionRequiredMixin, View):
    required_permission = MANAGE_PROBLEM_RULES

    def show(self, *, esc=None, burst=None, error=None, status=200):
        return render(self.request, "web/problems/rules.html", {
            "rules": rules_data(), "esc_form": esc or EscalationRuleForm(prefix="esc"),
            "burst_form": burst or BurstRuleForm(prefix="burst", initial={"enabled": True}), "error": error,
            "severity_labels": dict(Severity.choices), "source_labels": dict(BurstSource.choices),
        }, status=status)

    def get(self, request):
        return self.show()

    def post(self, request):
        kind = request.POST.get("kind", "")
        actor = Actor.of(request.user)
        if kind == "escalation":
            form = EscalationRuleForm(request.POST, prefix="esc")
            if not form.is_valid():
                return self.show(esc=form, status=400)
            call = lambda d: services.set_escalation_rule(actor=actor, **d)  # noqa: E731
            bound = {"esc": form}
        elif kind == "burst":
            form = BurstRuleForm(request.POST, prefix="burst")
            if not form.is_valid():
                return self.show(burst=form, status=400)
            call = lambda d: services.set_burst_rule(actor=actor, **d)  # noqa: E731
            bound = {"burst": form}
        else:
            return self.show(error=ApplicationError(_("Unknown action.")), status=400)
        try:
            call(form.cleaned_data)
        except ApplicationError as exc:
            field = next((k for k in (exc.details or {}) if k in form.fields), None)
            if field:
                form.add_error(field, exc.message)
            return self.show(**bound, error=None if field else exc, status=exc.http_status)
        messages.success(request, _("Rule saved."))
        return redirect("web:problem_rules")


class ReviewView(PermissionRequiredMixin, View):
    """Root-cause review: closed reports by cause × month, step × month, cause × step; ?format=csv downloads."""

    required_permission = VIEW_PROBLEM_REVIEW

    def get(self, request):
        try:
            first, last = review_period(request.GET)
        except ApplicationError as exc:
            first, last = review_period({})
            messages.error(request, exc.message)
        result = selectors.review(first=first, last=last)
        if request.GET.get("format") == "csv":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(selectors.review_csv_rows(result))
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (f'attachment; filename="problem-review-{first:%Y-%m}-'
                                               f'{last:%Y-%m}.csv"')
            return response
        cause_labels, step_labels = dict(RootCause.choices), dict(ProcessStep.choices)
        return render(request, "web/problems/review.html", {
            "first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}", "months": result.months, "total": result.total,
            "by_cause": [(cause_labels.get(c, c), [n[m] for m in result.months], sum(n.values()))
                         for c, n in result.by_cause.items()],
            "by_step": [(step_labels.get(s, s), [n[m] for m in result.months], sum(n.values()))
                        for s, n in result.by_step.items()],
            "steps": [step_labels[s] for s in ProcessStep.values],
            "cause_step": [(cause_labels.get(c, c), [n[s] for s in ProcessStep.values], sum(n.values()))
                           for c, n in result.cause_step.items()],
        })
