"""Channel and warehouse scopes of an account: who is limited to what (accounts/actor.py)."""

import pytest

from oms.accounts.actor import Actor, OutOfScope, channel_scope, require_channel, scope_q, warehouse_scope
from oms.accounts.object_scope import objects_named
from oms.channels.models import Channel
from oms.inventory.models import Warehouse


@pytest.fixture
def taobao(db):
    return Channel.objects.get(code="taobao")


def test_staff_without_listed_channels_see_every_channel(users):
    assert channel_scope(Actor.of(users["customer_service"])) is None


def test_staff_with_listed_channels_see_only_those(users, taobao):
    users["customer_service"].channels.add(taobao)
    assert channel_scope(Actor.of(users["customer_service"])) == frozenset({taobao.pk})


def test_an_integration_client_without_channels_acts_for_none_unless_it_may_act_for_all(make_user, taobao):
    def shop(name, *, all_channels, channels=()):
        user = make_user(name, "integration")
        user.all_channels = all_channels
        user.save()
        user.channels.set(channels)
        return user

    assert channel_scope(Actor.of(shop("shop", all_channels=False))) == frozenset()
    assert channel_scope(Actor.of(shop("shop2", all_channels=False, channels=[taobao]))) == frozenset({taobao.pk})
    assert channel_scope(Actor.of(shop("shop3", all_channels=True, channels=[taobao]))) is None


def test_the_system_has_no_scope():
    assert channel_scope(Actor.system()) is None and warehouse_scope(Actor.system()) is None


def test_require_channel_refuses_another_channel_as_out_of_scope(users, taobao):
    jd = Channel.objects.get(code="jd")
    users["finance"].channels.add(taobao)
    actor = Actor.of(users["finance"])
    require_channel(actor, taobao.pk)
    with pytest.raises(OutOfScope) as refused:
        require_channel(actor, jd.pk)
    assert refused.value.code == "out_of_scope" and refused.value.http_status == 403
    assert refused.value.details == {"channel_id": jd.pk}


def test_the_scope_filter_names_only_the_limited_fields(users, taobao):
    hz = Warehouse.objects.create(code="hz", name="杭州仓")
    cs = users["customer_service"]
    assert scope_q(Actor.of(cs), channel="channel_id", warehouse="warehouse_id").children == []
    cs.channels.add(taobao)
    cs.warehouses.add(hz)
    cs = type(cs).objects.get(pk=cs.pk)  # the scopes are cached per user object (one query per request)
    q = scope_q(Actor.of(cs), channel="order__channel_id", warehouse="warehouse_id")
    assert sorted(q.children) == [("order__channel_id__in", frozenset({taobao.pk})),
                                  ("warehouse_id__in", frozenset({hz.pk}))]


@pytest.mark.parametrize(("route", "kwargs", "named"), [
    ("orders/<str:order_no>/", {"order_no": "N1"}, [("order", "N1")]),
    ("api/v1/refunds/<str:number>/verify", {"number": "R1"}, [("refund", "R1")]),
    ("refunds/<str:number>/", {"number": "R1"}, [("refund", "R1")]),
    ("pick/<str:number>/", {"number": "P1"}, [("pick_list", "P1")]),
    ("pack/<str:number>/", {"number": "K1"}, [("package", "K1")]),
    ("api/v1/handover-lists/<str:number>/packages/<str:package>", {"number": "H1", "package": "K1"},
     [("package", "K1"), ("handover_list", "H1")]),
    ("returns/receive/<str:number>/", {"number": "A1"}, [("return_parcel", "A1")]),
    ("api/v1/after-sales/<str:number>", {"number": "A1"}, [("after_sales", "A1")]),
    ("logistics/exceptions/<str:number>/", {"number": "T1"}, [("logistics_exception", "T1")]),
    ("carriers/<slug:code>/", {"code": "zto"}, []),
])
def test_routes_name_the_objects_whose_scope_is_checked(route, kwargs, named):
    assert objects_named(route, kwargs) == named
