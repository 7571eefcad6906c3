"""Save and load throughput of a 50 MB checkpoint: filesystem, S3 over HTTP (moto), memory.

    python -m pytest benchmarks/bench_checkpoint_store.py -p no:cacheprovider \
        --benchmark-columns=min,mean,max,rounds --benchmark-sort=name

MB/s (10^6 bytes per second, from the mean round) is printed per case and kept in
``extra_info``. Results are in ``docs/checkpoints.md``.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.s3_store import S3CheckpointStore
from arc_ttt.ports.checkpoint_store import CheckpointStore

MB = 1_000_000
KEY = "bench/task-1"
BUCKET = "bench"
_rng = random.Random(0)
# Random bytes: like trained weights, nothing for a transport to compress.
FILES = {"model.safetensors": _rng.randbytes(45 * MB), "optimizer.bin": _rng.randbytes(5 * MB)}
SIZE = sum(len(b) for b in FILES.values())


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_CONFIG_FILE", os.devnull)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
            Bucket=BUCKET
        )
        yield endpoint
        server.stop()


@pytest.fixture(params=["filesystem", "s3-moto-http", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> CheckpointStore:
    if request.param == "filesystem":
        return FilesystemCheckpointStore(tmp_path / "store")
    if request.param == "memory":
        return InMemoryCheckpointStore()
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3CheckpointStore(
        BUCKET, uuid.uuid4().hex, endpoint_url=endpoint, region_name="us-east-1"
    )


def _report(benchmark: Any, what: str) -> None:
    mb_s = SIZE / MB / benchmark.stats.stats.mean
    benchmark.extra_info["MB/s"] = round(mb_s, 1)
    print(f"\n{what}: {SIZE / MB:.0f} MB, {mb_s:.1f} MB/s")


def test_save(benchmark: Any, store: CheckpointStore, request: pytest.FixtureRequest) -> None:
    benchmark.pedantic(store.save, args=(KEY, FILES, {"step": 1}), rounds=5, iterations=1)
    _report(benchmark, f"save {request.node.callspec.id}")


def test_load(benchmark: Any, store: CheckpointStore, request: pytest.FixtureRequest) -> None:
    store.save(KEY, FILES, {"step": 1})
    loaded = benchmark.pedantic(store.load, args=(KEY,), rounds=5, iterations=1)
    assert loaded.files == FILES
    _report(benchmark, f"load {request.node.callspec.id}")
