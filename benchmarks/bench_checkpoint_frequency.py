"""Training time against checkpoint frequency: the training state saved every N steps to a
filesystem store.

    python -m pytest benchmarks/bench_checkpoint_frequency.py -p no:cacheprovider

The built-in model at its default size (d=128, 4 layers), full fine-tuning (``--method auto``
for it), ``STEPS`` steps of batch 4 on the TTT set of the ARC-AGI-1 training task nearest 400
tokens. Each save writes the whole training state (weights, AdamW moments, random states, about
9.6 MB; ``adapters/torch/training_state.py``) to a ``FilesystemCheckpointStore`` (fsync on), then
applies the default retention (keep the last 2). Every round uses a fresh key, so nothing
resumes. Seconds are the fastest of ``ROUNDS`` rounds; the overhead is against no checkpoints.

On a shared machine the difference of two training times is mostly noise, so the time spent
checkpointing is also measured directly, inside the same run: from the end of the step a save
follows (``on_step``) to the end of ``store.save`` (capturing the state, hashing, writing,
fsync), plus the store calls of the retention policy and the start-up check for a state to
resume (``TimedStore``). Its share of the run's time, and the seconds per save, are the robust
figures; CPU seconds (``time.process_time``) of the run are reported beside the wall seconds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import torch

from arc_ttt import load_tasks
from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.adapters.torch.training_state import TrainingCheckpoints
from arc_ttt.domain.checkpoint import Checkpoint, CheckpointInfo, JsonValue, SkippedVersion
from arc_ttt.domain.checkpoint_policy import RetentionPolicy, SaveSchedule
from arc_ttt.domain.codec import count_tokens
from arc_ttt.domain.model_io import TrainingSequence, TrainOptions
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set

STEPS, BATCH, ROUNDS = 16, 4, 2
EVERY = (None, 16, 4, 1)  # None: no checkpoints; 16: only the final save
OPTIONS = TrainOptions(
    steps=STEPS, batch_size=BATCH, learning_rate=2e-3, method="full", early_stop_loss=None, seed=0
)
_BASELINE: dict[str, float] = {}


class TimedStore:
    """A filesystem store that adds up the seconds the training loop spends checkpointing."""

    def __init__(self, inner: FilesystemCheckpointStore) -> None:
        self.inner = inner
        self.seconds = 0.0
        self._step_end = 0.0

    def step_done(self, step: int, loss: float) -> None:
        self._step_end = time.perf_counter()  # a due save starts right after this callback

    def save(
        self, key: str, files: Mapping[str, bytes], metadata: Mapping[str, JsonValue] | None = None
    ) -> CheckpointInfo:
        info = self.inner.save(key, files, metadata)
        self.seconds += time.perf_counter() - self._step_end
        return info

    def load_latest_valid(self, key: str) -> tuple[Checkpoint, list[SkippedVersion]]:
        return self._timed(self.inner.load_latest_valid, key)

    def versions(self, key: str) -> list[CheckpointInfo]:
        return self._timed(self.inner.versions, key)

    def delete(self, key: str, version: int) -> None:
        self._timed(self.inner.delete, key, version)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _timed(self, call: Any, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return call(*args)
        finally:
            self.seconds += time.perf_counter() - start


@pytest.fixture(scope="module")
def data() -> list[TrainingSequence]:
    tasks = sorted(load_tasks("arc-agi-1/training"), key=lambda t: (count_tokens(t), t.id))
    task = min(tasks, key=lambda t: abs(count_tokens(t) - 400))
    return build_ttt_set(task, TTTSetOptions(), seed=0)


@pytest.fixture(scope="module")
def backend(data: list[TrainingSequence]) -> TorchModelBackend:
    torch.set_num_threads(2)
    backend = TorchModelBackend.builtin(ArcDecoderConfig(), seed=0, cpu=True)
    for _ in range(2):  # warm-up: the first adaptations in a process are much slower
        backend.release(backend.adapt(backend.base(), "warmup", data, OPTIONS).model)
    return backend


@pytest.fixture
def store(tmp_path: Path) -> FilesystemCheckpointStore:
    return FilesystemCheckpointStore(tmp_path / "store")


@pytest.mark.parametrize("every", EVERY, ids=lambda n: "none" if n is None else f"every-{n}")
def test_training_with_checkpoints(  # noqa: PLR0917 - pytest passes fixtures by name
    benchmark: Any,
    figures: Any,
    backend: TorchModelBackend,
    data: list[TrainingSequence],
    store: FilesystemCheckpointStore,
    every: int | None,
) -> None:
    runs: list[tuple[float, float, int, float]] = []  # (run s, checkpointing s, saves, CPU s)

    def train() -> None:
        timed = TimedStore(store)
        key = f"bench-{uuid.uuid4().hex}"
        checkpoints = None
        if every is not None:
            schedule = SaveSchedule(every_steps=every)
            checkpoints = TrainingCheckpoints(timed, key, schedule, RetentionPolicy(keep_last=2))  # type: ignore[arg-type]
        start, cpu = time.perf_counter(), time.process_time()
        result = backend.adapt(
            backend.base(), "bench", data, OPTIONS, checkpoints=checkpoints, on_step=timed.step_done
        )
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert result.steps == STEPS and result.resumed_from_step == 0
        backend.release(result.model)
        saves = max((i.version for i in store.versions(key)), default=0) if every else 0
        runs.append((seconds, timed.seconds, saves, cpu))

    benchmark.pedantic(train, rounds=ROUNDS, iterations=1)
    fastest = benchmark.stats.stats.min
    best = min(runs)
    saves = best[2]
    figures["steps"] = STEPS
    figures["saves"] = saves
    figures["seconds"] = round(fastest, 2)
    figures["CPU seconds"] = round(best[3], 2)
    figures["wall seconds of each round"] = [round(r[0], 2) for r in runs]
    if every is None:
        _BASELINE["seconds"] = fastest
        _BASELINE["cpu"] = best[3]
        return
    figures["checkpointing share of run"] = f"{100 * best[1] / best[0]:.1f}%"
    figures["seconds per save"] = round(min(r[1] for r in runs) / saves, 3)
    if "seconds" in _BASELINE:
        extra = fastest - _BASELINE["seconds"]
        figures["run time vs none"] = f"{100 * extra / _BASELINE['seconds']:+.1f}%"
        extra_cpu = best[3] - _BASELINE["cpu"]
        figures["CPU time vs none"] = f"{100 * extra_cpu / _BASELINE['cpu']:+.1f}%"
    sizes = [i.size for key in store.keys() for i in store.versions(key)]  # noqa: SIM118
    figures["state MB"] = round(max(sizes) / 1e6, 2)
