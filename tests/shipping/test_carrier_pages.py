"""Carriers, rate cards and carrier rules: back-office pages and API, validation and audit."""

from decimal import Decimal

import pytest
from django.test import Client

from oms.audit.models import AuditEvent
from oms.inventory.models import Warehouse
from oms.shipping.models import Carrier, CarrierRule, RateCard


@pytest.fixture
def hz(db):
    return Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10)


@pytest.fixture
def browser(users):
    def signed_in(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client
    return signed_in


def test_logistics_creates_a_carrier_through_the_api_and_the_change_is_audited(api):
    client = api("logistics")
    r = client.post("/api/v1/carriers", {"code": "sf", "name": "顺丰速运", "service_level": "express",
                                         "supports_cod": True, "tracking_number_pattern": r"^(SF)?\d{12}$"},
                    format="json")
    assert r.status_code == 201, r.content
    assert r.json()["tracking_number_pattern"] == r"^(SF)?\d{12}$"
    event = AuditEvent.objects.get(action="carrier_created")
    assert event.data == {"carrier": "sf"} and event.changes["name"] == [None, "顺丰速运"]
    r = client.patch("/api/v1/carriers/sf", {"active": False}, format="json")
    assert r.status_code == 200 and r.json()["active"] is False
    assert AuditEvent.objects.get(action="carrier_changed").changes == {"active": [True, False]}


def test_a_pattern_that_does_not_compile_and_a_missing_name_are_named_with_422(api):
    r = api("logistics").post("/api/v1/carriers", {"code": "zto", "tracking_number_pattern": "7[0-9"},
                              format="json")
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    assert set(details) == {"name", "tracking_number_pattern"}
    assert not Carrier.objects.exists()


def test_other_roles_may_not_manage_carriers(api):
    assert api("warehouse").get("/api/v1/carriers").status_code == 403
    assert api("customer_service").post("/api/v1/carrier-rules", {"name": "x", "max_promise_days": 1},
                                        format="json").status_code == 403


def test_a_rate_card_with_zones_and_insurance_is_saved_and_unknown_provinces_are_named(api, hz):
    Carrier.objects.create(code="sf", name="顺丰速运")
    client = api("logistics")
    card = {"volumetric_divisor": 6000, "insurance_rate_permille": "5", "insurance_min_fee": "1.00",
            "insurance_max_value": "20000.00",
            "zones": [{"name": "同省", "provinces": ["浙江"], "first_price": "12.00", "step_price": "2.00",
                       "promise_days": 1},
                      {"name": "偏远", "provinces": ["西藏自治区", "火星省"], "served": False}]}
    r = client.put("/api/v1/rate-cards/sf/hz", card, format="json")
    assert r.status_code == 422
    assert list(r.json()["error"]["details"]) == ["zones.1.provinces"]
    assert "火星省" in r.json()["error"]["details"]["zones.1.provinces"][0]
    card["zones"][1]["provinces"] = ["西藏自治区"]
    r = client.put("/api/v1/rate-cards/sf/hz", card, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["zones"][0]["provinces"] == ["浙江省"] and body["insurance_rate_permille"] == "5.00"
    saved = RateCard.objects.get()
    assert saved.insurance_max_value == Decimal("20000.00") and saved.zones.count() == 2
    assert AuditEvent.objects.filter(action="rate_card_created").count() == 1
    r = client.put("/api/v1/rate-cards/sf/hz", {"insurance_min_fee": "2.00"}, format="json")
    assert r.status_code == 200 and len(r.json()["zones"]) == 2  # zones left out are kept
    assert AuditEvent.objects.get(action="rate_card_changed").changes == {"insurance_min_fee": ["1.00", "2.00"]}


def test_a_province_in_two_zones_of_a_card_is_refused(api, hz):
    Carrier.objects.create(code="zto", name="中通快递")
    r = api("logistics").put("/api/v1/rate-cards/zto/hz", {"zones": [
        {"name": "A", "provinces": ["浙江省"]}, {"name": "B", "provinces": ["浙江省", "江苏省"]}]}, format="json")
    assert r.status_code == 422 and "zones.1.provinces" in r.json()["error"]["details"]


def test_carrier_rules_need_an_effect_and_known_carriers(api):
    Carrier.objects.create(code="sf", name="顺丰速运")
    client = api("operations")
    r = client.post("/api/v1/carrier-rules", {"name": "空规则", "remark_keywords": ["加急"]}, format="json")
    assert r.status_code == 422 and "max_promise_days" in r.json()["error"]["details"]
    r = client.post("/api/v1/carrier-rules", {"name": "x", "carriers": ["nope"], "min_weight_g": 500,
                                              "max_weight_g": 100}, format="json")
    assert set(r.json()["error"]["details"]) == {"carriers", "max_weight_g"}
    r = client.post("/api/v1/carrier-rules", {"name": "加急", "remark_keywords": ["加急"], "max_promise_days": 1},
                    format="json")
    assert r.status_code == 201
    rule_id = r.json()["id"]
    r = client.patch(f"/api/v1/carrier-rules/{rule_id}", {"active": False}, format="json")
    assert r.status_code == 200 and not CarrierRule.objects.get().active
    assert [e.action for e in AuditEvent.objects.order_by("id")] == ["carrier_rule_created", "carrier_rule_changed"]
    assert client.get("/api/v1/carrier-rules/99999").status_code == 404


def test_the_carrier_page_shows_a_bad_pattern_next_to_its_field(browser):
    Carrier.objects.create(code="yto", name="圆通速递")
    client = browser("logistics")
    page = client.get("/carriers/")
    assert page.status_code == 200 and "圆通速递" in page.content.decode()
    r = client.post("/carriers/yto/", {"name": "圆通速递", "service_level": "standard", "adapter": "manual",
                                       "tracking_number_pattern": "YT(\\d{13}", "active": "on"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'class="field has-error' in html and "YT(\\d{13}" in html
    assert Carrier.objects.get().tracking_number_pattern == ""
    r = client.post("/carriers/yto/", {"name": "圆通速递", "service_level": "standard", "adapter": "manual",
                                       "tracking_number_pattern": "^YT\\d{13}$", "active": "on"})
    assert r.status_code == 302
    assert Carrier.objects.get().tracking_number_pattern == "^YT\\d{13}$"


def test_the_rate_card_page_puts_a_zone_error_on_that_zones_row(browser, hz):
    Carrier.objects.create(code="zto", name="中通快递")
    client = browser("operations")
    assert client.get("/carriers/zto/cards/hz/").status_code == 200
    form = {"volumetric_divisor": "8000", "insurance_rate_permille": "0", "insurance_min_fee": "0.00",
            "insurance_max_value": "0.00", "active": "on",
            "z0_name": "同省", "z0_provinces": ["浙江省"], "z0_served": "on", "z0_first_weight_g": "1000",
            "z0_first_price": "5.00", "z0_step_weight_g": "1000", "z0_step_price": "1.00", "z0_promise_days": "2",
            "z0_no_update_hours": "48",
            "z1_name": "邻近", "z1_provinces": ["江苏省"], "z1_served": "on", "z1_first_weight_g": "1000",
            "z1_first_price": "五元", "z1_step_weight_g": "1000", "z1_step_price": "1.00", "z1_promise_days": "2",
            "z1_no_update_hours": "48"}
    r = client.post("/carriers/zto/cards/hz/", form)
    assert r.status_code == 422
    assert r.context["form"].errors.keys() == {"z1_first_price"}
    assert not RateCard.objects.exists()
    form["z1_first_price"] = "7.00"
    assert client.post("/carriers/zto/cards/hz/", form).status_code == 302
    assert [z.name for z in RateCard.objects.get().zones.all()] == ["同省", "邻近"]


def test_the_rule_page_creates_a_rush_rule(browser):
    Carrier.objects.create(code="sf", name="顺丰速运")
    client = browser("logistics")
    r = client.post("/carriers/rules/new/", {"name": "加急", "position": "10", "active": "on",
                                             "remark_keywords": "加急，急用", "max_promise_days": "1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    rule = CarrierRule.objects.get()
    assert rule.remark_keywords == ["加急", "急用"] and rule.max_promise_days == 1
    assert "加急" in client.get("/carriers/rules/").content.decode()
    r = client.post(f"/carriers/rules/{rule.pk}/", {"name": "加急", "position": "x"})
    assert r.status_code == 422 and "position" in r.context["form"].errors
