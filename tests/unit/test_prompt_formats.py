"""Prompt formats against golden texts written from each pipeline's published format, answers
parsed back, the answer grammar, and which format a model folder speaks."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arc_ttt.domain.codec import SYMBOL_TEXT, encode_task
from arc_ttt.domain.errors import GridDecodeError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.prompt_formats import (
    FORMATS,
    FolderFacts,
    PromptFormatError,
    Specials,
    detect_format,
    format_named,
)
from arc_ttt.domain.task import Example, Task
from strategies import grids

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "prompt_formats.json").read_text())
DEMOS = (
    Example(Grid([[1, 2], [3, 4]]), Grid([[4, 3], [2, 1]])),
    Example(Grid([[7]]), Grid([[8]])),
)
TEST_INPUT, ANSWER = Grid([[5, 6]]), Grid([[6, 5]])
SPECIALS = {"architects": Specials(bos="<s>", eos="</s>")}


def fmt(name: str):
    return format_named(name, SPECIALS.get(name, Specials()))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_prompt_target_and_loss_match_the_golden_text(name):
    f, golden = fmt(name), GOLDEN[name]
    assert f.prompt(DEMOS, TEST_INPUT) == golden["prompt"]
    assert f.target(ANSWER) == golden["target"]
    training = f.training(DEMOS)
    assert [training.text[a:b] for a, b in training.loss_spans] == golden["training_loss"]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_prompt_followed_by_its_answer_is_the_training_text_of_the_whole_task(name):
    f = fmt(name)
    whole = f.training((*DEMOS, Example(TEST_INPUT, ANSWER)))
    assert whole.text == f.prompt(DEMOS, TEST_INPUT) + f.target(ANSWER)
    assert whole.text.endswith(whole.loss_text()[-len(f.target(ANSWER)) :])


def test_marc_is_the_llama3_chat_template_applied_to_its_messages():
    # Meta-Llama-3-8B-Instruct's chat template, as transformers' apply_chat_template renders it.
    template = (
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
        "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] "
        "| trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content "
        "%}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ "
        "'<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
    )
    f = fmt("marc")
    system = f.INSTRUCTION + "".join(
        f"{f.grid_text(d.input)} -> {f.grid_text(d.output)}#\n" for d in DEMOS
    )
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": f.grid_text(TEST_INPUT) + " -> "},
    ]
    rendered = (
        jinja2.Environment()
        .from_string(template)
        .render(messages=messages, bos_token="<|begin_of_text|>", add_generation_prompt=True)
    )
    assert f.prompt(DEMOS, TEST_INPUT) == rendered


def test_marc_grids_are_numpy_prints():
    numpy = pytest.importorskip("numpy")
    grid = Grid([[0, 1, 2], [3, 4, 5]])
    assert fmt("marc").grid_text(grid) == str(numpy.array(grid.to_lists()))


def test_arc_ttt_is_the_codec_one_character_per_symbol():
    task = Task("t", DEMOS, (TEST_INPUT,), (ANSWER,))
    prompt, target = encode_task(task)
    assert target is not None
    f = fmt("arc_ttt")
    assert f.task_prompt(task) == "".join(SYMBOL_TEXT[t] for t in prompt.tokens)
    assert f.target(ANSWER) == "".join(SYMBOL_TEXT[t] for t in target.tokens)
    training = f.training(DEMOS)
    coded = "".join(
        SYMBOL_TEXT[t] for t, out in zip(prompt.tokens, prompt.is_output, strict=True) if out
    )
    assert training.loss_text() == coded


@pytest.mark.parametrize("name", sorted(FORMATS))
@given(grid=grids())
def test_every_grid_round_trips_through_its_answer_text(name, grid):
    f = fmt(name)
    assert f.parse(f.target(grid)) == grid


@pytest.mark.parametrize("name", sorted(FORMATS))
@given(grid=grids())
def test_the_grammar_allows_every_answer_unit_by_unit_and_nothing_after_it(name, grid):
    syntax = fmt(name).answer
    units = syntax.units(syntax.text(grid))
    cursor = syntax.cursor()
    for i, unit in enumerate(units):
        assert unit in cursor.allowed(), (i, units[:i])
        assert not cursor.done
        cursor = cursor.advance(unit)
    assert cursor.allowed() == frozenset() and cursor.done
    assert syntax.next_units(units) == frozenset() and syntax.complete(units)
    assert set(units) <= syntax.unit_set()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_the_grammar_keeps_rows_the_same_width_and_within_30(name):
    syntax = fmt(name).answer
    ragged = syntax.units(
        syntax.open + syntax.row_sep.join([f"1{syntax.cell_sep}2", "3"]) + syntax.close + syntax.end
    )
    cursor = syntax.cursor()
    for unit in ragged:
        if unit not in cursor.allowed():
            break  # a short second row is refused where it would end
        cursor = cursor.advance(unit)
    else:
        raise AssertionError(f"the ragged answer {ragged} was allowed")
    wide = syntax.units(syntax.grid_text(Grid([[1] * 30])))
    wide = wide[: len(wide) - len(syntax.units(syntax.close))]
    assert not syntax.next_units(wide) & set("0123456789")  # a 31st cell is refused
    assert syntax.next_units(["x"]) == frozenset()  # off the grammar: nothing may follow


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("architects", "12\n3\n</s>", "ragged"),
        ("architects", "12\n34", "does not end"),
        ("nvarc", "1a<|im_end|>", "not a row of digits"),
        ("marc", "[[1 2]\n [3 4]", "does not end"),
        ("marc", "1 2]]#", "does not start"),
        ("arc_ttt", ".", "does not end"),
        ("nvarc", "<|im_end|>", "no cell"),
    ],
)
def test_a_bad_answer_is_a_decode_error_that_says_why(name, text, problem):
    with pytest.raises(GridDecodeError, match=problem):
        fmt(name).parse(text)


@pytest.mark.parametrize("name", sorted(FORMATS))
@given(text=st.text(alphabet="0123456789\n []#.+/-=O<|>im_endt", max_size=80))
def test_parsing_any_text_gives_a_grid_or_a_decode_error(name, text):
    try:
        grid = fmt(name).parse(text)
    except GridDecodeError:
        return
    assert isinstance(grid, Grid)


def facts(**kwargs) -> FolderFacts:
    base = {"folder": "m", "saved_format": None, "vocabulary": frozenset(), "chat_template": None}
    return FolderFacts(**{**base, **kwargs})


DIGITS = frozenset("0123456789")


@pytest.mark.parametrize(
    ("given_facts", "expected"),
    [
        (facts(saved_format="marc", vocabulary=DIGITS), "marc"),
        (
            facts(vocabulary=DIGITS | {"\n", "user", "assistant", "<|im_start|>", "<|im_end|>"}),
            "nvarc",
        ),
        (
            facts(
                vocabulary=DIGITS | set("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjklmnpqrstuvwxyz+/-=\nIO")
            ),
            "architects",
        ),
        (
            facts(vocabulary=frozenset(map(str, range(5000))), chat_template="<|start_header_id|>"),
            "marc",
        ),
    ],
)
def test_the_format_is_read_from_the_folder(given_facts, expected):
    assert detect_format(given_facts) == expected


def test_a_folder_whose_format_cannot_be_told_is_refused_with_the_choices():
    with pytest.raises(
        PromptFormatError, match=r"cannot tell .* pass --format arc_ttt\|architects"
    ):
        detect_format(facts(vocabulary=frozenset(map(str, range(5000)))))
    with pytest.raises(PromptFormatError, match=r"arc_ttt_format\.json: unknown format 'llama'"):
        detect_format(facts(saved_format="llama"))
    with pytest.raises(PromptFormatError, match="unknown prompt format 'x'"):
        format_named("x")
