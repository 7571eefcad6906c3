import numpy as np
import pytest

from arc_ttt import Grid, InvalidGridError


def test_grid_keeps_cells_and_shape():
    g = Grid([[0, 1, 2], [3, 4, 5]])
    assert g.shape == (2, 3) and g.height == 2 and g.width == 3
    assert g.to_lists() == [[0, 1, 2], [3, 4, 5]]
    assert g.colors() == frozenset(range(6))


def test_grid_is_immutable_and_independent_of_its_source():
    rows = [[1, 2], [3, 4]]
    g = Grid(rows)
    rows[0][0] = 9
    assert g.to_lists() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError):
        g.cells[0, 0] = 5
    arr = np.array([[1, 2]])
    g2 = Grid.from_array(arr)
    arr[0, 0] = 7
    assert g2.to_lists() == [[1, 2]]


def test_equal_grids_hash_alike_and_shape_matters():
    assert Grid([[1, 2]]) == Grid([[1, 2]])
    assert hash(Grid([[1, 2]])) == hash(Grid([[1, 2]]))
    assert Grid([[1, 2]]) != Grid([[1], [2]])
    assert len({Grid([[1, 2]]), Grid([[1, 2]]), Grid([[2, 1]])}) == 2


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "empty grid"),
        ([[]], "empty grid"),
        ([[1, 2], [3]], "ragged rows"),
        ([[10]], "color 10"),
        ([[-1]], "color -1"),
        ([[0]] * 31, "31 x 1"),
        ([[0] * 31], "1 x 31"),
        ([["1"]], "'1' (str)"),
        ([[1.0]], "1.0 (float)"),
        ([[True]], "True (bool)"),
        ([[None]], "None"),
        ("12", "list of rows"),
        ([1, 2], "row 0 is int"),
    ],
)
def test_invalid_grids_are_rejected_with_a_reason(rows, message):
    with pytest.raises(InvalidGridError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Grid(rows)


def test_from_array_rejects_floats_and_3d():
    with pytest.raises(InvalidGridError, match="integers"):
        Grid.from_array(np.zeros((2, 2), dtype=float))
    with pytest.raises(InvalidGridError, match="2 dimensions"):
        Grid.from_array(np.zeros((2, 2, 2), dtype=int))


def test_largest_grid_is_accepted():
    assert Grid([[9] * 30] * 30).shape == (30, 30)
