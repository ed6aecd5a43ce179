"""Default templates, the save-time check of a template, and the pure helpers behind messages."""

import random
from datetime import timedelta

import pytest

from oms.notifications.backoff import retry_delay
from oms.notifications.models import Medium, MessageEvent, MessageLanguage, MessageTemplate
from oms.notifications.recipients import mainland_mobile
from oms.notifications.rendering import SAMPLE_CONTEXT, TemplateProblem, _item_summary, check_template


def test_default_templates_exist_for_every_event_medium_and_language(db):
    stored = set(MessageTemplate.objects.values_list("event", "medium", "language"))

    expected = {(e, m, lang) for e in MessageEvent.values for m in Medium.values for lang in MessageLanguage.values}
    assert stored == expected


def test_every_default_template_passes_the_save_check_and_uses_its_events_variables(db):
    for template in MessageTemplate.objects.all():
        rendered = check_template(event=template.event, subject=template.subject, body=template.body)
        assert SAMPLE_CONTEXT["order_no"] in rendered.body + rendered.subject, template
        if template.medium != "sms":
            assert rendered.subject, template


def test_a_template_with_a_syntax_error_is_refused_naming_the_field():
    with pytest.raises(TemplateProblem, match="Template syntax error in body") as problem:
        check_template(event="order_confirmed", subject="ok", body="{% if order_no %}never closed")

    assert problem.value.field == "body"


def test_an_unknown_variable_is_refused_listing_the_available_ones():
    with pytest.raises(TemplateProblem) as problem:
        check_template(event="order_confirmed", subject="{{ tracking_no }}", body="{{ order_no }}")

    assert problem.value.field == "subject"
    assert "Unknown variable tracking_no" in str(problem.value)
    assert "order_no, payable_amount" in str(problem.value)


def test_a_misspelt_item_attribute_inside_a_loop_is_refused():
    with pytest.raises(TemplateProblem, match="i.nme"):
        check_template(event="order_confirmed", subject="", body="{% for i in items %}{{ i.nme }}{% endfor %}")


@pytest.mark.parametrize("body", ["{% include 'web/base.html' %}", "{% extends 'web/base.html' %}", "{% debug %}",
                                  "{% url 'web:home' %}", "{% load i18n %}"])
def test_tags_that_reach_outside_the_message_are_refused(body):
    with pytest.raises(TemplateProblem):
        check_template(event="order_confirmed", subject="", body=body)


def test_shipping_variables_are_available_to_shipping_templates_only():
    check_template(event="order_shipped", subject="", body="{{ carrier_name }} {{ tracking_no }}")
    with pytest.raises(TemplateProblem):
        check_template(event="refund_issued", subject="", body="{{ tracking_no }}")


def test_the_item_summary_names_three_items_then_counts_the_rest():
    items = [{"name": f"商品{i}", "spec": "红色" if i == 1 else "", "quantity": i} for i in range(1, 6)]

    assert _item_summary(items, "zh-hans") == "商品1 红色 ×1、商品2 ×2、商品3 ×3等5种商品"
    assert _item_summary(items, "en") == "商品1 红色 ×1, 商品2 ×2, 商品3 ×3 and 2 more"
    assert _item_summary(items[:1], "en") == "商品1 红色 ×1"


@pytest.mark.parametrize(("raw", "number"), [
    ("13800138000", "13800138000"), ("+86 138 0013 8000", "13800138000"), ("0086-13800138000", "13800138000"),
    ("8613800138000", "13800138000"), ("0571-88886666", ""), ("12345678901", ""), ("", ""), ("+1 415 555 0100", ""),
])
def test_mainland_mobile_numbers_are_recognised_with_or_without_country_code(raw, number):
    assert mainland_mobile(raw) == number


def test_the_retry_pause_doubles_from_one_minute_up_to_the_cap_with_jitter():
    rand = random.Random(7)
    pauses = [retry_delay(n, base_s=60, cap_s=3600, rand=rand) for n in range(1, 10)]

    for n, pause in enumerate(pauses, start=1):
        expected = min(60 * 2 ** (n - 1), 3600)
        assert timedelta(seconds=expected * 0.8) <= pause <= timedelta(seconds=min(expected * 1.2, 3600))
    assert pauses[-1] <= timedelta(hours=1)
    assert len({p.total_seconds() for p in pauses[:3]}) == 3  # jitter: never exactly the same
