"""The filesystem store under SIGKILL, and the filesystem and S3 stores under four concurrent
writer processes."""

from __future__ import annotations

import json
import multiprocessing
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from checkpoint_writer import content, digest, metadata, save_many

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.store_url import open_store
from arc_ttt.domain.checkpoint import Checkpoint
from moto_s3 import moto_server

KEY = "runs/fault/task-007bbfb7"
WRITER = Path(__file__).with_name("checkpoint_writer.py")


def assert_whole(checkpoint: Checkpoint) -> None:
    """The files are exactly those of one save: none missing, none from another save."""
    i = checkpoint.metadata["i"]
    assert isinstance(i, int)
    assert dict(checkpoint.files) == content(i)
    assert checkpoint.metadata["digest"] == digest(dict(checkpoint.files))


def kill_during_saves(root: Path, trials: int, seed: int) -> int:
    """Start a writer, SIGKILL it at a random moment, check the store; ``trials`` times.

    Returns how many kills left an interrupted save behind (a ``.tmp`` entry or a version
    folder without a manifest), to show the kills did land mid-save.
    """
    rng = random.Random(seed)
    store = FilesystemCheckpointStore(root)
    store.save(KEY, content(0), metadata(0))  # so there is always something to fall back on
    interrupted, leftovers, newest = 0, 0, 1
    for trial in range(1, trials + 1):
        writer = subprocess.Popen(
            [sys.executable, str(WRITER), str(root), KEY, str(trial * 100_000)],
            stdout=subprocess.PIPE,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.04))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()

        checkpoint, skipped = store.load_latest_valid(KEY)
        assert skipped == []  # a kill leaves at most an invisible save, never a damaged one
        assert_whole(checkpoint)
        assert checkpoint.version >= newest
        newest = checkpoint.version
        now = len(list((root / ".tmp").iterdir())) + sum(
            not (d / "manifest.json").exists() for d in store.version_path(KEY, 1).parent.iterdir()
        )
        interrupted += now > leftovers
        leftovers = now
    for info in store.versions(KEY):
        assert store.verify(KEY, info.version).ok
        assert_whole(store.load(KEY, info.version))
    return interrupted


def test_sigkill_at_random_moments_never_leaves_a_partial_checkpoint(tmp_path: Path) -> None:
    interrupted = kill_during_saves(tmp_path / "store", trials=50, seed=20250131)
    assert interrupted > 0


@pytest.mark.slow
def test_sigkill_many_more_times(tmp_path: Path) -> None:
    assert kill_during_saves(tmp_path / "store", trials=500, seed=7) > 0


def race(url: str, tmp_path: Path, writers: int, count: int) -> None:
    """``writers`` processes save ``count`` checkpoints each into the store ``url`` at once:
    every version is one writer's, none lost or shared, each whole."""
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(writers)
    outs = [tmp_path / f"writer-{w}.json" for w in range(writers)]
    processes = [
        spawn.Process(target=save_many, args=(url, KEY, w * 1000, count, start, str(out)))
        for w, out in enumerate(outs)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=180)
        assert p.exitcode == 0
    saved = {version: i for out in outs for version, i in json.loads(out.read_text())}

    assert sorted(saved) == list(range(1, writers * count + 1))  # no version lost or shared
    store = open_store(url)
    assert [v.version for v in store.versions(KEY)] == sorted(saved)
    for version, i in saved.items():
        checkpoint = store.load(KEY, version)
        assert checkpoint.metadata["i"] == i
        assert_whole(checkpoint)


def test_four_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    FilesystemCheckpointStore(root)
    race(str(root), tmp_path, writers=4, count=12)
    assert list((root / ".tmp").iterdir()) == []


def test_four_processes_saving_to_one_s3_store_lose_nothing(tmp_path: Path, monkeypatch) -> None:
    """The same race on S3: each process claims its versions with a create-only put."""
    with moto_server("writers") as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)  # the writer processes inherit it
        race("s3://writers/race", tmp_path, writers=4, count=6)
