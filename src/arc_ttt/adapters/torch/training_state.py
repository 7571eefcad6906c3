"""The whole state of a training run as checkpoint files, so a stopped run resumes exactly.

Saved: the trainable parameters (a LoRA adapter's or a whole model's), AdamW's moments and step
counts, the learning-rate scheduler, the step, every random state (python, numpy, torch CPU and
CUDA, and the batch-order generator as of the current epoch's start, with the position inside that
epoch), the early-stopping bookkeeping, losses and tokens so far, and the seconds spent. Tensors go
to ``state.safetensors`` and everything else to ``state.json``; loading never unpickles.

A state is refused (``CheckpointMismatchError``, naming what differs) when its options (but the
time cap and activation recomputation), its parameter names and shapes or its data differ from the
run that would resume from it. Saved options are listed in ``state.json`` so the message can name
them.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from torch import nn

from arc_ttt.domain.checkpoint import Checkpoint
from arc_ttt.domain.checkpoint_policy import RetentionPolicy, SaveSchedule
from arc_ttt.domain.errors import CheckpointMismatchError
from arc_ttt.domain.model_io import TrainingSequence, TrainOptions
from arc_ttt.ports.checkpoint_store import CheckpointStore

FORMAT = 1
TENSORS = "state.safetensors"
DOCUMENT = "state.json"
_SLOT = re.compile(r"\.ttt\d+\.")  # a LoRA slot's name varies between processes
_FREE_OPTIONS = frozenset({"max_seconds", "gradient_checkpointing"})


@dataclass(frozen=True)
class TrainingCheckpoints:
    """Where and when a training run saves its state; it resumes from the newest intact one."""

    store: CheckpointStore
    key: str
    schedule: SaveSchedule = field(default_factory=lambda: SaveSchedule(every_steps=10))
    retention: RetentionPolicy | None = field(default_factory=lambda: RetentionPolicy(keep_last=2))


@dataclass
class LoopState:
    """The training loop's own bookkeeping (everything but tensors and random states)."""

    step: int = 0
    tokens: int = 0
    losses: list[float] = field(default_factory=list)
    epoch_loss: float = 0.0
    epoch_tokens: float = 0.0
    best: float = float("inf")
    stale: int = 0
    next_group: int = 0  # groups of the current epoch already trained
    seconds: float = 0.0
    stopped_because: str = ""  # set in the state saved when the run ended


@dataclass(frozen=True)
class RunParts:
    """What a training state is taken from and put back into."""

    params: Sequence[nn.Parameter]
    names: Sequence[str]
    optimizer: Any
    scheduler: Any
    prints: Mapping[str, str]
    options: Mapping[str, Any]  # ``compared(options)``: named in a mismatch message


def parameter_names(module: nn.Module, params: Sequence[nn.Parameter]) -> list[str]:
    """Stable names of ``params`` inside ``module`` (a LoRA slot's name normalised)."""
    names = {id(p): n for n, p in module.named_parameters()}
    return [_SLOT.sub(".adapter.", names.get(id(p), f"param{i}")) for i, p in enumerate(params)]


def fingerprint(sequences: Sequence[TrainingSequence], options: TrainOptions) -> dict[str, str]:
    """What must match for a state to resume this run besides its parameters: the data (sha256
    and count) and the options (sha256 of ``compared(options)``)."""
    data = hashlib.sha256()
    for s in sequences:
        data.update(json.dumps([s.encoded.tokens, s.encoded.rows, s.encoded.cols]).encode())
        data.update(json.dumps([s.encoded.grid_index, s.loss_mask]).encode())
    return {
        "data": data.hexdigest(),
        "options": hashlib.sha256(
            json.dumps(compared(options), sort_keys=True).encode()
        ).hexdigest(),
        "sequences": str(len(sequences)),
    }


def compared(options: TrainOptions) -> dict[str, Any]:
    """The options a resumed run must share with the saved one, as JSON values. The time cap and
    activation recomputation change how long or how a run computes, not what, so they may differ."""
    kept = {k: v for k, v in asdict(options).items() if k not in _FREE_OPTIONS}
    return dict(json.loads(json.dumps(kept)))


def capture(loop: LoopState, run: RunParts, epoch_rng: torch.Tensor) -> dict[str, bytes]:
    """The run's state as checkpoint files."""
    params, names, optimizer, scheduler = run.params, run.names, run.optimizer, run.scheduler
    tensors: dict[str, torch.Tensor] = {}
    for i, p in enumerate(params):
        tensors[f"param.{i}"] = p.detach().cpu().contiguous()
    opt = optimizer.state_dict()
    moments: dict[str, list[str]] = {}
    for index, entry in opt["state"].items():
        moments[str(index)] = sorted(entry)
        for name, value in entry.items():
            tensors[f"optim.{index}.{name}"] = torch.as_tensor(value).detach().cpu().contiguous()
    tensors["rng.torch"] = torch.get_rng_state()
    if torch.cuda.is_available():
        for d, state in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda.{d}"] = state
    tensors["rng.batches"] = epoch_rng
    np_state = np.random.get_state()
    tensors["rng.numpy"] = torch.from_numpy(np.asarray(np_state[1], dtype=np.int64))
    py_version, py_state, py_gauss = random.getstate()
    document = {
        "format": FORMAT,
        "fingerprint": dict(run.prints),
        "options": dict(run.options),
        "names": list(names),
        "shapes": [list(p.shape) for p in params],
        "loop": asdict(loop),
        "optimizer": {"param_groups": opt["param_groups"], "moments": moments},
        "scheduler": scheduler.state_dict(),
        "rng": {
            "python": [py_version, list(py_state), py_gauss],
            "numpy": [np_state[0], int(np_state[2]), int(np_state[3]), float(np_state[4])],
        },
    }
    return {TENSORS: save_tensors(tensors), DOCUMENT: json.dumps(document).encode()}


def restore(checkpoint: Checkpoint, run: RunParts) -> tuple[LoopState, torch.Tensor]:
    """Put a saved state back into ``params``, the optimizer, the scheduler and the global random
    generators; return the loop bookkeeping and the batch generator's state at its epoch start."""
    where = f"training state {checkpoint.key!r} version {checkpoint.version}"
    try:
        document = json.loads(checkpoint.files[DOCUMENT])
        tensors = load_tensors(checkpoint.files[TENSORS])
    except (KeyError, ValueError) as e:
        raise CheckpointMismatchError(f"{where} is not a training state: {e}") from e
    if document.get("format") != FORMAT:
        raise CheckpointMismatchError(f"{where} has format {document.get('format')}, not {FORMAT}")
    params, optimizer, scheduler = run.params, run.optimizer, run.scheduler
    _check(where, document, run)
    with torch.no_grad():
        for i, p in enumerate(params):
            p.copy_(tensors[f"param.{i}"].to(p.device, p.dtype))
    state: dict[int, dict[str, torch.Tensor]] = {}
    for index, moment_names in document["optimizer"]["moments"].items():
        state[int(index)] = {n: tensors[f"optim.{index}.{n}"] for n in moment_names}
    optimizer.load_state_dict(
        {"state": state, "param_groups": document["optimizer"]["param_groups"]}
    )
    scheduler.load_state_dict(document["scheduler"])
    torch.set_rng_state(tensors["rng.torch"])
    if torch.cuda.is_available():
        cuda = [tensors[k] for k in sorted(tensors) if k.startswith("rng.cuda.")]
        if cuda:
            torch.cuda.set_rng_state_all(cuda)
    py_version, py_state, py_gauss = document["rng"]["python"]
    random.setstate((py_version, tuple(py_state), py_gauss))
    kind, pos, has_gauss, cached = document["rng"]["numpy"]
    np.random.set_state(
        (kind, tensors["rng.numpy"].numpy().astype(np.uint32), pos, has_gauss, cached)
    )
    return LoopState(**document["loop"]), tensors["rng.batches"]


def _check(where: str, document: Mapping[str, Any], run: RunParts) -> None:
    """Raise ``CheckpointMismatchError`` naming the first thing that differs: options, parameter
    names, shapes, data."""
    saved = document["fingerprint"]
    if saved.get("options") != run.prints["options"]:
        differ = _options_diff(document.get("options", {}), run.options)
        raise CheckpointMismatchError(
            f"{where} was saved by a run with other options ({differ}); resume with the same "
            "options or use another key"
        )
    if list(document["names"]) != list(run.names):
        raise CheckpointMismatchError(
            f"{where} holds parameters {_brief(document['names'])}, this run trains "
            f"{_brief(run.names)}"
        )
    for name, shape, p in zip(run.names, document["shapes"], run.params, strict=True):
        if shape != list(p.shape):
            raise CheckpointMismatchError(f"{where}: {name} is {shape} there, {list(p.shape)} here")
    if saved.get("data") != run.prints["data"]:
        raise CheckpointMismatchError(
            f"{where} was saved by a run with other data ({saved.get('sequences', '?')} "
            f"sequences there, {run.prints['sequences']} here); resume with the same data or "
            "use another key"
        )


def _options_diff(saved: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    keys = sorted(set(saved) | set(now))
    differ = [
        f"{k} is {saved.get(k)!r} there, {now.get(k)!r} here"
        for k in keys
        if saved.get(k) != now.get(k)
    ]
    return ", ".join(differ) or "the saved state does not list them"


def _brief(names: Sequence[str]) -> str:
    return f"{len(names)} tensors ({', '.join(list(names)[:2])}{', ...' if len(names) > 2 else ''})"
