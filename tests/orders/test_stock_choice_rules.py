"""Missing units and the lines CS names: pure rules, no database."""

import pytest

from oms.orders.stock_choice import InvalidStockChoiceLines, OpenLine, missing_units, parse_lines


def test_a_line_misses_what_the_available_stock_of_its_sku_cannot_cover():
    lines = [OpenLine(1, 1, sku_id=7, quantity=3), OpenLine(2, 2, sku_id=8, quantity=2)]

    assert missing_units(lines, {7: 1, 8: 5}) == {1: 2}


def test_lines_sharing_a_sku_take_its_units_in_line_order():
    lines = [OpenLine(20, 2, sku_id=7, quantity=2), OpenLine(10, 1, sku_id=7, quantity=2)]

    assert missing_units(lines, {7: 3}) == {20: 1}


def test_a_sku_without_stock_or_with_a_negative_count_misses_every_unit():
    lines = [OpenLine(1, 1, sku_id=7, quantity=2), OpenLine(2, 2, sku_id=8, quantity=1)]

    assert missing_units(lines, {7: -4}) == {1: 2, 2: 1}


def test_nothing_is_missing_when_stock_covers_every_line():
    assert missing_units([OpenLine(1, 1, sku_id=7, quantity=2)], {7: 2}) == {}


def test_named_lines_add_up_per_line_number():
    assert parse_lines([{"line_no": 1, "quantity": 1}, {"line_no": 1, "quantity": 1}], {1: 3}) == {1: 2}


@pytest.mark.parametrize("raw, problem", [
    ([{"line_no": 9, "quantity": 1}], "unknown_line"),
    ([{"line_no": 1, "quantity": 0}], "quantity_not_positive"),
    ([{"line_no": 1, "quantity": "2"}], "quantity_not_positive"),
    ([{"line_no": True, "quantity": 1}], "unknown_line"),
    ([{"line_no": 1, "quantity": 4}], "more_than_open"),
])
def test_bad_lines_are_refused_naming_the_line_and_the_problem(raw, problem):
    with pytest.raises(InvalidStockChoiceLines) as caught:
        parse_lines(raw, {1: 3})

    assert caught.value.details["lines"][0]["problem"] == problem


@pytest.mark.parametrize("raw", [None, [], "1", {"line_no": 1}])
def test_lines_must_be_a_non_empty_list(raw):
    with pytest.raises(InvalidStockChoiceLines):
        parse_lines(raw, {1: 3})
