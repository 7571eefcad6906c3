"""A Hugging Face causal LM that reads ARC tasks in its own published prompt format.

The model ports speak codec sequences; this adapter turns each one back into its grids
(``codec_bridge``), writes them in the model's ``PromptFormat``, and tokenizes the text with the
checkpoint's own tokenizer: the context as the tokenizer cuts it, every answer one token per
unit (a cell, a separator character, the end token). Training is LoRA (peft) with the loss on the
format's answer spans only; decoding is greedy or DFS over the format's answer grammar, with
the KV cache; scores are summed log-probabilities of the answer's tokens. Answers go back to
the ports as codec tokens, their log-probabilities those of the model's own tokens.

``method="full"`` trains a copy of the whole model instead (for small bases, where LoRA on
random or weak weights barely learns). A tokenizer that merges two cells (or a cell and a
separator) into one token cannot serve: the grammar could not steer it cell by cell.
``unit_token_ids`` refuses it, naming the merge.
"""

from __future__ import annotations

import copy
import math
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from torch import Tensor, nn
from torch.nn import functional

from arc_ttt.adapters.torch.determinism import seeded
from arc_ttt.adapters.torch.failures import translated
from arc_ttt.adapters.torch.format_folder import encode, folder_format, unit_token_ids
from arc_ttt.adapters.torch.hf_causal_lm import load_hf_folder
from arc_ttt.adapters.torch.lora import HF_TARGETS, LoraAdapters
from arc_ttt.adapters.torch.placement import make_accelerator
from arc_ttt.adapters.torch.processes import AcceleratePeers
from arc_ttt.domain.codec import Encoded, decode_grid
from arc_ttt.domain.errors import GridDecodeError, UnknownModelError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import (
    Candidate,
    DecodeOptions,
    ModelRef,
    TrainingSequence,
    TrainOptions,
    TrainResult,
)
from arc_ttt.domain.prompt_formats import (
    PromptFormat,
)
from arc_ttt.domain.prompt_formats.codec_bridge import codec_answer, split_sequence

IGNORE = -100
FULL_WEIGHTS = "model.safetensors"  # a fully trained copy's weights, for the solve cache


class FormattedCausalLM:
    """Trainer, Generator and Scorer over a Hugging Face causal LM in ``prompt_format``."""

    def __init__(
        self,
        module: nn.Module,
        tokenizer: Any,
        prompt_format: PromptFormat,
        folder: str,
        *,
        mixed_precision: str | None = None,
    ) -> None:
        # accelerate places the model (this process's GPU under ``accelerate launch``) and
        # tells the solve its peers, which shard the tasks.
        self._accelerator = make_accelerator(mixed_precision, cpu=False)
        self._module = module.to(self._accelerator.device).eval()
        for p in self._module.parameters():
            p.requires_grad_(False)
        self._tokenizer = tokenizer
        self.format = prompt_format
        self.folder = folder  # where the base model was loaded from
        self._units = unit_token_ids(tokenizer, prompt_format, folder)
        self._unit_of = {i: u for u, i in self._units.items()}
        self._lora = LoraAdapters(self._module, HF_TARGETS)
        self._base = ModelRef(f"hf:{folder}:{prompt_format.name}")
        self._adapters: set[str] = set()
        self._full: dict[str, nn.Module] = {}  # fully trained copies, by slot
        self._run = self._module  # the module the next forward pass goes through
        self._count = 0

    def processes(self) -> AcceleratePeers:
        """The processes of this run as accelerate set them up (``accelerate launch``)."""
        return AcceleratePeers(self._accelerator)

    # --- Trainer -------------------------------------------------------------------------

    def base(self) -> ModelRef:
        return self._base

    def adapt(
        self,
        base: ModelRef,
        name: str,
        sequences: Sequence[TrainingSequence],
        options: TrainOptions,
        *,
        on_step: Callable[[int, float], None] | None = None,
    ) -> TrainResult:
        """A fresh LoRA adapter trained on ``sequences`` as the format writes them (the loss on
        the format's answer spans: its published convention, not the sequences' own masks)."""
        if base != self._base:
            raise UnknownModelError(f"{base} is not this model's base")
        start = time.monotonic()
        self._count += 1
        slot = f"t{self._count}"
        rows = [self._training_ids(s) for s in sequences]
        rows = [r for r in rows if any(label != IGNORE for label in r[1])]
        with seeded(options.seed, self._device), translated(f"adapting {name!r}"):
            if options.method == "full":
                module = self._lora.base_copy()
                params = [p for p in module.parameters() if p.requires_grad]
                self._full[slot] = module
            else:
                module, params = self._module, self._lora.add(slot, options)
            self._adapters.add(slot)
            model = ModelRef(self._base.base, slot)
            if not rows:
                return TrainResult(model, 0, 0, 0.0, stopped_because="no_data")
            self._run = module
            optimizer = torch.optim.AdamW(
                params, lr=options.learning_rate, weight_decay=options.weight_decay
            )
            losses: list[float] = []
            tokens, step, stopped = 0, 0, "steps"
            order = torch.randperm(len(rows)).tolist()
            size = min(options.batch_size, len(rows))
            module.train()
            try:
                while step < options.steps:
                    picked = [order[(step * size + k) % len(rows)] for k in range(size)]
                    batch = [rows[i] for i in picked]
                    loss, count = self._loss(batch)
                    optimizer.zero_grad(set_to_none=True)
                    (loss / max(count, 1)).backward()
                    optimizer.step()
                    step += 1
                    tokens += sum(len(ids) for ids, _ in batch)
                    losses.append(loss.item() / max(count, 1))
                    if on_step is not None:
                        on_step(step, losses[-1])
                    if options.early_stop_loss is not None and losses[-1] < options.early_stop_loss:
                        stopped = "early_stop"
                        break
                    elapsed = time.monotonic() - start
                    if options.max_seconds is not None and elapsed > options.max_seconds:
                        stopped = "time"
                        break
            finally:
                module.eval()
        return TrainResult(
            model, step, tokens, time.monotonic() - start, tuple(losses), stopped_because=stopped
        )

    def release(self, model: ModelRef) -> None:
        if model.adapter is not None and model.adapter in self._adapters:
            self._adapters.discard(model.adapter)
            if self._full.pop(model.adapter, None) is None:
                self._lora.delete(model.adapter)

    # --- AdapterExporter and AdapterImporter (the solve cache keeps adapted models) --------

    def adapter_files(self, model: ModelRef) -> dict[str, bytes]:
        """A LoRA adapter in peft's format, or a fully trained model's weights."""
        self._use(model)
        if model.adapter is None:
            raise UnknownModelError("the base model has no adapter files")
        with translated(f"exporting {model.adapter!r}"):
            if model.adapter in self._full:
                state = {
                    k: v.contiguous() for k, v in self._full[model.adapter].state_dict().items()
                }
                return {FULL_WEIGHTS: save_tensors(state)}
            return self._lora.export(model.adapter)

    def load_adapter(self, base: ModelRef, name: str, files: Mapping[str, bytes]) -> ModelRef:
        """Serve the model ``adapter_files`` gave under a new slot."""
        if base != self._base:
            raise UnknownModelError(f"{base} is not this model's base")
        self._count += 1
        slot = f"t{self._count}"
        with translated(f"loading {name!r}"):
            if FULL_WEIGHTS in files:
                module = self._lora.base_copy()
                module.load_state_dict(load_tensors(files[FULL_WEIGHTS]))
                self._full[slot] = module.eval()
            else:
                with tempfile.TemporaryDirectory() as tmp:
                    for file, data in files.items():
                        (Path(tmp) / file).write_bytes(data)
                    self._lora.load(slot, Path(tmp), self._device)
        self._adapters.add(slot)
        return ModelRef(self._base.base, slot)

    # --- Generator and Scorer ------------------------------------------------------------

    def generate(
        self, model: ModelRef, prompts: Sequence[Encoded], options: DecodeOptions
    ) -> list[list[Candidate]]:
        self._use(model)
        out = []
        with torch.inference_mode(), translated("generating"):
            for prompt in prompts:
                ids = self._prompt_ids(prompt)
                dfs = options.strategy == "dfs"
                found = self._dfs(ids, options) if dfs else [self._greedy(ids, options)]
                out.append([self._candidate(units, lp, done) for units, lp, done in found])
        return out

    def score(
        self, model: ModelRef, prompts: Sequence[Encoded], targets: Sequence[Encoded]
    ) -> list[float]:
        self._use(model)
        scores = []
        with torch.inference_mode(), translated("scoring"):
            for prompt, target in zip(prompts, targets, strict=True):
                ids = self._prompt_ids(prompt)
                try:
                    answer = self._answer_ids(self._grid_of(target))
                except GridDecodeError:
                    scores.append(-math.inf)
                    continue
                logits = self._run(
                    input_ids=torch.tensor([ids + answer[:-1]], device=self._device)
                ).logits[0]
                logp = functional.log_softmax(logits[len(ids) - 1 :].float(), dim=-1)
                picked = logp[torch.arange(len(answer)), torch.tensor(answer, device=logp.device)]
                scores.append(float(picked.sum()))
        return scores

    # --- text and tokens -----------------------------------------------------------------

    @property
    def _device(self) -> torch.device:
        return next(self._module.parameters()).device

    def _use(self, model: ModelRef) -> None:
        if model.base != self._base.base or (
            model.adapter is not None and model.adapter not in self._adapters
        ):
            raise UnknownModelError(f"{model} is not a model of this backend")
        if model.adapter in self._full:
            self._run = self._full[model.adapter]
        else:
            self._lora.activate(model.adapter)
            self._run = self._module

    def _answer_ids(self, grid: Grid) -> list[int]:
        syntax = self.format.answer
        return [self._units[u] for u in syntax.units(syntax.text(grid))]

    def _prompt_ids(self, prompt: Encoded) -> list[int]:
        demonstrations, test_input = split_sequence(prompt)
        if test_input is None:
            raise GridDecodeError("a prompt must end with a test input")
        return encode(self._tokenizer, self.format.prompt(demonstrations, test_input))

    def _training_ids(self, sequence: TrainingSequence) -> tuple[list[int], list[int]]:
        """Token ids and labels: context cut by the tokenizer, answers one token per unit."""
        demonstrations, _ = split_sequence(sequence.encoded)
        if not demonstrations:
            return [], []
        text = self.format.training(demonstrations)
        ids: list[int] = []
        labels: list[int] = []
        at = 0
        for a, b in text.loss_spans:
            context = encode(self._tokenizer, text.text[at:a]) if a > at else []
            answer = [self._units[u] for u in self.format.answer.units(text.text[a:b])]
            ids += context + answer
            labels += [IGNORE] * len(context) + answer
            at = b
        return ids, labels

    def _loss(self, batch: Sequence[tuple[list[int], list[int]]]) -> tuple[Tensor, int]:
        width = max(len(ids) for ids, _ in batch)
        pad = int(self._tokenizer.pad_token_id or 0)
        ids = torch.tensor([r + [pad] * (width - len(r)) for r, _ in batch], device=self._device)
        labels = torch.tensor([lb + [IGNORE] * (width - len(lb)) for _, lb in batch])
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r, _ in batch])
        logits = self._run(input_ids=ids, attention_mask=mask.to(self._device)).logits
        shifted = labels[:, 1:].to(self._device)
        loss = functional.cross_entropy(
            logits[:, :-1].float().reshape(-1, logits.shape[-1]),
            shifted.reshape(-1),
            ignore_index=IGNORE,
            reduction="sum",
        )
        return loss, int((shifted != IGNORE).sum())

    def _grid_of(self, target: Encoded) -> Grid:
        return decode_grid(target.tokens)

    def _candidate(self, units: list[str], logprob: float, done: bool) -> Candidate:
        try:
            grid = self.format.parse("".join(units)) if done else None
        except GridDecodeError:
            grid = None
        if grid is None:
            return Candidate((), logprob, complete=False)
        return Candidate(codec_answer(grid), logprob)

    # --- decoding --------------------------------------------------------------------------

    def _step(self, ids: list[int], cache: Any) -> tuple[Tensor, Any]:
        out = self._run(
            input_ids=torch.tensor([ids], device=self._device),
            past_key_values=cache,
            use_cache=True,
        )
        return functional.log_softmax(out.logits[0, -1].float(), dim=-1), out.past_key_values

    def _allowed(self, cursor: Any, options: DecodeOptions) -> list[int]:
        if options.constrained:
            return [self._units[u] for u in cursor.allowed()]
        return list(self._unit_of)

    def _greedy(self, ids: list[int], options: DecodeOptions) -> tuple[list[str], float, bool]:
        logp, cache = self._step(ids, None)
        cursor, units, total = self.format.answer.cursor(), [], 0.0
        for _ in range(options.max_new_tokens):
            allowed = self._allowed(cursor, options)
            if not allowed:
                break
            token = max(allowed, key=lambda t: float(logp[t]))
            total += float(logp[token])
            units.append(self._unit_of[token])
            cursor = cursor.advance(units[-1])
            if cursor.done or cursor.off_grammar:
                break
            logp, cache = self._step([token], cache)
        return units, total, cursor.done

    def _dfs(self, ids: list[int], options: DecodeOptions) -> list[tuple[list[str], float, bool]]:
        """Every answer whose probability stays above ``min_prob`` (ARChitects' search), best
        first, at most ``max_candidates``; at most ``max_expansions`` model steps."""
        floor = math.log(options.min_prob)
        logp, cache = self._step(ids, None)
        stack = [(logp, cache, self.format.answer.cursor(), [], 0.0)]
        found: list[tuple[list[str], float, bool]] = []
        expansions = 0
        deadline = None if options.max_seconds is None else time.monotonic() + options.max_seconds
        while stack and expansions < options.max_expansions:
            if deadline is not None and time.monotonic() > deadline:
                break
            logp, cache, cursor, units, total = stack.pop()
            children = sorted(
                (
                    (total + float(logp[t]), t)
                    for t in self._allowed(cursor, options)
                    if total + float(logp[t]) >= floor
                ),
                reverse=True,
            )
            pending = []
            for score, token in children:
                unit = self._unit_of[token]
                moved = cursor.advance(unit)
                if moved.done:
                    found.append(([*units, unit], score, True))
                elif not moved.off_grammar and len(units) + 1 < options.max_new_tokens:
                    pending.append((score, token, moved))
            for k, (score, token, moved) in enumerate(reversed(pending)):
                branch = cache if k == len(pending) - 1 else copy.deepcopy(cache)
                child_logp, child_cache = self._step([token], branch)
                expansions += 1
                stack.append(
                    (child_logp, child_cache, moved, [*units, self._unit_of[token]], score)
                )
        found.sort(key=lambda f: -f[1])
        return found[: options.max_candidates]


def load_formatted_lm(folder: str | Path, format_name: str | None = None) -> FormattedCausalLM:
    """The model in ``folder`` (a Hugging Face causal LM, safetensors only) in its format."""
    path = Path(folder)
    module, tokenizer = load_hf_folder(path)
    return FormattedCausalLM(
        module, tokenizer, folder_format(path, tokenizer, format_name), str(path)
    )
