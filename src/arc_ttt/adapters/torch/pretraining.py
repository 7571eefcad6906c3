"""``TorchPretrainer``: the built-in decoder trained from scratch, epoch after epoch of fresh data
(the loop is ``pretrain_loop``), and the model folder it writes.

Packing short sequences into one row would need attention masks between them, which the decoder
does not take; batches group sequences of similar length instead, so padding stays small.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from arc_ttt.adapters.torch.arc_decoder import CONFIG_FILE, WEIGHTS_FILE, ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.determinism import seeded
from arc_ttt.adapters.torch.failures import translated
from arc_ttt.adapters.torch.options import check_train_options
from arc_ttt.adapters.torch.placement import make_accelerator
from arc_ttt.adapters.torch.pretrain_loop import PretrainRun
from arc_ttt.domain.checkpoint import JsonValue
from arc_ttt.domain.pretrain_corpus import PretrainCorpus
from arc_ttt.domain.pretraining import PretrainOptions, PretrainOutcome, PretrainProgress
from arc_ttt.ports.pretrainer import StateCheckpoints

FAILURES = (RuntimeError, OSError)  # a failed run or save: ModelRuntimeError


class TorchPretrainer:
    """A fresh ``ArcDecoder`` of ``config`` (initial weights from ``seed``) and its pretraining.

    Every ``pretrain`` call starts from those initial weights (or from the saved state it
    resumes). ``mixed_precision`` ("no", "bf16", "fp16"; None: bf16 on a GPU that supports it,
    fp32 elsewhere) and ``cpu`` go to accelerate.
    """

    def __init__(
        self,
        config: ArcDecoderConfig,
        seed: int = 0,
        *,
        mixed_precision: str | None = None,
        cpu: bool = False,
    ) -> None:
        self._accelerator = make_accelerator(mixed_precision, cpu)
        self._config = config
        self._seed = seed
        self._module = self._fresh()

    def _fresh(self) -> ArcDecoder:
        return ArcDecoder.seeded(self._config, self._seed).to(self._accelerator.device)

    @property
    def is_main_process(self) -> bool:
        """False in the other processes of an ``accelerate launch`` run."""
        return bool(self._accelerator.is_main_process)

    def describe(self) -> Mapping[str, JsonValue]:
        return {
            **self._config.to_json(),
            "parameters": sum(p.numel() for p in self._module.parameters()),
            "init_seed": self._seed,
            "device": str(self._accelerator.device),
            "processes": self._accelerator.num_processes,
            "mixed_precision": str(self._accelerator.mixed_precision),
        }

    def pretrain(
        self,
        corpus: PretrainCorpus,
        options: PretrainOptions,
        *,
        checkpoints: StateCheckpoints | None = None,
        on_progress: Callable[[PretrainProgress], None] | None = None,
        stop_requested: Callable[[], bool] | None = None,
    ) -> PretrainOutcome:
        check_train_options(options.train)
        self._module = self._fresh()
        with (
            seeded(options.train.seed, self._accelerator.device),
            translated("pretraining", FAILURES),
        ):
            run = PretrainRun(self._module, corpus, options, self._accelerator, checkpoints)
            return run.go(on_progress or (lambda p: None), stop_requested or (lambda: False))

    def save(self, folder: Path) -> None:
        """Write ``config.json`` and ``model.safetensors`` into ``folder``, each file replaced
        whole (a reader never sees half a file)."""
        folder.mkdir(parents=True, exist_ok=True)
        with (
            translated(f"saving to {folder}", FAILURES),
            tempfile.TemporaryDirectory(dir=folder) as tmp,
        ):
            self._module.save(tmp)
            for name in (WEIGHTS_FILE, CONFIG_FILE):
                os.replace(Path(tmp) / name, folder / name)
