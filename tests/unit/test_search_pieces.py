"""Stacking pieces: several programs' grids that together draw every output cell."""

import numpy as np

from arc_ttt.domain.search.pieces import Piece, is_piece, overlay, stack
from search_tasks import g

Y = [g([[1, 2], [0, 3]])]


def test_a_piece_draws_only_cells_the_outputs_agree_with():
    assert is_piece([g([[1, 0], [0, 0]])], Y)
    assert is_piece([g([[1, 0], [0, 0]]), g([[9]])], Y)  # grids past the outputs (tests) are free
    assert not is_piece([g([[2, 0], [0, 0]])], Y)  # a wrong cell
    assert not is_piece([g([[0, 0], [0, 0]])], Y)  # draws nothing
    assert not is_piece([g([[1, 2]])], Y)  # another size


def test_stack_covers_every_output_cell_with_the_biggest_pieces_first():
    a = Piece((g([[1, 2], [0, 0]]), g([[4]])), "a", 1.0)
    b = Piece((g([[0, 0], [0, 3]]), g([[5]])), "b", 1.0)
    c = Piece((g([[1, 0], [0, 0]]), g([[6]])), "c", 0.5)
    chosen = stack([c, b, a], Y)
    assert [p.text for p in chosen] == ["a", "b"]
    assert np.array_equal(overlay(chosen, 0), Y[0])
    assert np.array_equal(overlay(chosen, 1), [[4]])  # the first chosen piece is on top


def test_stack_gives_up_when_some_cell_is_never_drawn_or_too_many_pieces_are_needed():
    a = Piece((g([[1, 0], [0, 0]]),), "a", 1.0)
    assert stack([a], Y) is None
    singles = [
        Piece((np.where(Y[0] == v, Y[0], 0).astype(np.uint8),), str(v), 1.0) for v in (1, 2, 3)
    ]
    assert stack(singles, Y, max_pieces=2) is None
    assert len(stack(singles, Y, max_pieces=3)) == 3
