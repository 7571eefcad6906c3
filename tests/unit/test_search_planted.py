"""Planted programs are found: tasks made by a random composition of one or two grid
transformations are solved by the search, within its default budget, at 95% or more (the test
output among the first two candidates)."""

import pytest

from arc_ttt.domain.search import SearchOptions, search
from search_tasks import Planted, planted_tasks


def _solved(p: Planted) -> bool:
    result = search(p.task.without_solutions(), SearchOptions())
    return p.expected in [grid for grid, _ in result.candidates(0)[:2]]


def _assert_solved_share(planted: list[Planted], share: float = 0.95) -> None:
    missed = [p.text for p in planted if not _solved(p)]
    solved = len(planted) - len(missed)
    assert solved >= share * len(planted), f"solved {solved}/{len(planted)}; missed: {missed}"


def test_planted_tasks_are_well_formed():
    for p in planted_tasks(seed=0, n=40):
        assert 3 <= len(p.task.train) <= 4 and len(p.task.test_inputs) == 1
        assert any(ex.input != ex.output for ex in p.task.train)
        assert len(p.program) in (1, 2)


def test_planted_programs_of_depth_1_and_2_are_found():
    _assert_solved_share(planted_tasks(seed=0, n=40))


@pytest.mark.slow
def test_many_planted_programs_are_found():
    _assert_solved_share(planted_tasks(seed=1, n=300))
