"""The CandidateSource contract: one class, subclassed once per adapter (real and fake alike).

A subclass provides ``source`` (the adapter) and ``tasks`` (two tasks it has candidates for,
with their test outputs); it may override ``slow_task`` (one the source could spend long on)
and ``grace`` (seconds a source may run past a deadline).
"""

from __future__ import annotations

import json
import time

import pytest

from arc_ttt import Grid
from arc_ttt.domain.candidates import Candidate, CandidateBudget, Proposals
from arc_ttt.domain.task import Task
from arc_ttt.ports.candidate_source import CandidateSource


def proposed(p: Proposals) -> list[list[tuple[Grid, str, str]]]:
    """What a user would see of proposals: grids, sources and provenance, per test input."""
    return [
        [(c.grid, c.source, json.dumps(c.provenance, sort_keys=True)) for c in row]
        for row in p.tests
    ]


class CandidateSourceContract:
    grace = 3.0

    @pytest.fixture
    def source(self) -> CandidateSource:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def tasks(self) -> list[Task]:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def slow_task(self, tasks) -> Task:
        """A task the source could spend long on (the deadline test's)."""
        return tasks[-1]

    def test_is_a_candidate_source_with_a_name(self, source):
        assert isinstance(source, CandidateSource)
        assert source.name

    def test_proposes_distinct_grids_per_test_input_each_naming_its_source(self, source, tasks):
        task = tasks[0]
        p = source.propose(task, CandidateBudget())
        assert p.task_id == task.id and p.source == source.name
        assert len(p.tests) == len(task.test_inputs)
        assert any(p.tests), "the contract's task must get some candidate"
        for row in p.tests:
            assert all(isinstance(c, Candidate) for c in row)
            assert len({c.grid for c in row}) == len(row)
            for c in row:
                assert c.source == source.name
                json.dumps(c.provenance)  # JSON-ready
                json.dumps(c.to_record())

    def test_many_tasks_come_back_in_their_order_as_one_by_one(self, source, tasks):
        many = list(source.propose_many(tasks, CandidateBudget()))
        assert [p.task_id for p in many] == [t.id for t in tasks]
        one_by_one = [source.propose(t, CandidateBudget()) for t in tasks]
        assert [proposed(p) for p in many] == [proposed(p) for p in one_by_one]

    def test_never_reads_test_outputs(self, source, tasks):
        task = tasks[0]
        wrong = Task(
            task.id, task.train, task.test_inputs, tuple(Grid([[9]]) for _ in task.test_inputs)
        )
        unknown = Task(task.id, task.train, task.test_inputs, None)
        seen = [proposed(source.propose(t, CandidateBudget())) for t in (task, wrong, unknown)]
        assert seen[0] == seen[1] == seen[2]

    def test_returns_by_its_deadline(self, source, slow_task):
        start = time.monotonic()
        p = source.propose(slow_task, CandidateBudget(deadline=start + 1.0))
        assert time.monotonic() - start < 1.0 + self.grace
        assert len(p.tests) == len(slow_task.test_inputs)

    def test_a_deadline_already_past_still_answers_every_test_input(self, source, tasks):
        start = time.monotonic()
        p = source.propose(tasks[0], CandidateBudget(deadline=start - 1.0))
        assert time.monotonic() - start < self.grace
        assert len(p.tests) == len(tasks[0].test_inputs)
