"""The problem report API: shapes, actions, error codes and permissions."""

import pytest
from django.utils import timezone

from oms.problems.models import ProblemReport
from tests.problems.problem_setup import order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _raise(api, role="customer_service", **body):
    payload = {"category": "stock_discrepancy", "severity": "major", "description": "少了3件", **body}
    return api(role).post("/api/v1/problems", payload, format="json")


def test_raising_a_report_answers_201_with_the_report(api):
    o = order()
    response = _raise(api, order_no=o.order_no)
    assert response.status_code == 201
    body = response.json()
    assert body["number"].startswith("PR") and body["order_no"] == o.order_no and body["status"] == "open"
    assert body["team"] == "warehouse" and body["raised_by"] == "customer_service" and body["comments"] == []
    assert body["escalation_level"] == 0 and body["root_cause"] is None and body["is_incident"] is False


def test_bad_input_answers_400_and_unknown_orders_404(api):
    response = _raise(api, severity="huge")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_problem_report"
    assert "severity" in response.json()["error"]["details"]
    assert _raise(api, order_no="NOPE").status_code == 404


def test_the_whole_lifecycle_through_the_api(api):
    number = _raise(api).json()["number"]
    wh = api("warehouse")
    assert wh.post(f"/api/v1/problems/{number}/acknowledge", {}, format="json").json()["status"] == "acknowledged"
    body = wh.post(f"/api/v1/problems/{number}/comment", {"body": "盘点中"}, format="json").json()
    assert [c["body"] for c in body["comments"]] == ["盘点中"]
    body = wh.post(f"/api/v1/problems/{number}/assign", {"owner": "operations", "team": "operations"},
                   format="json").json()
    assert body["owner"] == "operations" and body["team"] == "operations"
    wh.post(f"/api/v1/problems/{number}/resolve", {"resolution": "调整了库存"}, format="json")
    refused = wh.post(f"/api/v1/problems/{number}/close", {}, format="json")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "root_cause_required"
    assert set(refused.json()["error"]["details"]) == {"root_cause", "step"}
    body = wh.post(f"/api/v1/problems/{number}/reopen", {"reason": "还是少"}, format="json").json()
    assert body["status"] == "open"
    conflict = wh.post(f"/api/v1/problems/{number}/close", {}, format="json")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "invalid_transition"
    wh.post(f"/api/v1/problems/{number}/acknowledge", {}, format="json")
    wh.post(f"/api/v1/problems/{number}/resolve", {"resolution": "ok", "root_cause": "stock_inaccuracy",
                                                   "step": "picking"}, format="json")
    body = wh.post(f"/api/v1/problems/{number}/close", {"note": "done"}, format="json").json()
    assert body["status"] == "closed" and body["root_cause"] == "stock_inaccuracy" and body["step"] == "picking"


def test_the_list_shows_the_callers_team_by_default_and_other_tabs_on_request(api):
    _raise(api)  # warehouse
    _raise(api, category="payment")  # finance
    mine = api("warehouse").get("/api/v1/problems").json()
    assert mine["count"] == 1 and mine["results"][0]["team"] == "warehouse"
    everything = api("warehouse").get("/api/v1/problems?tab=all").json()
    assert everything["count"] == 2
    assert api("warehouse").get("/api/v1/problems?tab=nope").status_code == 400
    detail = api("finance").get(f"/api/v1/problems/{everything['results'][0]['number']}")
    assert detail.status_code == 200 and "comments" in detail.json()
    assert api("finance").get("/api/v1/problems/PR999999").json()["error"]["code"] == "problem_not_found"


def test_permissions_integration_cannot_raise_or_list_and_only_operations_see_review_and_rules(api):
    assert _raise(api, role="integration").status_code == 403
    assert api("integration").get("/api/v1/problems").status_code == 403
    assert api(None).get("/api/v1/problems").status_code == 401
    assert api("warehouse").get("/api/v1/problems/review").status_code == 403
    assert api("warehouse").get("/api/v1/problems/rules").status_code == 403
    assert api("operations").get("/api/v1/problems/review").status_code == 200
    rules = api("operations").get("/api/v1/problems/rules").json()
    assert {b["source"]: b["threshold"] for b in rules["bursts"]} == {"carrier_exception": 10, "order_hold": 20}
    changed = api("operations").put("/api/v1/problems/rules", {"burst": {
        "source": "order_hold", "reason": "", "threshold": 30, "window_minutes": 60, "enabled": True}},
        format="json")
    assert changed.status_code == 200
    assert {b["source"]: b["threshold"] for b in changed.json()["bursts"]}["order_hold"] == 30


def test_the_review_counts_closed_reports_by_cause_step_and_month(api):
    for cause, step in (("carrier", "shipping"), ("carrier", "shipping"), ("data_entry", "intake")):
        number = _raise(api).json()["number"]
        ops = api("operations")
        ops.post(f"/api/v1/problems/{number}/acknowledge", {}, format="json")
        ops.post(f"/api/v1/problems/{number}/resolve", {"resolution": "x", "root_cause": cause, "step": step},
                 format="json")
        ops.post(f"/api/v1/problems/{number}/close", {}, format="json")
    _raise(api)  # open: not counted
    month = timezone.now().astimezone(timezone.get_default_timezone()).strftime("%Y-%m")
    body = api("operations").get("/api/v1/problems/review").json()
    assert len(body["months"]) == 12 and body["months"][-1] == month and body["total"] == 3
    assert body["by_cause"]["carrier"][month] == 2 and body["by_step"]["intake"][month] == 1
    assert body["cause_step"]["carrier"]["shipping"] == 2
    assert api("operations").get("/api/v1/problems/review?from=2026-13").status_code == 400
    assert ProblemReport.objects.filter(status="closed").count() == 3
