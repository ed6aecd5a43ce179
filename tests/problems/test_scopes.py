"""Problem reports follow the order scopes of a channel-limited user: lists, counts and raising."""

import pytest
from django.test import Client

from oms.accounts.actor import Actor, OutOfScope
from oms.channels.models import Channel
from oms.problems import selectors, services
from tests.problems.problem_setup import order, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = False


def _scoped_to_another_channel(username: str):
    user = person(username, "customer_service")
    other = Channel.objects.get_or_create(code="scope-other", defaults={"name": "别的店", "kind": "own"})[0]
    user.channels.set([other])
    return user


def test_reports_on_orders_of_other_channels_stay_out_of_a_scoped_users_lists_and_counts():
    web_order = order()  # a "web" channel order
    report = services.raise_problem(actor=Actor.system(), category="customer_complaint", severity="minor",
                                    description="买家投诉", order_no=web_order.order_no, team="customer_service")
    fault = services.raise_problem(actor=Actor.system(), category="system_fault", severity="minor",
                                   description="打印机离线", team="customer_service")
    user = _scoped_to_another_channel("cs-scoped")

    for tab in ("team", "all"):
        shown = set(selectors.queue(user, selectors.QueueFilters(tab=tab)).values_list("number", flat=True))
        assert report.number not in shown and fault.number in shown
    assert selectors.home_counts(user)["team_open"] == 1
    assert selectors.team_open_count(user) == 1
    client = Client()
    client.force_login(user)
    page = client.get("/problems/", {"tab": "all"}).content.decode()
    assert report.number not in page and fault.number in page


def test_a_scoped_user_cannot_raise_a_report_on_an_order_of_another_channel():
    web_order = order()
    user = _scoped_to_another_channel("cs-scoped-2")
    with pytest.raises(OutOfScope):
        services.raise_problem(actor=Actor.of(user), category="customer_complaint", severity="minor",
                               description="x", order_no=web_order.order_no)


def test_an_incident_lists_only_the_linked_orders_a_scoped_user_may_see():
    from oms.problems.bursts import detect_bursts
    from tests.problems.problem_setup import held

    held(20, "address_incomplete")
    incident = detect_bursts()[0]
    user = _scoped_to_another_channel("cs-scoped-3")
    assert selectors.report_data(incident, user=user)["burst"]["order_nos"] == []
    assert len(selectors.report_data(incident)["burst"]["order_nos"]) == 20
    client = Client()
    client.force_login(user)
    answer = client.get(f"/problems/{incident.number}/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert all(o not in page for o in selectors.report_data(incident)["burst"]["order_nos"])
