"""The solve cache: a resumed run reuses finished tasks' candidates and gives the same submission;
selection changes re-rank without decoding; any change that alters candidates decodes again."""

from __future__ import annotations

import json
from dataclasses import replace

from test_solver import FixedMemory, make_task, upscale

from arc_ttt import Grid
from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.store_solve_cache import StoreSolveCache
from arc_ttt.application.solve import SolveOptions, Solver, cache_key
from arc_ttt.domain.model_io import DecodeOptions, TrainOptions
from arc_ttt.testing import RecordingProgress
from arc_ttt.testing.scripted_model import ScriptedModel

DFS = SolveOptions(views=4, decode=DecodeOptions(strategy="dfs", max_candidates=2, min_prob=1e-3))


def answers(x: Grid):
    return [(upscale(x), -0.3), (x, -0.2)]


def tasks():
    return [
        make_task("a"),
        make_task("b", Grid([[1]]), Grid([[2, 3]]), Grid([[4], [5]])),
        make_task("c", Grid([[7, 7]]), Grid([[0, 1], [1, 0]]), Grid([[3, 4, 5]])),
    ]


def solver(model, cache):
    return Solver(
        model, model, model, RecordingProgress(), FixedMemory(), cache=cache, exporter=model
    )


def test_a_resumed_run_skips_finished_tasks_and_gives_the_same_submission():
    cache = StoreSolveCache(InMemoryCheckpointStore())
    whole = solver(ScriptedModel(answers), None).solve(tasks(), DFS)
    first = ScriptedModel(answers)
    solver(first, cache).solve(tasks()[:2], DFS)  # "killed" after two tasks
    resumed_model = ScriptedModel(answers)
    resumed = solver(resumed_model, cache).solve(tasks(), DFS)
    assert [c.name for c in resumed_model.adapt_calls] == ["task-c"]
    assert resumed.submission == whole.submission
    assert [r.from_cache for r in resumed.results] == [True, True, False]
    assert [r.tokens_trained for r in resumed.results] == [r.tokens_trained for r in whole.results]


def test_each_task_keeps_its_adapter_and_candidates_under_task_and_configuration():
    store = InMemoryCheckpointStore()
    model = ScriptedModel(answers)
    solver(model, StoreSolveCache(store)).solve(tasks()[:1], DFS)
    key = cache_key(tasks()[0], model.base(), DFS)
    assert key.startswith("a/")
    assert store.keys() == [f"adapters/{key}", f"candidates/{key}"]
    adapter = store.load(f"adapters/{key}")
    assert json.loads(adapter.files["adapter.json"])["name"] == "task-a"
    assert adapter.metadata["task_id"] == "a"


def test_changing_only_the_selection_does_not_decode_again():
    originals = {t.test_inputs[0] for t in tasks()}

    def split(x: Grid):
        # The un-augmented view is sure of the input itself; the other views prefer the upscale:
        # votes tie, so product-of-experts and plain selection disagree.
        return (
            [(x, -0.1), (upscale(x), -0.3)] if x in originals else [(upscale(x), -0.2), (x, -5.0)]
        )

    cache = StoreSolveCache(InMemoryCheckpointStore())
    with_poe = solver(ScriptedModel(split), cache).solve(tasks(), DFS)
    again = ScriptedModel(split)
    without = solver(again, cache).solve(tasks(), replace(DFS, product_of_experts=False))
    assert again.adapt_calls == [] and again.prompts_seen == []
    fresh = solver(ScriptedModel(split), None).solve(
        tasks(), replace(DFS, product_of_experts=False)
    )
    assert without.submission == fresh.submission
    assert with_poe.submission != without.submission  # the selection did change


def test_a_change_of_training_or_decoding_options_decodes_again():
    cache = StoreSolveCache(InMemoryCheckpointStore())
    solver(ScriptedModel(answers), cache).solve(tasks()[:1], DFS)
    for changed in (
        replace(DFS, train=TrainOptions(steps=3)),
        replace(DFS, views=2),
        replace(DFS, seed=1),
        replace(DFS, decode=replace(DFS.decode, min_prob=0.01)),
    ):
        model = ScriptedModel(answers)
        solver(model, cache).solve(tasks()[:1], changed)
        assert len(model.adapt_calls) == 1, changed


def test_a_changed_task_is_not_served_from_the_cache():
    cache = StoreSolveCache(InMemoryCheckpointStore())
    solver(ScriptedModel(answers), cache).solve([make_task("a")], DFS)
    edited = make_task("a", Grid([[9]]), Grid([[8, 8]]), Grid([[1, 2]]))
    model = ScriptedModel(answers)
    solver(model, cache).solve([edited], DFS)
    assert len(model.adapt_calls) == 1


def test_an_unreadable_record_is_decoded_again():
    store = InMemoryCheckpointStore()
    cache = StoreSolveCache(store)
    model = ScriptedModel(answers)
    key = cache_key(tasks()[0], model.base(), DFS)
    cache.keep_candidates(key, {"format": 1, "tests": "not a list"})
    result = solver(model, cache).solve(tasks()[:1], DFS)
    assert len(model.adapt_calls) == 1 and not result.results[0].from_cache
    assert cache.candidates(key)["tests"] != "not a list"  # replaced by a good record
