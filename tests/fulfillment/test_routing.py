"""Pick routes in parallel-aisle layouts: shortest-path distances, exact small routes, good large ones."""

import random
from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.bench.picking import optimal_length
from oms.fulfillment.routing import (
    DEPOT,
    EXACT_LIMIT,
    Layout,
    Spot,
    distance,
    largest_gap_length,
    length,
    route,
    s_shape_length,
)

ONE_BLOCK = Layout(aisles=6, aisle_length=30.0, aisle_width=3.0, blocks=1, cross_aisle_width=2.0)
TWO_BLOCKS = Layout(aisles=6, aisle_length=30.0, aisle_width=3.0, blocks=2, cross_aisle_width=2.0)


def test_within_one_aisle_the_walk_is_straight():
    assert distance(ONE_BLOCK, Spot(2, 5.0), Spot(2, 20.0)) == 15.0


def test_between_aisles_the_walk_goes_round_through_the_nearer_cross_aisle():
    # Cross aisles at 0 and 32: from y=5 and y=8 the front (0) is nearer: 5 + 6 + 8.
    assert distance(ONE_BLOCK, Spot(0, 5.0), Spot(2, 8.0)) == 19.0
    # From y=30 and y=28 the back (32) is nearer: 2 + 6 + 4.
    assert distance(ONE_BLOCK, Spot(0, 30.0), Spot(2, 28.0)) == 12.0


def test_a_middle_cross_aisle_shortens_the_walk_between_blocks():
    # Two blocks of 15 m: cross aisles at 0, 17 and 34; spots at 16 and 18 go through the middle one.
    assert TWO_BLOCKS.cross_aisles() == [0.0, 17.0, 34.0]
    assert distance(TWO_BLOCKS, Spot(0, 16.0), Spot(3, 18.0)) == 1.0 + 9.0 + 1.0
    assert distance(ONE_BLOCK, Spot(0, 16.0), Spot(3, 18.0)) > 30


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 31)), min_size=1, max_size=6, unique=True),
       st.sampled_from([ONE_BLOCK, TWO_BLOCKS]))
def test_small_routes_are_the_shortest_of_all_orders(points, layout):
    spots = [Spot(a, float(y)) for a, y in points]

    ours = length(layout, route(layout, spots))

    assert ours == pytest.approx(min(length(layout, list(p)) for p in permutations(spots)))
    assert sorted(route(layout, spots), key=lambda s: (s.aisle, s.y)) == sorted(spots, key=lambda s: (s.aisle, s.y))


def test_a_long_pick_list_is_routed_close_to_the_optimum_and_visits_every_spot_once():
    rng = random.Random(3)
    layout = Layout(aisles=10, aisle_length=45.0, blocks=2)
    spots = list({Spot(rng.randrange(10), float(rng.randint(1, 47))) for _ in range(EXACT_LIMIT + 6)})

    tour = route(layout, spots)

    assert sorted(tour, key=lambda s: (s.aisle, s.y)) == sorted(spots, key=lambda s: (s.aisle, s.y))
    best = optimal_length(layout, spots)
    assert best <= length(layout, tour) <= best * 1.08


def test_s_shape_and_largest_gap_walk_as_the_textbook_says():
    # Picks in aisles 1 and 3 (x = 3 and 9): S-shape goes through both (2 × 32) and across 2 × 9.
    spots = [Spot(1, 10.0), Spot(3, 20.0)]
    assert s_shape_length(ONE_BLOCK, spots) == 2 * 32 + 2 * 9
    # Largest gap with a middle aisle whose picks sit near the front: only its front part is walked.
    spots = [Spot(0, 10.0), Spot(2, 3.0), Spot(2, 5.0), Spot(4, 20.0)]
    assert largest_gap_length(ONE_BLOCK, spots) == 2 * 12 + 2 * 32 + 2 * 5
    assert length(ONE_BLOCK, route(ONE_BLOCK, spots)) <= largest_gap_length(ONE_BLOCK, spots)


def test_an_empty_or_single_pick_list_is_a_trip_there_and_back():
    assert route(ONE_BLOCK, []) == []
    assert length(ONE_BLOCK, route(ONE_BLOCK, [Spot(3, 10.0)])) == 2 * distance(ONE_BLOCK, DEPOT, Spot(3, 10.0))
