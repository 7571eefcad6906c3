"""Hugging Face causal LMs in their published prompt formats, end to end on CPU: a tiny randomly
initialised model of each family (Llama for marc, Mistral for architects, Qwen2 for nvarc) with
a tokenizer built offline with the format's vocabulary and chat template."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

pytest.importorskip("transformers")

from arc_ttt.adapters.torch.formatted_lm import load_formatted_lm
from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.codec import encode_prompt, encode_target, encode_task
from arc_ttt.domain.errors import ModelLoadError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import DecodeOptions, TrainOptions
from arc_ttt.domain.prompt_formats import FORMAT_FILE
from arc_ttt.domain.prompt_formats.codec_bridge import split_sequence
from arc_ttt.domain.scoring import parse_submission
from arc_ttt.domain.task import Example, Task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set
from cli_runs import arc_ttt, needs_arc_ttt
from tiny_models import save_format_model

FAMILIES = ("marc", "architects", "nvarc")
# Flip each row: the test input is a demonstration's, so a model adapted to the task knows it.
TASK = Task(
    "flip",
    (
        Example(Grid([[1, 2], [3, 4]]), Grid([[2, 1], [4, 3]])),
        Example(Grid([[5, 6, 7]]), Grid([[7, 6, 5]])),
        Example(Grid([[8, 9]]), Grid([[9, 8]])),
    ),
    (Grid([[5, 6, 7]]),),
    (Grid([[7, 6, 5]]),),
)
# Full fine-tuning: LoRA on a random base barely learns (docs/solve.md), and the decoding tests
# need a model that knows the task. LORA checks the LoRA path on its own.
FIT = TrainOptions(steps=100, batch_size=3, learning_rate=1e-2, warmup_steps=0, method="full")
PLAIN = TTTSetOptions(per_subtask=1)  # the leave-one-out sub-tasks, not augmented
LORA = TrainOptions(steps=8, batch_size=4, learning_rate=2e-2, warmup_steps=0, lora_rank=8)


@pytest.fixture(scope="module", params=FAMILIES)
def model(request, tmp_path_factory):
    folder = save_format_model(tmp_path_factory.mktemp(request.param), request.param)
    return load_formatted_lm(folder)


@pytest.fixture(scope="module")
def adapted(model):
    sequences = build_ttt_set(TASK, PLAIN, seed=0)
    result = model.adapt(model.base(), "flip", sequences, FIT)
    yield result
    model.release(result.model)


def test_the_format_is_read_from_the_folder(model, tmp_path):
    # Each fixture folder is named after the format its tokenizer was built for.
    assert Path(model.folder).name.startswith(model.format.name)
    assert model.base().base.endswith(":" + model.format.name)


def test_the_prompt_is_the_format_text_in_the_checkpoint_tokenizer(model):
    prompt, _ = encode_task(TASK)
    text = model.format.task_prompt(TASK)
    assert model._prompt_ids(prompt) == model._tokenizer.encode(text, add_special_tokens=False)
    assert model._tokenizer.decode(model._prompt_ids(prompt)) == text


def test_training_labels_cover_only_the_format_answers(model):
    sequence = build_ttt_set(TASK, TTTSetOptions(), seed=0)[0]
    ids, labels = model._training_ids(sequence)
    taught = [t for t in labels if t != -100]
    assert taught and len(ids) == len(labels)
    assert [t for t, lb in zip(ids, labels, strict=True) if lb != -100] == taught
    demonstrations, _ = split_sequence(sequence.encoded)
    expected = model.format.training(demonstrations).loss_text()
    assert model._tokenizer.decode(taught, skip_special_tokens=False) == expected


def test_training_lowers_the_loss_and_is_deterministic(model, adapted):
    assert 0 < adapted.steps <= FIT.steps and adapted.losses[-1] < adapted.losses[0] / 10
    sequences = build_ttt_set(TASK, PLAIN, 0)
    for options in (FIT, LORA):
        one = model.adapt(model.base(), "a", sequences, options)
        two = model.adapt(model.base(), "b", sequences, options)
        model.release(one.model)
        model.release(two.model)
        assert one.losses == two.losses
        assert one.losses[-1] < one.losses[0]


def held_out():
    """The last leave-one-out sub-task as a prompt and its answer: what the adapted model was
    taught (a 2-layer random model memorises; it does not generalise)."""
    sequence = build_ttt_set(TASK, PLAIN, seed=0)[-1]
    demonstrations, _ = split_sequence(sequence.encoded)
    *shown, asked = demonstrations
    prompt = encode_prompt(shown, asked.input)
    return prompt, encode_target(asked.output, 2 * len(shown) + 1)


def test_greedy_after_ttt_gives_the_taught_answer_and_scores_agree(model, adapted):
    prompt, target = held_out()
    [[greedy]] = model.generate(adapted.model, [prompt], DecodeOptions(max_new_tokens=40))
    assert greedy.complete and greedy.tokens == target.tokens
    [score] = model.score(adapted.model, [prompt], [target])
    assert score == pytest.approx(greedy.logprob, abs=1e-4)
    [base_score] = model.score(model.base(), [prompt], [target])
    assert base_score < score  # the base model, without the adaptation, knows less


def test_dfs_keeps_every_answer_above_min_prob_best_first(model, adapted):
    prompt, target = held_out()
    options = DecodeOptions(strategy="dfs", min_prob=0.01, max_new_tokens=40)
    [found] = model.generate(adapted.model, [prompt], options)
    assert found and found[0].tokens == target.tokens
    logprobs = [c.logprob for c in found]
    assert logprobs == sorted(logprobs, reverse=True)
    assert all(
        lp >= math.log(0.01) - 1e-6 and c.complete for lp, c in zip(logprobs, found, strict=True)
    )
    [score] = model.score(adapted.model, [prompt], [target])
    assert score == pytest.approx(found[0].logprob, abs=1e-4)


def test_a_saved_format_file_wins_over_detection(tmp_path):
    folder = save_format_model(tmp_path / "m", "architects")
    (folder / FORMAT_FILE).write_text(json.dumps({"format": "arc_ttt"}))
    assert load_formatted_lm(folder).format.name == "arc_ttt"
    assert load_formatted_lm(folder, "architects").format.name == "architects"


def test_a_tokenizer_that_merges_cells_is_refused_naming_the_merge(tmp_path):
    folder = save_format_model(tmp_path / "m", "architects", merge="12")
    with pytest.raises(ModelLoadError, match="merges '12' into one token"):
        load_formatted_lm(folder)


# One-cell answers, so that DFS (every answer above 1e-15, at most 200 model steps) ends some.
SMALL = Task(
    "one",
    (Example(Grid([[1]]), Grid([[2]])), Example(Grid([[3]]), Grid([[4]]))),
    (Grid([[5]]),),
    (Grid([[6]]),),
)


@needs_arc_ttt
@pytest.mark.parametrize("name", FAMILIES)
def test_a_whole_solve_runs_through_each_format(name, tmp_path):
    """``arc-ttt solve --model FOLDER``: the format is told from the folder; TTT, DFS and the
    product-of-experts scores under augmented views run in it; the submission is valid."""
    folder = save_format_model(tmp_path / "model", name)
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "one.json").write_text(json.dumps(task_to_json(SMALL)))
    out = tmp_path / "run"
    args = ["--model", str(folder), "--sources", "neural", "--steps", "2", "--views", "2"]
    args += ["--strategy", "dfs", "--set", "decode.min_prob=1e-15"]  # a random base: all pass
    args += ["--set", "decode.max_expansions=200", "--set", "decode.max_candidates=4"]
    result = arc_ttt("solve", "--dataset", str(tasks), *args, "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert record["train_steps"] == 2 and record["sources"]["neural"]["train_steps"] == 2
    [candidates] = record["provenance"]
    assert candidates and all(c[0]["source"] == "neural" for c in candidates)
    assert all(len(c[0]["view_logprobs"]) == 2 for c in candidates)  # PoE over both views
    assert all(
        c[0]["poe_score"] == pytest.approx(sum(c[0]["view_logprobs"].values())) for c in candidates
    )
    submission = parse_submission(json.loads((out / "submission.json").read_text()))
    assert list(submission.answers) == ["one"] and len(submission.answers["one"]) == 1
    assert json.loads((out / "settings.json").read_text())["model"]["format"] == "auto"


def test_a_lora_adapter_round_trips_through_peft_and_the_solve_cache(model, tmp_path):
    """The adapter files are peft's own: ``PeftModel.from_pretrained`` on a fresh copy of the
    base scores the same, and so does the adapter loaded back into the backend."""
    import copy

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    sequences = build_ttt_set(TASK, PLAIN, seed=0)
    adapted = model.adapt(model.base(), "rt", sequences, LORA)
    prompt, target = held_out()
    [score] = model.score(adapted.model, [prompt], [target])
    files = model.adapter_files(adapted.model)
    assert set(files) == {"adapter_config.json", "adapter_model.safetensors"}
    folder = tmp_path / "adapter"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    base = AutoModelForCausalLM.from_pretrained(model.folder, local_files_only=True)
    peft_model = PeftModel.from_pretrained(copy.deepcopy(base), str(folder)).eval()
    ids = model._prompt_ids(prompt)
    answer = model._answer_ids(model._grid_of(target))
    with torch.inference_mode():
        logits = peft_model(input_ids=torch.tensor([ids + answer[:-1]])).logits[0]
    logp = torch.log_softmax(logits[len(ids) - 1 :].float(), dim=-1)
    assert float(logp[torch.arange(len(answer)), torch.tensor(answer)].sum()) == pytest.approx(
        score, abs=1e-4
    )
    loaded = model.load_adapter(model.base(), "rt", files)
    assert model.score(loaded, [prompt], [target]) == pytest.approx([score], abs=1e-5)
    model.release(loaded)
    model.release(adapted.model)
