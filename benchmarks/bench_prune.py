"""Pruning a filesystem store of 1,000 versions under one key.

    python -m pytest benchmarks/bench_prune.py -p no:cacheprovider

The store: 1,000 versions saved one by one (``FilesystemCheckpointStore.save``, fsync on) under
one key, each two files (a 16 KiB ``state.safetensors`` of seeded random bytes and a small
``state.json``) and metadata ``{"step", "loss"}`` (a seeded noisy falling loss). The policy:
``RetentionPolicy(keep_last=2, keep_best=3, metric="loss")``, so 995 versions go.

- ``test_prune``: ``prune_checkpoints`` (what ``arc-ttt checkpoints prune --yes`` runs): list the
  versions, verify every one (sha256 of each file against its manifest), decide, delete;
- ``test_prune_dry_run``: the same without deleting (listing + verifying + deciding);
- ``test_retention_decision``: the domain decision alone (``RetentionPolicy.to_delete``) on the
  1,000 versions' records.

Each pruning round works on a fresh copy of the store (copied outside the timed part).
Building the store is timed once and reported as saves/s.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.application.checkpoints import PruneResult, prune_checkpoints
from arc_ttt.domain.checkpoint import CheckpointInfo
from arc_ttt.domain.checkpoint_policy import RetentionPolicy

VERSIONS = 1000
KEY = "task-0/ttt"
POLICY = RetentionPolicy(keep_last=2, keep_best=3, metric="loss")
ROUNDS = 3


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A store of ``VERSIONS`` versions, and the seconds its saves took."""
    root = tmp_path_factory.mktemp("prune") / "store"
    store = FilesystemCheckpointStore(root)
    rng = random.Random(0)
    start = time.perf_counter()
    for step in range(1, VERSIONS + 1):
        files = {
            "state.safetensors": rng.randbytes(16 * 1024),
            "state.json": f'{{"step": {step}}}'.encode(),
        }
        loss = 2.0 / step**0.5 + rng.uniform(0.0, 0.05)
        store.save(KEY, files, {"step": step, "loss": loss})
    return root, time.perf_counter() - start


def _fresh_copy(template: Path, tmp_path: Path) -> FilesystemCheckpointStore:
    target = tmp_path / f"copy-{time.monotonic_ns()}"
    shutil.copytree(template, target)
    return FilesystemCheckpointStore(target)


def _prune(benchmark: Any, template: Path, tmp_path: Path, *, dry_run: bool) -> PruneResult:
    def setup() -> tuple[tuple[FilesystemCheckpointStore, RetentionPolicy, str], dict[str, Any]]:
        return (_fresh_copy(template, tmp_path), POLICY, KEY), {"dry_run": dry_run}

    results: list[PruneResult] = benchmark.pedantic(
        prune_checkpoints, setup=setup, rounds=ROUNDS, iterations=1
    )
    return results[0]


def test_prune(benchmark: Any, figures: Any, template: tuple[Path, float], tmp_path: Path) -> None:
    root, build_seconds = template
    result = _prune(benchmark, root, tmp_path, dry_run=False)
    assert len(result.deleted) == VERSIONS - len(result.kept) and not result.damaged
    mean = benchmark.stats.stats.mean
    figures["versions"] = VERSIONS
    figures["deleted"] = len(result.deleted)
    figures["kept"] = result.kept
    figures["seconds"] = round(mean, 3)
    figures["versions/s"] = round(VERSIONS / mean)
    figures["store build: saves/s"] = round(VERSIONS / build_seconds)


def test_prune_dry_run(
    benchmark: Any, figures: Any, template: tuple[Path, float], tmp_path: Path
) -> None:
    result = _prune(benchmark, template[0], tmp_path, dry_run=True)
    assert len(result.deleted) == VERSIONS - len(result.kept)
    mean = benchmark.stats.stats.mean
    figures["seconds"] = round(mean, 3)
    figures["versions/s"] = round(VERSIONS / mean)


def test_retention_decision(benchmark: Any, figures: Any, template: tuple[Path, float]) -> None:
    history: list[CheckpointInfo] = FilesystemCheckpointStore(template[0]).versions(KEY)
    assert len(history) == VERSIONS
    doomed = benchmark(POLICY.to_delete, history)
    assert len(doomed) == VERSIONS - len(POLICY.to_keep(history))
    figures["seconds"] = f"{benchmark.stats.stats.mean:.2e}"
    figures["versions/s"] = round(VERSIONS / benchmark.stats.stats.mean)
