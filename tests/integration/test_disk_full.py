"""A full disk while writing a checkpoint, a cache entry or a run folder, on a small tmpfs the
test mounts (root only; skipped otherwise): a clear error, no half-written version visible,
nothing good lost, and ``--resume`` finishing the run once there is space."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.run_folder import RunFolder
from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.errors import RunFolderWriteError, StoreUnavailableError
from arc_ttt.domain.synthetic import generate_task
from cli_runs import arc_ttt, needs_arc_ttt

PAGE = 4096


def _mount(where: Path, kib: int) -> bool:
    command = ["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(where)]
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """``small_disk(kib)``: a fresh tmpfs of ``kib`` KiB, mounted for the test; or skip."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted: list[Path] = []

    def make(kib: int) -> Path:
        where = tmp_path / f"disk{len(mounted)}"
        where.mkdir()
        if not _mount(where, kib):
            pytest.skip("this machine does not let the test mount a tmpfs")
        mounted.append(where)
        return where

    yield make
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def grow(where: Path, kib: int) -> None:
    """Free space: the tmpfs at ``where`` is made ``kib`` KiB."""
    command = ["mount", "-o", f"remount,size={kib}k", str(where)]
    subprocess.run(command, check=True, capture_output=True)


def fill(where: Path, leave: int) -> Path:
    """Fill the disk at ``where`` up to ``leave`` bytes free; returns the filler file."""
    free = os.statvfs(where).f_bavail * os.statvfs(where).f_frsize
    filler = where / "filler"
    filler.write_bytes(b"\0" * max(free - leave, 0))
    return filler


def test_a_checkpoint_too_big_for_the_disk_fails_clearly_and_leaves_nothing(small_disk):
    disk = small_disk(64)
    store = FilesystemCheckpointStore(disk / "store")
    store.save("run/a", {"weights.bin": b"1" * 1000}, {"step": 1})
    with pytest.raises(StoreUnavailableError, match="No space left on device"):
        store.save("run/a", {"weights.bin": b"2" * 200_000}, {"step": 2})
    assert [v.version for v in store.versions("run/a")] == [1]
    assert store.verify("run/a", 1).ok
    assert list((disk / "store" / ".tmp").iterdir()) == []  # the staged files are gone
    grow(disk, 1024)
    info = store.save("run/a", {"weights.bin": b"2" * 200_000}, {"step": 2})
    assert store.load("run/a").files["weights.bin"] == b"2" * 200_000
    assert [v.version for v in store.versions("run/a")] == [1, info.version]


def test_a_disk_that_fills_up_at_the_manifest_frees_the_unfinished_version(small_disk):
    disk = small_disk(256)
    store = FilesystemCheckpointStore(disk / "store")
    store.save("run/a", {"weights.bin": b"1" * 1000}, {"step": 1})
    fill(disk, leave=2 * PAGE)  # room for the two pages of files, none for the manifest
    with pytest.raises(StoreUnavailableError, match=r"No space left on device.*manifest\.json"):
        store.save("run/a", {"weights.bin": b"2" * (2 * PAGE)}, {"step": 2})
    assert [v.version for v in store.versions("run/a")] == [1]
    assert store.load_latest_valid("run/a")[0].version == 1
    key_dir = store.version_path("run/a", 1).parent
    assert sorted(p.name for p in key_dir.iterdir()) == [store.version_path("run/a", 1).name]


def test_a_run_file_that_cannot_be_written_keeps_the_one_before(small_disk):
    disk = small_disk(64)
    run = RunFolder(disk / "run")
    run.write_report(submission={"t": []}, results=[{"task_id": "t"}], metrics={"n": 1})
    before = (disk / "run" / "submission.json").read_text()
    fill(disk, leave=0)
    big = {f"task{i}": [{"attempt_1": [[1] * 30] * 30}] for i in range(40)}
    with pytest.raises(RunFolderWriteError, match=r"submission\.json: No space left on device"):
        run.write_report(submission=big, results=[], metrics={})
    assert (disk / "run" / "submission.json").read_text() == before
    assert [p.name for p in (disk / "run").iterdir() if p.name.endswith(".tmp")] == []


@needs_arc_ttt
def test_solve_on_a_full_disk_says_so_and_resumes_to_the_same_submission(small_disk, tmp_path):
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    for i, family in enumerate(["recolor", "flip_horizontal", "transpose", "flip_vertical"]):
        task = generate_task(family, i, n_train=2, max_side=5)
        (tasks / f"{task.id}.json").write_text(json.dumps(task_to_json(task)))
    solve = ("solve", "--dataset", str(tasks), "--sources", "search", "-q")
    straight = arc_ttt(*solve, "--out", str(tmp_path / "straight"))
    assert straight.returncode == 0, straight.stderr

    disk = small_disk(16)  # settings.json and a cache entry or two fit, the rest does not
    out = disk / "run"
    full = arc_ttt(*solve, "--out", str(out))
    assert full.returncode == 1
    assert "No space left on device" in full.stderr and "Traceback" not in full.stderr
    assert f"resume with: arc-ttt solve --resume {out}" in full.stderr
    assert not (out / "submission.json").exists()
    verify = arc_ttt("checkpoints", "verify", str(out / "cache"))
    assert verify.returncode == 0, verify.stdout + verify.stderr  # nothing half-written

    grow(disk, 1024)
    resumed = arc_ttt("solve", "--resume", str(out), "-q")
    assert resumed.returncode == 0, resumed.stderr
    expected = (tmp_path / "straight" / "submission.json").read_text()
    assert (out / "submission.json").read_text() == expected
    assert arc_ttt("checkpoints", "verify", str(out / "cache")).returncode == 0
