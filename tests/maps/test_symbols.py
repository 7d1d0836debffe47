"""The one symbol table of the A3 sheet and the web page (atlas.maps.symbols)."""

from atlas.maps.symbols import KIND_SYMBOLS, SHAPE_MARKERS
from atlas.registry.schema import AID_KINDS, KIND_LABELS


def test_every_kind_has_a_symbol_with_a_known_shape():
    assert set(KIND_LABELS) <= set(KIND_SYMBOLS)
    assert all(s.shape in SHAPE_MARKERS for s in KIND_SYMBOLS.values())


def test_no_two_kinds_look_alike():
    """Two kinds never share both shape and colour (a legend with two identical entries)."""
    looks = [(s.shape, s.color.lower()) for s in KIND_SYMBOLS.values()]
    assert len(set(looks)) == len(looks)


def test_food_aid_kinds_differ_by_shape_for_greyscale_printing():
    """The kinds of the printed hand-out are told apart by shape alone (photocopies are grey)."""
    shapes = [KIND_SYMBOLS[k].shape for k in AID_KINDS]
    assert len(set(shapes)) == len(shapes)
