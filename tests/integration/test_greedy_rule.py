"""Greedy's token choice: the most probable allowed symbol, the lowest id on a tie (as argmax), and
``Cursor.allowed`` lists ids in ascending order, which that tie rule relies on."""

from __future__ import annotations

import math

import pytest

from arc_ttt.adapters.torch.decoding import _pick
from arc_ttt.domain.codec import Symbol
from arc_ttt.domain.continuation import Cursor


def test_a_tie_goes_to_the_lowest_allowed_id():
    row = [0.0] * 16
    row[3] = row[7] = row[int(Symbol.ROW)] = 1.0
    assert _pick(row, None) == 3
    assert _pick(row, (5, 7, int(Symbol.ROW))) == 7


def test_a_forbidden_symbol_is_never_picked_however_likely():
    row = [-5.0] * 16
    row[int(Symbol.BOS)] = 0.0
    row[2] = -1.0
    assert _pick(row, tuple(range(10))) == 2
    assert _pick(row, None) == int(Symbol.BOS)


@pytest.mark.parametrize("value", [math.nan, -math.inf])
def test_a_row_without_numbers_still_gives_an_allowed_symbol(value):
    assert _pick([value] * 16, (4, 5, int(Symbol.ROW))) == 4


@pytest.mark.parametrize(
    "cursor",
    [Cursor(), Cursor(0, 3), Cursor(1, 0, 3), Cursor(1, 3, 3), Cursor(2, 1, 3), Cursor(29, 30, 30)],
)
def test_allowed_symbols_come_in_ascending_order(cursor):
    allowed = cursor.allowed()
    assert list(allowed) == sorted(allowed) and allowed
