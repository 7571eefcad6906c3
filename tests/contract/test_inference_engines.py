"""The InferenceEngine contract for torch eager and ONNX Runtime (fp32), and their agreement."""

import pytest
from inference_engine import InferenceEngineContract

from arc_ttt.adapters.onnx.engine import onnx_engine
from arc_ttt.adapters.torch.engine import torch_engine
from onnx_models import recolor_prompts
from tiny_models import recolor_pairs


@pytest.fixture(scope="module")
def prompts():
    return recolor_prompts(8)


@pytest.fixture(scope="module")
def recolor_cases():
    pairs = recolor_pairs(12, seed=21)
    from arc_ttt.domain.codec import encode_prompt

    return [encode_prompt((), i) for i, _ in pairs], [o for _, o in pairs]


class TestTorchEngine(InferenceEngineContract):
    @pytest.fixture
    def engine(self, recolor_module):
        with torch_engine(recolor_module, max_prompt_tokens=512) as e:
            yield e


class TestOnnxEngine(InferenceEngineContract):
    @pytest.fixture
    def engine(self, recolor_onnx):
        with onnx_engine(recolor_onnx, max_prompt_tokens=512) as e:
            yield e


def test_both_engines_give_the_same_greedy_answers(recolor_module, recolor_onnx):
    from onnx_models import task_prompts

    prompts = recolor_prompts(20, seed=3) + task_prompts(6)
    with torch_engine(recolor_module) as t, onnx_engine(recolor_onnx) as o:
        a, b = t.predict(prompts, max_new_tokens=48), o.predict(prompts, max_new_tokens=48)
    assert [p.tokens for p in a] == [p.tokens for p in b]
    assert max(abs(x.logprob - y.logprob) for x, y in zip(a, b, strict=True)) < 1e-3
