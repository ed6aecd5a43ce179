"""Coupons and the block list through the API: who may read and change them, shapes and errors."""

import re

import pytest

from oms.audit.models import AuditEvent
from oms.orders.review.models import BlockListEntry, Coupon

COUPONS = "/api/v1/review/coupons"
BLOCKLIST = "/api/v1/review/blocklist"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


@pytest.fixture(autouse=True)
def _english_messages(settings):
    settings.LANGUAGE_CODE = "en"


def spring(**changes) -> dict:
    body = {"code": "SPRING20", "name": "春季满减", "channel": "web", "amount": "20.00", "min_spend": "199.00",
            "valid_from": "2026-03-01T00:00:00+08:00", "valid_until": "2026-03-31T23:59:00+08:00",
            "max_uses": 500}
    body.update(changes)
    return body


def error(response) -> dict:
    return response.json()["error"]


# --- who may do what --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [COUPONS, BLOCKLIST])
def test_reviewers_read_the_lists_and_only_operations_change_them(api, url):
    assert api(None).get(url).status_code == 401
    assert api("warehouse").get(url).status_code == 403
    assert api("customer_service").get(url).status_code == 200
    refused = api("customer_service").post(url, {}, format="json")
    assert refused.status_code == 403 and error(refused)["code"] == "permission_denied"
    assert api("operations").post(url, {}, format="json").status_code == 400


def test_changing_one_coupon_or_entry_needs_the_rules_right(api):
    coupon = Coupon.objects.create(code="NEW10")
    entry = BlockListEntry.objects.create(kind="phone", value="13900001111", reason="x")

    for url in (f"{COUPONS}/{coupon.pk}", f"{BLOCKLIST}/{entry.pk}"):
        assert api("customer_service").get(url).status_code == 200
        assert api("customer_service").patch(url, {"active": False}, format="json").status_code == 403
        assert api("operations").patch(url, {"active": False}, format="json").status_code == 200
    assert not Coupon.objects.get().active and not BlockListEntry.objects.get().active


# --- coupons --------------------------------------------------------------------------------------------

def test_a_coupon_is_created_and_shown_with_money_as_strings_and_times_with_offsets(api):
    created = api("operations").post(COUPONS, spring(), format="json")

    assert created.status_code == 201
    body = created.json()
    assert (body["code"], body["channel"], body["amount"], body["min_spend"], body["max_uses"], body["used_count"],
            body["active"]) == ("SPRING20", "web", "20.00", "199.00", 500, 0, True)
    assert body["valid_from"] == "2026-03-01T00:00:00+08:00"
    assert ISO_WITH_OFFSET.match(body["created_at"])
    assert AuditEvent.objects.filter(action="coupon_created", data__coupon="SPRING20").count() == 1
    page = api("customer_service").get(COUPONS, {"q": "spring"}).json()
    assert page["count"] == 1 and page["results"] == [body]
    assert api("customer_service").get(f"{COUPONS}/{body['id']}").json() == body


def test_a_bad_coupon_is_refused_in_the_error_format_naming_each_field(api):
    response = api("operations").post(COUPONS, spring(code="NEW 10", amount=20.0, valid_until="soon", max_uses="x"),
                                      format="json")

    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "validation_failed" and err["message"]
    assert set(err["details"]) == {"code", "amount", "valid_until", "max_uses"}
    assert err["details"]["code"] == ["A coupon code has no spaces."]
    assert not Coupon.objects.exists()


def test_a_coupon_code_given_twice_is_refused(api):
    api("operations").post(COUPONS, spring(), format="json")

    response = api("operations").post(COUPONS, spring(name="again"), format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "already_listed" and list(error(response)["details"]) == ["code"]


def test_patching_a_coupon_changes_only_the_fields_sent(api):
    coupon = Coupon.objects.create(code="NEW10", name="新人券", amount="10.00", max_uses=100, used_count=40)
    url = f"{COUPONS}/{coupon.pk}"

    below = api("operations").patch(url, {"max_uses": 30}, format="json")
    recode = api("operations").patch(url, {"code": "OTHER"}, format="json")
    done = api("operations").patch(url, {"max_uses": 200, "amount": "15.00", "valid_until": None}, format="json")

    assert below.status_code == 400 and list(error(below)["details"]) == ["max_uses"]
    assert recode.status_code == 400 and list(error(recode)["details"]) == ["code"]
    assert done.status_code == 200
    assert (done.json()["code"], done.json()["name"], done.json()["amount"], done.json()["max_uses"]) == (
        "NEW10", "新人券", "15.00", 200)
    [event] = AuditEvent.objects.filter(action="coupon_changed")
    assert event.changes == {"max_uses": [100, 200], "amount": ["10.00", "15.00"]}


def test_an_unknown_coupon_is_not_found(api):
    response = api("operations").patch(f"{COUPONS}/999999", {"active": False}, format="json")

    assert response.status_code == 404 and error(response)["code"] == "coupon_not_found"


# --- block list -----------------------------------------------------------------------------------------

def test_a_blocked_phone_is_added_stored_as_digits_and_found_whatever_its_punctuation(api):
    created = api("operations").post(BLOCKLIST, {"kind": "phone", "value": "+86 139-0000-1111",
                                                 "reason": "多次恶意拒收"}, format="json")

    assert created.status_code == 201
    assert (created.json()["value"], created.json()["active"], created.json()["created_by"]) == (
        "13900001111", True, "operations")
    found = api("customer_service").get(BLOCKLIST, {"q": "139 0000", "kind": "phone"}).json()
    assert [r["id"] for r in found["results"]] == [created.json()["id"]]
    assert api("customer_service").get(BLOCKLIST, {"kind": "address"}).json()["count"] == 0


def test_a_bad_or_repeated_entry_is_refused_naming_the_field(api):
    api("operations").post(BLOCKLIST, {"kind": "phone", "value": "13900001111", "reason": "first"}, format="json")

    bad = api("operations").post(BLOCKLIST, {"kind": "email", "value": "x", "reason": ""}, format="json")
    twin = api("operations").post(BLOCKLIST, {"kind": "phone", "value": "139 0000 1111", "reason": "again"},
                                  format="json")

    assert bad.status_code == 400 and set(error(bad)["details"]) == {"kind", "reason"}
    assert twin.status_code == 400 and error(twin)["code"] == "already_listed"
    assert error(twin)["details"] == {"value": ["This is on the block list already."]}
    assert BlockListEntry.objects.count() == 1


def test_patching_an_entry_records_what_changed(api):
    entry = BlockListEntry.objects.create(kind="address", value="文三路100号", reason="虚假地址")

    response = api("operations").patch(f"{BLOCKLIST}/{entry.pk}", {"reason": "核实为虚假地址", "active": False},
                                       format="json")

    assert response.status_code == 200 and response.json()["reason"] == "核实为虚假地址"
    [event] = AuditEvent.objects.filter(action="block_list_entry_changed")
    assert event.changes == {"reason": ["虚假地址", "核实为虚假地址"], "active": [True, False]}


def test_list_parameters_are_checked(api):
    for url, params in ((COUPONS, {"active": "maybe"}), (COUPONS, {"page_size": "0"}), (BLOCKLIST, {"kind": "x"})):
        response = api("customer_service").get(url, params)
        assert response.status_code == 400 and list(error(response)["details"]) == list(params)
