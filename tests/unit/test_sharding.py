"""Sharded solving with the scripted model and a fake two-process group: each process solves its
share, and the merged report equals one process's, in the set's order."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from test_solve_shared import SHARED, model, solver, tasks

from arc_ttt.application.sharding import shard, solve_sharded
from arc_ttt.application.solve import SolveOptions, SolveReport


@dataclass
class Board:
    """What each fake process handed to ``gather``, by rank."""

    items: dict[int, list[SolveReport]] = field(default_factory=dict)


@dataclass
class FakeProcess:
    """Rank ``rank`` of ``size``; ``gather`` returns what every rank gave so far (run the ranks
    in turn, the main one last)."""

    rank: int
    size: int
    board: Board

    def gather(self, items):
        self.board.items[self.rank] = list(items)
        return [x for r in sorted(self.board.items) for x in self.board.items[r]]


def test_each_process_takes_every_nth_task():
    ids = [t.id for t in tasks()]
    assert [[t.id for t in shard(tasks(), r, 2)] for r in (0, 1)] == [ids[0::2], ids[1::2]]
    with pytest.raises(ValueError, match="rank 2"):
        shard(tasks(), 2, 2)


def test_the_merged_report_is_the_one_process_report():
    options = SolveOptions(views=2)
    alone = solver(model()).solve(tasks(), options)
    board = Board()
    other = model()
    solve_sharded(solver(other), tasks(), options, FakeProcess(1, 2, board))
    main = model()
    merged = solve_sharded(solver(main), tasks(), options, FakeProcess(0, 2, board))
    assert [c.name for c in other.adapt_calls] == ["task-b"]
    assert [c.name for c in main.adapt_calls] == ["task-a", "task-c"]
    assert merged.submission == alone.submission
    assert [r.task_id for r in merged.results] == ["a", "b", "c"]
    assert [r.attempts for r in merged.results] == [r.attempts for r in alone.results]


def test_shared_ttt_refuses_several_processes():
    with pytest.raises(ValueError, match="one process"):
        solve_sharded(solver(model()), tasks(), SHARED, FakeProcess(0, 2, Board()))
