"""Raising and working on problem reports: every step audited, the rules of closing, permissions."""

import pytest

from oms.accounts.actor import Actor
from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied
from oms.inbox.models import Notice
from oms.orders.errors import OrderNotFound
from oms.problems import services
from oms.problems.errors import InvalidProblemInput, RootCauseRequired
from oms.problems.models import ProblemReport
from oms.problems.status import InvalidProblemTransition
from tests.problems.problem_setup import order

pytestmark = pytest.mark.django_db


def _raise(actor, **kw):
    args = {"category": "stock_discrepancy", "severity": "major", "description": "货架上少了3件", **kw}
    return services.raise_problem(actor=actor, **args)


def test_a_report_on_an_order_is_numbered_owned_by_the_categorys_team_and_on_the_orders_timeline(actor):
    o = order()
    report = _raise(actor("customer_service"), order_no=o.order_no)
    assert report.number.startswith("PR") and report.status == "open" and report.team == "warehouse"
    assert report.raised_by.username == "customer_service" and report.open_since == report.raised_at
    event = o.events.get(action="problem_raised")
    assert event.data["problem"] == report.number and event.actor_username == "customer_service"


def test_a_system_fault_has_no_order_and_is_audited_as_a_system_event(actor):
    report = _raise(actor("warehouse"), category="system_fault", description="打印机接口超时")
    assert report.order is None and report.team == "admin"
    assert AuditEvent.objects.filter(order=None, action="problem_raised", data__problem=report.number).count() == 1


def test_the_owning_team_can_be_chosen_when_raising(actor):
    assert _raise(actor("customer_service"), team="operations").team == "operations"
    with pytest.raises(InvalidProblemInput):
        _raise(actor("customer_service"), team="integration")


def test_bad_input_and_unknown_orders_are_refused(actor):
    with pytest.raises(InvalidProblemInput) as caught:
        _raise(actor("customer_service"), severity="huge")
    assert "severity" in caught.value.details
    with pytest.raises(InvalidProblemInput):
        _raise(actor("customer_service"), description="  ")
    with pytest.raises(OrderNotFound):
        _raise(actor("customer_service"), order_no="NOPE")
    assert ProblemReport.objects.count() == 0


def test_integration_clients_cannot_raise_reports(actor):
    with pytest.raises(PermissionDenied):
        _raise(actor("integration"))


def test_a_critical_report_notifies_the_owning_team_at_once_and_others_do_not(actor):
    critical = _raise(actor("customer_service"), severity="critical")
    _raise(actor("customer_service"), severity="major")
    notices = list(Notice.objects.all())
    assert [(n.team, n.kind, n.dedupe_key) for n in notices] == [
        ("warehouse", "problem_critical", f"problem:{critical.pk}:critical")]


def test_acknowledge_comment_resolve_close_each_leave_one_audit_event(actor):
    o = order()
    report = _raise(actor("customer_service"), order_no=o.order_no)
    wh = actor("warehouse")
    report = services.acknowledge(number=report.number, actor=wh)
    assert report.status == "acknowledged" and report.acknowledged_by.username == "warehouse"
    assert report.owner.username == "warehouse"  # nobody owned it: the acknowledger does now
    services.add_comment(number=report.number, body="已盘点", actor=wh)
    services.resolve(number=report.number, resolution="库存已调整", actor=wh)
    report = services.close(number=report.number, root_cause="stock_inaccuracy", step="picking", actor=wh)
    assert report.status == "closed" and report.closed_at and report.root_cause == "stock_inaccuracy"
    actions = list(o.events.order_by("id").values_list("action", flat=True))
    assert actions == ["problem_raised", "problem_acknowledged", "problem_commented", "problem_resolved",
                       "problem_closed"]
    assert report.comments.get().body == "已盘点"


def test_closing_without_root_cause_and_step_is_refused_and_nothing_changes(actor):
    report = _raise(actor("customer_service"))
    services.acknowledge(number=report.number, actor=actor("warehouse"))
    services.resolve(number=report.number, resolution="done", actor=actor("warehouse"))
    with pytest.raises(RootCauseRequired) as caught:
        services.close(number=report.number, actor=actor("warehouse"), root_cause="carrier")
    assert caught.value.http_status == 422 and set(caught.value.details) == {"step"}
    report.refresh_from_db()
    assert report.status == "resolved" and report.root_cause == ""
    assert not AuditEvent.objects.filter(action="problem_closed").exists()


def test_root_cause_given_when_resolving_is_enough_to_close(actor):
    report = _raise(actor("customer_service"))
    services.acknowledge(number=report.number, actor=actor("warehouse"))
    services.resolve(number=report.number, resolution="done", root_cause="data_entry", step="intake",
                     actor=actor("warehouse"))
    assert services.close(number=report.number, actor=actor("operations")).status == "closed"


def test_steps_cannot_be_skipped_and_a_closed_report_takes_no_more_comments(actor):
    report = _raise(actor("customer_service"))
    with pytest.raises(InvalidProblemTransition):
        services.resolve(number=report.number, resolution="x", actor=actor("warehouse"))
    services.acknowledge(number=report.number, actor=actor("warehouse"))
    services.resolve(number=report.number, resolution="x", root_cause="other", step="system",
                     actor=actor("warehouse"))
    services.close(number=report.number, actor=actor("warehouse"))
    with pytest.raises(InvalidProblemTransition):
        services.add_comment(number=report.number, body="again", actor=actor("warehouse"))
    with pytest.raises(InvalidProblemTransition):
        services.reopen(number=report.number, reason="no", actor=actor("warehouse"))


def test_reopening_a_resolved_report_restarts_its_escalation(actor):
    report = _raise(actor("customer_service"))
    ProblemReport.objects.filter(pk=report.pk).update(escalation_level=2, escalated_to="operations")
    services.acknowledge(number=report.number, actor=actor("warehouse"))
    services.resolve(number=report.number, resolution="x", actor=actor("warehouse"))
    report = services.reopen(number=report.number, reason="又少了", actor=actor("customer_service"))
    assert report.status == "open" and report.escalation_level == 0 and report.reopen_count == 1
    assert report.acknowledged_at is None and report.open_since > report.raised_at
    event = AuditEvent.objects.get(action="problem_reopened")
    assert event.changes["status"] == ["resolved", "open"] and event.note == "又少了"


def test_owner_and_team_changes_are_audited_and_owners_must_handle_problems(actor, users):
    report = _raise(actor("customer_service"))
    services.assign_owner(number=report.number, owner_username="logistics", actor=actor("operations"))
    services.change_team(number=report.number, team="logistics", actor=actor("operations"), note="是物流的问题")
    report.refresh_from_db()
    assert report.owner.username == "logistics" and report.team == "logistics"
    assert AuditEvent.objects.get(action="problem_assigned").changes == {"owner": ["", "logistics"]}
    assert AuditEvent.objects.get(action="problem_team_changed").changes == {"team": ["warehouse", "logistics"]}
    with pytest.raises(InvalidProblemInput):
        services.assign_owner(number=report.number, owner_username="integration", actor=actor("operations"))


def test_rules_are_set_only_with_the_rules_permission_and_audited(actor):
    with pytest.raises(PermissionDenied):
        services.set_escalation_rule(severity="major", supervisor_minutes=10, operations_minutes=20,
                                     actor=actor("warehouse"))
    services.set_escalation_rule(severity="major", supervisor_minutes=10, operations_minutes=20,
                                 actor=actor("operations"))
    event = AuditEvent.objects.get(action="problem_escalation_rule_changed")
    assert event.changes == {"supervisor_minutes": [60, 10], "operations_minutes": [240, 20]}
    from oms.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.set_escalation_rule(severity="major", supervisor_minutes=30, operations_minutes=30,
                                     actor=actor("operations"))
    services.set_burst_rule(source="order_hold", reason="", threshold=5, window_minutes=30, enabled=True,
                            actor=Actor.of(actor("operations").user))
    assert AuditEvent.objects.get(action="problem_burst_rule_changed").changes["threshold"] == [20, 5]
