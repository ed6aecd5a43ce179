"""Scopes on every page and API route: staff limited to warehouse hz or channel taobao cannot see or act on
objects of warehouse sh or channel jd, not even by guessing their numbers (read: 404, action: 403).

Objects are rows as the services would leave them (tests/aftersales/returns_setup.py builds the orders).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from oms.accounts.actor import Actor
from oms.accounts.services import token_for
from oms.aftersales.models import AfterSalesRequest
from oms.channels.models import Channel
from oms.fulfillment.models import Package, PickList
from oms.inventory.models import Warehouse
from oms.inventory.services import receive_stock
from oms.notifications.models import Message
from oms.payments.models import Refund
from oms.shipping.models import Carrier, HandoverList, LogisticsException
from tests.aftersales.returns_setup import delivered_order, network


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.AXES_ENABLED = False
    settings.LANGUAGE_CODE = "en"


def objects_of(order, warehouse, tag):
    """A refund, an after-sales request, a pick list, a hand-over list and a logistics ticket of the order."""
    zto = Carrier.objects.get(code="zto")
    package = order.packages.get()
    return {
        "order": order.order_no,
        "package": package.number,
        "refund": Refund.objects.create(number=f"RF-{tag}", order=order, cause="refund_only",
                                        goods_amount=Decimal("10.00"), amount=Decimal("10.00"),
                                        payment_method="alipay").number,
        "request": AfterSalesRequest.objects.create(number=f"AS-{tag}", order=order, kind="return_refund",
                                                    reason="quality", return_warehouse=warehouse).number,
        "pick_list": PickList.objects.create(number=f"PL-{tag}", warehouse=warehouse).number,
        "handover": HandoverList.objects.create(number=f"HO-{tag}", carrier=zto, warehouse=warehouse).number,
        "ticket": LogisticsException.objects.create(number=f"LE-{tag}", package=package, order=order, carrier=zto,
                                                    reason="no_update", opened_at=timezone.now()).number,
        "message": Message.objects.create(order=order, event="order_confirmed", medium="sms", recipient="1",
                                          language="zh", body="x").pk,
    }


@pytest.fixture
def world(db, users):
    """Order A of channel taobao shipped from hz; order B of channel jd shipped from sh; their objects."""
    net = network()
    sh = Warehouse.objects.get(code="sh")
    receive_stock(sku_code="TEE", warehouse_code="sh", quantity=3, actor=Actor.system(), reference="setup")
    a = delivered_order(channel="taobao")
    b = delivered_order(channel="jd")
    Package.objects.filter(order=b).update(warehouse=sh)
    return {"A": objects_of(a, net["hz"], "A"), "B": objects_of(b, sh, "B"), "hz": net["hz"], "sh": sh}


@pytest.fixture
def scoped(make_user, world):
    """Clients (back office, API) of people limited to channel taobao or to warehouse hz."""
    taobao = Channel.objects.get(code="taobao")
    people = {
        "cs_taobao": ("customer_service", {"channels": [taobao]}),
        "fin_taobao": ("finance", {"channels": [taobao]}),
        "log_taobao": ("logistics", {"channels": [taobao]}),
        "ops_taobao": ("operations", {"channels": [taobao]}),
        "wh_hz": ("warehouse", {"warehouses": [world["hz"]]}),
        "ops_hz": ("operations", {"warehouses": [world["hz"]]}),
    }
    clients = {}
    for name, (role, scopes) in people.items():
        user = make_user(name, role)
        for field, values in scopes.items():
            getattr(user, field).set(values)
        web = Client()
        web.force_login(user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username=name)}")
        clients[name] = (web, api)
    return clients


# (person, method, path); {X} is the object of kind X of order A (in scope) or B (out of scope).
READS = [
    ("cs_taobao", "/orders/{order}/"),
    ("cs_taobao", "/api/v1/orders/{order}"),
    ("cs_taobao", "/refunds/{refund}/"),
    ("cs_taobao", "/api/v1/refunds/{refund}"),
    ("cs_taobao", "/after-sales/{request}/"),
    ("cs_taobao", "/api/v1/after-sales/{request}"),
    ("cs_taobao", "/api/v1/messages/{message}"),
    ("fin_taobao", "/api/v1/refunds/{refund}"),
    ("log_taobao", "/logistics/exceptions/{ticket}/"),
    ("log_taobao", "/api/v1/logistics/exceptions/{ticket}"),
    ("wh_hz", "/orders/{order}/"),
    ("wh_hz", "/pick/{pick_list}/"),
    ("wh_hz", "/api/v1/pick-lists/{pick_list}"),
    ("wh_hz", "/pack/{package}/"),
    ("wh_hz", "/api/v1/packages/{package}/packing"),
    ("wh_hz", "/handover/{handover}/"),
    ("wh_hz", "/api/v1/handover-lists/{handover}"),
    ("wh_hz", "/returns/receive/{request}/"),
    ("ops_hz", "/orders/{order}/"),
    ("ops_taobao", "/api/v1/orders/{order}"),
]

ACTIONS = [
    ("cs_taobao", "POST", "/orders/{order}/cancel/"),
    ("cs_taobao", "POST", "/api/v1/orders/{order}/payment"),
    ("cs_taobao", "POST", "/api/v1/refunds/{refund}/verify"),
    ("cs_taobao", "POST", "/api/v1/after-sales/{request}/approve"),
    ("cs_taobao", "POST", "/api/v1/messages/{message}/resend"),
    ("fin_taobao", "POST", "/api/v1/refunds/{refund}/approve"),
    ("log_taobao", "POST", "/api/v1/logistics/exceptions/{ticket}/assign"),
    ("wh_hz", "POST", "/pick/{pick_list}/"),
    ("wh_hz", "POST", "/api/v1/packages/{package}/pack"),
    ("wh_hz", "POST", "/api/v1/handover-lists/{handover}/hand-over"),
    ("wh_hz", "POST", "/api/v1/after-sales/{request}/receive"),
    ("ops_taobao", "POST", "/api/v1/orders/{order}/allocate"),
]


def call(scoped, person, method, path):
    web, api = scoped[person]
    if path.startswith("/api/"):
        return getattr(api, method.lower())(path, {}, format="json")
    return getattr(web, method.lower())(path, {})


@pytest.mark.parametrize(("person", "path"), READS, ids=lambda v: str(v))
def test_reading_an_object_outside_ones_scope_answers_not_found(scoped, world, person, path):
    outside = call(scoped, person, "GET", path.format(**world["B"]))
    assert outside.status_code == 404, outside.content[:300]
    inside = call(scoped, person, "GET", path.format(**world["A"]))
    assert inside.status_code == 200, inside.content[:300]


@pytest.mark.parametrize(("person", "method", "path"), ACTIONS, ids=lambda v: str(v))
def test_acting_on_an_object_outside_ones_scope_is_refused_as_out_of_scope(scoped, world, person, method, path):
    outside = call(scoped, person, method, path.format(**world["B"]))
    assert outside.status_code == 403, outside.content[:300]
    if path.startswith("/api/"):
        assert outside.json()["error"]["code"] == "out_of_scope"
    inside = call(scoped, person, method, path.format(**world["A"]))
    assert inside.status_code != 403 or inside.json()["error"]["code"] != "out_of_scope"


def test_unknown_numbers_still_answer_not_found(scoped):
    assert call(scoped, "cs_taobao", "GET", "/api/v1/refunds/RF-NOPE").status_code == 404
    assert call(scoped, "wh_hz", "GET", "/api/v1/pick-lists/PL-NOPE").status_code == 404


def test_unscoped_staff_see_both_channels_and_warehouses(users, world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username='operations')}")
    for side in ("A", "B"):
        assert api.get(f"/api/v1/orders/{world[side]['order']}").status_code == 200
        assert api.get(f"/api/v1/refunds/{world[side]['refund']}").status_code == 200


def _numbers(rows, key):
    return {row[key] for row in rows}


def test_lists_show_only_what_is_within_scope(scoped, world):
    a, b = world["A"], world["B"]
    _web, cs = scoped["cs_taobao"]
    orders = cs.get("/api/v1/orders", {"status": ""}).json()
    assert a["order"] in _numbers(orders["results"], "order_no") and b["order"] not in _numbers(
        orders["results"], "order_no")
    refunds = cs.get("/api/v1/refunds").json()["results"]
    assert _numbers(refunds, "number") == {a["refund"]}
    requests = cs.get("/api/v1/after-sales").json()["results"]
    assert _numbers(requests, "number") == {a["request"]}
    about_nothing = Message.objects.create(event="order_confirmed", medium="sms", recipient="1", language="zh",
                                           body="x").pk
    messages = cs.get("/api/v1/messages").json()["results"]
    assert _numbers(messages, "id") == {a["message"], about_nothing}
    web, _api = scoped["cs_taobao"]
    page = web.get("/orders/").content.decode()
    assert a["order"] in page and b["order"] not in page

    _web, logistics = scoped["log_taobao"]
    tickets = logistics.get("/api/v1/logistics/exceptions").json()["results"]
    assert _numbers(tickets, "number") == {a["ticket"]}

    web, warehouse = scoped["wh_hz"]
    levels = warehouse.get("/api/v1/stock").json()
    assert {row["warehouse"] for row in levels} == {"hz"}
    movements = warehouse.get("/api/v1/stock/movements").json()
    assert {row["warehouse"] for row in movements} == {"hz"}
    assert {level.warehouse.code for level in web.get("/stock/").context["page"].object_list} == {"hz"}
    page = web.get("/orders/").content.decode()
    assert a["order"] in page and b["order"] not in page


def test_scope_filters_cost_a_fixed_number_of_queries_on_the_order_list(scoped, world, make_user):
    """The scope adds at most its own lookups (channels, warehouses), never one per row."""
    for _ in range(5):
        delivered_order(channel="taobao")
    _web, cs = scoped["cs_taobao"]
    cs.get("/api/v1/orders")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as five_more:
        assert cs.get("/api/v1/orders").status_code == 200
    for _ in range(5):
        delivered_order(channel="taobao")
    with CaptureQueriesContext(connection) as ten_more:
        assert cs.get("/api/v1/orders").status_code == 200
    assert len(ten_more) == len(five_more)
    unscoped = APIClient()
    unscoped.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username='customer_service')}")
    with CaptureQueriesContext(connection) as plain:
        assert unscoped.get("/api/v1/orders").status_code == 200
    assert len(ten_more) <= len(plain) + 2


def test_finance_limited_to_a_channel_settles_only_that_channel(scoped, world):
    from oms.payments.selectors import business_today

    day = business_today().isoformat()
    web, api = scoped["fin_taobao"]
    assert web.get(f"/finance/settlement/jd/{day}/").status_code == 404
    assert web.get(f"/finance/settlement/taobao/{day}/").status_code == 200
    assert api.get("/api/v1/settlement", {"channel": "jd", "day": day}).status_code == 404
    refused = api.post(f"/api/v1/settlement/jd/{day}/settle", {}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "out_of_scope"
    overview = web.get("/finance/settlement/").context["rows"]
    assert {row.channel.code for row in overview} <= {"taobao"}


def test_the_archive_and_its_export_show_only_the_channels_orders(scoped, world):
    from oms.orders.models import Order

    Order.objects.filter(order_no__in=[world["A"]["order"], world["B"]["order"]]).update(archived_at=timezone.now())
    _web, cs = scoped["cs_taobao"]
    found = cs.get("/api/v1/archive/orders", {"order_no": "2611"}).json()["results"]
    assert _numbers(found, "order_no") == {world["A"]["order"]}
    export = cs.get("/api/v1/archive/orders/export.csv", {"order_no": "2611"})
    assert export.status_code == 200
    content = export.content.decode("utf-8-sig")
    assert world["A"]["order"] in content and world["B"]["order"] not in content


def test_the_drafts_awaiting_a_check_show_only_the_channels_drafts(scoped, world):
    from oms.orders.models import Order
    from oms.orders.status import OrderStatus

    Order.objects.filter(order_no__in=[world["A"]["order"], world["B"]["order"]]).update(
        status=OrderStatus.DRAFT, entry_check="")
    _web, cs = scoped["cs_taobao"]
    drafts = cs.get("/api/v1/orders/drafts").json()
    assert _numbers(drafts, "order_no") == {world["A"]["order"]}


UNKNOWN = {"order": "99999999999999", "package": "PK-NOPE", "refund": "RF-NOPE", "request": "AS-NOPE",
           "pick_list": "PL-NOPE", "handover": "HO-NOPE", "ticket": "LE-NOPE", "message": 999999}


@pytest.mark.parametrize(("person", "path"), READS, ids=lambda v: str(v))
def test_an_object_outside_ones_scope_answers_exactly_like_an_unknown_one(scoped, world, person, path):
    outside = call(scoped, person, "GET", path.format(**world["B"]))
    unknown = call(scoped, person, "GET", path.format(**UNKNOWN))
    assert outside.status_code == unknown.status_code == 404
    if path.startswith("/api/"):
        a, b = outside.json()["error"], unknown.json()["error"]
        assert (a["code"], a["message"], sorted(a["details"])) == (b["code"], b["message"], sorted(b["details"]))
    else:
        assert [t.name for t in outside.templates][:1] == [t.name for t in unknown.templates][:1]


def test_the_sku_list_totals_count_only_the_stock_of_ones_warehouses(scoped, world):
    from oms.inventory.models import StockLevel

    web, _api = scoped["wh_hz"]
    page = web.get("/skus/", {"q": "TEE"})
    tee = next(s for s in page.context["page"].object_list if s.code == "TEE")
    assert tee.on_hand_total == StockLevel.objects.get(sku__code="TEE", warehouse=world["hz"]).on_hand
    assert StockLevel.objects.get(sku__code="TEE", warehouse=world["sh"]).on_hand == 3


def test_scanning_a_return_parcel_of_another_warehouse_finds_nothing(scoped, world):
    web, _api = scoped["wh_hz"]
    AfterSalesRequest.objects.filter(number=world["B"]["request"]).update(return_tracking_no="SF-B-1")
    for code in (world["B"]["request"], "SF-B-1"):
        response = web.get("/returns/receive/", {"code": code})
        assert response.status_code == 404, code
    assert web.get("/returns/receive/", {"code": world["A"]["request"]}).status_code == 302
