"""The exported step (``FusedStep``) computes the decoder's function, and ONNX Runtime's two-segment
cache (prefix read-only, past extended, the past folded into the prefix every ``FOLD`` positions,
crops into either) gives the logits the torch cache gives, step after step."""

from __future__ import annotations

import onnx
import pytest
import torch

from arc_ttt.adapters.onnx import symbol_model
from arc_ttt.adapters.onnx.fused_step import FusedStep
from arc_ttt.adapters.onnx.graph import META_FORMAT
from arc_ttt.adapters.onnx.session import open_session
from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel
from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.decoding import greedy, threshold_dfs
from arc_ttt.adapters.torch.symbol_model import ArcSymbolModel
from arc_ttt.adapters.torch.token_batch import padded, step_batch
from arc_ttt.domain.continuation import Cursor
from arc_ttt.domain.errors import OnnxModelError
from onnx_models import export_to, recolor_prompts, task_prompts

CPU = torch.device("cpu")


def _inputs(n: int, seed: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(0, 12, (2, n), generator=g) for _ in range(4)]


@pytest.mark.parametrize(
    "config",
    [
        ArcDecoderConfig(d_model=48, n_layers=2, n_heads=2),
        ArcDecoderConfig(d_model=36, n_layers=1, n_heads=3, transposed_heads=2),
        ArcDecoderConfig(d_model=24, n_layers=2, n_heads=1, transposed_heads=0, d_ff=40),
    ],
    ids=["one-transposed-head", "two-transposed-heads", "no-transposed-head"],
)
def test_fused_step_matches_the_decoder_over_prefix_past_and_padding(config):
    decoder = ArcDecoder.seeded(config, seed=3).eval()
    step = FusedStep(decoder).eval()
    tokens, rows, cols, grids = _inputs(12, seed=1)
    valid = torch.ones(2, 12, dtype=torch.bool)
    valid[1, :3] = False  # left padding in the second row
    with torch.no_grad():
        whole = decoder(tokens, rows, cols, grids, valid=valid)
        empty = [torch.zeros(2, config.n_heads, 0, config.head_dim)] * (2 * config.n_layers)
        kv = valid.long()
        # Positions 0..5 first (their keys become the prefix), 6..8 as past, then 9..11.
        first = step(
            tokens[:, :6], rows[:, :6], cols[:, :6], grids[:, :6], kv[:, :6], *empty, *empty
        )
        prefix = list(first[1:])
        second = step(
            tokens[:, 6:9], rows[:, 6:9], cols[:, 6:9], grids[:, 6:9], kv[:, :9], *prefix, *empty
        )
        third = step(
            tokens[:, 9:], rows[:, 9:], cols[:, 9:], grids[:, 9:], kv, *prefix, *second[1:]
        )
    got = torch.cat((first[0], second[0], third[0]), dim=1)
    real = valid[:, :, None].expand_as(whole)
    assert (got - whole)[real].abs().max() < 1e-4
    assert third[1].shape[2] == 6  # the present is past + new: the prefix is never copied


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    decoder = ArcDecoder.seeded(ArcDecoderConfig(d_model=32, n_layers=2, n_heads=2), seed=5).eval()
    path = export_to(decoder, tmp_path_factory.mktemp("graph"))
    return decoder, OnnxSymbolModel(*open_session(path))


def _step(model, cache, token, cursor, grid):
    position, cursor = cursor.place(token)
    logits = model.logits(step_batch([token], [position], [grid], CPU), cache)
    return logits[0, -1], cursor


def test_a_long_answer_crosses_the_fold_and_keeps_the_torch_logits(small, monkeypatch):
    monkeypatch.setattr(symbol_model, "FOLD", 16)  # fold several times in 60 steps
    decoder, onnx_model = small
    torch_model = ArcSymbolModel(decoder)
    prompt = task_prompts(1, seed=2)[0]
    grid = prompt.grid_index[-1]
    with torch.inference_mode():
        ref_cache, got_cache = torch_model.new_cache(1, 200), onnx_model.new_cache(1, 200)
        batch = padded([prompt], CPU, left=True)
        worst = float(
            (torch_model.logits(batch, ref_cache) - onnx_model.logits(batch, got_cache)).abs().max()
        )
        ref_cursor = got_cursor = Cursor()
        folded = 0
        for i in range(60):
            token = (3, 4, 5, 10)[i % 4]  # rows of three cells
            a, ref_cursor = _step(torch_model, ref_cache, token, ref_cursor, grid)
            b, got_cursor = _step(onnx_model, got_cache, token, got_cursor, grid)
            worst = max(worst, float((a - b).abs().max()))
            folded += got_cache.past[0].shape[2] == 0
    assert folded >= 3 and got_cache.length == ref_cache.length == len(prompt) + 60
    assert got_cache.prefix[0].shape[2] + got_cache.past[0].shape[2] == got_cache.length
    assert worst < 1e-4


def test_crops_into_the_past_and_into_the_prefix_give_the_torch_logits(small, monkeypatch):
    monkeypatch.setattr(symbol_model, "FOLD", 8)
    decoder, onnx_model = small
    torch_model = ArcSymbolModel(decoder)
    prompt = task_prompts(1, seed=4)[0]
    grid = prompt.grid_index[-1]
    with torch.inference_mode():
        ref_cache, got_cache = torch_model.new_cache(1, 100), onnx_model.new_cache(1, 100)
        batch = padded([prompt], CPU, left=True)
        torch_model.logits(batch, ref_cache)
        onnx_model.logits(batch, got_cache)
        cursor = Cursor()
        for token in (1, 2, 10, 1, 2, 10, 3, 3, 10, 4, 4):
            _, cursor = _step(torch_model, ref_cache, token, cursor, grid)
        cursor = Cursor()
        for token in (1, 2, 10, 1, 2, 10, 3, 3, 10, 4, 4):
            _, cursor = _step(onnx_model, got_cache, token, cursor, grid)
        worst = 0.0
        # Back into the past (a DFS sibling), then back into the prompt itself.
        for length in (len(prompt) + 9, len(prompt) + 2, len(prompt) - 5):
            ref_cache.crop(length)
            got_cache.crop(length)
            a, _ = _step(torch_model, ref_cache, 7, Cursor(), grid)
            b, _ = _step(onnx_model, got_cache, 7, Cursor(), grid)
            worst = max(worst, float((a - b).abs().max()))
            ref_cache.crop(length)
            got_cache.crop(length)
    assert worst < 1e-4


@pytest.mark.parametrize("with_cache", [True, False], ids=["cached", "one-off"])
def test_a_padded_batch_read_in_chunks_gives_the_torch_logits(small, monkeypatch, with_cache):
    monkeypatch.setattr(symbol_model, "CHUNK", 16)  # prompts of 60..200 tokens: many chunks
    monkeypatch.setattr(symbol_model, "FOLD", 32)
    decoder, onnx_model = small
    torch_model = ArcSymbolModel(decoder)
    prompts = task_prompts(2, seed=8)
    assert len(prompts[0]) != len(prompts[1]) and max(len(p) for p in prompts) > 3 * 16
    batch = padded(prompts, CPU, left=True)
    with torch.inference_mode():
        want = torch_model.logits(batch)
        caches = (onnx_model.new_cache(2, 300),) if with_cache else ()
        got = onnx_model.logits(batch, *caches)
        if with_cache:
            assert caches[0].length == batch.shape[1]
            # and a step after the chunked prompt, against torch's cached step
            ref = torch_model.new_cache(2, 300)
            torch_model.logits(batch, ref)
            feed = step_batch([4, 4], [(1, 1), (1, 1)], [p.grid_index[-1] for p in prompts], CPU)
            step_diff = (torch_model.logits(feed, ref) - onnx_model.logits(feed, caches[0])).abs()
            assert float(step_diff.max()) < 1e-4
    real = batch.valid[:, :, None].expand_as(want)
    assert got.shape == want.shape
    assert float((got - want)[real].abs().max()) < 1e-4


def test_a_padded_batch_decodes_across_folds_as_torch_does(small, monkeypatch):
    monkeypatch.setattr(symbol_model, "CHUNK", 32)
    monkeypatch.setattr(symbol_model, "FOLD", 8)  # several folds per answer, rows out of step
    decoder, onnx_model = small
    prompts = task_prompts(4, seed=13)
    assert len({len(p) for p in prompts}) > 1  # left padding in the batch
    with torch.inference_mode():
        want = greedy(ArcSymbolModel(decoder), prompts, 40, batch_size=4, constrained=False)
        got = greedy(onnx_model, prompts, 40, batch_size=4, constrained=False)
    assert [c.tokens for c in got] == [c.tokens for c in want]
    assert all(len(c.tokens) > 8 for c in got)
    for a, b in zip(got, want, strict=True):
        assert abs(a.logprob - b.logprob) < 1e-3


def test_dfs_backs_up_through_folds_and_finds_what_torch_finds(
    recolor_module, recolor_onnx, monkeypatch
):
    monkeypatch.setattr(symbol_model, "FOLD", 4)  # 3 x 3 answers of 13 tokens: folds and crops
    onnx_model = OnnxSymbolModel(*open_session(recolor_onnx))
    torch_model = ArcSymbolModel(recolor_module)
    prompts = sorted(recolor_prompts(20, seed=17), key=len)[-3:]  # the largest grids
    found = 0
    with torch.inference_mode():
        for prompt in prompts:
            want = threshold_dfs(torch_model, prompt, 1e-4, 6, 40, max_expansions=400)
            got = threshold_dfs(onnx_model, prompt, 1e-4, 6, 40, max_expansions=400)
            assert [c.tokens for c in got] == [c.tokens for c in want]
            found += len(want)
    assert len(prompts) == 3 and found > len(prompts)  # several candidates: the search backed up


def test_a_model_of_the_one_segment_format_is_refused_by_name(small, tmp_path):
    decoder, _ = small
    path = export_to(decoder, tmp_path)
    proto = onnx.load_model(str(path))
    for p in proto.metadata_props:
        if p.key == META_FORMAT:
            p.value = "arc_ttt.arc_decoder_kv/1"
    onnx.save_model(proto, str(path))
    with pytest.raises(
        OnnxModelError, match=r"kv/1.*this arc_ttt serves 'arc_ttt.arc_decoder_kv/2'"
    ):
        open_session(path)
