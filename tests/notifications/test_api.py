"""The messages API: list with filters, resend, templates and channel languages, with permissions."""

import pytest

from oms.audit.models import AuditEvent
from oms.notifications.models import Message, MessageTemplate
from oms.notifications.services import notify_buyer


@pytest.fixture
def messages(make_order):
    """An app order's three messages (one failed) and a marketplace order's SMS."""
    app_order = make_order(channel="app")
    created = notify_buyer(order=app_order, event="order_confirmed")
    Message.objects.filter(pk=created[0].pk).update(status="failed", attempts=8, next_attempt_at=None,
                                                    last_error="HTTP 503 BUSY: try later")
    other = make_order(channel="taobao", email="")
    created += notify_buyer(order=other, event="order_confirmed")
    return {"app_order": app_order, "other": other, "failed": created[0]}


def test_customer_service_lists_messages_newest_first_with_their_status(api, messages):
    body = api("customer_service").get("/api/v1/messages").json()

    assert body["count"] == 4 and body["page"] == 1
    first = body["results"][0]
    assert first["order_no"] == messages["other"].order_no and first["medium"] == "sms"
    failed = next(r for r in body["results"] if r["id"] == messages["failed"].pk)
    assert (failed["status"], failed["attempts"], failed["last_error"]) == ("failed", 8, "HTTP 503 BUSY: try later")
    assert set(failed) >= {"event", "recipient", "language", "subject", "body", "next_attempt_at", "sent_at",
                           "provider_message_id", "created_at", "resend_of", "created_by"}


@pytest.mark.parametrize(("query", "count"), [
    ("status=failed", 1), ("status=queued", 3), ("medium=push", 1), ("medium=sms", 2),
    ("event=order_confirmed", 4), ("event=refund_issued", 0), ("medium=sms&status=queued", 1),
])
def test_messages_can_be_filtered_by_status_medium_and_event(api, messages, query, count):
    assert api("operations").get(f"/api/v1/messages?{query}").json()["count"] == count


def test_messages_can_be_filtered_by_order_number(api, messages):
    order_no = messages["app_order"].order_no

    body = api("customer_service").get(f"/api/v1/messages?order_no={order_no}").json()

    assert body["count"] == 3 and {r["order_no"] for r in body["results"]} == {order_no}


def test_an_unknown_filter_value_is_refused_in_the_error_format(api, messages):
    response = api("customer_service").get("/api/v1/messages?status=lost&medium=fax")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["details"]) == {"status", "medium"}
    assert "queued, sending, sent, failed, logged" in error["details"]["status"][0]


def test_a_bad_page_number_is_refused(api, messages):
    response = api("customer_service").get("/api/v1/messages?page=0")

    assert response.status_code == 400 and response.json()["error"]["details"] == {
        "page": ["Must be a positive whole number."]}


def test_resend_over_the_api_returns_the_new_message_and_records_it(api, messages):
    response = api("customer_service").post(f"/api/v1/messages/{messages['failed'].pk}/resend")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["resend_of"], body["created_by"]) == ("queued", messages["failed"].pk,
                                                                      "customer_service")
    assert AuditEvent.objects.filter(order=messages["app_order"], action="message_resent").count() == 1


def test_resending_a_queued_message_is_a_conflict(api, messages):
    queued = Message.objects.filter(status="queued").first()

    response = api("operations").post(f"/api/v1/messages/{queued.pk}/resend")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "message_pending"


def test_resending_a_missing_message_is_a_404_in_the_error_format(api, db):
    response = api("customer_service").post("/api/v1/messages/987654/resend")

    assert response.status_code == 404
    assert response.json()["error"] == {"code": "message_not_found", "message": "No such message.",
                                        "details": {"id": 987654}}


def test_an_id_beyond_any_database_integer_is_a_404_not_a_crash(api, db):
    assert api("customer_service").get(f"/api/v1/messages/{2**70}").status_code == 404
    assert api("customer_service").post(f"/api/v1/messages/{2**70}/resend").status_code == 404


@pytest.mark.parametrize("role", ["warehouse", "logistics", "finance", "admin", "integration"])
def test_roles_outside_customer_service_and_operations_may_not_see_or_resend_messages(api, messages, role):
    client = api(role)
    assert client.get("/api/v1/messages").status_code == 403
    assert client.post(f"/api/v1/messages/{messages['failed'].pk}/resend").status_code == 403


def test_anonymous_callers_get_401(api, db):
    assert api(None).get("/api/v1/messages").status_code == 401


def test_admin_edits_a_template_over_the_api_and_the_change_is_audited(api, db):
    template = MessageTemplate.objects.get(event="order_confirmed", medium="sms", language="zh-hans")

    response = api("admin").patch(f"/api/v1/message-templates/{template.pk}",
                                  {"body": "订单{{ order_no }}已确认，应付¥{{ payable_amount }}。"}, format="json")

    assert response.status_code == 200
    assert response.json()["body"] == "订单{{ order_no }}已确认，应付¥{{ payable_amount }}。"
    assert response.json()["updated_by"] == "admin"
    event = AuditEvent.objects.get(action="message_template_changed")
    assert event.order is None and event.data["template_id"] == template.pk
    assert event.changes["body"][1] == "订单{{ order_no }}已确认，应付¥{{ payable_amount }}。"


def test_an_invalid_template_is_refused_with_422_naming_the_field(api, db):
    template = MessageTemplate.objects.get(event="order_confirmed", medium="email", language="en")

    response = api("admin").patch(f"/api/v1/message-templates/{template.pk}",
                                  {"subject": "Order {{ order_no }", "body": "x"}, format="json")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_template" and list(error["details"]) == ["subject"]
    assert "{{" in error["message"] and "not part of a complete" in error["message"]
    template.refresh_from_db()
    assert template.subject == "Your order {{ order_no }} is confirmed"


def test_a_template_field_of_the_wrong_type_is_refused_with_400(api, db):
    template = MessageTemplate.objects.first()

    response = api("admin").patch(f"/api/v1/message-templates/{template.pk}", {"body": 5, "active": "yes"},
                                  format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"body", "active"}


def test_an_email_template_without_a_subject_is_refused(api, db):
    template = MessageTemplate.objects.get(event="order_shipped", medium="email", language="zh-hans")

    response = api("admin").patch(f"/api/v1/message-templates/{template.pk}", {"subject": " "}, format="json")

    assert response.status_code == 400 and "subject" in response.json()["error"]["details"]


@pytest.mark.parametrize("role", ["customer_service", "operations", "warehouse", "finance"])
def test_only_administrators_edit_templates(api, db, role):
    template = MessageTemplate.objects.first()

    assert api(role).get("/api/v1/message-templates").status_code == 403
    assert api(role).patch(f"/api/v1/message-templates/{template.pk}", {"body": "x"}, format="json").status_code == 403


def test_admin_sets_a_channels_message_language(api, db):
    response = api("admin").put("/api/v1/message-languages/web", {"language": "en"}, format="json")

    assert response.status_code == 200 and response.json() == {"code": "web", "name": "官网", "language": "en"}
    listed = {c["code"]: c["language"] for c in api("admin").get("/api/v1/message-languages").json()}
    assert listed["web"] == "en" and listed["taobao"] == "zh-hans"


def test_an_unknown_language_or_channel_is_refused(api, db):
    assert api("admin").put("/api/v1/message-languages/web", {"language": "fr"}, format="json").status_code == 400
    assert api("admin").put("/api/v1/message-languages/nowhere", {"language": "en"}, format="json").status_code == 404


def test_an_order_number_with_control_characters_is_refused_not_a_crash(api, db):
    response = api("customer_service").get("/api/v1/messages?order_no=26%00")

    assert response.status_code == 400 and "order_no" in response.json()["error"]["details"]
