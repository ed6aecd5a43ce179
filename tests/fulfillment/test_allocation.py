"""Allocation strategies on plain data: fewest packages then cheapest, cheapest, nearest, priority."""

from collections import defaultdict
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from oms.fulfillment.allocation import Item, Request, Site, Strategy, allocate
from oms.shipping.rates import Card, Zone, canonical_provinces

EVERYWHERE = canonical_provinces(["浙江省", "江苏省", "上海市", "广东省", "北京市"])


def card(warehouse_id: int, first: str, step: str, *, cod: bool = False, provinces=EVERYWHERE) -> Card:
    zone = Zone(name="全国", provinces=provinces, served=True, first_weight_g=1000, first_price=Decimal(first),
                step_weight_g=1000, step_price=Decimal(step), promise_days=2)
    return Card(carrier=f"c{warehouse_id}", warehouse_id=warehouse_id, divisor=8000, cod=cod, zones=(zone,))


HZ = Site(warehouse_id=1, priority=10, province="浙江省", serves_destination=True, cards=(card(1, "6", "2"),))
GZ = Site(warehouse_id=2, priority=20, province="广东省", serves_destination=False, cards=(card(2, "9", "4"),))
BJ = Site(warehouse_id=3, priority=30, province="北京市", serves_destination=False, cards=(card(3, "12", "5"),))
MUG, TEE = 100, 200


def order(*items: tuple[int, int], province: str = "浙江省", cod: bool = False) -> Request:
    return Request(items=tuple(Item(line_id=i + 1, sku_id=sku, quantity=qty, unit_weight_g=400)
                               for i, (sku, qty) in enumerate(items)), province=province, cod=cod)


def test_one_warehouse_with_everything_ships_it_in_one_package_at_its_cheapest_carrier():
    stock = {(MUG, 1): 5, (TEE, 1): 5, (MUG, 2): 5, (TEE, 2): 5}

    result = allocate(order((MUG, 1), (TEE, 2)), sites=[GZ, HZ], available=stock)

    assert [p.warehouse_id for p in result.packages] == [1]
    assert result.freight == Decimal("8")  # 1.2 kg from Hangzhou: first kilogram 6, one started step 2
    assert not result.split


def test_skus_in_two_warehouses_split_the_order_into_two_packages_with_their_lines():
    stock = {(MUG, 1): 5, (TEE, 2): 5}

    result = allocate(order((MUG, 2), (TEE, 1)), sites=[HZ, GZ, BJ], available=stock)

    assert result.split
    assert {p.warehouse_id: [(k.line_id, k.quantity) for k in p.picks] for p in result.packages} == {
        1: [(1, 2)], 2: [(2, 1)]}
    assert {o.warehouse_ids for o in result.compared} == {(1, 2)}


def test_the_default_prefers_fewer_packages_even_when_two_would_be_cheaper():
    stock = {(MUG, 1): 5, (MUG, 3): 5, (TEE, 3): 5}  # only Beijing has both; Hangzhou is cheap
    request = order((MUG, 1), (TEE, 1))

    default = allocate(request, sites=[HZ, BJ], available=stock)
    cheapest = allocate(request, sites=[HZ, BJ], available=stock, strategy=Strategy.CHEAPEST)

    assert [p.warehouse_id for p in default.packages] == [3]
    assert default.freight == Decimal("12")
    assert cheapest.freight <= default.freight
    assert len({o.warehouse_ids for o in cheapest.compared}) > 1  # it priced more than one way


def test_cheapest_splits_when_splitting_saves_freight():
    heavy = Request(items=(Item(1, MUG, 10, 1000), Item(2, TEE, 10, 1000)), province="浙江省")
    stock = {(MUG, 1): 10, (TEE, 1): 10, (MUG, 2): 10}
    flat = Site(warehouse_id=2, priority=20, province="广东省", serves_destination=False,
                cards=(card(2, "3", "0.1"),))  # a flat-rate contract: heavy parcels cost almost nothing

    default = allocate(heavy, sites=[HZ, flat], available=stock)
    cheapest = allocate(heavy, sites=[HZ, flat], available=stock, strategy=Strategy.CHEAPEST)

    assert len(default.packages) == 1 and default.freight == Decimal("44")  # 20 kg from Hangzhou
    # 10 kg from each: Hangzhou 6 + 9 × 2, the flat contract 3 + 9 × 0.1.
    assert len(cheapest.packages) == 2 and cheapest.freight == Decimal("27.9")


def test_cash_on_delivery_is_never_split():
    stock = {(MUG, 1): 5, (TEE, 2): 5}
    cod_site_hz = Site(1, 10, "浙江省", True, (card(1, "6", "2", cod=True),))
    cod_site_gz = Site(2, 20, "广东省", False, (card(2, "9", "4", cod=True),))

    assert allocate(order((MUG, 1), (TEE, 1), cod=True), sites=[cod_site_hz, cod_site_gz], available=stock) is None
    assert allocate(order((MUG, 1), cod=True), sites=[cod_site_hz, cod_site_gz], available=stock) is not None


def test_a_warehouse_without_a_carrier_to_the_destination_is_not_used():
    only_south = Site(2, 1, "广东省", False, (card(2, "1", "1", provinces=canonical_provinces(["广东省"])),))
    stock = {(MUG, 1): 5, (MUG, 2): 5}

    result = allocate(order((MUG, 1)), sites=[only_south, HZ], available=stock)

    assert [p.warehouse_id for p in result.packages] == [1]


def test_not_enough_stock_anywhere_gives_no_allocation():
    assert allocate(order((MUG, 6)), sites=[HZ, GZ], available={(MUG, 1): 3, (MUG, 2): 2}) is None


def test_nearest_takes_the_warehouse_in_the_destination_province_over_priority():
    stock = {(MUG, 1): 5, (MUG, 2): 5}

    result = allocate(order((MUG, 1), province="广东省"), sites=[HZ, GZ], available=stock, strategy=Strategy.NEAREST)
    by_priority = allocate(order((MUG, 1), province="广东省"), sites=[HZ, GZ], available=stock,
                           strategy=Strategy.PRIORITY)

    assert [p.warehouse_id for p in result.packages] == [2]
    assert [p.warehouse_id for p in by_priority.packages] == [1]


def test_priority_fills_a_sku_from_several_warehouses_when_no_one_has_it_all():
    result = allocate(order((MUG, 7)), sites=[GZ, HZ], available={(MUG, 1): 4, (MUG, 2): 5},
                      strategy=Strategy.PRIORITY)

    assert {p.warehouse_id: sum(k.quantity for k in p.picks) for p in result.packages} == {1: 4, 2: 3}


@given(
    quantities=st.lists(st.integers(1, 4), min_size=1, max_size=6),
    stock=st.lists(st.integers(0, 6), min_size=18, max_size=18),
    strategy=st.sampled_from(list(Strategy)),
)
def test_every_allocation_ships_each_line_exactly_from_stock_that_exists(quantities, stock, strategy):
    items = tuple(Item(line_id=i + 1, sku_id=i % 3, quantity=q, unit_weight_g=300) for i, q in enumerate(quantities))
    available = {(sku, wh): stock[sku * 6 + wh] for sku in range(3) for wh in (1, 2, 3)}
    result = allocate(Request(items=items, province="浙江省"), sites=[HZ, GZ, BJ], available=available,
                      strategy=strategy)

    need = defaultdict(int)
    for it in items:
        need[it.sku_id] += it.quantity
    possible = all(sum(available[(sku, wh)] for wh in (1, 2, 3)) >= qty for sku, qty in need.items())
    assert (result is not None) == possible
    if result is None:
        return
    shipped_per_line, taken = defaultdict(int), defaultdict(int)
    for package in result.packages:
        for pick in package.picks:
            shipped_per_line[pick.line_id] += pick.quantity
            taken[(pick.sku_id, package.warehouse_id)] += pick.quantity
    assert dict(shipped_per_line) == {it.line_id: it.quantity for it in items}
    assert all(qty <= available[key] for key, qty in taken.items())
    assert len({p.warehouse_id for p in result.packages}) == len(result.packages)
