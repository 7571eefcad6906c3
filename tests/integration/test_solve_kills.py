"""SIGKILL at random moments of a small solve whose cache is a checkpointing store, on the
filesystem and on S3 (moto over HTTP): the installed ``arc-ttt solve`` (test-time training with a
small built-in model, each task's candidates and adapter kept in the store) is killed, resumed,
killed again, ... until a resume finishes.

After every kill each version in the store must verify; when a chain of resumes finishes, its
submission must equal the uninterrupted run's; at the end, ``arc-ttt checkpoints verify`` must
find nothing broken. Slow set (about 10 minutes for both stores):
``python -m pytest -m slow -s tests/integration/test_solve_kills.py``; the counts are printed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from arc_ttt.adapters.store_url import open_store
from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.synthetic import generate_task
from cli_runs import ARC_TTT, SMALL_MODEL, needs_arc_ttt
from moto_s3 import moto_server

pytestmark = [pytest.mark.slow, needs_arc_ttt]
KILLS = 100
BUCKET = "kills"
SOLVE = ["solve", "--sources", "neural", "--model", "builtin", "--method", "full"]
SOLVE += ["--steps", "6", "--views", "2", "-q"]


@dataclass
class Tally:
    kills: int = 0
    versions_checked: int = 0
    versions_broken: int = 0
    chains_finished: int = 0
    resumes_identical: int = 0


def tasks_folder(root: Path) -> Path:
    folder = root / "tasks"
    folder.mkdir()
    for i, family in enumerate(["recolor", "flip_horizontal", "transpose"]):
        task = generate_task(family, 10 + i, n_train=2, max_side=4)
        (folder / f"{task.id}.json").write_text(json.dumps(task_to_json(task)))
    return folder


def check_store(url: str, tally: Tally) -> None:
    store = open_store(url)
    keys = store.keys()
    for key in keys:
        for info in store.versions(key):
            tally.versions_checked += 1
            tally.versions_broken += not store.verify(key, info.version).ok


def kill_trials(root: Path, store_url: str, env: dict[str, str], seed: int) -> Tally:
    """``KILLS`` kills over chains of resumed runs, each chain with its own cache ``store_url``
    + ``/chain-N``; a chain that finishes is compared with the uninterrupted run."""
    tasks = tasks_folder(root)
    reference = root / "reference"
    began = time.monotonic()
    straight = subprocess.run(
        [ARC_TTT, *SOLVE, "--dataset", str(tasks), "--out", str(reference)],
        env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    whole = time.monotonic() - began
    assert straight.returncode == 0, straight.stderr
    expected = (reference / "submission.json").read_text()

    rng, tally, chain = random.Random(seed), Tally(), 0
    while tally.kills < KILLS:
        out, url = root / f"chain-{chain}", f"{store_url}/chain-{chain}"
        if (out / "settings.json").exists():
            command = [ARC_TTT, "solve", "--resume", str(out), "-q"]
        else:
            command = [ARC_TTT, *SOLVE, "--dataset", str(tasks), "--out", str(out)]
            command += ["--cache-store", url]
        run = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            run.wait(timeout=rng.uniform(0.0, whole))
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGKILL)
            run.wait()
            tally.kills += 1
            check_store(url, tally)
            continue
        finally:
            assert run.stderr is not None
            stderr = run.stderr.read().decode()
            run.stderr.close()
        assert run.returncode == 0, stderr
        tally.chains_finished += 1
        tally.resumes_identical += (out / "submission.json").read_text() == expected
        chain += 1
    # The last chain, killed: resume it to the end.
    out = root / f"chain-{chain}"
    if (out / "settings.json").exists():
        last = subprocess.run(
            [ARC_TTT, "solve", "--resume", str(out), "-q"],
            env=env, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert last.returncode == 0, last.stderr
        tally.chains_finished += 1
        tally.resumes_identical += (out / "submission.json").read_text() == expected
    for n in range(chain + 1):
        verify = subprocess.run(
            [ARC_TTT, "checkpoints", "verify", f"{store_url}/chain-{n}"],
            env=env, capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        if (root / f"chain-{n}" / "settings.json").exists():
            assert verify.returncode == 0, verify.stdout + verify.stderr
    return tally


def report(where: str, tally: Tally) -> None:
    print(
        f"{where}: {tally.kills} kills, {tally.versions_checked} versions checked, "
        f"{tally.versions_broken} broken, {tally.chains_finished} resumed chains finished, "
        f"{tally.resumes_identical} identical to the uninterrupted run"
    )
    assert tally.kills == KILLS
    assert tally.versions_broken == 0
    assert tally.chains_finished >= 1
    assert tally.resumes_identical == tally.chains_finished


def test_100_kills_with_the_cache_on_the_filesystem(tmp_path):
    env = {**os.environ, **SMALL_MODEL}
    tally = kill_trials(tmp_path, str(tmp_path / "caches"), env, seed=1)
    report("filesystem", tally)


def test_100_kills_with_the_cache_on_s3(tmp_path, monkeypatch):
    with moto_server(BUCKET) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)  # for the checks made in this process
        env = {**os.environ, **SMALL_MODEL}
        tally = kill_trials(tmp_path, f"s3://{BUCKET}/caches", env, seed=2)
    report("S3", tally)
