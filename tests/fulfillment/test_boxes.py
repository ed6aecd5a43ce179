"""Box suggestion: the smallest box that holds every item, with room for padding around fragile ones."""

from decimal import Decimal

from oms.fulfillment.boxes import Box, Unit, suggest_box

BAG = Box("bag", 300, 250, 30, 2000, Decimal("0.30"))
SMALL = Box("s", 200, 150, 100, 5000, Decimal("1.20"))
LARGE = Box("l", 400, 300, 250, 20000, Decimal("3.50"))
BOXES = [LARGE, SMALL, BAG]


def test_a_flat_shirt_goes_in_a_bag_and_a_mug_in_a_small_box():
    shirt = Unit(280, 200, 20, 180)
    mug = Unit(120, 90, 95, 400)
    assert suggest_box([shirt], BOXES).box.code == "bag"
    assert suggest_box([mug], BOXES).box.code == "s"


def test_an_item_must_fit_on_its_own_in_some_orientation():
    long_thing = Unit(350, 40, 40, 300)  # small volume, too long for the small box
    assert suggest_box([long_thing], [SMALL, LARGE]).box.code == "l"


def test_fragile_items_leave_room_for_protective_material_and_say_so():
    mugs = [Unit(120, 90, 95, 400)] * 2  # 2 × 1,026 cm³: fits the small box (3,000 cm³) at 85 % but not at 60 %
    plain = suggest_box(mugs, BOXES)
    fragile = suggest_box([Unit(120, 90, 95, 400, fragile=True)] * 2, BOXES)
    assert plain.box.code == "s" and not plain.protective_material
    assert fragile.box.code == "l" and fragile.protective_material


def test_weight_over_every_limit_or_size_over_every_box_gives_no_suggestion():
    assert suggest_box([Unit(0, 0, 0, 25_000)], BOXES) is None
    assert suggest_box([Unit(900, 100, 100, 1000)], BOXES) is None
    assert suggest_box([Unit(0, 0, 0, 1500)], BOXES).box.code == "bag"  # no sizes: by weight only
