"""The default allocation never beats the exact optimum (which would mean the optimum is wrong) and
never uses more packages than it; on small random networks it is within a few per cent."""

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from oms.bench.allocation import _cost, _network, _orders, optimum
from oms.bench.data import catalogue
from oms.fulfillment.allocation import allocate

SKUS = catalogue()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.sampled_from([3, 5, 8]))
def test_the_default_strategy_is_never_better_than_the_exact_optimum_nor_uses_more_packages(seed, size):
    rng = random.Random(seed)
    network = _network(rng, size, first_id=1, skus=SKUS)
    for request in _orders(rng, 4, SKUS):
        ours, best = allocate(request, sites=network.sites, available=network.available), optimum(request, network)
        assert (ours is None) == (best is None)
        if ours is None:
            continue
        assert len(ours.packages) == len(best)
        assert _cost(ours.packages) >= _cost(best)


def test_on_a_few_hundred_orders_the_default_strategy_is_within_three_per_cent_of_the_optimum():
    rng = random.Random(7)
    network = _network(rng, 5, first_id=1, skus=SKUS)
    ours_total = best_total = Decimal(0)
    for request in _orders(rng, 150, SKUS):
        ours, best = allocate(request, sites=network.sites, available=network.available), optimum(request, network)
        if ours is not None:
            ours_total += _cost(ours.packages)
            best_total += _cost(best)

    assert best_total > 0
    assert ours_total / best_total <= Decimal("1.03")
