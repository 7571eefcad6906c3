"""The S3 checkpoint store against a faulty network: a fault-injecting HTTP proxy in front of a
moto server answers chosen requests with 500, 503, 503 SlowDown, or resets the connection in the
middle of an upload. Transient faults are retried (botocore's standard policy: 5 retries with
exponential backoff) and the save lands whole; faults that outlast the retries end the save with
``StoreUnavailableError``, and no partial version is ever visible."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from arc_ttt.adapters.s3_store import S3CheckpointStore
from arc_ttt.domain.errors import CheckpointNotFoundError, StoreUnavailableError
from moto_s3 import moto_server
from s3_fault_proxy import FaultPlan, fault_proxy

BUCKET = "faults"
KEY = "run/task-1"
# S3Bucket's max_attempts=5 is botocore's retries setting: the first try and 5 retries.
ATTEMPTS = 6


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server(BUCKET) as endpoint:
        yield endpoint


@pytest.fixture
def faulty(moto_endpoint: str) -> Iterator[tuple[S3CheckpointStore, S3CheckpointStore, FaultPlan]]:
    """``(through the proxy, straight to moto, the proxy's fault plan)``, on a fresh prefix."""
    prefix = f"t/{uuid.uuid4().hex}"
    with fault_proxy(moto_endpoint) as (endpoint, plan):
        via = S3CheckpointStore(
            BUCKET, prefix, endpoint_url=endpoint, region_name="us-east-1", backoff_s=0.01
        )
        direct = S3CheckpointStore(
            BUCKET, prefix, endpoint_url=moto_endpoint, region_name="us-east-1"
        )
        yield via, direct, plan


def files(i: int) -> dict[str, bytes]:
    return {"model.safetensors": bytes([i]) * 50_000, "state.json": b'{"step": %d}' % i}


def put_of(name: str):
    return lambda method, path: method == "PUT" and path.split("?")[0].endswith(name)


def assert_only(store: S3CheckpointStore, versions: list[int]) -> None:
    """Exactly ``versions`` are visible, each whole and verified."""
    assert [v.version for v in store.versions(KEY)] == versions
    for v in versions:
        assert store.verify(KEY, v).ok
        assert dict(store.load(KEY, v).files) == files(v)


def test_requests_pass_through_the_proxy_unchanged(faulty):
    via, direct, plan = faulty
    via.save(KEY, files(1), {"step": 1})
    assert dict(direct.load(KEY).files) == files(1)
    assert plan.outcomes("PUT", "/files/model.safetensors") == ["passed"]


@pytest.mark.parametrize("fault", ["500", "503", "slowdown", "reset"])
@pytest.mark.parametrize("target", ["model.safetensors", "manifest.json", "claim"])
def test_a_transient_fault_is_retried_and_the_save_lands_whole(faulty, fault, target):
    via, direct, plan = faulty
    plan.add(fault, put_of(target), times=2)
    info = via.save(KEY, files(1), {"step": 1})
    assert info.version == 1
    assert plan.outcomes("PUT", target) == [fault, fault, "passed"]
    assert_only(direct, [1])


@pytest.mark.parametrize("fault", ["503", "slowdown", "reset"])
def test_a_fault_that_outlasts_the_retries_fails_clearly_and_shows_no_partial_version(
    faulty, fault
):
    via, direct, plan = faulty
    via.save(KEY, files(1), {"step": 1})
    plan.add(fault, put_of("model.safetensors"), times=1000)
    with pytest.raises(StoreUnavailableError, match=f"saving checkpoint '{KEY}'"):
        via.save(KEY, files(2), {"step": 2})
    assert plan.outcomes("PUT", "/v000002/files/model.safetensors") == [fault] * ATTEMPTS
    assert_only(direct, [1])  # the claimed version 2 has no manifest: it is not there
    checkpoint, skipped = direct.load_latest_valid(KEY)
    assert checkpoint.version == 1 and skipped == []
    plan.clear()
    again = via.save(KEY, files(3), {"step": 3})  # the network is back: the next save lands
    assert dict(direct.load(KEY).files) == files(3) and again.version == 3
    assert [v.version for v in direct.versions(KEY)] == [1, 3]


def test_a_manifest_that_never_lands_leaves_the_version_invisible(faulty):
    via, direct, plan = faulty
    plan.add("500", put_of("manifest.json"), times=1000)
    with pytest.raises(StoreUnavailableError, match="InternalError"):
        via.save(KEY, files(1), {"step": 1})
    assert direct.versions(KEY) == []
    with pytest.raises(CheckpointNotFoundError, match="no intact version"):
        direct.load_latest_valid(KEY)
