"""``arc-ttt`` at a real terminal (a pseudo-terminal): questions for a missing dataset, prune
confirmation, color only where wanted; and that without a terminal nothing ever asks."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time

import pytest

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore

ARC_TTT = shutil.which("arc-ttt")
pytestmark = pytest.mark.skipif(ARC_TTT is None, reason="arc-ttt is not installed")
ANSI = "\x1b["


def at_terminal(
    *args: str, answers: tuple[tuple[str, bytes], ...] = (), env=None, timeout: float = 120
) -> tuple[int, str]:
    """Run ``arc-ttt`` with stdin, stdout and stderr on a pseudo-terminal; each answer is typed
    once its prompt text has appeared. Returns the exit code and everything the terminal showed."""
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [ARC_TTT, *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**clean, **(env or {})},
    )
    os.close(follower)
    seen, pending, shown = b"", list(answers), 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if pending and pending[0][0].encode() in seen[shown:]:
                shown = seen.index(pending[0][0].encode(), shown) + 1
                os.write(leader, pending.pop(0)[1])
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                seen += data
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            pytest.fail(
                f"arc-ttt did not finish; the terminal showed:\n{seen.decode(errors='replace')}"
            )
        return proc.wait(timeout=30), seen.decode(errors="replace").replace("\r\n", "\n")
    finally:
        os.close(leader)


def piped(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ARC_TTT, *args],
        input="arc-agi-1/training\ny\n",
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_dataset_is_asked_for_with_the_bundled_names():
    code, screen = at_terminal(
        "show", "007bbfb7", answers=(("dataset [", b"nope\n"), ("dataset [", b"1\n"))
    )
    assert code == 0, screen
    question = screen[: screen.index("dataset [")]
    for name in ("1. arc-agi-1/training", "2. arc-agi-1/evaluation", "arc-agi-2/evaluation"):
        assert name in question
    assert "'nope' is neither a number from the list" in screen
    assert "task 007bbfb7: 5 demonstrations" in screen


def test_solve_asks_too_and_end_of_input_is_a_usage_error(tmp_path):
    code, screen = at_terminal(
        "solve", "--out", str(tmp_path / "run"), answers=(("dataset [", b"\x04"),)
    )
    assert code == 2, screen
    assert "arc-agi-2/training" in screen and "--dataset: none chosen" in screen
    assert not (tmp_path / "run").exists()


def test_without_a_terminal_nothing_asks():
    show = piped("show", "007bbfb7")
    assert show.returncode == 2 and "Missing option '--dataset'" in show.stderr
    assert "dataset [" not in show.stdout + show.stderr
    solve = piped("solve", "--out", "x")
    assert solve.returncode == 2 and "solve needs --dataset" in solve.stderr


@pytest.fixture
def store_dir(tmp_path):
    store = FilesystemCheckpointStore(tmp_path / "store")
    for step in range(3):
        store.save("model", {"w.bin": b"w" * 64}, {"step": step})
    return tmp_path / "store"


def versions(store_dir) -> list[int]:
    return [i.version for i in FilesystemCheckpointStore(store_dir).versions("model")]


def test_prune_asks_before_deleting(store_dir):
    question = "Delete 2 checkpoint versions"
    code, screen = at_terminal(
        "checkpoints", "prune", str(store_dir), answers=((question, b"n\n"),)
    )
    assert (
        code == 1 and "would delete: model v1, model v2" in screen and "nothing deleted" in screen
    )
    assert versions(store_dir) == [1, 2, 3]
    code, screen = at_terminal(
        "checkpoints", "prune", str(store_dir), answers=((question, b"y\n"),)
    )
    assert code == 0 and "deleted 2 versions" in screen, screen
    assert versions(store_dir) == [3]


def test_prune_with_yes_or_dry_run_does_not_ask(store_dir):
    code, screen = at_terminal("checkpoints", "prune", str(store_dir), "--dry-run")
    assert code == 0 and "would delete 2 versions" in screen and "[y/N]" not in screen
    code, screen = at_terminal("checkpoints", "prune", str(store_dir), "--keep-last", "2", "--yes")
    assert code == 0 and "deleted 1 versions" in screen and "[y/N]" not in screen
    assert versions(store_dir) == [2, 3]


def test_prune_without_a_terminal_needs_yes(store_dir):
    refused = piped("checkpoints", "prune", str(store_dir))  # a "y" on stdin is not a confirmation
    assert refused.returncode == 2 and "add --yes to confirm" in refused.stderr
    assert versions(store_dir) == [1, 2, 3]


def test_color_only_at_a_terminal_without_no_color():
    args = ("show", "007bbfb7", "--dataset", "arc-agi-1/training")
    code, screen = at_terminal(*args)
    assert code == 0 and ANSI in screen
    code, screen = at_terminal(*args, env={"NO_COLOR": "1"})
    assert code == 0 and ANSI not in screen and "task 007bbfb7" in screen
    assert ANSI not in piped(*args).stdout
