"""When to save and what to keep: the checkpoint policy."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arc_ttt.domain.checkpoint import CheckpointInfo, JsonValue
from arc_ttt.domain.checkpoint_policy import RetentionPolicy, SaveSchedule


def info(version: int, **metadata: JsonValue) -> CheckpointInfo:
    return CheckpointInfo("runs/x", version, datetime(2025, 1, 1, tzinfo=UTC), metadata, ())


def history(losses: list[float | None]) -> list[CheckpointInfo]:
    return [info(v, loss=loss) if loss is not None else info(v) for v, loss in enumerate(losses, 1)]


# -- when to save --------------------------------------------------------------------------------


def test_every_n_steps_saves_on_multiples_only() -> None:
    schedule = SaveSchedule(every_steps=5, on_final=False)
    assert [s for s in range(1, 21) if schedule.is_due(s)] == [5, 10, 15, 20]


def test_every_t_seconds_saves_once_the_time_has_passed() -> None:
    schedule = SaveSchedule(every_seconds=60.0)
    assert not schedule.is_due(3, seconds_since_save=59.9)
    assert schedule.is_due(3, seconds_since_save=60.0)


def test_steps_and_seconds_combine_and_the_final_step_always_saves() -> None:
    schedule = SaveSchedule(every_steps=100, every_seconds=600.0)
    assert schedule.is_due(100, seconds_since_save=1.0)
    assert schedule.is_due(7, seconds_since_save=601.0)
    assert not schedule.is_due(7, seconds_since_save=1.0)
    assert schedule.is_due(7, seconds_since_save=1.0, final=True)
    assert not SaveSchedule(every_steps=100, on_final=False).is_due(7, final=True)


def test_no_rule_never_saves_before_the_end() -> None:
    schedule = SaveSchedule()
    assert not any(schedule.is_due(s, seconds_since_save=1e9) for s in range(1, 50))
    assert schedule.is_due(50, final=True)


@pytest.mark.parametrize(
    "kwargs",
    [{"every_steps": 0}, {"every_steps": -3}, {"every_seconds": 0.0}, {"every_seconds": math.nan}],
)
def test_schedule_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="every_"):
        SaveSchedule(**kwargs)  # type: ignore[arg-type]


@given(st.integers(1, 50), st.integers(1, 500), st.integers(0, 500))
def test_a_resumed_run_saves_at_the_same_steps(every: int, total: int, stop: int) -> None:
    schedule = SaveSchedule(every_steps=every, on_final=False)
    straight = [s for s in range(1, total + 1) if schedule.is_due(s)]
    first = [s for s in range(1, min(stop, total) + 1) if schedule.is_due(s)]
    resumed = [s for s in range(min(stop, total) + 1, total + 1) if schedule.is_due(s)]
    assert first + resumed == straight


# -- what to keep --------------------------------------------------------------------------------


def test_keep_last_n() -> None:
    assert RetentionPolicy(keep_last=2).to_delete(history([None] * 5)) == [1, 2, 3]


def test_keep_best_k_by_a_loss() -> None:
    policy = RetentionPolicy(keep_last=1, keep_best=2, metric="loss", mode="min")
    assert policy.to_keep(history([0.9, 0.2, 0.5, 0.1, 0.7])) == [2, 4, 5]


def test_keep_best_k_by_an_accuracy() -> None:
    policy = RetentionPolicy(keep_last=0, keep_best=1, metric="loss", mode="max")
    assert policy.to_keep(history([0.9, 0.2, 0.5, 0.1, 0.7])) == [1, 5]


def test_versions_without_a_finite_metric_are_never_best() -> None:
    policy = RetentionPolicy(keep_last=0, keep_best=2, metric="loss")
    hist = [*history([None, math.nan, 0.4]), info(4, loss="0.1"), info(5, loss=True), info(6)]
    assert policy.to_keep(hist) == [3, 6]


def test_ties_keep_the_newer_version() -> None:
    policy = RetentionPolicy(keep_last=0, keep_best=1, metric="loss")
    assert policy.to_keep(history([0.5, 0.5, 0.5, 0.9])) == [3, 4]


def test_the_newest_valid_version_is_kept_even_with_nothing_to_keep() -> None:
    policy = RetentionPolicy(keep_last=0, keep_best=0)
    assert policy.to_keep(history([None] * 3)) == [3]
    assert policy.to_keep(history([None] * 3), corrupted={3}) == [2]


def test_corrupted_versions_do_not_count_and_go_when_a_valid_one_remains() -> None:
    policy = RetentionPolicy(keep_last=2)
    assert policy.to_delete(history([None] * 5), corrupted={4, 5}) == [1, 4, 5]


def test_nothing_is_deleted_when_no_version_is_valid() -> None:
    policy = RetentionPolicy(keep_last=1)
    assert policy.to_delete(history([None] * 3), corrupted={1, 2, 3}) == []
    assert policy.to_delete([]) == []


@pytest.mark.parametrize(
    "kwargs",
    [{"keep_last": -1}, {"keep_best": -1}, {"keep_best": 2}, {"metric": "loss", "mode": "median"}],
)
def test_retention_refuses_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"keep_|metric|mode"):
        RetentionPolicy(**kwargs)  # type: ignore[arg-type]


histories = st.lists(st.one_of(st.none(), st.floats(-10, 10)), max_size=25).map(history)


@given(
    histories,
    st.integers(0, 6),
    st.integers(0, 6),
    st.sampled_from(["min", "max"]),
    st.sets(st.integers(1, 25)),
)
def test_retention_properties(
    hist: list[CheckpointInfo], last: int, best: int, mode: str, corrupted: set[int]
) -> None:
    policy = RetentionPolicy(keep_last=last, keep_best=best, metric="loss", mode=mode)  # type: ignore[arg-type]
    keep = policy.to_keep(hist, corrupted)
    delete = policy.to_delete(hist, corrupted)
    versions = [h.version for h in hist]
    valid = [v for v in versions if v not in corrupted]
    # Keep and delete split the history.
    assert sorted(keep + delete) == versions
    # The newest valid version survives; with no valid version nothing is touched.
    if valid:
        assert max(valid) in keep
        assert set(valid[-last:] if last else []) <= set(keep)
        assert len(keep) <= last + best + 1
        assert not set(keep) & corrupted
    else:
        assert delete == []
    # The best kept score is the best score there was.
    scored = {
        h.version: h.metadata["loss"] for h in hist if "loss" in h.metadata and h.version in valid
    }
    if best and scored:
        pick = min if mode == "min" else max
        assert pick(scored.values()) == pick(v for k, v in scored.items() if k in keep)  # type: ignore[type-var]
    # Pruning is idempotent: what is kept is stable.
    remaining = [h for h in hist if h.version in keep]
    assert policy.to_delete(remaining, corrupted) == []
