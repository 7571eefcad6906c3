"""TTT training throughput: our trainer against a plain transformers ``Trainer`` + peft loop.

Same model (a Llama built locally: hidden 128, 4 layers, character tokenizer with one token per
codec symbol), same data (the leave-one-out TTT sets of 6 synthetic tasks), same LoRA (rank 16,
alpha 32, all linear layers), batch size, optimizer steps, learning-rate schedule and machine, in
one process, alternating. The baseline groups by length (``length_grouping``), its own remedy
for padding, as our trainer buckets by length. Tokens per second count real (non-padding) tokens; the padding
fraction is the share of computed positions that were padding.

Run: python benchmarks/bench_ttt_throughput.py [--steps 40] [--rounds 2] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.adapters.torch.hf_causal_lm import symbol_token_ids
from arc_ttt.domain.model_io import TrainingSequence, TrainOptions
from arc_ttt.domain.synthetic import generate_task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set
from tiny_models import save_symbol_tokenizer

RANK, ALPHA, LR, WARMUP = 16, 32, 1e-3, 4


def build_llama(folder: Path) -> Path:
    from transformers import LlamaConfig, LlamaForCausalLM

    save_symbol_tokenizer(folder)
    config = LlamaConfig(
        vocab_size=20,
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=4096,
        tie_word_embeddings=False,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder


def ttt_data() -> list[TrainingSequence]:
    families = ("recolor", "flip_horizontal", "gravity", "transpose", "border", "scale")
    tasks = [generate_task(f, 30 + i, n_train=4, max_side=8) for i, f in enumerate(families)]
    return [s for t in tasks for s in build_ttt_set(t, TTTSetOptions(per_subtask=4), seed=0)]


def length_grouping() -> dict[str, Any]:
    """The baseline's own answer to padding: length-grouped sampling, which transformers 5 names
    ``train_sampling_strategy="group_by_length"`` and 4.x ``group_by_length=True``."""
    import transformers

    if int(transformers.__version__.split(".")[0]) >= 5:
        return {"train_sampling_strategy": "group_by_length"}
    return {"group_by_length": True}


def ours(folder: Path, data: list[TrainingSequence], steps: int, batch: int) -> dict[str, Any]:
    backend = TorchModelBackend.from_pretrained(folder, cpu=True)
    options = TrainOptions(
        steps=steps,
        batch_size=batch,
        learning_rate=LR,
        warmup_steps=WARMUP,
        lora_rank=RANK,
        lora_alpha=ALPHA,
        early_stop_loss=None,
    )
    result = backend.adapt(backend.base(), "bench", data, options)
    # Padding: length buckets batch similar lengths; count what the batches would pad.
    return {"tokens": result.tokens, "seconds": result.seconds, "steps": result.steps}


class Collator:
    """Pads a batch to its longest sequence (right), labels -100 outside the loss mask; counts
    real and computed positions."""

    def __init__(self, pad_id: int) -> None:
        self.pad_id = pad_id
        self.real = 0
        self.computed = 0

    def __call__(self, rows: list[dict[str, list[int]]]) -> dict[str, torch.Tensor]:
        width = max(len(r["input_ids"]) for r in rows)
        self.real += sum(len(r["input_ids"]) for r in rows)
        self.computed += width * len(rows)

        def pad(values: list[int], fill: int) -> list[int]:
            return values + [fill] * (width - len(values))

        return {
            "input_ids": torch.tensor([pad(r["input_ids"], self.pad_id) for r in rows]),
            "attention_mask": torch.tensor([pad([1] * len(r["input_ids"]), 0) for r in rows]),
            "labels": torch.tensor([pad(r["labels"], -100) for r in rows]),
        }


def theirs(folder: Path, data: list[TrainingSequence], steps: int, batch: int) -> dict[str, Any]:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

    tokenizer = AutoTokenizer.from_pretrained(folder)
    ids = symbol_token_ids(tokenizer, str(folder))
    rows = [
        {
            "input_ids": [ids[t] for t in s.encoded.tokens],
            "labels": [
                ids[t] if m else -100 for t, m in zip(s.encoded.tokens, s.loss_mask, strict=True)
            ],
        }
        for s in data
    ]
    model = AutoModelForCausalLM.from_pretrained(folder)
    model = get_peft_model(
        model, LoraConfig(r=RANK, lora_alpha=ALPHA, lora_dropout=0.0, target_modules="all-linear")
    )
    collator = Collator(ids[15])
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            per_device_train_batch_size=batch,
            max_steps=steps,
            learning_rate=LR,
            warmup_steps=WARMUP,
            lr_scheduler_type="cosine",
            weight_decay=0.0,
            adam_beta2=0.95,
            max_grad_norm=1.0,
            use_cpu=True,
            report_to=[],
            save_strategy="no",
            logging_strategy="no",
            dataloader_num_workers=0,
            disable_tqdm=True,
            seed=0,
            **length_grouping(),
        )
        trainer = Trainer(model=model, args=args, train_dataset=rows, data_collator=collator)
        start = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - start
    return {
        "tokens": collator.real,
        "seconds": seconds,
        "steps": steps,
        "padding": 1 - collator.real / collator.computed,
    }


def our_padding(data: list[TrainingSequence], batch: int, seed: int = 0) -> float:
    from arc_ttt.adapters.torch.training import length_buckets

    lengths = [len(s) for s in data]
    batches = length_buckets(lengths, batch, torch.Generator().manual_seed(seed))
    real = sum(lengths)
    computed = sum(max(lengths[i] for i in b) * len(b) for b in batches)
    return 1 - real / computed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = ttt_data()
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_llama(Path(tmp))
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "theirs": []}
        for _ in range(args.rounds):
            runs["ours"].append(ours(folder, data, args.steps, args.batch))
            runs["theirs"].append(theirs(folder, data, args.steps, args.batch))
    rate = {k: statistics.median(r["tokens"] / r["seconds"] for r in v) for k, v in runs.items()}
    padding = {"ours": our_padding(data, args.batch), "theirs": runs["theirs"][-1]["padding"]}
    lengths = [len(s) for s in data]
    print(
        f"{len(data)} sequences, {min(lengths)}-{max(lengths)} tokens (median "
        f"{statistics.median(lengths):.0f}); {args.steps} steps of batch {args.batch}, "
        f"{args.threads} threads, median of {args.rounds} rounds"
    )
    print("| trainer | real tokens/s | padding |\n|---|---|---|")
    print(f"| arc_ttt (length-bucketed) | {rate['ours']:,.0f} | {100 * padding['ours']:.1f}% |")
    print(
        f"| transformers Trainer + peft (group_by_length) | {rate['theirs']:,.0f} | {100 * padding['theirs']:.1f}% |"
    )
    print(f"ratio ours/theirs: {rate['ours'] / rate['theirs']:.2f}x")
    print(json.dumps({"tokens_per_second": rate, "padding": padding, "runs": runs}))


if __name__ == "__main__":
    main()
