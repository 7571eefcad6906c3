"""Pretraining data and decisions: the validation split, epochs of fresh augmented sequences,
the corpus fingerprint, early stopping and the options' checks."""

import math

import pytest

from arc_ttt import Dihedral, Grid
from arc_ttt.domain.codec import decode_grid
from arc_ttt.domain.model_io import TrainOptions
from arc_ttt.domain.pretrain_corpus import (
    CorpusOptions,
    PretrainCorpus,
    split_validation,
    with_tests_as_demos,
)
from arc_ttt.domain.pretraining import EarlyStopping, PretrainOptions
from arc_ttt.domain.synthetic import generate_tasks
from arc_ttt.domain.task import Example, Task

TASKS = generate_tasks(30, seed=3, min_side=3, max_side=5)


def output_grids(seq):
    """The grids under the loss mask, in order (each ends with END)."""
    grids, current = [], []
    for token, loss in zip(seq.encoded.tokens, seq.loss_mask, strict=True):
        if loss:
            current.append(token)
        elif current:
            grids.append(decode_grid(current))
            current = []
    if current:
        grids.append(decode_grid(current))
    return grids


@pytest.mark.parametrize("fraction", [0.05, 0.2, 0.5])
def test_the_validation_split_is_disjoint_complete_and_seeded(fraction):
    train, val = split_validation(TASKS, fraction, seed="s")
    assert {t.id for t in train}.isdisjoint({t.id for t in val})
    assert sorted(t.id for t in train + val) == sorted(t.id for t in TASKS)
    assert len(val) == max(1, round(fraction * len(TASKS)))
    assert split_validation(list(reversed(TASKS)), fraction, seed="s") == (train, val)
    assert split_validation(TASKS, fraction, seed="other")[1] != val


def test_a_split_keeps_one_task_each_side_and_refuses_a_bad_fraction():
    assert [len(p) for p in split_validation(TASKS[:2], 0.01, seed=0)] == [1, 1]
    assert [len(p) for p in split_validation(TASKS[:2], 0.0, seed=0)] == [2, 0]
    assert [len(p) for p in split_validation(TASKS[:1], 0.4, seed=0)] == [1, 0]
    with pytest.raises(ValueError, match="validation fraction must be in"):
        split_validation(TASKS, 1.0, seed=0)


def test_solved_test_pairs_join_the_demonstrations():
    task = TASKS[0]
    assert task.test_outputs is not None
    joined = with_tests_as_demos(task)
    assert joined.train[-1] == Example(task.test_inputs[0], task.test_outputs[0])
    assert len(joined.train) == len(task.train) + len(task.test_inputs)
    unsolved = task.without_solutions()
    assert with_tests_as_demos(unsolved) == unsolved


def test_an_epoch_asks_for_every_pair_of_every_task_once_under_fresh_views():
    corpus = PretrainCorpus(TASKS[:5], TASKS[5:7], CorpusOptions(), seed=1)
    pairs = sum(len(t.train) + len(t.test_inputs) for t in TASKS[:5])
    first, second = corpus.epoch(0), corpus.epoch(1)
    assert len(first) == len(second) == pairs and corpus.skipped(0) == 0
    assert first != second  # fresh augmentations every epoch
    again = PretrainCorpus(TASKS[:5], TASKS[5:7], CorpusOptions(), seed=1)
    assert again.epoch(1) == second and again.epoch(0) == first  # rebuilt from its number
    assert PretrainCorpus(TASKS[:5], TASKS[5:7], CorpusOptions(), seed=2).epoch(0) != first


def is_view(seen: Grid, original: Grid) -> bool:
    """``seen`` is ``original`` under some symmetry and a one-to-one recoloring."""
    for d in Dihedral:
        cells = d.apply(original.cells)
        if cells.shape != seen.cells.shape:
            continue
        pairs = set(zip(cells.ravel().tolist(), seen.cells.ravel().tolist(), strict=True))
        if len({a for a, _ in pairs}) == len(pairs) == len({b for _, b in pairs}):
            return True
    return False


def test_each_sequence_asks_for_a_view_of_the_held_out_output():
    task = with_tests_as_demos(TASKS[0])
    corpus = PretrainCorpus([TASKS[0]], [], CorpusOptions(loss_on="target"), seed=0)
    for epoch in range(3):
        answers = [output_grids(s)[0] for s in corpus.epoch(epoch)]
        assert all(is_view(a, e.output) for a, e in zip(answers, task.train, strict=True))
    assert not is_view(Grid([[1, 2]]), Grid([[1, 1]]))


def test_validation_is_fixed_and_unaugmented():
    corpus = PretrainCorpus(TASKS[:3], TASKS[3:5], CorpusOptions(), seed=0)
    val = corpus.validation()
    assert val == PretrainCorpus(TASKS[:3], TASKS[3:5], CorpusOptions(), seed=9).validation()
    demos = [with_tests_as_demos(t) for t in TASKS[3:5]]
    assert len(val) == sum(len(t.train) for t in demos)
    expected_outputs = [e.output for t in demos for e in t.train]
    assert [output_grids(s)[-1] for s in val] == expected_outputs  # the held-out one, as is


def test_sequences_past_max_tokens_are_left_out_and_counted():
    big = Task(
        "big",
        tuple(Example(Grid([[1] * 10] * 10), Grid([[2] * 10] * 10)) for _ in range(3)),
        (Grid([[1] * 10] * 10),),
        (Grid([[2] * 10] * 10),),
    )
    corpus = PretrainCorpus([big, TASKS[0]], [], CorpusOptions(max_tokens=400), seed=0)
    kept = corpus.epoch(0)
    assert corpus.skipped(0) == 4 and all(len(s) <= 400 for s in kept)
    assert len(kept) == len(TASKS[0].train) + 1


def test_the_fingerprint_changes_with_tasks_options_and_seed():
    base = PretrainCorpus(TASKS[:3], TASKS[3:4], CorpusOptions(), seed=0).fingerprint()
    assert base == PretrainCorpus(TASKS[:3], TASKS[3:4], CorpusOptions(), seed=0).fingerprint()
    changed = [
        PretrainCorpus(TASKS[:4], TASKS[4:5], CorpusOptions(), seed=0),
        PretrainCorpus(TASKS[:3], TASKS[4:5], CorpusOptions(), seed=0),
        PretrainCorpus(TASKS[:3], TASKS[3:4], CorpusOptions(max_tokens=100), seed=0),
        PretrainCorpus(TASKS[:3], TASKS[3:4], CorpusOptions(), seed=1),
    ]
    t = TASKS[0]
    other_answer = Task(t.id, t.train, t.test_inputs, (Grid([[9]]),))
    changed.append(PretrainCorpus([other_answer, *TASKS[1:3]], TASKS[3:4], CorpusOptions(), 0))
    assert len({c.fingerprint() for c in changed} | {base}) == len(changed) + 1


def test_early_stopping_counts_validations_without_enough_gain():
    stopping = EarlyStopping(patience=2, min_delta=0.1)
    decisions = [stopping.observe(s, v) for s, v in [(1, 3.0), (2, 2.5), (3, 2.45), (4, 2.6)]]
    assert decisions == [(True, False), (True, False), (False, False), (False, True)]
    assert (stopping.best, stopping.best_step) == (2.5, 2)
    endless = EarlyStopping(patience=None)
    assert [endless.observe(s, 1.0)[1] for s in range(1, 10)] == [False] * 9
    assert endless.best_step == 1


def test_a_nan_validation_never_counts_as_best():
    stopping = EarlyStopping(patience=1)
    assert stopping.observe(1, math.nan) == (False, True)
    assert stopping.best_step == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"eval_every": 0}, "eval_every must be a positive int"),
        ({"log_every": -1}, "log_every must be a positive int"),
        ({"min_delta": -0.5}, "min_delta must be >= 0"),
        ({"train": TrainOptions(method="lora")}, "pretraining trains in full"),
    ],
)
def test_pretrain_options_name_the_bad_value(changes, message):
    with pytest.raises(ValueError, match=message):
        PretrainOptions(**changes)
    with pytest.raises(ValueError, match="max_tokens must be > 0"):
        CorpusOptions(max_tokens=0)
