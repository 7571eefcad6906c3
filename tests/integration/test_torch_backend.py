"""The torch backend with real tiny models on the CPU: caching, batching, search, scoring,
adaptation isolation, determinism, Hugging Face loading, and the library's errors."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.domain.codec import Encoded, Symbol, decode_grid, encode_prompt
from arc_ttt.domain.continuation import Cursor, answer_grid_index, encode_continuation
from arc_ttt.domain.errors import ModelConfigError, ModelLoadError, UnknownModelError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import DecodeOptions, ModelRef, TrainOptions
from arc_ttt.domain.task import Example
from tiny_models import (
    pair_sequence,
    recolor_pairs,
    recolor_sequences,
    save_symbol_tokenizer,
    save_tiny_llama,
    trained_on_recolor,
)

TINY = ArcDecoderConfig(d_model=32, n_layers=2, n_heads=2)
END = int(Symbol.END)
GREEDY = DecodeOptions(max_new_tokens=16, batch_size=8)
LORA = TrainOptions(steps=6, batch_size=8, learning_rate=1e-2, warmup_steps=2, lora_rank=4, seed=3)


def mixed_prompts() -> list[Encoded]:
    grids = [
        Grid([[1]]),
        Grid([[1, 2, 3], [4, 5, 6]]),
        Grid([[7, 7], [0, 1], [2, 2]]),
        Grid([[9, 9, 9, 9]]),
    ]
    return [encode_prompt((), g) for g in grids] + [
        encode_prompt((Example(grids[0], grids[1]),), grids[2])
    ]


def fresh_prompts(n: int, seed: int) -> list[Encoded]:
    return [encode_prompt((), i) for i, _ in recolor_pairs(n, seed)]


def answer(prompt: Encoded, tokens) -> Encoded:
    return encode_continuation(tokens, answer_grid_index(prompt))


@pytest.fixture
def backend() -> TorchModelBackend:
    return TorchModelBackend.builtin(TINY, seed=0, cpu=True)


@pytest.fixture(scope="module")
def trained():
    backend = TorchModelBackend.builtin(TINY, seed=0, cpu=True)
    return backend, trained_on_recolor(backend)


def naive_greedy(
    module: ArcDecoder, prompt: Encoded, max_new: int, constrained: bool
) -> tuple[list[int], float]:
    """Greedy decoding that recomputes the whole sequence each step: no cache, no padding; with
    ``constrained``, the best token among those the grid grammar allows."""
    tokens: list[int] = []
    total = 0.0
    cursor = Cursor()
    with torch.no_grad():
        for _ in range(max_new):
            seq = prompt + answer(prompt, tokens)
            rows = [torch.tensor([x]) for x in (seq.tokens, seq.rows, seq.cols, seq.grid_index)]
            logprobs = torch.log_softmax(module(*rows)[0, -1].float(), dim=-1)
            allowed = list(cursor.allowed()) if constrained else list(range(len(logprobs)))
            token = allowed[int(logprobs[allowed].argmax())]
            cursor = cursor.place(token)[1]
            tokens.append(token)
            total += float(logprobs[token])
            if token == END:
                break
    return tokens, total


def weights(backend: TorchModelBackend, model: ModelRef, folder: Path) -> dict[str, torch.Tensor]:
    backend.save(model, folder)
    return load_file(str(folder / "model.safetensors"))


def same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("constrained", [True, False])
def test_cached_greedy_equals_recomputing_the_whole_sequence(backend, constrained):
    module = ArcDecoder.seeded(TINY, 0).eval()
    options = replace(GREEDY, constrained=constrained)
    for prompt in mixed_prompts():
        [[candidate]] = backend.generate(backend.base(), [prompt], options)
        tokens, logprob = naive_greedy(module, prompt, GREEDY.max_new_tokens, constrained)
        assert list(candidate.tokens) == tokens
        assert candidate.logprob == pytest.approx(logprob, abs=1e-4)


def test_batched_greedy_equals_one_prompt_at_a_time(backend):
    prompts = mixed_prompts()
    batched = backend.generate(
        backend.base(), prompts, DecodeOptions(max_new_tokens=16, batch_size=5)
    )
    for prompt, [b] in zip(prompts, batched, strict=True):
        [[single]] = backend.generate(backend.base(), [prompt], GREEDY)
        assert b.tokens == single.tokens
        assert b.logprob == pytest.approx(single.logprob, abs=1e-4)


def test_constrained_decoding_of_an_untrained_model_always_gives_a_grid(backend):
    prompts = mixed_prompts()
    greedy = DecodeOptions(max_new_tokens=931, batch_size=4)
    dfs = DecodeOptions(strategy="dfs", min_prob=0.02, max_candidates=4, max_new_tokens=931)
    for options in (greedy, dfs):
        found = backend.generate(backend.base(), prompts, options)
        assert all(c.complete for cs in found for c in cs)
        for c in (c for cs in found for c in cs):
            decode_grid(c.tokens)  # raises on anything that is not a grid


def test_dfs_stops_at_its_expansion_budget(trained):
    backend, model = trained
    prompts = mixed_prompts()[:2]
    wide = DecodeOptions(strategy="dfs", min_prob=1e-4, max_candidates=50, max_new_tokens=64)
    full = backend.generate(model, prompts, wide)
    tight = backend.generate(model, prompts, replace(wide, max_expansions=3))
    for everything, few in zip(full, tight, strict=True):
        assert len(few) <= len(everything)
        assert all(c.tokens in {e.tokens for e in everything} for c in few)
        assert all(len(c.tokens) <= 4 for c in few)  # 3 expanded tokens, then END


def test_dfs_contains_the_greedy_answer_and_is_sorted(trained):
    backend, model = trained
    prompts = fresh_prompts(6, seed=99)
    greedy = backend.generate(model, prompts, GREEDY)
    dfs = backend.generate(
        model,
        prompts,
        DecodeOptions(strategy="dfs", min_prob=0.01, max_candidates=8, max_new_tokens=16),
    )
    assert sum(g.complete for [g] in greedy) >= 5  # the trained model answers in grids
    for [g], candidates in zip(greedy, dfs, strict=True):
        logprobs = [c.logprob for c in candidates]
        assert logprobs == sorted(logprobs, reverse=True)
        if g.complete and g.logprob > -4.0:
            assert g.tokens in [c.tokens for c in candidates]


@pytest.mark.parametrize("which", ["untrained", "trained"])
def test_score_of_the_greedy_answer_is_its_logprob(which, backend, trained):
    scorer, model = (backend, backend.base()) if which == "untrained" else trained
    prompts = mixed_prompts()
    greedy = scorer.generate(model, prompts, GREEDY)
    scores = scorer.score(
        model, prompts, [answer(p, g.tokens) for p, [g] in zip(prompts, greedy, strict=True)]
    )
    for score, [g] in zip(scores, greedy, strict=True):
        assert score == pytest.approx(g.logprob, abs=1e-4)


@pytest.mark.parametrize("method", ["lora", "full"])
def test_adapting_a_then_b_equals_adapting_b_alone(method, tmp_path):
    options = replace(LORA, method=method)
    data_a, data_b = recolor_sequences(24, seed=10), recolor_sequences(24, seed=11)
    both = TorchModelBackend.builtin(TINY, seed=0, cpu=True)
    both.adapt(both.base(), "a", data_a, options)
    after_a = both.adapt(both.base(), "b", data_b, options)
    alone = TorchModelBackend.builtin(TINY, seed=0, cpu=True)
    only_b = alone.adapt(alone.base(), "b", data_b, options)

    assert after_a.losses == only_b.losses
    assert same_weights(
        weights(both, after_a.model, tmp_path / "1"), weights(alone, only_b.model, tmp_path / "2")
    )
    prompts = mixed_prompts()
    assert both.generate(after_a.model, prompts, GREEDY) == alone.generate(
        only_b.model, prompts, GREEDY
    )


def test_same_seed_gives_identical_losses_and_another_seed_does_not():
    data = recolor_sequences(40, seed=5)

    def losses(seed: int) -> tuple[float, ...]:
        backend = TorchModelBackend.builtin(TINY, seed=0, cpu=True)
        return backend.adapt(backend.base(), "x", data, replace(LORA, seed=seed)).losses

    assert losses(1) == losses(1)
    assert losses(1) != losses(2)


def test_lora_changes_the_answers_and_trains_only_the_adapter(backend, tmp_path):
    before = weights(backend, backend.base(), tmp_path / "before")
    prompts = mixed_prompts()
    base_answers = backend.generate(backend.base(), prompts, GREEDY)
    result = backend.adapt(backend.base(), "x", recolor_sequences(40, seed=6), LORA)

    assert same_weights(weights(backend, backend.base(), tmp_path / "after"), before)
    assert backend.generate(backend.base(), prompts, GREEDY) == base_answers
    assert backend.generate(result.model, prompts, GREEDY) != base_answers
    merged = weights(backend, result.model, tmp_path / "merged")
    changed = {k for k in before if not torch.equal(before[k], merged[k])}
    projections = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
    assert changed and all(k.split(".")[-2] in projections for k in changed)


def test_adapter_files_are_peft_format_and_load_with_peft_alone(backend, tmp_path):
    from peft import PeftModel

    result = backend.adapt(backend.base(), "export", recolor_sequences(16, seed=2), LORA)
    files = backend.adapter_files(result.model)
    assert set(files) == {"adapter_config.json", "adapter_model.safetensors"}
    for name, data in files.items():
        (tmp_path / "adapter").mkdir(exist_ok=True)
        (tmp_path / "adapter" / name).write_bytes(data)
    loaded = PeftModel.from_pretrained(ArcDecoder.seeded(TINY, 0), str(tmp_path / "adapter"))
    merged = loaded.merge_and_unload().state_dict()
    ours = weights(backend, result.model, tmp_path / "merged")
    assert ours.keys() == merged.keys()
    assert all(torch.allclose(ours[k], merged[k], atol=1e-6) for k in ours)
    with pytest.raises(UnknownModelError):
        backend.adapter_files(backend.base())


def test_a_fully_trained_copy_exports_as_a_model_folder(backend, tmp_path):
    full = replace(LORA, method="full", steps=2)
    result = backend.adapt(backend.base(), "full-export", recolor_sequences(8, seed=2), full)
    files = backend.adapter_files(result.model)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    again = TorchModelBackend.from_pretrained(tmp_path, cpu=True)
    prompts = mixed_prompts()
    assert again.generate(again.base(), prompts, GREEDY) == backend.generate(
        result.model, prompts, GREEDY
    )
    backend.release(result.model)


@pytest.mark.parametrize("method", ["lora", "full"])
def test_exported_adapter_files_load_back_as_the_same_model(backend, method):
    # What a resumed shared-TTT run does with its cached model.
    options = replace(LORA, method=method, steps=3)
    result = backend.adapt(backend.base(), "one", recolor_sequences(16, seed=4), options)
    files = backend.adapter_files(result.model)
    prompts = mixed_prompts()
    expected = backend.generate(result.model, prompts, GREEDY)
    assert expected != backend.generate(backend.base(), prompts, GREEDY)
    backend.release(result.model)
    other = TorchModelBackend.builtin(TINY, seed=0, cpu=True)  # a fresh process's backend
    loaded = other.load_adapter(other.base(), "again", files)
    assert loaded == ModelRef(other.base().base, "again")
    assert other.generate(loaded, prompts, GREEDY) == expected
    targets = [answer(p, c[0].tokens) for p, c in zip(prompts, expected, strict=True)]
    assert other.score(loaded, prompts, targets) == pytest.approx(
        [c[0].logprob for c in expected], abs=1e-4
    )
    other.release(loaded)
    with pytest.raises(ModelLoadError):
        other.load_adapter(other.base(), "bad", {"adapter_config.json": b"{not json"})


@pytest.mark.parametrize("method", ["lora", "full"])
def test_gradient_checkpointing_gives_the_same_training(backend, method):
    options = replace(LORA, method=method, steps=4)
    plain = backend.adapt(backend.base(), "plain", recolor_sequences(24, seed=3), options)
    again = replace(options, gradient_checkpointing=True)
    recomputed = backend.adapt(backend.base(), "gc", recolor_sequences(24, seed=3), again)
    assert recomputed.losses == pytest.approx(plain.losses, rel=1e-5)
    prompts = mixed_prompts()
    assert backend.generate(recomputed.model, prompts, GREEDY) == backend.generate(
        plain.model, prompts, GREEDY
    )


def test_gradient_checkpointing_on_a_hugging_face_model(tmp_path):
    hf = TorchModelBackend.from_pretrained(save_tiny_llama(tmp_path / "llama"), cpu=True)
    options = replace(LORA, steps=3)
    plain = hf.adapt(hf.base(), "plain", recolor_sequences(16, seed=3), options)
    gc_options = replace(options, gradient_checkpointing=True)
    recomputed = hf.adapt(hf.base(), "gc", recolor_sequences(16, seed=3), gc_options)
    assert recomputed.losses == pytest.approx(plain.losses, rel=1e-5)


def test_released_models_are_gone_and_names_are_reusable(backend):
    first = backend.adapt(backend.base(), "x", recolor_sequences(16, 1), LORA)
    backend.release(first.model)
    with pytest.raises(UnknownModelError, match="'x'"):
        backend.generate(first.model, mixed_prompts(), GREEDY)
    again = backend.adapt(backend.base(), "x", recolor_sequences(16, 1), LORA)
    assert again.losses == first.losses


def test_adapting_leaves_the_callers_random_state_alone(backend):
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    backend.adapt(backend.base(), "x", recolor_sequences(16, 1), LORA)
    assert torch.equal(torch.rand(3), expected)


def test_stopping_reasons_are_reported(backend):
    data = recolor_sequences(16, seed=2)
    base = backend.base()
    assert backend.adapt(base, "n", [], LORA).stopped_because == "no_data"
    early = backend.adapt(base, "e", data, replace(LORA, steps=50, early_stop_loss=100.0))
    assert (early.stopped_because, early.steps) == ("early_stop", 2)  # one epoch: 16 / 8 steps
    patient = backend.adapt(
        base, "p", data, replace(LORA, steps=200, learning_rate=1e-9, patience=1)
    )
    assert patient.stopped_because == "patience" and patient.steps < 200
    timed = backend.adapt(base, "t", data, replace(LORA, steps=10_000, max_seconds=0.3))
    assert timed.stopped_because == "time" and timed.steps < 10_000
    full = backend.adapt(base, "s", data, LORA)
    assert (full.stopped_because, full.steps, len(full.losses)) == ("steps", 6, 6)
    assert full.tokens == sum(len(s) for s in data) * 3  # 6 steps of 8 = 3 epochs of 16


def test_gradient_accumulation_equals_one_bigger_batch(tmp_path):
    data = recolor_sequences(8, seed=4)
    runs = []
    for batch, accumulate in ((8, 1), (2, 4)):
        backend = TorchModelBackend.builtin(TINY, seed=0, cpu=True)
        runs.append(
            backend.adapt(
                backend.base(),
                "x",
                data,
                replace(LORA, steps=3, batch_size=batch, grad_accumulation=accumulate),
            )
        )
    assert runs[0].losses == pytest.approx(runs[1].losses, abs=1e-5)


def test_saved_builtin_reloads_with_the_same_answers(backend, tmp_path):
    backend.save(backend.base(), tmp_path / "m")
    reloaded = TorchModelBackend.from_pretrained(tmp_path / "m", cpu=True)
    assert reloaded.generate(reloaded.base(), mixed_prompts(), GREEDY) == backend.generate(
        backend.base(), mixed_prompts(), GREEDY
    )
    same_folder = TorchModelBackend.builtin(tmp_path / "m", cpu=True)
    assert same_folder.base() == reloaded.base()


def test_seeded_builtin_models_start_from_the_same_weights():
    a, b, c = (ArcDecoder.seeded(TINY, s).state_dict() for s in (0, 0, 1))
    assert same_weights(a, b)
    assert not same_weights(a, c)


def test_hugging_face_llama_adapts_generates_and_scores(tmp_path):
    backend = TorchModelBackend.from_pretrained(save_tiny_llama(tmp_path / "llama"), cpu=True)
    prompts = mixed_prompts()
    result = backend.adapt(backend.base(), "x", recolor_sequences(32, seed=8), LORA)
    assert len(result.losses) == 6 and result.losses[-1] < result.losses[0]
    batched = backend.generate(
        result.model, prompts, DecodeOptions(max_new_tokens=12, batch_size=5)
    )
    for prompt, [b] in zip(prompts, batched, strict=True):
        [[single]] = backend.generate(result.model, [prompt], DecodeOptions(max_new_tokens=12))
        assert b.tokens == single.tokens
        [score] = backend.score(result.model, [prompt], [answer(prompt, b.tokens)])
        assert score == pytest.approx(b.logprob, abs=1e-4)
    dfs = backend.generate(
        result.model, prompts[:2], DecodeOptions(strategy="dfs", min_prob=0.01, max_new_tokens=12)
    )
    assert all(c.logprob >= -4.7 and c.tokens[-1] == END for cs in dfs for c in cs)
    assert backend.generate(result.model, prompts, GREEDY) != backend.generate(
        backend.base(), prompts, GREEDY
    )
    backend.save(result.model, tmp_path / "merged")
    merged = TorchModelBackend.from_pretrained(tmp_path / "merged", cpu=True)
    [[again]] = merged.generate(merged.base(), prompts[:1], DecodeOptions(max_new_tokens=12))
    assert again.tokens == batched[0][0].tokens


def test_errors_are_the_librarys_and_name_the_culprit(tmp_path, backend):
    missing = tmp_path / "nowhere"
    with pytest.raises(ModelLoadError, match="nowhere"):
        TorchModelBackend.from_pretrained(missing, cpu=True)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "config.json").write_text('{"model_type": "llama"}')
    with pytest.raises(ModelLoadError, match="junk"):
        TorchModelBackend.from_pretrained(tmp_path / "junk", cpu=True)
    (tmp_path / "arc").mkdir()
    (tmp_path / "arc" / "config.json").write_text('{"model_type": "arc_decoder", "d_model": 32}')
    with pytest.raises(ModelLoadError, match="arc"):
        TorchModelBackend.from_pretrained(tmp_path / "arc", cpu=True)
    with pytest.raises(ModelConfigError, match="n_heads=5"):
        ArcDecoderConfig(d_model=32, n_heads=5)
    with pytest.raises(UnknownModelError):
        backend.generate(ModelRef("someone else"), mixed_prompts(), GREEDY)
    with pytest.raises(UnknownModelError, match="'never'"):
        backend.score(
            ModelRef(backend.base().base, "never"), mixed_prompts()[:1], mixed_prompts()[:1]
        )
    with pytest.raises(ModelConfigError, match="min_prob"):
        backend.generate(
            backend.base(), mixed_prompts(), DecodeOptions(strategy="dfs", min_prob=0.0)
        )
    with pytest.raises(ModelConfigError, match="lora_rank"):
        backend.adapt(backend.base(), "x", recolor_sequences(4, 0), replace(LORA, lora_rank=0))
    with pytest.raises(ModelConfigError, match="nonexistent"):
        backend.adapt(
            backend.base(),
            "x",
            recolor_sequences(4, 0),
            replace(LORA, lora_targets=("nonexistent",)),
        )


def test_a_tokenizer_without_one_token_per_symbol_is_refused(tmp_path):
    folder = save_tiny_llama(tmp_path / "llama")
    save_symbol_tokenizer(folder, missing="^")
    with pytest.raises(ModelLoadError, match="symbol BOS"):
        TorchModelBackend.from_pretrained(folder, cpu=True)


def test_training_on_pairs_counts_only_answer_tokens(backend):
    seq = pair_sequence(Grid([[1, 2]]), Grid([[2, 3]]))
    assert seq.loss_tokens == 4  # two cells, ROW, END
    result = backend.adapt(backend.base(), "x", [seq], replace(LORA, steps=2, batch_size=1))
    assert result.tokens == 2 * len(seq)


@pytest.mark.gpu
def test_on_a_gpu_adapting_generating_and_scoring_agree():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    backend = TorchModelBackend.builtin(TINY, seed=0)  # bf16 where the GPU supports it
    result = backend.adapt(backend.base(), "x", recolor_sequences(64, 0), replace(LORA, steps=10))
    assert all(np.isfinite(result.losses))
    prompts = mixed_prompts()
    greedy = backend.generate(result.model, prompts, GREEDY)
    scores = backend.score(
        result.model, prompts, [answer(p, g.tokens) for p, [g] in zip(prompts, greedy, strict=True)]
    )
    for score, [g] in zip(scores, greedy, strict=True):
        assert score == pytest.approx(g.logprob, rel=0.05, abs=0.5)  # bf16: coarse agreement


def test_a_cache_that_grows_gives_the_logits_of_one_full_pass():
    module = ArcDecoder.seeded(TINY, 0).eval()
    seq = mixed_prompts()[4]
    rows = [torch.tensor([x]) for x in (seq.tokens, seq.rows, seq.cols, seq.grid_index)]
    cache = module.new_cache(capacity=2)
    with torch.no_grad():
        full = module(*rows)
        first = module(*(r[:, :5] for r in rows), cache=cache)
        steps = [module(*(r[:, i : i + 1] for r in rows), cache=cache) for i in range(5, len(seq))]
    assert cache.capacity >= len(seq)
    assert torch.allclose(torch.cat([first, *steps], dim=1), full, atol=1e-5)


def test_training_stops_before_a_step_that_would_overrun_its_time():
    from arc_ttt.adapters.torch.training import _next_step_overruns

    assert not _next_step_overruns(0.0, [], 10.0)  # the first step always runs
    assert _next_step_overruns(10.0, [], 10.0)
    assert not _next_step_overruns(5.0, [1.0, 1.0], 10.0)
    assert _next_step_overruns(9.5, [1.0, 1.0], 10.0)  # the next step would end at 10.5
    assert _next_step_overruns(6.0, [8.0, 1.0], 10.0)  # the mean (4.5) outweighs the last (1)
    assert _next_step_overruns(5.0, [1.0, 6.0], 10.0)  # the last (6) outweighs the mean


def test_a_folder_of_pickled_weights_or_custom_code_is_refused_unread(tmp_path):
    import shutil

    good = save_tiny_llama(tmp_path / "llama")
    pickled = tmp_path / "pickled"
    shutil.copytree(good, pickled)
    for f in pickled.glob("*.safetensors"):
        f.unlink()
    (pickled / "pytorch_model.bin").write_bytes(b"\x80\x04 not read: a pickle would run code")
    with pytest.raises(ModelLoadError, match=r"pickled weights \(pytorch_model.bin\)"):
        TorchModelBackend.from_pretrained(pickled, cpu=True)
    custom = tmp_path / "custom"
    shutil.copytree(good, custom)
    config = json.loads((custom / "config.json").read_text())
    config["auto_map"] = {"AutoModelForCausalLM": "modeling_evil.EvilModel"}
    (custom / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="trust_remote_code"):
        TorchModelBackend.from_pretrained(custom, cpu=True)
    TorchModelBackend.from_pretrained(good, cpu=True)  # safetensors and no custom code: fine
