"""The timeliness pages, the API, the home page counts and the markers in the team queues."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oms.timeliness import services
from oms.timeliness.sweep import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_day_works(actor):
    """A calendar where every day is a working day, so "47 hours ago" needs no weekday arithmetic."""
    services.set_working_weekdays(weekdays=list(range(7)), actor=actor("operations"))
    services.set_policy(channel_code=None, values={"shipment_hours": 48}, actor=actor("operations"))


@pytest.fixture
def at_risk_order(every_day_works, paid_order):
    order = paid_order(timezone.now() - timedelta(hours=47))
    sweep()
    return order


def test_the_warehouse_queue_page_lists_an_order_paid_47_hours_ago_as_at_risk(at_risk_order, client_for):
    response = client_for("warehouse").get(reverse("web:timeliness", args=["warehouse"]))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-order="{at_risk_order.order_no}"' in body
    assert 'data-state="at_risk"' in body


def test_the_overdue_tab_of_the_warehouse_queue_does_not_list_it(at_risk_order, client_for):
    body = client_for("warehouse").get(reverse("web:timeliness", args=["warehouse"]) + "?state=overdue").content
    assert at_risk_order.order_no not in body.decode()


def test_the_api_lists_the_at_risk_order_for_the_warehouse(at_risk_order, api):
    response = api("warehouse").get("/api/v1/timeliness/warehouse?state=at_risk")

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and data["results"][0]["order_no"] == at_risk_order.order_no
    assert data["results"][0]["state"] == "at_risk" and 0 < data["results"][0]["seconds_left"] <= 3600


def test_the_warehouse_team_got_one_notice_for_the_at_risk_order(at_risk_order):
    from oms.inbox.models import Notice

    sweep()
    assert Notice.objects.filter(team="warehouse", order=at_risk_order, kind="deadline_at_risk").count() == 1


def test_the_api_refuses_another_teams_queue_and_an_unknown_state(at_risk_order, api):
    assert api("customer_service").get("/api/v1/timeliness/warehouse").status_code == 403
    response = api("warehouse").get("/api/v1/timeliness/warehouse?state=late")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_failed"
    assert api("warehouse").get("/api/v1/timeliness/nobody").status_code == 404


def test_a_warehouse_user_of_another_warehouse_does_not_see_the_order(at_risk_order, make_user, network, client):
    other = make_user("gz-picker", "warehouse")
    other.warehouses.set([network["gz"]])
    client.force_login(other)

    body = client.get(reverse("web:timeliness", args=["warehouse"])).content.decode()

    assert at_risk_order.order_no not in body


def test_the_home_page_counts_the_queues_of_the_users_team(at_risk_order, client_for):
    response = client_for("warehouse").get("/")

    assert response.status_code == 200
    cards = {c["team"]: c for c in response.context["timeliness_cards"]}
    assert set(cards) == {"warehouse"} and cards["warehouse"]["at_risk"] == 1
    assert 'data-team="warehouse"' in response.content.decode()


def test_operations_sees_every_queue_on_the_home_page(at_risk_order, client_for):
    teams = [c["team"] for c in client_for("operations").get("/").context["timeliness_cards"]]
    assert teams == ["customer_service", "warehouse", "finance", "logistics"]


def test_the_picking_page_shows_the_at_risk_marker(at_risk_order, client_for):
    body = client_for("warehouse").get(reverse("web:pick_lists")).content.decode()
    assert f'data-order="{at_risk_order.order_no}"' in body and 'data-deadline="at_risk"' in body


def test_the_logistics_queue_marks_an_unanswered_ticket_that_is_overdue(every_day_works, paid_order, client_for):
    from oms.shipping.models import LogisticsException

    order = paid_order(timezone.now() - timedelta(hours=1))
    package = order.packages.first()
    LogisticsException.objects.create(number="LE-P1", package=package, order=order, carrier_id=package.carrier_id,
                                      reason="stuck", opened_at=timezone.now() - timedelta(hours=30))
    sweep()

    body = client_for("logistics").get(reverse("web:logistics_queue")).content.decode()

    assert 'data-deadline="overdue"' in body


def test_operations_sets_a_channels_cutoff_in_the_back_office(client_for):
    response = client_for("operations").post(reverse("web:timeliness_deadlines"), {
        "channel": "web", "review_minutes": 60, "shipment_rule": "cutoff", "shipment_hours": 48,
        "cutoff_time": "15:00", "refund_days": 3, "exception_response_hours": 12, "at_risk_fraction": "0.8"})

    assert response.status_code == 302
    from oms.timeliness.models import DeadlinePolicy

    policy = DeadlinePolicy.objects.get(channel__code="web")
    assert (policy.shipment_rule, policy.cutoff_time.hour, str(policy.at_risk_fraction)) == ("cutoff", 15, "0.80")


def test_operations_enters_the_years_holidays_in_bulk(client_for):
    from oms.timeliness.models import CalendarDay

    response = client_for("operations").post(reverse("web:timeliness_calendar"), {
        "action": "add", "kind": "holiday", "note": "国庆节", "dates": "2026-10-01\n2026-10-02\n2026-10-03\n"})

    assert response.status_code == 302
    assert CalendarDay.objects.filter(kind="holiday").count() == 3
    assert "2026-10-02" in client_for("operations").get(reverse("web:timeliness_calendar")).content.decode()


def test_the_warehouse_cannot_open_the_deadline_settings(client_for):
    assert client_for("warehouse").get(reverse("web:timeliness_deadlines")).status_code == 403
    assert client_for("warehouse").get(reverse("web:timeliness_calendar")).status_code == 403


def test_the_policy_api_reads_and_changes_the_default(api):
    response = api("operations").put("/api/v1/timeliness/policies/default", {"review_minutes": 45}, format="json")

    assert response.status_code == 200 and response.json()["review_minutes"] == 45
    assert api("operations").get("/api/v1/timeliness/policies/default").json()["review_minutes"] == 45
    assert api("warehouse").get("/api/v1/timeliness/policies/default").status_code == 403


def test_the_refund_queue_marks_an_approved_refund_past_most_of_its_time(every_day_works, paid_order, client_for):
    from oms.payments.models import Refund

    order = paid_order(timezone.now() - timedelta(days=3))
    Refund.objects.create(number="RF-P1", order=order, cause="cancellation", status="approved",
                          goods_amount="10.00", amount="10.00", payment_method="alipay",
                          approved_at=timezone.now() - timedelta(hours=60))  # 60 of 72 hours used
    sweep()

    body = client_for("finance").get(reverse("web:refund_queue") + "?tab=to_execute").content.decode()

    assert 'data-refund="RF-P1"' in body and 'data-deadline="at_risk"' in body


def test_the_review_queue_marks_a_held_order_past_its_review_time(every_day_works, paid_order, client_for):
    from oms.orders.models import Order
    from oms.orders.review.models import OrderHold
    from oms.orders.status import OrderStatus

    order = paid_order(timezone.now() - timedelta(hours=3))  # review within 120 minutes: overdue
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.ON_HOLD)
    OrderHold.objects.create(order=order, code="address", details={})
    sweep()

    body = client_for("customer_service").get(reverse("web:review_queue")).content.decode()

    assert f'data-order="{order.order_no}"' in body and 'data-deadline="overdue"' in body


def test_a_user_limited_to_another_channel_does_not_see_the_order(at_risk_order, make_user, client):
    from oms.channels.models import Channel

    other_channel = Channel.objects.exclude(pk=at_risk_order.channel_id).first()
    picker = make_user("other-channel-picker", "warehouse")
    picker.channels.set([other_channel])
    client.force_login(picker)

    body = client.get(reverse("web:timeliness", args=["warehouse"])).content.decode()

    assert 'data-state="at_risk"' in body and at_risk_order.order_no not in body


def test_the_queue_page_costs_the_same_queries_for_one_row_or_many(every_day_works, paid_order, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    paid_order(timezone.now() - timedelta(hours=47))
    sweep()
    client = client_for("operations")
    url = reverse("web:timeliness", args=["warehouse"])
    client.get(url)  # the first request of a session does one-off work (session, permissions)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        paid_order(timezone.now() - timedelta(hours=46))
    sweep()
    with CaptureQueriesContext(connection) as five:
        body = client.get(url).content.decode()

    assert body.count("data-deadline=") == 5
    assert len(five) == len(one)


def test_the_deadlines_page_shows_the_default_and_each_channel_and_names_a_bad_value(client_for):
    client = client_for("operations")
    body = client.get(reverse("web:timeliness_deadlines")).content.decode()
    assert 'data-channel="default"' in body and 'data-channel="web"' in body

    response = client.post(reverse("web:timeliness_deadlines"), {
        "channel": "", "review_minutes": 60, "shipment_rule": "hours", "shipment_hours": 48, "cutoff_time": "16:00",
        "refund_days": 3, "exception_response_hours": 12, "at_risk_fraction": "1.5"})

    assert response.status_code == 400 and "at_risk_fraction" in response.content.decode()
