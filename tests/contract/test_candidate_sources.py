"""The CandidateSource contract for every adapter: the canned fake, a candidates file (both
formats), the program search (pool and in-process), and test-time training with the smallest
built-in model."""

import json

import numpy as np
import pytest
from candidate_source import CandidateSourceContract

from arc_ttt import Grid
from arc_ttt.adapters.file_candidates import FileCandidateSource
from arc_ttt.adapters.search_source import SearchCandidateSource
from arc_ttt.domain.candidates import CandidateBudget
from arc_ttt.domain.search import SearchOptions
from arc_ttt.domain.task import Example, Task
from arc_ttt.testing import RecordingProgress
from arc_ttt.testing.canned_candidates import CannedCandidateSource
from upscale_tasks import upscale


def upscale_task(tid, seed, n_test=1):
    rng = np.random.default_rng(seed)
    grids = [Grid(rng.integers(0, 10, size=(2, 3)).tolist()) for _ in range(2 + n_test)]
    train = tuple(Example(g, upscale(g)) for g in grids[:2])
    return Task(tid, train, tuple(grids[2:]), tuple(upscale(g) for g in grids[2:]))


def hard_task(tid="hard"):
    """30 x 30 noise to noise: nothing fits, so the search runs to its deadline."""
    rng = np.random.default_rng(3)
    g = [Grid(rng.integers(0, 10, size=(30, 30)).tolist()) for _ in range(5)]
    return Task(tid, (Example(g[0], g[1]), Example(g[2], g[3])), (g[4],), (g[0],))


TASKS = [upscale_task("aa01", 1, n_test=2), upscale_task("bb02", 2)]


class TestCannedSource(CandidateSourceContract):
    @pytest.fixture
    def tasks(self):
        return TASKS

    @pytest.fixture
    def source(self, tasks):
        table = {t.id: [[upscale(g), g] for g in t.test_inputs] for t in tasks}
        return CannedCandidateSource(table)


class TestSubmissionFileSource(CandidateSourceContract):
    @pytest.fixture
    def tasks(self):
        return TASKS

    @pytest.fixture
    def source(self, tasks, tmp_path):
        sub = {
            t.id: [
                {"attempt_1": upscale(g).to_lists(), "attempt_2": g.to_lists()}
                for g in t.test_inputs
            ]
            for t in tasks
        }
        (tmp_path / "submission.json").write_text(json.dumps(sub))
        return FileCandidateSource(tmp_path / "submission.json")


class TestRankedFileSource(CandidateSourceContract):
    @pytest.fixture
    def tasks(self):
        return TASKS

    @pytest.fixture
    def source(self, tasks, tmp_path):
        ranked = {
            t.id: [
                [
                    {"grid": upscale(g).to_lists(), "score": 0.9, "program": "upscale(2)"},
                    {"grid": g.to_lists(), "score": 0.1},
                    {"grid": [[0]]},
                ]
                for g in t.test_inputs
            ]
            for t in tasks
        }
        doc = {"format": "arc_ttt.candidates/1", "solver": "contract", "tasks": ranked}
        (tmp_path / "candidates.json").write_text(json.dumps(doc))
        return FileCandidateSource(tmp_path / "candidates.json")


class TestSearchSource(CandidateSourceContract):
    grace = 5.0  # the engine checks its clock every 64 steps; parallel test workers share cores

    @pytest.fixture
    def tasks(self):
        return TASKS

    @pytest.fixture
    def slow_task(self):
        return hard_task()

    @pytest.fixture
    def source(self):
        return SearchCandidateSource(SearchOptions(seconds=60.0), workers=2)

    def test_finds_the_exact_program_and_names_it(self, source, tasks):
        p = source.propose(tasks[0], source_budget())
        best = p.tests[0][0]
        assert best.grid == tasks[0].test_outputs[0] and best.exact_cost is not None
        assert best.provenance["kind"] == "exact" and "scale_up" in best.provenance["program"]


class TestInProcessSearchSource(TestSearchSource):
    @pytest.fixture
    def source(self):
        return SearchCandidateSource(SearchOptions(seconds=60.0), workers=1)


def source_budget():
    return CandidateBudget()


@pytest.fixture(scope="module")
def tiny_backend():
    from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
    from arc_ttt.adapters.torch.backend import TorchModelBackend

    return TorchModelBackend.builtin(
        ArcDecoderConfig(d_model=32, n_layers=2, n_heads=2), seed=0, cpu=True
    )


class FixedMemory:
    def current_bytes(self):
        return 0

    def peak_bytes(self):
        return 0


def one_cell_task(tid, colors):
    """1 x 1 -> 2 x 2: answers short enough for an untrained model's DFS to finish quickly."""
    grids = [Grid([[c]]) for c in colors]
    train = tuple(Example(g, upscale(g)) for g in grids[:2])
    return Task(tid, train, grids[2:], tuple(upscale(g) for g in grids[2:]))


class TestNeuralSource(CandidateSourceContract):
    grace = 6.0  # one training step or decoding batch may finish past the deadline

    @pytest.fixture
    def tasks(self):
        return [one_cell_task("cc03", (1, 2, 3, 4)), one_cell_task("dd04", (5, 6, 7))]

    @pytest.fixture
    def source(self, tiny_backend):
        from arc_ttt.application.neural_source import NeuralCandidateSource
        from arc_ttt.application.solve import SolveOptions, Solver
        from arc_ttt.domain.model_io import DecodeOptions, TrainOptions

        b = tiny_backend
        solver = Solver(b, b, b, RecordingProgress(), FixedMemory())
        options = SolveOptions(
            train=TrainOptions(steps=2, batch_size=2, method="full"),
            decode=DecodeOptions(
                strategy="dfs",
                min_prob=1e-9,
                max_candidates=3,
                max_new_tokens=12,
                max_expansions=200,
            ),
            views=2,
        )
        return NeuralCandidateSource(lambda: solver, options)
