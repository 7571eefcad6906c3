"""``TorchModelBackend``: one loaded base model serving the Trainer, Generator and Scorer ports.

Every ``adapt`` starts from the base weights (a fresh seeded LoRA adapter, or a fresh copy for
full training), so the order of tasks never changes a task's model. Framework failures leave as
the library's errors. Threads are the caller's business (``torch.set_num_threads``).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from arc_ttt.adapters.torch import decoding, teacher_forcing
from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.determinism import seeded
from arc_ttt.adapters.torch.failures import translated
from arc_ttt.adapters.torch.lora import LORA_CONFIG, LoraAdapters
from arc_ttt.adapters.torch.model_family import (
    ModelFamily,
    builtin_family,
    read_model_folder,
)
from arc_ttt.adapters.torch.options import check_decode_options, check_train_options
from arc_ttt.adapters.torch.placement import make_accelerator
from arc_ttt.adapters.torch.processes import AcceleratePeers
from arc_ttt.adapters.torch.symbol_model import SymbolModel
from arc_ttt.adapters.torch.training import train
from arc_ttt.adapters.torch.training_state import TrainingCheckpoints
from arc_ttt.domain.codec import Encoded
from arc_ttt.domain.errors import (
    ArcTTTError,
    ModelConfigError,
    ModelLoadError,
    UnknownModelError,
)
from arc_ttt.domain.model_io import (
    Candidate,
    DecodeOptions,
    ModelRef,
    TrainingSequence,
    TrainOptions,
    TrainResult,
)


@dataclass(frozen=True, slots=True)
class _Adapted:
    slot: str | None  # the LoRA adapter's name inside peft
    module: nn.Module | None  # the fully trained copy


class TorchModelBackend:
    """A base model (built-in ``ArcDecoder`` or a Hugging Face causal LM) and its adapted models.

    Build with ``builtin`` or ``from_pretrained``. ``mixed_precision`` ("no",
    "bf16", "fp16"; None: bf16 on a GPU that supports it, fp32 elsewhere) and ``cpu=True`` go to
    accelerate, which keeps one such setting per process.
    """

    def __init__(
        self,
        module: nn.Module,
        family: ModelFamily,
        name: str,
        *,
        mixed_precision: str | None = None,
        cpu: bool = False,
        score_batch_size: int = 8,
    ) -> None:
        self._accelerator = make_accelerator(mixed_precision, cpu)
        self._module = module.to(self._accelerator.device).eval()
        for p in self._module.parameters():
            p.requires_grad_(False)
        self._family = family
        self._name = name
        self._lora = LoraAdapters(self._module, family.lora_targets)
        self._adapted: dict[str, _Adapted] = {}
        self._slots = itertools.count()
        self._score_batch_size = score_batch_size

    @classmethod
    def builtin(
        cls,
        config: ArcDecoderConfig | str | Path | None = None,
        seed: int = 0,
        *,
        mixed_precision: str | None = None,
        cpu: bool = False,
    ) -> TorchModelBackend:
        """The built-in decoder: fresh from ``config`` (default sizes) and ``seed``, or read from a
        folder written by ``save``."""
        placement = {"mixed_precision": mixed_precision, "cpu": cpu}
        if isinstance(config, str | Path):
            name = str(Path(config).resolve())
            return cls(ArcDecoder.load(config), builtin_family(), name, **placement)  # type: ignore[arg-type]
        config = config or ArcDecoderConfig()
        name = f"arc_decoder({config.d_model}x{config.n_layers}, {config.n_heads} heads)#seed{seed}"
        return cls(ArcDecoder.seeded(config, seed), builtin_family(), name, **placement)  # type: ignore[arg-type]

    @classmethod
    def from_pretrained(
        cls,
        folder: str | Path,
        *,
        dtype: torch.dtype | None = None,
        mixed_precision: str | None = None,
        cpu: bool = False,
    ) -> TorchModelBackend:
        """A model folder: our own ``ArcDecoder`` (detected by its config.json) or any Hugging
        Face causal LM with its tokenizer, loaded offline in ``dtype`` (default: as saved, fp32
        for most). Raises ``ModelLoadError`` naming the path."""
        path = Path(folder)
        module, family = read_model_folder(path, dtype)
        return cls(module, family, str(path.resolve()), mixed_precision=mixed_precision, cpu=cpu)

    def processes(self) -> AcceleratePeers:
        """The processes of this run as accelerate set them up (``accelerate launch``)."""
        return AcceleratePeers(self._accelerator)

    def base(self) -> ModelRef:
        """The loaded base model."""
        return ModelRef(self._name)

    def adapt(
        self,
        base: ModelRef,
        name: str,
        sequences: Sequence[TrainingSequence],
        options: TrainOptions,
        *,
        checkpoints: TrainingCheckpoints | None = None,
        on_step: Callable[[int, float], None] | None = None,
    ) -> TrainResult:
        """Train a fresh adapter (or, with ``method="full"``, a fresh copy) of the base on
        ``sequences``; an earlier model of the same ``name`` is replaced.

        ``checkpoints``: save the training state on its schedule and resume from the newest
        intact one under its key (bit-identical to an uninterrupted run on the CPU).
        ``on_step(step, loss)`` is called after each optimizer step."""
        if base != self.base():
            raise UnknownModelError(
                f"adapt starts from this backend's base {self._name!r}, got {base}"
            )
        check_train_options(options)
        self.release(ModelRef(self._name, name))
        with seeded(options.seed, self._accelerator.device), translated(f"adapting {name!r}"):
            if options.method == "full":
                module = self._lora.base_copy()
                entry, params = _Adapted(None, module), list(module.parameters())
            else:
                slot = f"ttt{next(self._slots)}"
                entry, module, params = (
                    _Adapted(slot, None),
                    self._module,
                    self._lora.add(slot, options),
                )
            self._adapted[name] = entry
            try:
                outcome = train(
                    self._family.wrap(module),
                    params,
                    sequences,
                    options,
                    self._accelerator,
                    checkpoints=checkpoints,
                    on_step=on_step,
                )
            except BaseException:
                self.release(ModelRef(self._name, name))
                raise
        return TrainResult(
            ModelRef(self._name, name),
            outcome.steps,
            outcome.tokens,
            outcome.seconds,
            outcome.losses,
            outcome.stopped_because,
            outcome.resumed_from_step,
        )

    def release(self, model: ModelRef) -> None:
        """Free an adapted model (no-op if already freed); the base itself stays."""
        self._check_base(model)
        entry = self._adapted.pop(model.adapter, None) if model.adapter is not None else None
        if entry is not None and entry.slot is not None:
            self._lora.delete(entry.slot)

    def generate(
        self, model: ModelRef, prompts: Sequence[Encoded], options: DecodeOptions
    ) -> list[list[Candidate]]:
        """Greedy (one candidate per prompt) or threshold DFS candidates, best first."""
        check_decode_options(options)
        _check_prompts(prompts)
        symbols = self._resolve(model)
        with torch.inference_mode(), self._accelerator.autocast(), translated("generating"):
            return decoding.candidates(symbols, prompts, options)

    def score(
        self, model: ModelRef, prompts: Sequence[Encoded], targets: Sequence[Encoded]
    ) -> list[float]:
        """Summed log-probability of each target given its prompt (teacher forcing, batched)."""
        if len(prompts) != len(targets):
            raise ModelConfigError(f"score got {len(prompts)} prompts and {len(targets)} targets")
        _check_prompts(prompts)
        symbols = self._resolve(model)
        with torch.inference_mode(), self._accelerator.autocast(), translated("scoring"):
            return teacher_forcing.score(symbols, prompts, targets, self._score_batch_size)

    def save(self, model: ModelRef, folder: str | Path) -> None:
        """Write ``model`` (the base, a fully trained copy, or the base with a LoRA adapter merged
        in) as a standalone folder that ``from_pretrained`` reads back."""
        module = self.standalone(model)
        with translated(f"saving to {folder}"):
            self._family.save(module, Path(folder))

    def standalone(self, model: ModelRef) -> nn.Module:
        """``model`` as a plain module of its own: the base (a copy), a fully trained copy (not a
        copy: do not train it), or a copy of the base with its LoRA adapter merged in."""
        self._check_base(model)
        entry = self._entry(model) if model.adapter is not None else None
        if entry is None:
            return self._lora.base_copy()
        if entry.module is not None:
            return entry.module
        assert entry.slot is not None
        return self._lora.merged_copy(entry.slot)

    def adapter_files(self, model: ModelRef) -> dict[str, bytes]:
        """An adapted model's own files: its LoRA adapter in peft's format, or (full training)
        the whole model folder as ``save`` writes it."""
        self._check_base(model)
        if model.adapter is None:
            raise UnknownModelError("the base model has no adapter files; use save for it")
        entry = self._entry(model)
        with translated(f"exporting {model.adapter!r}"):
            if entry.slot is not None:
                return self._lora.export(entry.slot)
            assert entry.module is not None
            with tempfile.TemporaryDirectory() as tmp:
                self._family.save(entry.module, Path(tmp))
                return {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}

    def load_adapter(self, base: ModelRef, name: str, files: Mapping[str, bytes]) -> ModelRef:
        """Serve ``files`` (as ``adapter_files`` gives them: a LoRA adapter, or a fully trained
        model folder of this base's kind) as the adapted model ``name``, replacing an earlier
        model of that name. Raises ``ModelLoadError`` when they do not fit this base."""
        if base != self.base():
            raise UnknownModelError(
                f"load_adapter onto {base}: this backend's base is {self._name!r}"
            )
        self.release(ModelRef(self._name, name))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for file, data in files.items():
                (folder / Path(file).name).write_bytes(data)
            try:
                if LORA_CONFIG in files:
                    slot = f"ttt{next(self._slots)}"
                    self._lora.load(slot, folder, self._accelerator.device)
                    self._adapted[name] = _Adapted(slot, None)
                else:
                    module, _ = read_model_folder(folder, None)
                    module = module.to(self._accelerator.device).eval()
                    for p in module.parameters():
                        p.requires_grad_(False)
                    self._adapted[name] = _Adapted(None, module)
            except (ArcTTTError, KeyError, ValueError, RuntimeError, OSError) as e:
                raise ModelLoadError(f"adapter files {sorted(files)}", str(e)) from e
        return ModelRef(self._name, name)

    def _check_base(self, model: ModelRef) -> None:
        if model.base != self._name:
            raise UnknownModelError(f"model {model} is not served here (base {self._name!r})")

    def _entry(self, model: ModelRef) -> _Adapted:
        assert model.adapter is not None
        entry = self._adapted.get(model.adapter)
        if entry is None:
            raise UnknownModelError(
                f"no adapted model {model.adapter!r} (never adapted, or released)"
            )
        return entry

    def _resolve(self, model: ModelRef) -> SymbolModel:
        """The SymbolModel for ``model``, with the right adapter switched on."""
        self._check_base(model)
        if model.adapter is None:
            self._lora.activate(None)
            return self._family.wrap(self._module)
        entry = self._entry(model)
        if entry.module is not None:
            return self._family.wrap(entry.module)
        self._lora.activate(entry.slot)
        return self._family.wrap(self._module)


def _check_prompts(prompts: Sequence[Encoded]) -> None:
    for i, p in enumerate(prompts):
        if len(p) == 0:
            raise ModelConfigError(f"prompt {i} is empty (a prompt starts with BOS)")
