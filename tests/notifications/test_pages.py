"""Back-office pages: the Messages list with resend, template editing with preview, language per channel."""

import pytest

from oms.audit.models import AuditEvent
from oms.notifications.models import ChannelMessageLanguage, Message, MessageTemplate
from oms.notifications.services import notify_buyer


@pytest.fixture
def failed_email(make_order):
    order = make_order()
    sms, email = notify_buyer(order=order, event="order_confirmed")
    Message.objects.filter(pk=email.pk).update(status="failed", attempts=8, next_attempt_at=None,
                                               last_error="SMTP 550: mailbox unavailable")
    email.refresh_from_db()
    return email


def test_the_messages_page_shows_status_attempts_error_and_the_text_sent(client_for, failed_email):
    page = client_for("customer_service").get("/messages/").content.decode()

    assert failed_email.order.order_no in page
    assert 'data-status="failed"' in page and 'data-status="queued"' in page
    assert "SMTP 550: mailbox unavailable" in page
    assert failed_email.subject in page and "z***@example.cn" in page  # the recipient masked (§3.3)
    assert "zs@example.cn" not in page
    assert page.count('/resend/"') == 1  # only the finished message offers a resend


def test_the_messages_page_filters_by_status_medium_and_order_number(client_for, failed_email, make_order):
    other = make_order(email="")
    notify_buyer(order=other, event="order_confirmed")
    client = client_for("operations")

    by_order = client.get(f"/messages/?order_no={other.order_no}").content.decode()
    by_status = client.get("/messages/?status=failed&medium=email").content.decode()

    assert other.order_no in by_order and failed_email.order.order_no not in by_order
    assert "1 message" in by_status and "SMTP 550" in by_status


def test_a_bad_filter_value_is_shown_as_a_form_error_and_ignored(client_for, failed_email):
    response = client_for("customer_service").get("/messages/?status=lost")

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_resend_button_queues_a_copy_and_comes_back_to_the_filtered_list(client_for, failed_email):
    response = client_for("customer_service").post(
        f"/messages/{failed_email.pk}/resend/", {"next": "/messages/?status=failed"}, follow=True)

    assert response.redirect_chain[-1][0] == "/messages/?status=failed"
    assert "Message queued again to zs@example.cn (Email)." in response.content.decode()
    assert Message.objects.filter(resend_of=failed_email, status="queued").count() == 1
    assert AuditEvent.objects.filter(order=failed_email.order, action="message_resent").exists()


def test_resending_a_queued_message_from_the_page_says_why_not(client_for, failed_email):
    queued = Message.objects.get(status="queued")

    response = client_for("operations").post(f"/messages/{queued.pk}/resend/", follow=True)

    assert "still waiting to be sent" in response.content.decode()
    assert Message.objects.count() == 2


def test_the_resend_of_a_missing_message_is_a_404_page(client_for, db):
    assert client_for("customer_service").post("/messages/424242/resend/").status_code == 404


@pytest.mark.parametrize("role", ["warehouse", "logistics", "finance", "admin"])
def test_roles_without_the_permission_get_the_friendly_403(client_for, failed_email, role):
    client = client_for(role)

    assert client.get("/messages/").status_code == 403
    assert client.post(f"/messages/{failed_email.pk}/resend/").status_code == 403
    assert not Message.objects.filter(resend_of=failed_email).exists()


def test_the_navigation_offers_messages_to_customer_service_and_templates_to_the_administrator(client_for, db):
    cs_page = client_for("customer_service").get("/messages/").content.decode()
    admin_page = client_for("admin").get("/messages/templates/").content.decode()

    assert 'href="/messages/"' in cs_page and 'href="/messages/templates/"' not in cs_page
    assert 'href="/messages/templates/"' in admin_page and 'href="/messages/"' not in admin_page


def test_the_template_list_shows_every_template_with_an_edit_link(client_for, db):
    page = client_for("admin").get("/messages/templates/").content.decode()

    assert page.count('href="/messages/templates/') >= 18 + 1
    assert "Order confirmed" in page and "Refund issued" in page


def test_the_edit_page_previews_the_template_against_the_sample_order(client_for, db):
    template = MessageTemplate.objects.get(event="order_confirmed", medium="email", language="zh-hans")

    page = client_for("admin").get(f"/messages/templates/{template.pk}/").content.decode()

    assert "您的订单26112600000301已确认" in page  # the sample order's number, rendered
    assert "纯棉T恤（红色/M） × 2" in page
    assert "payable_amount" in page  # the documented variables are listed


def test_the_preview_button_renders_the_new_text_without_saving(client_for, db):
    template = MessageTemplate.objects.get(event="order_confirmed", medium="sms", language="en")
    old_body = template.body

    response = client_for("admin").post(f"/messages/templates/{template.pk}/", {
        "body": "Order {{ order_no }} for {{ recipient_name }}", "active": "on", "preview": "1"})

    assert response.status_code == 200
    assert "Order 26112600000301 for 张三" in response.content.decode()
    template.refresh_from_db()
    assert template.body == old_body


def test_invalid_template_syntax_is_refused_with_a_clear_form_error(client_for, db):
    template = MessageTemplate.objects.get(event="order_confirmed", medium="sms", language="zh-hans")
    old_body = template.body

    response = client_for("admin").post(f"/messages/templates/{template.pk}/", {
        "body": "{% if order_no %}订单{{ order_no }}", "active": "on", "save": "1"})

    assert response.status_code == 422
    page = response.content.decode()
    assert "Template syntax error in body" in page and 'class="error"' in page
    template.refresh_from_db()
    assert template.body == old_body


def test_an_unknown_variable_is_refused_on_the_form(client_for, db):
    template = MessageTemplate.objects.get(event="order_confirmed", medium="push", language="en")

    response = client_for("admin").post(f"/messages/templates/{template.pk}/", {
        "subject": "Hi {{ customer }}", "body": "{{ order_no }}", "active": "on", "save": "1"})

    assert response.status_code == 422
    assert "Unknown variable customer in subject" in response.content.decode()


def test_saving_a_template_changes_it_and_records_who_changed_what(client_for, db):
    template = MessageTemplate.objects.get(event="order_shipped", medium="sms", language="zh-hans")

    response = client_for("admin").post(f"/messages/templates/{template.pk}/", {
        "body": "您的订单{{ order_no }}已由{{ carrier_name }}发出，运单号{{ tracking_no }}。",
        "provider_template_code": "SMS_9001", "save": "1"})

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.body, template.provider_template_code, template.active) == (
        "您的订单{{ order_no }}已由{{ carrier_name }}发出，运单号{{ tracking_no }}。", "SMS_9001", False)
    assert template.updated_by.username == "admin"
    event = AuditEvent.objects.get(action="message_template_changed")
    assert set(event.changes) == {"body", "provider_template_code", "active"}


def test_customer_service_may_not_open_the_template_editor(client_for, db):
    template = MessageTemplate.objects.first()

    assert client_for("customer_service").get(f"/messages/templates/{template.pk}/").status_code == 403
    assert client_for("operations").post(f"/messages/templates/{template.pk}/", {"body": "x"}).status_code == 403


def test_the_administrator_sets_a_channels_message_language(client_for, db):
    response = client_for("admin").post("/messages/templates/languages/", {"channel": "web", "language": "en"},
                                        follow=True)

    assert "Message language saved." in response.content.decode()
    assert ChannelMessageLanguage.objects.get(channel__code="web").language == "en"


def test_line_breaks_typed_in_the_browser_are_stored_as_plain_newlines(client_for, db):
    template = MessageTemplate.objects.get(event="refund_issued", medium="email", language="en")

    client_for("admin").post(f"/messages/templates/{template.pk}/", {
        "subject": "Refund {{ order_no }}", "body": "Hello {{ recipient_name }},\r\n\r\n¥{{ refund_amount }}\r\n",
        "active": "on", "save": "1"})

    template.refresh_from_db()
    assert template.body == "Hello {{ recipient_name }},\n\n¥{{ refund_amount }}"
