import threading

import pytest
from django.db import connection

from oms.accounts.roles import CUSTOMER_SERVICE, FINANCE, WAREHOUSE
from oms.core.errors import ValidationFailed
from oms.inbox.models import Notice
from oms.inbox.selectors import notices_for, unread_count
from oms.inbox.services import mark_read, notify_team, notify_user


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_a_team_notice_reaches_every_member_of_the_team_and_nobody_else(users):
    notice = notify_team(team=WAREHOUSE, kind="test", title="Parcel late")

    assert list(notices_for(users[WAREHOUSE])) == [notice]
    assert list(notices_for(users[FINANCE])) == []


def test_a_personal_notice_reaches_only_its_recipient(users):
    notify_user(user=users[FINANCE], kind="test", title="For you")

    assert unread_count(users[FINANCE]) == 1
    assert unread_count(users[CUSTOMER_SERVICE]) == 0


def test_the_team_field_of_a_person_adds_that_teams_notices(users):
    person = users[FINANCE]
    person.team = WAREHOUSE
    person.save(update_fields=["team"])
    notify_team(team=WAREHOUSE, kind="test", title="Stock count")

    assert unread_count(person) == 1


def test_a_notice_with_the_same_dedupe_key_is_sent_once(users):
    first = notify_team(team=WAREHOUSE, kind="test", title="At risk", dedupe_key="deadline:1:at_risk")
    second = notify_team(team=WAREHOUSE, kind="test", title="At risk", dedupe_key="deadline:1:at_risk")

    assert first is not None and second is None
    assert Notice.objects.count() == 1


def test_an_unknown_team_is_refused():
    with pytest.raises(ValidationFailed):
        notify_team(team="cleaners", kind="test", title="x")


def test_a_team_notice_read_by_one_member_stays_unread_for_the_others(make_user, users):
    other = make_user("wh2", WAREHOUSE)
    notice = notify_team(team=WAREHOUSE, kind="test", title="Count bin A-01")

    assert mark_read(user=users[WAREHOUSE], notice_ids=[notice.pk]) == 1
    assert mark_read(user=users[WAREHOUSE], notice_ids=[notice.pk]) == 0
    assert unread_count(users[WAREHOUSE]) == 0
    assert unread_count(other) == 1


def test_nobody_marks_read_a_notice_that_is_not_theirs(users):
    notice = notify_user(user=users[FINANCE], kind="test", title="Private")

    assert mark_read(user=users[WAREHOUSE], notice_ids=[notice.pk]) == 0


def test_the_inbox_page_lists_unread_notices_and_marks_them_read(client, users):
    notify_team(team=WAREHOUSE, kind="test", title="Parcel 7 is late", body="Due 10:00")
    client.force_login(users[WAREHOUSE])

    page = client.get("/inbox/").content.decode()
    assert "Parcel 7 is late" in page and "Due 10:00" in page
    assert "Inbox (1)" in page

    response = client.post("/inbox/", {"all": "1"})
    assert response.status_code == 302
    assert "Parcel 7 is late" not in client.get("/inbox/").content.decode()
    assert "Parcel 7 is late" in client.get("/inbox/?show=all").content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_of_the_same_notice_send_it_once():
    barrier = threading.Barrier(4)
    results = []

    def send():
        try:
            barrier.wait()
            results.append(notify_team(team=WAREHOUSE, kind="test", title="Once", dedupe_key="race:1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert Notice.objects.filter(dedupe_key="race:1").count() == 1
    assert sum(r is not None for r in results) == 1


def test_a_team_notice_about_an_order_outside_ones_warehouse_scope_is_not_shown(make_user, users, api, order_payload):
    from oms.inventory.models import Warehouse
    from oms.orders.models import Order

    order_no = api("integration").post("/api/v1/orders", order_payload(), format="json").json()["order_no"]
    order = Order.objects.get(order_no=order_no)
    keeper = make_user("wh-b", WAREHOUSE)
    keeper.warehouses.add(Warehouse.objects.create(code="B", name="B仓", province="广东省", city="广州市"))
    about_order = notify_team(team=WAREHOUSE, kind="test", title=f"{order_no} at risk", order=order)
    general = notify_team(team=WAREHOUSE, kind="test", title="Stock count tonight")

    assert list(notices_for(keeper)) == [general]
    assert set(notices_for(users[WAREHOUSE])) == {general, about_order}
