"""The TrainingLog contract: one class, subclassed once per adapter (files and memory).

A subclass provides the fixture ``log`` (a fresh, empty training log).
"""

from __future__ import annotations

import pytest

from arc_ttt.ports.pretrainer import TrainingLog


def record(step: int, loss: float = 1.0) -> dict[str, object]:
    return {"step": step, "train_loss": loss, "val_loss": None}


class TrainingLogContract:
    @pytest.fixture
    def log(self, tmp_path):  # pragma: no cover - overridden
        raise NotImplementedError

    def test_is_a_training_log_and_starts_empty(self, log):
        assert isinstance(log, TrainingLog)
        assert list(log.records()) == [] and log.manifest() is None

    def test_keeps_records_in_order(self, log):
        for step in (10, 20, 30):
            log.append(record(step, loss=step / 10))
        assert [dict(r) for r in log.records()] == [record(s, s / 10) for s in (10, 20, 30)]

    def test_a_record_at_an_earlier_step_replaces_the_ones_from_there_on(self, log):
        for step in (10, 20, 30, 40):
            log.append(record(step))
        log.append(record(30, loss=9.0))  # a run resumed from its state at step 20
        assert [(r["step"], r["train_loss"]) for r in log.records()] == [
            (10, 1.0),
            (20, 1.0),
            (30, 9.0),
        ]

    def test_restart_forgets_every_record(self, log):
        log.append(record(5))
        log.restart()
        assert list(log.records()) == []
        log.append(record(1))
        assert [r["step"] for r in log.records()] == [1]

    def test_the_manifest_reads_back_and_is_replaced_whole(self, log):
        log.write_manifest({"format": 1, "result": {"steps": 3, "losses": [1.5, None]}})
        log.write_manifest({"format": 1, "result": {"steps": 4}})
        assert log.manifest() == {"format": 1, "result": {"steps": 4}}

    def test_a_manifest_with_nan_is_refused(self, log):
        with pytest.raises(ValueError):
            log.write_manifest({"loss": float("nan")})
