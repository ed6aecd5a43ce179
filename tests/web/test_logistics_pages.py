"""The logistics exception queue, a ticket's page and its actions, the order page's tracking timeline,
the buyer's tracking page and the API behind them, through HTTP."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from oms.audit.models import AuditEvent
from oms.fulfillment.models import Package
from oms.shipping import exceptions as svc
from oms.shipping.models import Carrier, ExceptionStatus, LogisticsException, RateCard, RateZone
from oms.shipping.models import TrackingStatus as S
from oms.shipping.package_timelines import with_tracking
from oms.shipping.tracking_public import TRACK_ATTEMPTS
from oms.web.views.logistics import age_label
from tests.shipping.exception_setup import hours_ago, network, scan, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(db):
    """Two tickets: an old one with zto (50 h) and a newer one with sto (30 h)."""
    network(no_update_hours=24)
    old = shipped(shipped_at=hours_ago(80))
    svc.open_exceptions(now=timezone.now() - timedelta(hours=50))
    sto = Carrier.objects.create(code="sto", name="申通快递")
    card = RateCard.objects.create(carrier=sto, warehouse=old.warehouse)
    RateZone.objects.create(rate_card=card, name="华东", provinces=["浙江省"], no_update_hours=24)
    new = shipped(shipped_at=hours_ago(30))
    new.carrier = sto
    new.save(update_fields=["carrier"])
    svc.open_exceptions()
    return {t.package_id: t for t in LogisticsException.objects.all()} | {"old": old, "new": new}


def test_the_queue_lists_open_tickets_oldest_first_with_age_and_a_link_to_the_order(tickets, client_for):
    page = client_for("logistics").get("/logistics/exceptions/")
    html = page.content.decode()
    assert page.status_code == 200
    old_ticket, new_ticket = tickets[tickets["old"].pk], tickets[tickets["new"].pk]
    assert html.index(old_ticket.number) < html.index(new_ticket.number)
    with translation.override(settings.LANGUAGE_CODE):
        assert age_label(50) in html
    assert f'/orders/{tickets["old"].order.order_no}/' in html
    assert 'data-carrier="zto"' in html and 'data-carrier="sto"' in html


def test_the_queue_filters_by_carrier_and_reason(tickets, client_for):
    client = client_for("logistics")
    html = client.get("/logistics/exceptions/?carrier=sto").content.decode()
    assert tickets[tickets["new"].pk].number in html and tickets[tickets["old"].pk].number not in html
    html = client.get("/logistics/exceptions/?reason=lost").content.decode()
    assert "EX-" not in html.split("<tbody>")[1]


def test_the_nav_shows_the_queue_to_logistics_but_not_to_finance(tickets, client_for):
    assert "/logistics/exceptions/" in client_for("logistics").get("/orders/").content.decode()
    assert "/logistics/exceptions/" not in client_for("finance").get("/orders/").content.decode()
    assert client_for("finance").get("/logistics/exceptions/").status_code == 403


def test_closing_a_ticket_from_its_page_records_the_outcome(tickets, client_for):
    t = tickets[tickets["old"].pk]
    client = client_for("logistics")
    response = client.post(f"/logistics/exceptions/{t.number}/", {"action": "close", "close-outcome": "delivered",
                                                                  "close-note": "买家确认已收到"})
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.outcome) == (ExceptionStatus.CLOSED, "delivered")
    page = client.get(f"/logistics/exceptions/{t.number}/").content.decode()
    assert 'data-action="logistics_exception_closed"' in page and "ticket-actions" not in page


def test_a_form_error_is_shown_next_to_its_field_and_changes_nothing(tickets, client_for):
    t = tickets[tickets["old"].pk]
    response = client_for("logistics").post(f"/logistics/exceptions/{t.number}/",
                                            {"action": "contact_carrier", "contact_carrier-note": ""})
    assert response.status_code == 400
    assert 'class="field has-error' in response.content.decode()
    assert not AuditEvent.objects.filter(action="logistics_exception_carrier_contacted").exists()


def test_a_reship_without_stock_shows_what_is_short(tickets, client_for):
    from oms.inventory.models import StockLevel

    StockLevel.objects.update(on_hand=1)
    t = tickets[tickets["old"].pk]
    response = client_for("logistics").post(f"/logistics/exceptions/{t.number}/", {"action": "reship"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="ticket-error"' in html and "TEE" in html


def test_the_order_page_shows_each_packages_tracking_newest_first(tickets, client_for):
    package = tickets["old"]
    scan(package, S.ACCEPTED, hours_ago(79), location="杭州仓前", description="已揽收")
    scan(package, S.IN_TRANSIT, hours_ago(70), location="杭州转运中心", description="发往上海")
    html = client_for("customer_service").get(f"/orders/{package.order.order_no}/").content.decode()
    assert package.tracking_no in html
    assert html.index("发往上海") < html.index("已揽收")


def test_the_tracking_of_all_packages_of_an_order_is_read_with_one_query(tickets, django_assert_num_queries):
    for package in (tickets["old"], tickets["new"]):
        scan(package, S.IN_TRANSIT, hours_ago(20), location="杭州")
    packages = list(Package.objects.filter(pk__in=[tickets["old"].pk, tickets["new"].pk]))
    with django_assert_num_queries(1):
        with_tracking(packages)
    assert [len(p.timeline) for p in packages] == [1, 1]


def test_the_api_lists_acts_on_and_shows_a_ticket(tickets, api):
    client = api("logistics")
    listing = client.get("/api/v1/logistics/exceptions").json()
    assert listing["count"] == 2 and listing["results"][0]["carrier"] == "zto"
    number = listing["results"][0]["number"]
    r = client.post(f"/api/v1/logistics/exceptions/{number}/claim", {"amount": "20.00", "reference": "CL-9"},
                    format="json")
    assert r.status_code == 200 and r.json()["claimed_amount"] == "20.00"
    r = client.post(f"/api/v1/logistics/exceptions/{number}/reship", {}, format="json")
    assert r.status_code == 201 and r.json()["new_package"].endswith("-R1")
    r = client.post(f"/api/v1/logistics/exceptions/{number}/close", {"outcome": "nope"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "validation_failed"
    r = client.post(f"/api/v1/logistics/exceptions/{number}/close", {"outcome": "reshipped"}, format="json")
    assert r.json()["status"] == "closed"
    assert [h["action"] for h in r.json()["history"]][-1] == "logistics_exception_closed"
    r = client.post(f"/api/v1/logistics/exceptions/{number}/contact-buyer", {"note": "x"}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "logistics_exception_closed"
    assert api("warehouse").get("/api/v1/logistics/exceptions").status_code == 403


@pytest.fixture
def buyer_order(db):
    cache.clear()
    network()
    package = shipped(shipped_at=hours_ago(20), phone="138-0013-8000", tracking_no="ZT777000111")
    scan(package, S.IN_TRANSIT, hours_ago(10), location="上海转运中心", description="快件已到达上海")
    return package


def test_a_buyer_sees_the_status_carrier_tracking_number_and_events_without_internal_data(buyer_order):
    response = Client().post("/track/", {"order_no": buyer_order.order.order_no, "phone": "+86 13800138000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "ZT777000111" in html and "中通快递" in html and "快件已到达上海" in html
    for internal in ("杭州仓", buyer_order.number, "/orders/", "李四"):
        assert internal not in html


def test_a_wrong_phone_and_an_unknown_order_get_the_same_answer(buyer_order):
    wrong_phone = Client().post("/track/", {"order_no": buyer_order.order.order_no, "phone": "13700000000"})
    unknown = Client().post("/track/", {"order_no": "X999999999", "phone": "13800138000"})
    assert wrong_phone.status_code == unknown.status_code == 404
    strip = lambda r: r.content.decode().replace(buyer_order.order.order_no, "").replace("X999999999", "")  # noqa: E731
    assert strip(wrong_phone).split('name="csrfmiddlewaretoken"')[0] == strip(unknown).split(
        'name="csrfmiddlewaretoken"')[0]


def test_the_customer_phone_works_too_and_the_json_api_answers_the_same(buyer_order):
    r = Client().get("/api/v1/track", {"order_no": buyer_order.order.order_no, "phone": "13900139000"})
    assert r.status_code == 200
    body = r.json()
    assert body["parcels"][0]["tracking_no"] == "ZT777000111"
    assert set(body["parcels"][0]) == {"carrier", "tracking_no", "events"}
    assert Client().get("/api/v1/track", {"order_no": buyer_order.order.order_no, "phone": "1"}).status_code == 404


def test_too_many_attempts_from_one_address_are_refused(buyer_order):
    client = Client()
    for _ in range(TRACK_ATTEMPTS):
        client.post("/track/", {"order_no": "X1", "phone": "13800138000"})
    blocked = client.post("/track/", {"order_no": buyer_order.order.order_no, "phone": "13800138000"})
    assert blocked.status_code == 429
    assert client.get("/api/v1/track", {"order_no": "X1", "phone": "13800138000"}).status_code == 429
