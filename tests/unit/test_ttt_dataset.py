import pytest
from hypothesis import given, settings

from arc_ttt import Augmentation, Dihedral, Grid
from arc_ttt.domain.codec import decode_grid
from arc_ttt.domain.task import Example, Task
from arc_ttt.domain.ttt_dataset import (
    TTTSetOptions,
    build_ttt_set,
    leave_one_out,
    training_sequence,
)
from arc_ttt.domain.views import choose_views
from strategies import tasks


def demo_task(n: int) -> Task:
    train = tuple(Example(Grid([[i % 9 + 1, 0]]), Grid([[0, i % 9 + 1]])) for i in range(n))
    return Task("t", train, (Grid([[5, 0]]),), (Grid([[0, 5]]),))


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_n_demonstrations_give_n_leave_one_out_subtasks(n):
    subs = leave_one_out(demo_task(n))
    assert len(subs) == n
    for j, sub in enumerate(subs):
        assert sub.held_out == j and len(sub.context) == n - 1
        assert sub.query not in sub.context or n == 1


@settings(max_examples=50)
@given(tasks())
def test_ttt_set_has_per_subtask_copies_and_never_uses_test_outputs(task):
    options = TTTSetOptions(per_subtask=3)
    seqs = build_ttt_set(task, options, seed=1)
    assert len(seqs) == 3 * len(task.train)
    assert build_ttt_set(task, options, seed=1) == seqs  # deterministic
    for s in seqs:
        assert s.loss_tokens > 0
        assert all(m == o for m, o in zip(s.loss_mask, s.encoded.is_output, strict=True))
    # the un-augmented copy of sub-task j asks exactly for demonstration j's output
    for j in range(len(task.train)):
        s = seqs[3 * j]
        n_ctx = len(task.train) - 1
        tail = [
            t
            for t, g in zip(s.encoded.tokens, s.encoded.grid_index, strict=True)
            if g == 2 * n_ctx + 1
        ]
        assert decode_grid(tail[1:]) == task.train[j].output  # tail[0] is the OUTPUT marker


def test_loss_on_target_only_masks_the_prompt():
    sub = leave_one_out(demo_task(3))[0]
    seq = training_sequence(sub, Augmentation(), loss_on="target")
    assert seq.loss_tokens == 4  # the 1x2 target: 2 cells + ROW + END
    prompt_len = len(seq) - seq.loss_tokens
    assert not any(seq.loss_mask[:prompt_len]) and all(seq.loss_mask[prompt_len:])


def test_augmented_copies_differ_and_options_restrict_transforms():
    task = demo_task(3)
    seqs = build_ttt_set(
        task,
        TTTSetOptions(
            per_subtask=6,
            transforms=(Dihedral.IDENTITY,),
            permute_colors=False,
            shuffle_order=False,
        ),
        seed=0,
    )
    assert len({s.encoded.tokens for s in seqs}) == 3  # nothing to vary: copies are equal
    varied = build_ttt_set(task, TTTSetOptions(per_subtask=6), seed=0)
    assert len({s.encoded.tokens for s in varied}) > 10


def test_too_long_sequences_are_skipped():
    assert build_ttt_set(demo_task(3), TTTSetOptions(per_subtask=2, max_tokens=5), seed=0) == []


def test_views_are_distinct_identity_first_and_seeded():
    task = demo_task(3)
    views = choose_views(task, 8, seed=3)
    assert views[0].is_identity() and len(set(views)) == 8
    assert {v.transform for v in views} == set(Dihedral)
    assert choose_views(task, 8, seed=3) == views and choose_views(task, 8, seed=4) != views
    with pytest.raises(ValueError, match="count"):
        choose_views(task, 0, seed=0)
