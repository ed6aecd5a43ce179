from hypothesis import given
from hypothesis import strategies as st

from oms.inventory.planning import Want, plan_reservation


def test_one_warehouse_that_has_everything_ships_the_whole_order():
    wants = [Want(1, 10, 2), Want(2, 11, 1)]
    plan = plan_reservation(wants, available={(10, 100): 5, (10, 200): 5, (11, 200): 1}, warehouses=[100, 200])

    assert plan.ok
    assert {t.warehouse_id for t in plan.takes} == {200}


def test_the_warehouse_of_best_priority_wins_when_several_can_ship_everything():
    plan = plan_reservation([Want(1, 10, 1)], available={(10, 100): 1, (10, 200): 1}, warehouses=[200, 100])

    assert [t.warehouse_id for t in plan.takes] == [200]


def test_a_line_is_split_over_warehouses_when_none_has_enough_alone():
    plan = plan_reservation([Want(1, 10, 5)], available={(10, 100): 3, (10, 200): 4}, warehouses=[100, 200])

    assert plan.ok
    assert [(t.warehouse_id, t.quantity) for t in plan.takes] == [(100, 3), (200, 2)]


def test_a_shortage_names_the_sku_with_what_was_wanted_and_what_is_there():
    plan = plan_reservation([Want(1, 10, 2), Want(2, 10, 2)], available={(10, 100): 3}, warehouses=[100])

    assert not plan.ok and plan.takes == []
    assert [(s.sku_id, s.wanted, s.available) for s in plan.shortages] == [(10, 4, 3)]


def test_stock_in_a_warehouse_that_does_not_serve_the_order_does_not_count():
    plan = plan_reservation([Want(1, 10, 1)], available={(10, 999): 50}, warehouses=[100])

    assert not plan.ok


@given(
    wants=st.lists(st.tuples(st.integers(1, 3), st.integers(1, 6)), min_size=1, max_size=5),
    stock=st.dictionaries(st.tuples(st.integers(1, 3), st.integers(1, 3)), st.integers(0, 8)),
)
def test_a_plan_never_takes_more_than_is_available_and_covers_every_want(wants, stock):
    want_rows = [Want(i, sku, qty) for i, (sku, qty) in enumerate(wants)]
    plan = plan_reservation(want_rows, available=stock, warehouses=[1, 2, 3])

    if plan.ok:
        taken: dict = {}
        for t in plan.takes:
            taken[(t.sku_id, t.warehouse_id)] = taken.get((t.sku_id, t.warehouse_id), 0) + t.quantity
        assert all(q <= stock.get(k, 0) for k, q in taken.items())
        for w in want_rows:
            assert sum(t.quantity for t in plan.takes if t.line_id == w.line_id) == w.quantity
    else:
        needed: dict = {}
        for sku, qty in wants:
            needed[sku] = needed.get(sku, 0) + qty
        assert any(needed[s.sku_id] > sum(stock.get((s.sku_id, wh), 0) for wh in (1, 2, 3))
                   for s in plan.shortages)
