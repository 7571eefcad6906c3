"""Use case: solve a task set over several processes (``accelerate launch --num_processes N``).

Each process solves every N-th task (``tasks[rank::N]``, in the set's order) with its own model
copy; the reports are gathered and merged in the set's order. Tasks are independent (each starts
from the base weights, seeds per task), so the merged submission equals one process's.
"""

from __future__ import annotations

from collections.abc import Sequence

from arc_ttt.application.ensemble import Ensemble
from arc_ttt.application.solve import SolveOptions, Solver, SolveReport
from arc_ttt.domain.task import Task
from arc_ttt.ports.processes import ProcessGroup


def shard(tasks: Sequence[Task], rank: int, size: int) -> list[Task]:
    """The tasks process ``rank`` of ``size`` solves: every ``size``-th, from the ``rank``-th."""
    if not 0 <= rank < size:
        raise ValueError(f"rank {rank} is not in 0..{size - 1}")
    return list(tasks[rank::size])


def merge_reports(reports: Sequence[SolveReport], order: Sequence[str]) -> SolveReport:
    """One report for the whole set: results and unsolved tasks in ``order`` (task ids), the
    longest process's seconds, interrupted when any process was."""
    position = {task_id: i for i, task_id in enumerate(order)}
    results = sorted((r for rep in reports for r in rep.results), key=lambda r: position[r.task_id])
    unsolved = sorted((t for rep in reports for t in rep.unsolved), key=position.__getitem__)
    return SolveReport(
        tuple(results),
        max((rep.seconds for rep in reports), default=0.0),
        reports[0].options,
        interrupted=any(rep.interrupted for rep in reports),
        unsolved=tuple(unsolved),
    )


def solve_sharded(
    solver: Solver | Ensemble,
    tasks: Sequence[Task],
    options: SolveOptions,
    group: ProcessGroup,
) -> SolveReport:
    """Solve this process's share of ``tasks``; every process gets the merged report. Shared
    TTT trains on the whole set, which one process's share is not: ``ValueError`` with N > 1."""
    if group.size > 1 and options.ttt == "shared":
        raise ValueError("ttt='shared' runs in one process (it trains on the whole task set)")
    mine = solver.solve(shard(tasks, group.rank, group.size), options)
    if group.size == 1:
        return mine
    return merge_reports(group.gather([mine]), [t.id for t in tasks])
