import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arc_ttt import Grid, GridDecodeError
from arc_ttt.domain.codec import (
    SYMBOL_TEXT,
    VOCAB_SIZE,
    Symbol,
    count_tokens,
    decode_grid,
    encode_prompt,
    encode_target,
    encode_task,
    grid_tokens,
    max_target_tokens,
)
from arc_ttt.domain.task import Example, Task
from strategies import grids, tasks

PROPERTY = settings(max_examples=200)


@PROPERTY
@given(grids(), st.integers(0, 20))
def test_target_round_trips(grid, index):
    encoded = encode_target(grid, index)
    assert decode_grid(encoded.tokens) == grid
    assert len(encoded) == grid_tokens(grid) + 1


@PROPERTY
@given(tasks())
def test_task_encoding_has_documented_length_and_decodes(task):
    prompt, target = encode_task(task)
    assert target is not None
    assert len(prompt) + len(target) == count_tokens(task)
    assert all(0 <= t < VOCAB_SIZE for t in prompt.tokens + target.tokens)
    assert decode_grid(target.tokens) == task.test_outputs[0]
    # Every demonstration's output can be read back from the prompt.
    tokens = list(prompt.tokens)
    outputs = []
    for i, t in enumerate(tokens):
        if t == Symbol.OUTPUT and i + 1 < len(tokens) and tokens[i + 1] != Symbol.OUTPUT:
            rest = tokens[i + 1 :]
            if Symbol.END in rest:
                outputs.append(decode_grid(rest))
    assert outputs == [e.output for e in task.train]


@PROPERTY
@given(tasks())
def test_positions_know_the_geometry(task):
    prompt, target = encode_task(task)
    assert target is not None
    full = prompt + target
    n = len(task.train)
    for tok, r, c, g, out in zip(
        full.tokens, full.rows, full.cols, full.grid_index, full.is_output, strict=True
    ):
        if tok < 10:
            assert r >= 1 and c >= 1
        elif tok == Symbol.ROW:
            assert r >= 1 and c >= 2
        else:
            assert (r, c) == (0, 0)
        assert 0 <= g <= 2 * n + 1
        if tok < 10 or tok == Symbol.ROW:
            assert out == (g % 2 == 1)  # odd grid indices are outputs
    assert all(target.is_output) and all(gi == 2 * n + 1 for gi in target.grid_index)


def test_token_count_example():
    # 2x2 -> 1x1 demo, 1x3 test in, 2x1 test out
    task = Task(
        "t",
        (Example(Grid([[1, 2], [3, 4]]), Grid([[5]])),),
        (Grid([[1, 2, 3]]),),
        (Grid([[1], [2]]),),
    )
    # prompt: BOS(1) + demo(3 + 6 + 2) + I,O(2) + test in(4) = 18; target: 4 + END = 5
    assert len(encode_task(task)[0]) == 18
    assert count_tokens(task) == 23
    assert max_target_tokens() == 931


def test_prompt_layout():
    prompt = encode_prompt((Example(Grid([[1]]), Grid([[2]])),), Grid([[3]]))
    S = Symbol
    assert list(prompt.tokens) == [
        S.BOS,
        S.INPUT,
        1,
        S.ROW,
        S.OUTPUT,
        2,
        S.ROW,
        S.END,
        S.INPUT,
        3,
        S.ROW,
        S.OUTPUT,
    ]


def test_vocabulary_fits_16_symbols_and_texts_are_distinct():
    assert VOCAB_SIZE == 16 and max(Symbol) < VOCAB_SIZE
    assert len(SYMBOL_TEXT) == VOCAB_SIZE and len(set(SYMBOL_TEXT)) == VOCAB_SIZE


R, E = Symbol.ROW, Symbol.END


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ([1, 2, R, 3, R, E], "ragged rows"),
        ([1, 2, R, 3, Symbol.INPUT, R, E], "stray symbol INPUT"),
        ([1, 2, R, 3, 4], "no END"),
        ([], "no END"),
        ([E], "empty grid"),
        ([R, E], "empty row"),
        ([1, 2, E], "not terminated"),
        ([99, R, E], "stray symbol 99"),
        ([*([1] * 31), R, E], "31"),
    ],
)
def test_bad_generations_raise_decode_errors(tokens, message):
    with pytest.raises(GridDecodeError, match=message):
        decode_grid(tokens)


def test_tokens_after_end_are_ignored():
    assert decode_grid([1, R, E, 7, 7, Symbol.PAD]) == Grid([[1]])


@PROPERTY
@given(st.lists(st.integers(0, VOCAB_SIZE - 1), max_size=60))
def test_decoding_random_tokens_never_crashes(tokens):
    try:
        grid = decode_grid(tokens)
    except GridDecodeError:
        return
    assert isinstance(grid, Grid)
