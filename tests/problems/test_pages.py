"""Problem report pages: queue tabs, a report's actions, raising from the order page and the header,
the rules page, the root-cause review with CSV, the home partial and the nav count."""

import pytest
from django.test import Client

from oms.problems import services
from oms.problems.models import BurstRule, EscalationRule, ProblemReport
from tests.problems.problem_setup import order, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = False


@pytest.fixture
def web(users):
    def client_for(user_or_role):
        user = users[user_or_role] if isinstance(user_or_role, str) else user_or_role
        client = Client()
        client.force_login(user)
        return client
    return client_for


def _report(actor, **kw):
    args = {"category": "stock_discrepancy", "severity": "major", "description": "少了3件", **kw}
    return services.raise_problem(actor=actor("customer_service"), **args)


def test_a_problem_is_reported_from_the_order_page_with_the_order_filled_in(web):
    o = order()
    page = web("customer_service").get(f"/orders/{o.order_no}/")
    assert page.status_code == 200 and f'/problems/new/?order={o.order_no}' in page.content.decode()
    form = web("customer_service").get(f"/problems/new/?order={o.order_no}")
    assert f'value="{o.order_no}"' in form.content.decode()
    response = web("customer_service").post("/problems/new/", {
        "order_no": o.order_no, "category": "address_phone", "severity": "minor", "team": "",
        "description": "电话打不通"})
    report = ProblemReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/problems/{report.number}/"
    assert report.order == o and report.team == "customer_service"
    assert report.number in web("customer_service").get(f"/orders/{o.order_no}/").content.decode()


def test_the_header_offers_reporting_a_system_fault_to_everyone_who_may(web):
    page = web("warehouse").get("/problems/new/").content.decode()
    assert 'data-testid="header-report-problem"' in page
    assert '<option value="system_fault" selected>' in page
    assert 'data-testid="header-report-problem"' not in web("integration").get("/inbox/").content.decode()
    assert web("integration").get("/problems/new/").status_code == 403


def test_an_invalid_form_shows_the_page_again_with_400(web):
    response = web("customer_service").post("/problems/new/", {"category": "x", "severity": "minor"})
    assert response.status_code == 400
    response = web("customer_service").post("/problems/new/", {
        "order_no": "NOPE", "category": "other", "severity": "minor", "description": "x"})
    assert response.status_code == 404 and not ProblemReport.objects.exists()


def test_the_queue_tabs_show_my_team_escalated_and_incidents(web, actor):
    mine = _report(actor)
    other = _report(actor, category="payment")
    ProblemReport.objects.filter(pk=other.pk).update(escalation_level=2, escalated_to="operations")
    incident = _report(actor, category="other")
    ProblemReport.objects.filter(pk=incident.pk).update(is_incident=True, burst_source="order_hold")
    wh = web("warehouse")
    team = wh.get("/problems/").content.decode()
    assert mine.number in team and other.number not in team
    ops = web("operations")
    escalated = ops.get("/problems/?tab=escalated").content.decode()
    assert other.number in escalated and mine.number not in escalated
    incidents = ops.get("/problems/?tab=incidents").content.decode()
    assert incident.number in incidents and mine.number not in incidents
    everything = ops.get("/problems/?tab=all&severity=major").content.decode()
    assert all(r.number in everything for r in (mine, other, incident))
    assert web("integration").get("/problems/").status_code == 403


def test_a_report_is_worked_on_its_page_and_closing_needs_a_root_cause(web, actor):
    report = _report(actor)
    wh = web("warehouse")
    url = f"/problems/{report.number}/"
    assert wh.post(url, {"action": "acknowledge"}).status_code == 302
    assert wh.post(url, {"action": "comment", "comment-body": "查了"}).status_code == 302
    assert wh.post(url, {"action": "team", "team-team": "logistics", "team-note": ""}).status_code == 302
    assert wh.post(url, {"action": "resolve", "resolve-resolution": "补发", "resolve-root_cause": "",
                         "resolve-step": ""}).status_code == 302
    refused = wh.post(url, {"action": "close", "close-root_cause": "carrier", "close-step": "", "close-note": ""})
    assert refused.status_code == 422 and "root cause" in refused.content.decode()
    assert wh.post(url, {"action": "close", "close-root_cause": "carrier", "close-step": "shipping",
                         "close-note": ""}).status_code == 302
    report.refresh_from_db()
    assert report.status == "closed" and report.team == "logistics" and report.comments.count() == 1
    page = wh.get(url).content.decode()
    assert "查了" in page and 'id="action-close"' not in page
    assert wh.get("/problems/PR000000/").status_code == 404


def test_the_rules_page_changes_escalation_and_burst_rules_for_operations_only(web):
    ops = web("operations")
    page = ops.get("/problems/rules/").content.decode()
    assert 'data-testid="burst-rules"' in page and "240" in page
    assert ops.post("/problems/rules/", {"kind": "escalation", "esc-severity": "minor",
                                         "esc-supervisor_minutes": "30", "esc-operations_minutes": "90"}
                    ).status_code == 302
    assert EscalationRule.objects.get(severity="minor").operations_minutes == 90
    bad = ops.post("/problems/rules/", {"kind": "escalation", "esc-severity": "minor",
                                        "esc-supervisor_minutes": "30", "esc-operations_minutes": "10"})
    assert bad.status_code == 400
    assert ops.post("/problems/rules/", {"kind": "burst", "burst-source": "order_hold", "burst-reason": "unpaid",
                                         "burst-threshold": "5", "burst-window_minutes": "15",
                                         "burst-enabled": "on"}).status_code == 302
    assert BurstRule.objects.get(reason="unpaid").threshold == 5
    assert web("warehouse").get("/problems/rules/").status_code == 403


def test_the_review_page_counts_closed_reports_and_downloads_csv(web, actor):
    for cause, step in (("carrier", "shipping"), ("carrier", "shipping"), ("buyer", "after_sales")):
        r = _report(actor)
        services.acknowledge(number=r.number, actor=actor("operations"))
        services.resolve(number=r.number, resolution="x", root_cause=cause, step=step, actor=actor("operations"))
        services.close(number=r.number, actor=actor("operations"))
    ops = web("operations")
    page = ops.get("/problems/review/").content.decode()
    assert "3 reports closed in the period." in page and 'data-testid="review-cause-step"' in page
    csv_response = ops.get("/problems/review/?format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = [line.split(",") for line in csv_response.content.decode().splitlines()]
    assert rows[0] == ["table", "row", "column", "count"]
    assert ["cause_step", "carrier", "shipping", "2"] in rows
    assert ["cause_step", "buyer", "after_sales", "1"] in rows
    assert web("warehouse").get("/problems/review/").status_code == 403


def test_the_home_partial_counts_my_team_escalated_to_me_and_incidents_and_the_nav_counts_my_team(web, actor):
    boss = person("wh-boss", "warehouse", supervisor=True)
    r1 = _report(actor)
    _report(actor)
    ProblemReport.objects.filter(pk=r1.pk).update(escalation_level=1, escalated_to="supervisor")
    _report(actor, category="payment")
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = boss
    html = Template('{% include "web/home/_problems.html" %}').render(Context({"request": request}))
    assert 'data-count="team_open">Open reports of my team: <strong>2</strong>' in html
    assert 'data-count="escalated_to_me">Escalated to me: <strong>1</strong>' in html
    assert 'data-count="open_incidents">Open incidents: <strong>0</strong>' in html
    page = web(boss).get("/inbox/").content.decode()
    assert "Problems (2)" in page
