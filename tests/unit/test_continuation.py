"""The answer grammar (``Cursor.allowed``) and answer positions (``encode_continuation``)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arc_ttt.domain.codec import Symbol, decode_grid, encode_target, max_target_tokens
from arc_ttt.domain.continuation import Cursor, encode_continuation
from arc_ttt.domain.errors import GridDecodeError
from arc_ttt.domain.grid import Grid

END, ROW = int(Symbol.END), int(Symbol.ROW)
MARKERS = {int(Symbol.INPUT), int(Symbol.OUTPUT), int(Symbol.BOS), int(Symbol.PAD)}


def _walk(tokens: list[int]) -> Cursor:
    cursor = Cursor()
    for t in tokens:
        assert t in cursor.allowed(), f"{t} refused after {tokens}"
        cursor = cursor.place(t)[1]
    return cursor


grids = st.integers(1, 30).flatmap(
    lambda h: st.integers(1, 30).flatmap(
        lambda w: st.lists(
            st.lists(st.integers(0, 9), min_size=w, max_size=w), min_size=h, max_size=h
        )
    )
)


@given(grids)
def test_every_valid_grid_is_allowed_token_by_token(rows: list[list[int]]) -> None:
    grid = Grid(rows)
    target = encode_target(grid, 3)
    end = _walk(list(target.tokens))
    assert END in end.allowed()  # after END the cursor stays where END is allowed
    assert encode_continuation(target.tokens, 3) == target


@given(st.integers(0, 2**32 - 1))
def test_any_walk_through_allowed_tokens_ends_in_a_valid_grid(seed: int) -> None:
    rng = random.Random(seed)
    cursor, tokens = Cursor(), []
    while not tokens or tokens[-1] != END:
        allowed = cursor.allowed()
        assert allowed, f"nothing allowed after {tokens}"
        assert not MARKERS & set(allowed)
        # Bias towards long rows and many rows, to reach the 30 x 30 edges.
        token = rng.choice(allowed) if rng.random() < 0.2 else allowed[0]
        tokens.append(token)
        cursor = cursor.place(token)[1]
    assert len(tokens) <= max_target_tokens()
    grid = decode_grid(tokens)
    assert 1 <= grid.height <= 30 and 1 <= grid.width <= 30


@pytest.mark.parametrize(
    ("prefix", "refused"),
    [
        ([], END),  # an empty grid
        ([], ROW),  # an empty row
        ([1, 2, ROW, 3], ROW),  # a row narrower than the first
        ([1, 2, ROW, 3, 4], 5),  # a row wider than the first
        ([1, 2], END),  # END inside a row
        ([1] * 30, 1),  # a 31st column
        ([1, ROW] * 30, 1),  # a 31st row
        ([1], int(Symbol.OUTPUT)),  # a marker
    ],
)
def test_the_grammar_refuses_what_would_break_the_grid(prefix: list[int], refused: int) -> None:
    cursor = _walk(prefix)
    assert refused not in cursor.allowed()
    with pytest.raises(GridDecodeError):
        decode_grid([*prefix, refused, *([ROW, END] if refused != END else [])])


def test_the_first_row_sets_the_width() -> None:
    cursor = _walk([1, 2, 3, ROW])
    assert cursor.width == 3 and cursor.row == 1 and cursor.col == 0
    assert _walk([1, 2, 3, ROW, 4, 5, 6]).allowed() == (ROW,)
