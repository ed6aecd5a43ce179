"""The review pages: the held queue, the actions on a held order, rule settings, coupons and the block list."""

import html
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from oms.accounts.actor import Actor
from oms.audit.models import AuditEvent
from oms.channels.models import ChannelSkuMapping
from oms.inventory import services as stock
from oms.inventory.models import Reservation, Sku, Warehouse
from oms.orders.models import Order
from oms.orders.review.models import BlockListEntry, Coupon, ReviewRuleSetting
from oms.orders.review.services import review_order
from oms.web.views import review as review_views

QUEUE = reverse("web:review_queue")
RULES = reverse("web:review_rules")
COUPONS = reverse("web:review_coupons")
BLOCKLIST = reverse("web:review_blocklist")


@pytest.fixture
def catalogue(db, actor):
    """One warehouse in Hangzhou with ten T-shirts; a mug with no stock."""
    Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10)
    Sku.objects.create(code="TSHIRT-RED-M", name="纯棉T恤", spec="红色/M")
    Sku.objects.create(code="MUG-WHITE", name="白色马克杯", spec="350ml")
    stock.receive_stock(sku_code="TSHIRT-RED-M", warehouse_code="hz", quantity=10, actor=actor("warehouse"))


@pytest.fixture
def held(catalogue, push_order, order_payload):
    """Push a channel order and run the review the worker would run; keyword arguments change the order."""
    counter = iter(range(1, 10_000))

    def make(**overrides) -> Order:
        overrides.setdefault("external_id", f"TB-REVIEW-{next(counter):04d}")
        order = push_order(order_payload(**overrides))
        review_order(order_no=order.order_no, actor=Actor.system(), trigger="received")
        order.refresh_from_db()
        return order

    return make


NO_DISTRICT = {"name": "张三", "phone": "13800138000", "province": "浙江省", "city": "杭州市", "district": "",
               "detail": "文三路100号", "postcode": "310012"}
UNKNOWN_LINE = [{"sku": "TB-TEE-RED-M", "name": "纯棉T恤", "spec": "红色/M", "quantity": 2, "unit_price": "59.00"}]


def body(response) -> str:
    return html.unescape(response.content.decode())


def open_holds(order: Order) -> set[str]:
    return set(order.holds.filter(cleared_at__isnull=True).values_list("code", flat=True))


def actions(order: Order) -> list[str]:
    return list(order.events.values_list("action", flat=True))


# --- who may open what --------------------------------------------------------------------------

@pytest.mark.parametrize("url", [QUEUE, RULES, COUPONS, BLOCKLIST])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_the_queue_is_open_to_order_viewers_and_closed_to_others(client_for):
    assert client_for("warehouse").get(QUEUE).status_code == 200
    assert client_for("customer_service").get(QUEUE).status_code == 200
    assert client_for("admin").get(QUEUE).status_code == 403
    assert client_for("integration").get(QUEUE).status_code == 403


@pytest.mark.parametrize("url", [RULES, COUPONS, BLOCKLIST])
def test_rules_coupons_and_block_list_are_read_by_reviewers_and_changed_by_operations(client_for, url):
    assert client_for("customer_service").get(url).status_code == 200
    assert client_for("operations").get(url).status_code == 200
    assert client_for("warehouse").get(url).status_code == 403
    assert client_for("finance").get(url).status_code == 403
    response = client_for("customer_service").post(url, {})
    assert response.status_code == 403
    assert "web/403.html" in [t.name for t in response.templates]


def test_order_actions_refuse_roles_without_their_permission(client_for, held):
    order = held(buyer_remark="请加急")
    no = order.order_no
    refused = [
        ("warehouse", "order_correct"), ("warehouse", "order_rereview"), ("finance", "order_cancel"),
        ("customer_service", "order_approve"), ("customer_service", "order_map_sku"),
        ("warehouse", "order_payment"), ("logistics", "order_acknowledge"), ("warehouse", "order_swap_sku"),
    ]
    for role, name in refused:
        response = client_for(role).post(reverse(f"web:{name}", args=[no]), {"reason": "x", "note": "x"})
        assert response.status_code == 403, (role, name)
    order.refresh_from_db()
    assert order.status == "on_hold"
    assert actions(order) == ["order_received", "review_held"]


def test_navigation_shows_review_with_the_held_count_to_reviewers_only(client_for, held):
    held(shipping_address=NO_DISTRICT)
    cs_page = body(client_for("customer_service").get(reverse("web:order_list")))
    assert f'href="{QUEUE}"' in cs_page
    assert "Review (1)" in cs_page
    assert f'href="{QUEUE}"' not in body(client_for("warehouse").get(reverse("web:order_list")))


# --- the queue ------------------------------------------------------------------------------------

def test_the_queue_counts_held_orders_per_reason_and_lists_them_with_what_is_wrong(client_for, held):
    no_district = held(shipping_address=NO_DISTRICT)
    bad_phone = held(shipping_address={**NO_DISTRICT, "district": "西湖区", "phone": "1380013"})
    both = held(shipping_address={**NO_DISTRICT, "phone": "1380013"})
    passed = held()
    client = client_for("customer_service")

    page = body(client.get(QUEUE))
    assert 'data-reason="all"' in page
    for order in (no_district, bad_phone, both):
        assert order.order_no in page
    assert passed.order_no not in page
    assert passed.status == "pending_shipment"

    response = client.get(QUEUE, {"reason": "phone_invalid"})
    page = body(response)
    tabs = {t["code"]: t["count"] for t in response.context["tabs"]}
    assert tabs[""] == 3 and tabs["phone_invalid"] == 2 and tabs["address_incomplete"] == 2
    assert tabs["unknown_sku"] == 0
    assert [r["order"].order_no for r in response.context["rows"]] == [bad_phone.order_no, both.order_no]
    assert "Phone invalid: 1380013 (not a valid number)" in page
    assert "Correct the phone number" in page  # what to do about it
    assert no_district.order_no not in page


def test_the_queue_filters_by_channel_and_pages(client_for, held, monkeypatch):
    monkeypatch.setattr(review_views, "PAGE_SIZE", 2)
    on_taobao = [held(shipping_address=NO_DISTRICT) for _ in range(3)]
    on_jd = held(channel="jd", shipping_address=NO_DISTRICT)
    client = client_for("customer_service")

    first = client.get(QUEUE, {"channel": "taobao", "reason": "address_incomplete"})
    assert [r["order"].order_no for r in first.context["rows"]] == [o.order_no for o in on_taobao[:2]]
    assert "page=2" in first.content.decode()
    second = client.get(QUEUE, {"channel": "taobao", "reason": "address_incomplete", "page": 2})
    assert [r["order"].order_no for r in second.context["rows"]] == [on_taobao[2].order_no]
    jd = client.get(QUEUE, {"channel": "jd"})
    assert [r["order"].order_no for r in jd.context["rows"]] == [on_jd.order_no]
    assert {t["code"]: t["count"] for t in jd.context["tabs"]}[""] == 1


def test_the_queue_says_how_long_an_order_has_been_held(client_for, held):
    earlier = timezone.now() - timedelta(days=2, hours=3)
    with mock.patch("django.utils.timezone.now", return_value=earlier):  # the order went on hold back then
        order = held(shipping_address=NO_DISTRICT)
    review_order(order_no=order.order_no, actor=Actor.system(), trigger="manual")  # still held: no new start

    response = client_for("customer_service").get(QUEUE)
    assert response.context["rows"][0]["held_since"] == earlier
    assert "2 days, 3 hours" in body(response).replace("\xa0", " ")


# --- the order page ---------------------------------------------------------------------------------

def detail(client, order) -> str:
    response = client.get(reverse("web:order_detail", args=[order.order_no]))
    assert response.status_code == 200
    return body(response)


def test_the_order_page_shows_hold_reasons_and_the_actions_the_user_may_take(client_for, held):
    order = held(shipping_address=NO_DISTRICT, buyer_remark="请加急")
    cs = detail(client_for("customer_service"), order)
    assert "Held for 2 reasons" in cs
    assert "Address incomplete: district missing" in cs
    assert "Remark needs attention: 加急" in cs
    for action in ("order_correct", "order_acknowledge", "order_cancel", "order_rereview"):
        assert reverse(f"web:{action}", args=[order.order_no]) in cs, action
    assert reverse("web:order_approve", args=[order.order_no]) not in cs  # needs the override permission
    ops = detail(client_for("operations"), order)
    assert reverse("web:order_approve", args=[order.order_no]) in ops
    warehouse = detail(client_for("warehouse"), order)
    assert "Address incomplete: district missing" in warehouse
    assert "<form method=\"post\" action=\"/orders/" not in warehouse


def test_a_passed_order_shows_its_reservations_and_a_readable_timeline(client_for, held):
    order = held(shipping_address=NO_DISTRICT)
    client = client_for("customer_service")
    client.post(reverse("web:order_correct", args=[order.order_no]),
                correction(order, ship_district="西湖区", note="电话核实"))

    page = detail(client, order)
    assert "杭州仓" in page and "Active" in page  # the reservation
    reservation = Reservation.objects.get(order=order)
    assert (reservation.sku.code, reservation.quantity) == ("TSHIRT-RED-M", 2)
    for text in ["Held in review", "Address incomplete: district missing", "Order corrected",
                 "电话核实", "Review passed", "TSHIRT-RED-M × 2 (杭州仓)",
                 'On hold</span> <span class="arrow">→</span> <span class="new">Pending shipment',
                 "hold reasons", "after a correction"]:
        assert text in page, text


# --- the actions --------------------------------------------------------------------------------------

def correction(order: Order, **changes) -> dict:
    data = {f: getattr(order, f) for f in review_views.corrections.CORRECTABLE_FIELDS}
    data.update(changes)
    return data


def test_correcting_the_address_reviews_again_and_returns_to_the_queue(client_for, held):
    order = held(shipping_address=NO_DISTRICT)
    client = client_for("customer_service")
    back = f"{QUEUE}?reason=address_incomplete"

    response = client.post(reverse("web:order_correct", args=[order.order_no]),
                           {**correction(order, ship_district="西湖区"), "next": back})

    assert response.status_code == 302 and response["Location"] == back
    order.refresh_from_db()
    assert (order.status, order.ship_district) == ("pending_shipment", "西湖区")
    assert open_holds(order) == set()
    assert actions(order) == ["order_received", "review_held", "order_corrected", "review_passed"]
    assert order.events.get(action="order_corrected").changes == {"ship_district": ["", "西湖区"]}
    queue = client.get(back)
    assert order.order_no not in [r["order"].order_no for r in queue.context["rows"]]
    assert "passed review" in body(queue)


def test_a_correction_that_leaves_a_problem_keeps_the_order_held_and_says_why(client_for, held):
    order = held(shipping_address={**NO_DISTRICT, "phone": "1380013"})
    client = client_for("customer_service")

    response = client.post(reverse("web:order_correct", args=[order.order_no]),
                           correction(order, ship_district="西湖区"), follow=True)

    order.refresh_from_db()
    assert order.status == "on_hold" and open_holds(order) == {"phone_invalid"}
    assert "still on hold: Phone invalid" in body(response)


def test_a_correction_without_changes_or_emptying_a_required_field_is_refused(client_for, held):
    order = held(shipping_address=NO_DISTRICT)
    client = client_for("customer_service")
    url = reverse("web:order_correct", args=[order.order_no])

    unchanged = client.post(url, correction(order))
    assert unchanged.status_code == 400
    assert "Nothing was changed." in body(unchanged)

    # Personal fields are not put in the page: left empty they keep their value (docs/privacy.md),
    # so a required field is emptied here with the city.
    emptied = client.post(url, correction(order, ship_name="", ship_city="", ship_district="西湖区"))
    assert emptied.status_code == 400
    form = emptied.context["review"]["forms"]["correct"]
    assert form.errors["ship_city"] == ["This field cannot be emptied."]
    assert form["ship_district"].value() == "西湖区"  # what was typed stays

    order.refresh_from_db()
    assert (order.ship_name, order.ship_district, order.status) == ("张三", "", "on_hold")
    assert actions(order) == ["order_received", "review_held"]


def test_swapping_an_unknown_sku_for_ours_passes_the_order(client_for, held):
    order = held(lines=UNKNOWN_LINE)
    assert open_holds(order) == {"unknown_sku"}
    client = client_for("customer_service")
    page = detail(client, order)
    assert reverse("web:order_swap_sku", args=[order.order_no]) in page
    assert reverse("web:order_map_sku", args=[order.order_no]) not in page  # customer service cannot map

    response = client.post(reverse("web:order_swap_sku", args=[order.order_no]),
                           {"line": "1", "sku_code": "TSHIRT-RED-M", "note": "买家确认"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "pending_shipment"
    assert order.lines.get().sku.code == "TSHIRT-RED-M"
    swapped = order.events.get(action="line_sku_swapped")
    assert swapped.changes == {"line 1 SKU": ["TB-TEE-RED-M", "TSHIRT-RED-M"]}
    assert "line 1 SKU" in detail(client, order) and "Line SKU swapped" in detail(client, order)


def test_swapping_to_a_code_that_is_not_ours_shows_the_error_by_the_field(client_for, held):
    order = held(lines=UNKNOWN_LINE)
    response = client_for("customer_service").post(reverse("web:order_swap_sku", args=[order.order_no]),
                                                   {"line": "1", "sku_code": "NOPE"})
    assert response.status_code == 400
    assert response.context["review"]["forms"]["swap"].errors["sku_code"] == ["No SKU has this code."]
    order.refresh_from_db()
    assert order.status == "on_hold"


def test_mapping_the_platform_sku_fixes_the_order_and_reviews_it_again(client_for, held):
    order = held(lines=UNKNOWN_LINE)
    client = client_for("operations")
    page = detail(client, order)
    form = client.get(reverse("web:order_detail", args=[order.order_no])).context["review"]["forms"]["map"]
    assert (form["channel"].value(), form["platform_sku"].value()) == ("taobao", "TB-TEE-RED-M")
    assert reverse("web:order_map_sku", args=[order.order_no]) in page

    response = client.post(reverse("web:order_map_sku", args=[order.order_no]),
                           {"channel": "taobao", "platform_sku": "TB-TEE-RED-M", "sku_code": "TSHIRT-RED-M"},
                           follow=True)

    assert ChannelSkuMapping.objects.get(platform_sku="TB-TEE-RED-M").sku.code == "TSHIRT-RED-M"
    order.refresh_from_db()
    assert order.status == "pending_shipment"
    assert AuditEvent.objects.filter(action="sku_mapping_changed", order=None).exists()
    assert "passed review" in body(response)


def test_mapping_to_an_unknown_sku_is_refused_next_to_the_field(client_for, held):
    order = held(lines=UNKNOWN_LINE)
    response = client_for("operations").post(reverse("web:order_map_sku", args=[order.order_no]),
                                             {"channel": "taobao", "platform_sku": "TB-TEE-RED-M", "sku_code": "X"})
    assert response.status_code == 404
    assert response.context["review"]["forms"]["map"].errors["sku_code"] == ["No SKU has this code."]
    assert not ChannelSkuMapping.objects.filter(platform_sku="TB-TEE-RED-M").exists()


def test_acknowledging_the_remark_lets_the_order_through(client_for, held):
    order = held(buyer_remark="请加急，谢谢")
    assert open_holds(order) == {"remark_attention"}

    client_for("customer_service").post(reverse("web:order_acknowledge", args=[order.order_no]),
                                        {"note": "已安排加急"})

    order.refresh_from_db()
    assert order.status == "pending_shipment"
    event = order.events.get(action="remark_acknowledged")
    assert event.note == "已安排加急" and event.data == {"reasons": ["remark_attention"]}


def test_approve_anyway_needs_a_reason_and_is_recorded(client_for, held):
    order = held(buyer_remark="请加急")
    client = client_for("operations")
    url = reverse("web:order_approve", args=[order.order_no])

    missing = client.post(url, {"reason": "  "})
    assert missing.status_code == 400
    assert missing.context["review"]["forms"]["approve"].errors["reason"] == ["This field is required."]

    client.post(url, {"reason": "已电话确认"})
    order.refresh_from_db()
    assert order.status == "pending_shipment"
    assert order.events.get(action="review_overridden").reason == "已电话确认"
    assert Reservation.objects.filter(order=order).count() == 1
    assert "Approved despite hold reasons" in detail(client, order)


def test_approve_anyway_is_refused_for_missing_stock_with_the_reason_shown(client_for, held):
    order = held(lines=[{"sku": "MUG-WHITE", "name": "白色马克杯", "spec": "350ml", "quantity": 1,
                         "unit_price": "116.00"}], shipping_fee="12.00")
    assert open_holds(order) == {"out_of_stock"}
    client = client_for("operations")
    assert "Waiting for restock: nothing to do" in detail(client, order)

    response = client.post(reverse("web:order_approve", args=[order.order_no]), {"reason": "急单"})

    assert response.status_code == 422
    assert "cannot be approved anyway" in str(response.context["review"]["forms"]["approve"].non_field_errors())
    order.refresh_from_db()
    assert order.status == "on_hold"


def test_cancelling_with_other_needs_a_note_then_cancels_and_clears_the_holds(client_for, held):
    order = held(shipping_address=NO_DISTRICT)
    client = client_for("customer_service")
    url = reverse("web:order_cancel", args=[order.order_no])

    response = client.post(url, {"reason": "other", "note": ""})
    assert response.status_code == 400
    assert response.context["review"]["forms"]["cancel"].errors["note"]
    order.refresh_from_db()
    assert order.status == "on_hold"

    client.post(url, {"reason": "buyer_unverifiable", "note": "电话无人接听"})
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancel_reason == "buyer_unverifiable"
    assert open_holds(order) == set()
    assert order.holds.get().resolution == "cancelled"
    page = detail(client, order)
    assert "Buyer information cannot be verified" in page
    assert reverse("web:order_cancel", args=[order.order_no]) not in page
    assert client.get(QUEUE).context["rows"] == []


def test_reviewing_again_after_switching_a_rule_off_passes_the_order(client_for, held):
    order = held(buyer_remark="请加急")
    ReviewRuleSetting.objects.create(code="remark_attention", enabled=False)

    response = client_for("customer_service").post(reverse("web:order_rereview", args=[order.order_no]),
                                                   {"next": QUEUE})

    assert response["Location"] == QUEUE
    order.refresh_from_db()
    assert order.status == "pending_shipment"
    assert order.events.filter(action="review_passed", data__trigger="manual").exists()


def test_recording_a_payment_of_a_held_order_checks_the_amount_then_reviews_it(client_for, held):
    order = held(payment={"method": "alipay", "status": "paid", "paid_at": "2026-11-26T10:16:00+08:00"})
    assert open_holds(order) == {"unpaid"}
    client = client_for("finance")
    assert reverse("web:order_payment", args=[order.order_no]) in detail(client, order)
    url = reverse("web:order_payment", args=[order.order_no])

    bad = client.post(url, {"method": "alipay", "amount": "1.234", "transaction_id": "T-1"})
    assert bad.status_code == 400
    assert bad.context["review"]["forms"]["payment"].errors["amount"] == ["Enter an amount such as 59.00."]

    client.post(url, {"method": "alipay", "amount": "118.00", "transaction_id": "2026112622001"})
    order.refresh_from_db()
    assert order.status == "pending_shipment" and order.transaction_id == "2026112622001"
    assert "payment_recorded" in actions(order)


def test_an_action_on_an_order_that_moved_on_says_so_instead_of_failing(client_for, held):
    order = held()
    assert order.status == "pending_shipment"
    response = client_for("customer_service").post(reverse("web:order_rereview", args=[order.order_no]),
                                                   follow=True)
    assert response.status_code == 200
    assert "Only orders waiting for review or on hold can be reviewed." in body(response)


def test_an_action_on_a_missing_order_is_a_friendly_404(client_for, db):
    response = client_for("customer_service").post(reverse("web:order_rereview", args=["NOPE"]))
    assert response.status_code == 404


# --- rule settings ------------------------------------------------------------------------------------

def rules_form(client) -> dict:
    """The rule settings form as the page fills it."""
    form = client.get(RULES).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, type(form.fields["phone_invalid__enabled"])):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


def test_the_rules_page_lists_every_rule_read_only_for_customer_service(client_for):
    response = client_for("customer_service").get(RULES)
    page = body(response)
    for code, rule in review_views.RULES.items():
        assert f'data-rule="{code}"' in page
        assert str(rule.title) in page and str(rule.description) in page
    assert "Largest quantity per line" in page and 'value="200"' in page
    assert "改地址" in page  # a keyword list
    assert "disabled" in page and 'name="save"' not in page


def test_operations_change_rules_and_the_change_is_recorded(client_for, users):
    client = client_for("operations")
    data = rules_form(client)
    data.pop("remark_attention__enabled")
    data["quantity_mismatch__max_line_quantity"] = "50"
    data["amount_over_limit__limit"] = "3000"
    data["remark_attention__keywords"] = "加急，发票\n改地址"

    response = client.post(RULES, data)

    assert response.status_code == 302
    settings = {s.code: s for s in ReviewRuleSetting.objects.all()}
    assert set(settings) == {"remark_attention", "quantity_mismatch", "amount_over_limit"}
    assert settings["remark_attention"].enabled is False
    assert settings["remark_attention"].params["keywords"] == ["加急", "发票", "改地址"]
    assert settings["quantity_mismatch"].params == {"max_line_quantity": 50}
    assert settings["amount_over_limit"].params == {"limit": "3000.00"}
    assert settings["amount_over_limit"].updated_by == users["operations"]
    event = AuditEvent.objects.get(action="review_rule_changed", data__rule="amount_over_limit")
    assert event.actor_username == "operations" and event.changes == {"limit": ["5000.00", "3000.00"]}
    page = body(client.get(RULES))
    assert "Last changed by operations" in page


def test_a_bad_number_is_named_and_nothing_is_saved(client_for):
    client = client_for("operations")
    data = rules_form(client)
    data.pop("remark_attention__enabled")  # a valid change in the same form
    data["quantity_mismatch__max_line_quantity"] = "many"
    data["amount_over_limit__limit"] = "-5"

    response = client.post(RULES, data)

    assert response.status_code == 400
    page = body(response)
    assert "Nothing was saved" in page
    assert "Specification or quantity mismatch · Largest quantity per line: Must be a whole number" in page
    assert "Amount over limit · Highest payable amount without a person's check" in page
    assert not ReviewRuleSetting.objects.exists()
    assert not AuditEvent.objects.filter(action="review_rule_changed").exists()


def test_saving_unchanged_rules_changes_nothing(client_for):
    client = client_for("operations")
    response = client.post(RULES, rules_form(client), follow=True)
    assert "Nothing was changed." in body(response)
    assert not ReviewRuleSetting.objects.exists()


# --- coupons --------------------------------------------------------------------------------------------

def coupon_data(**changes) -> dict:
    data = {"code": "SPRING20", "name": "春季满减", "channel": "web", "amount": "20.00", "min_spend": "199.00",
            "valid_from": "2026-03-01T00:00", "valid_until": "2026-03-31T23:59", "max_uses": "500",
            "active": "on"}
    data.update(changes)
    return data


def test_operations_create_a_coupon_and_customer_service_sees_it(client_for):
    response = client_for("operations").post(COUPONS, coupon_data())
    assert response.status_code == 302
    coupon = Coupon.objects.get(code="SPRING20")
    assert (coupon.channel.code, str(coupon.amount), str(coupon.min_spend), coupon.max_uses) == (
        "web", "20.00", "199.00", 500)
    assert timezone.localtime(coupon.valid_from).strftime("%Y-%m-%d %H:%M") == "2026-03-01 00:00"
    assert AuditEvent.objects.filter(action="coupon_created", data__coupon="SPRING20").exists()
    page = body(client_for("customer_service").get(COUPONS))
    assert "SPRING20" in page and "¥199.00" in page
    assert 'name="save"' not in page  # no form for customer service


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"amount": "abc"}, "amount", "Enter an amount such as 59.00."),
    ({"min_spend": "-1"}, "min_spend", "Must not be negative."),
    ({"valid_until": "2026-02-01T00:00"}, "valid_until", "Must be later than “valid from”."),
    ({"code": ""}, "code", "This field is required."),
    ({"code": "NEW 10"}, "code", "A coupon code has no spaces."),
])
def test_a_bad_coupon_is_refused_with_the_error_by_its_field(client_for, changes, field, message):
    response = client_for("operations").post(COUPONS, coupon_data(**changes))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert message in body(response)
    assert not Coupon.objects.exists()


def test_a_coupon_code_is_unique(client_for):
    Coupon.objects.create(code="SPRING20")
    response = client_for("operations").post(COUPONS, coupon_data())
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["A coupon with this code exists already."]


def test_editing_a_coupon_keeps_its_code_and_may_not_go_below_its_uses(client_for):
    coupon = Coupon.objects.create(code="NEW10", amount="10.00", max_uses=100, used_count=40)
    client = client_for("operations")
    form = client.get(COUPONS, {"edit": coupon.pk}).context["form"]
    assert form["code"].value() == "NEW10" and form["amount"].value() == "10.00"

    low = client.post(COUPONS, {**coupon_data(code="OTHER", max_uses="30"), "id": coupon.pk})
    assert low.status_code == 400
    assert low.context["form"].errors["max_uses"] == ["The coupon has been used 40 times already."]

    client.post(COUPONS, {**coupon_data(code="OTHER", max_uses="200", amount="15.00"), "id": coupon.pk})
    coupon.refresh_from_db()
    assert (coupon.code, coupon.max_uses, str(coupon.amount)) == ("NEW10", 200, "15.00")
    event = AuditEvent.objects.get(action="coupon_changed")
    assert event.changes["max_uses"] == [100, 200] and event.changes["amount"] == ["10.00", "15.00"]


def test_switching_a_coupon_off_keeps_it_and_records_it(client_for):
    coupon = Coupon.objects.create(code="NEW10")
    client_for("operations").post(COUPONS, {"id": coupon.pk, "toggle": "1", "active": "0"})
    coupon.refresh_from_db()
    assert coupon.active is False
    assert AuditEvent.objects.get(action="coupon_changed").changes == {"active": [True, False]}


# --- block list -------------------------------------------------------------------------------------------

def test_a_blocked_phone_is_stored_in_the_form_review_compares(client_for, users):
    response = client_for("operations").post(BLOCKLIST, {"kind": "phone", "value": "+86 139-0000-1111",
                                                         "reason": "多次恶意拒收", "active": "on"})
    assert response.status_code == 302
    entry = BlockListEntry.objects.get()
    assert (entry.kind, entry.value, entry.created_by) == ("phone", "13900001111", users["operations"])
    assert AuditEvent.objects.filter(action="block_list_entry_added").exists()
    page = body(client_for("customer_service").get(BLOCKLIST, {"q": "139 0000"}))
    assert "13900001111" in page and "多次恶意拒收" in page


def test_a_blocked_phone_holds_the_next_order(client_for, held):
    client_for("operations").post(BLOCKLIST, {"kind": "phone", "value": "138 0013 8000", "reason": "欺诈",
                                              "active": "on"})
    order = held()
    assert open_holds(order) == {"blacklisted"}


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "phone", "value": "abc", "reason": "x"}, "Enter a phone number (5 to 20 digits)."),
    ({"kind": "address", "value": "路", "reason": "x"}, "Enter at least two characters of the address."),
    ({"kind": "phone", "value": "13900001111", "reason": ""}, "This field is required."),
    ({"kind": "phone", "value": "139-0000-1111", "reason": "again"}, "This is on the block list already."),
])
def test_a_bad_block_list_entry_is_refused_with_the_error_by_its_field(client_for, data, message):
    BlockListEntry.objects.create(kind="phone", value="13900001111", reason="first")
    response = client_for("operations").post(BLOCKLIST, {**data, "active": "on"})
    assert response.status_code == 400
    assert message in body(response)
    assert BlockListEntry.objects.count() == 1


def test_a_block_list_entry_is_switched_off_and_edited(client_for):
    entry = BlockListEntry.objects.create(kind="address", value="文三路100号", reason="虚假地址")
    client = client_for("operations")
    client.post(BLOCKLIST, {"id": entry.pk, "toggle": "1", "active": "0"})
    entry.refresh_from_db()
    assert entry.active is False

    client.post(BLOCKLIST, {"id": entry.pk, "kind": "address", "value": "文三路100号", "reason": "核实为虚假地址",
                            "active": "on"})
    entry.refresh_from_db()
    assert (entry.active, entry.reason) == (True, "核实为虚假地址")
    assert AuditEvent.objects.filter(action="block_list_entry_changed").count() == 2


def test_a_channel_cancellation_keeps_saying_how_it_came(client_for, held, push_order, order_payload):
    order = held(shipping_address=NO_DISTRICT)
    push_order(order_payload(external_id=order.external_id, shipping_address=NO_DISTRICT,
                             cancellation={"reason": "买家不想要了"}))
    order.refresh_from_db()
    assert order.status == "cancelled"
    page = detail(client_for("customer_service"), order)
    assert "买家不想要了" in page
    assert "Units released: 0" in page
    assert "the channel sent the order again" in page
