"""``arc-ttt checkpoints`` run as a user runs it, on a filesystem store and on S3 over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.s3_store import S3CheckpointStore
from cli_errors import usage_error_line
from moto_s3 import CREDENTIALS, moto_server

ARC_TTT = shutil.which("arc-ttt")
pytestmark = pytest.mark.skipif(ARC_TTT is None, reason="arc-ttt is not installed")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ARC_TTT, "checkpoints", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def store_dir(tmp_path):
    store = FilesystemCheckpointStore(tmp_path / "store")
    for loss in (0.9, 0.2, 0.5):
        store.save("runs/a", {"weights.bin": bytes(range(256)) * 4}, {"loss": loss})
    store.save("runs/b", {"weights.bin": b"b" * 10})
    return tmp_path / "store"


def test_list_and_show(store_dir):
    listed = run("list", str(store_dir), "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(v["key"], v["version"]) for v in json.loads(listed.stdout)] == [
        ("runs/a", 1),
        ("runs/a", 2),
        ("runs/a", 3),
        ("runs/b", 1),
    ]
    shown = run("show", str(store_dir), "runs/a", "--version", "2")
    assert shown.returncode == 0 and "weights.bin  1,024 B  sha256" in shown.stdout
    assert "loss: 0.2" in shown.stdout


def test_verify_finds_a_flipped_byte_and_names_it(store_dir):
    assert run("verify", str(store_dir)).returncode == 0
    damaged = sorted(store_dir.rglob("weights.bin"))[1]  # runs/a version 2
    data = bytearray(damaged.read_bytes())
    data[100] ^= 1
    damaged.write_bytes(bytes(data))
    result = run("verify", str(store_dir))
    assert result.returncode == 1
    assert "DAMAGED  runs/a v2: weights.bin" in result.stdout
    assert "4 versions checked, 1 damaged" in result.stdout
    only = run("verify", str(store_dir), "--key", "runs/b", "--json")
    assert only.returncode == 0 and json.loads(only.stdout)[0]["ok"] is True


def test_prune_dry_run_then_for_real(store_dir):
    args = ["prune", str(store_dir), "--key", "runs/a", "--keep-last", "1"]
    args += ["--keep-best", "1", "--metric", "loss"]
    dry = run(*args, "--dry-run")
    assert dry.returncode == 0 and "runs/a: would delete v1; kept v2, v3" in dry.stdout
    assert len(FilesystemCheckpointStore(store_dir).versions("runs/a")) == 3
    # Without a terminal, deleting needs --yes: a script never deletes by accident.
    refused = run(*args)
    assert refused.returncode == 2 and "add --yes to confirm" in refused.stderr
    assert len(FilesystemCheckpointStore(store_dir).versions("runs/a")) == 3
    real = run(*args, "--yes")
    assert real.returncode == 0 and "runs/a: deleted v1; kept v2, v3" in real.stdout
    assert [i.version for i in FilesystemCheckpointStore(store_dir).versions("runs/a")] == [2, 3]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "/no/such/store"], "no such folder"),
        (["list", "ftp://x"], "unknown scheme"),
        (["verify", ".", "--version", "1"], "--version needs --key"),
        (["prune", ".", "--keep-best", "2"], "--keep-best needs --metric"),
        (["frobnicate", "."], "No such command 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2_with_one_error_line(args, message, tmp_path):
    result = run(*args)
    assert result.returncode == 2 and message in usage_error_line(result.stderr)


def test_list_and_verify_on_s3_over_http():
    with moto_server("cli-test") as endpoint:
        store = S3CheckpointStore("cli-test", "team/run1", endpoint_url=endpoint)
        store.save("model", {"w": b"x" * 64}, {"step": 10})
        store.save("model", {"w": b"y" * 64}, {"step": 20})
        env = {**CREDENTIALS, "AWS_ENDPOINT_URL": endpoint}
        listed = run("list", "s3://cli-test/team/run1", "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        assert [v["metadata"]["step"] for v in json.loads(listed.stdout)] == [10, 20]
        verified = run("verify", "s3://cli-test/team/run1", "--endpoint-url", endpoint, env=env)
        assert verified.returncode == 0 and "2 versions checked, 0 damaged" in verified.stdout
