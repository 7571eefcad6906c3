"""The pretraining use case with in-memory datasets, the scripted pretrainer, a memory log and an
in-memory store: which tasks go in (never an evaluation task), the split, the state checks, the
model folder, the metrics and the manifest."""

from dataclasses import replace

import pytest

from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.memory_tasks import InMemoryCatalog, InMemoryTaskSource
from arc_ttt.adapters.training_log import MemoryTrainingLog
from arc_ttt.application.pretrain import Pretraining, PretrainRequest
from arc_ttt.application.pretrain_data import DataPlan, PretrainData, gather_data
from arc_ttt.application.solve_options import end_reserve
from arc_ttt.domain.checkpoint_policy import SaveSchedule
from arc_ttt.domain.errors import UnknownDatasetError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import TrainOptions
from arc_ttt.domain.pretrain_corpus import CorpusOptions
from arc_ttt.domain.pretraining import PretrainDataError, PretrainOptions, PretrainStateError
from arc_ttt.domain.synthetic import generate_tasks
from arc_ttt.domain.task import Example, Task
from arc_ttt.ports.pretrainer import StateCheckpoints
from arc_ttt.testing import FakeClock
from arc_ttt.testing.scripted_pretrainer import ScriptedPretrainer

POOL = generate_tasks(30, seed=5, min_side=3, max_side=4)


def renamed(task: Task, new_id: str, *, reverse: bool = False) -> Task:
    train = tuple(reversed(task.train)) if reverse else task.train
    return Task(new_id, train, task.test_inputs, task.test_outputs)


def near_copy(task: Task, new_id: str) -> Task:
    """The task with its first demonstration's output changed (ARC-AGI-2's corrected copies)."""
    first = Example(task.train[0].input, Grid([[9]]))
    return Task(new_id, (first, *task.train[1:]), task.test_inputs, task.test_outputs)


EVAL1 = tuple(renamed(t, f"e1-{i}") for i, t in enumerate(POOL[:4]))
EVAL2 = (renamed(POOL[4], "e2-0"),)
TRAIN1 = (
    *(renamed(t, f"t1-{i}") for i, t in enumerate(POOL[5:13])),
    renamed(EVAL1[0], "t1-copy-of-e1", reverse=True),
    near_copy(EVAL1[1], "t1-near-e1"),
)
TRAIN2 = (
    *(renamed(t, f"t2-{i}") for i, t in enumerate(POOL[13:19])),
    renamed(TRAIN1[0], "t2-copy-of-t1"),
    renamed(EVAL1[2], "t2-copy-of-e1", reverse=True),
    renamed(EVAL2[0], "t2-copy-of-e2"),
)
CATALOG = InMemoryCatalog(
    {
        "arc-agi-1/training": InMemoryTaskSource("arc-agi-1/training", TRAIN1),
        "arc-agi-1/evaluation": InMemoryTaskSource("arc-agi-1/evaluation", EVAL1),
        "arc-agi-2/training": InMemoryTaskSource("arc-agi-2/training", TRAIN2),
        "arc-agi-2/evaluation": InMemoryTaskSource("arc-agi-2/evaluation", EVAL2),
    }
)
PLAN = DataPlan(synthetic_tasks=6, val_fraction=0.2, seed=1)
OPTIONS = PretrainOptions(
    train=TrainOptions(steps=12, batch_size=2, method="full", seed=1, patience=None),
    eval_every=4,
    log_every=2,
)


def test_no_evaluation_task_or_near_copy_goes_in_and_duplicates_go_once():
    data = gather_data(CATALOG, PLAN)
    used = data.train + data.validation
    held = EVAL1 + EVAL2
    assert {t.content_hash() for t in used}.isdisjoint({t.content_hash() for t in held})
    for t in used:
        assert not any(t.fingerprints() & h.fingerprints() for h in held), t.id
    assert not any(t.id.startswith(("t1-copy", "t1-near", "t2-copy")) for t in used)
    counts = {s.source: (s.loaded, s.excluded, s.duplicates) for s in data.sources}
    assert counts == {"arc1-train": (10, 2, 0), "arc2-train": (9, 2, 1), "synthetic": (6, 0, 0)}
    assert data.excluded == 4 and len(used) == 8 + 6 + 6


def test_validation_tasks_are_held_out_whole_from_every_source():
    data = gather_data(CATALOG, PLAN)
    assert {t.id for t in data.train}.isdisjoint({t.id for t in data.validation})
    assert {t.content_hash() for t in data.train}.isdisjoint(
        {t.content_hash() for t in data.validation}
    )
    assert [s.validation for s in data.sources] == [2, 1, 1]  # 20% of 8, 6, 6, at least one
    assert gather_data(CATALOG, PLAN) == data  # seeded
    assert gather_data(CATALOG, replace(PLAN, seed=2)).validation != data.validation


def test_a_training_task_sharing_a_grid_pair_with_a_validation_task_is_left_out():
    twin = near_copy(POOL[20], "twin")  # shares every demonstration but the first
    tasks = (
        renamed(POOL[20], "orig"),
        twin,
        *(renamed(t, f"x{i}") for i, t in enumerate(POOL[21:25])),
    )
    catalog = InMemoryCatalog(
        {
            "arc-agi-1/training": InMemoryTaskSource("arc-agi-1/training", tasks),
            "arc-agi-1/evaluation": InMemoryTaskSource("arc-agi-1/evaluation", EVAL1),
            "arc-agi-2/evaluation": InMemoryTaskSource("arc-agi-2/evaluation", EVAL2),
        }
    )
    dropped = 0
    for seed in range(8):
        data = gather_data(catalog, DataPlan(sources=("arc1-train",), val_fraction=0.3, seed=seed))
        (count,) = data.sources
        assert count.train + count.validation + count.duplicates == count.loaded == 6
        for t in data.train:
            assert not any(t.fingerprints() & v.fingerprints() for v in data.validation)
        dropped += count.duplicates
    assert dropped > 0  # some seed put one twin in validation and dropped the other


def test_sources_are_checked_by_name():
    with pytest.raises(UnknownDatasetError, match="evaluation sets are never pretraining data"):
        DataPlan(sources=("arc1-train", "arc1-eval"))
    with pytest.raises(UnknownDatasetError, match="listed twice: synthetic"):
        DataPlan(sources=("synthetic", "synthetic"))
    only = gather_data(CATALOG, replace(PLAN, sources=("arc2-train",)))
    assert [s.source for s in only.sources] == ["arc2-train"]
    assert only.sources[0].duplicates == 0  # nothing came before it


def run(pretrainer, log, store, *, resume=False, stop=None, data=None, corpus=None, out=None):
    lines: list[str] = []
    use_case = Pretraining(pretrainer, log, say=lines.append, stop_requested=stop)
    request = PretrainRequest(
        OPTIONS, corpus or CorpusOptions(), resume=resume, provenance={"git_commit": "abc"}
    )
    checkpoints = StateCheckpoints(store, "pretrain", SaveSchedule(every_steps=4))
    manifest = use_case.run(data or gather_data(CATALOG, PLAN), request, checkpoints, out)
    return manifest, lines


def test_a_run_writes_the_model_the_metrics_and_the_manifest(tmp_path):
    pretrainer, log = ScriptedPretrainer(), MemoryTrainingLog()
    manifest, lines = run(pretrainer, log, InMemoryCheckpointStore(), out=tmp_path / "m")
    assert (tmp_path / "m" / "config.json").is_file()
    assert [r["step"] for r in log.records()] == [2, 4, 6, 8, 10, 12]
    assert [r["step"] for r in log.records() if r["val_loss"] is not None] == [4, 8, 12]
    assert lines[0].startswith("step 2/12  epoch 0  loss ") and "val " in lines[1]
    assert log.manifest() == manifest
    data, result = manifest["data"], manifest["result"]
    assert data["excluded_tasks"] == 4 and data["duplicate_tasks"] == 1
    assert (data["train_tasks"], data["validation_tasks"]) == (16, 4)
    assert data["held_out"] == ["arc-agi-1/evaluation", "arc-agi-2/evaluation"]
    assert [s["source"] for s in data["sources"]] == ["arc1-train", "arc2-train", "synthetic"]
    assert data["sequences_per_epoch"] == sum(
        len(t.train) + len(t.test_inputs) for t in gather_data(CATALOG, PLAN).train
    )
    assert result["steps"] == 12 and result["stopped_because"] == "steps"
    assert result["model_step"] == 12 and result["validations"][-1][0] == 12
    assert result["val_loss_best"] == min(v for _, v in result["validations"])
    assert result["train_loss_first"] > result["train_loss_last"]
    assert manifest["seed"] == 1 and manifest["provenance"] == {"git_commit": "abc"}
    assert manifest["training"]["steps"] == 12 and manifest["model"]["model_type"] == "scripted"


def test_a_non_main_process_of_a_multi_process_run_writes_nothing(tmp_path):
    log = MemoryTrainingLog()
    log.append({"step": 1, "train_loss": 1.0})  # what the main process logged
    other = ScriptedPretrainer(is_main_process=False)
    manifest, _ = run(other, log, InMemoryCheckpointStore(), out=tmp_path / "m")
    assert manifest["result"]["steps"] == 12  # it trained all the same
    assert not (tmp_path / "m").exists()
    assert log.records() == [{"step": 1, "train_loss": 1.0}] and log.manifest() is None


def test_a_stopped_run_resumes_to_the_same_manifest_and_one_record_per_step(tmp_path):
    whole_log = MemoryTrainingLog()
    whole, _ = run(ScriptedPretrainer(), whole_log, InMemoryCheckpointStore(), out=tmp_path / "a")
    store, log = InMemoryCheckpointStore(), MemoryTrainingLog()
    calls = iter(range(100))
    first, _ = run(
        ScriptedPretrainer(), log, store, stop=lambda: next(calls) >= 7, out=tmp_path / "b"
    )
    assert first["result"]["stopped_because"] == "interrupted" and first["result"]["steps"] == 7
    log.append({"step": 8, "train_loss": 0.0})  # logged by a run killed before saving step 8
    resumed, _ = run(ScriptedPretrainer(), log, store, resume=True, out=tmp_path / "b")
    assert resumed["result"]["resumed_from_step"] == 7
    for key in ("steps", "validations", "model_step", "train_loss_last", "tokens"):
        assert resumed["result"][key] == whole["result"][key]
    assert log.records() == whole_log.records()


def test_a_fresh_run_refuses_a_saved_state_and_a_resume_needs_one(tmp_path):
    store = InMemoryCheckpointStore()
    with pytest.raises(PretrainStateError, match="nothing to resume"):
        run(ScriptedPretrainer(), MemoryTrainingLog(), store, resume=True, out=tmp_path)
    run(ScriptedPretrainer(), MemoryTrainingLog(), store, out=tmp_path)
    with pytest.raises(PretrainStateError, match=r"already holds a pretraining state .*step 12"):
        run(ScriptedPretrainer(), MemoryTrainingLog(), store, out=tmp_path)


def test_no_training_task_is_an_error(tmp_path):
    empty = PretrainData((), (), ())
    with pytest.raises(PretrainDataError, match="no training tasks"):
        run(
            ScriptedPretrainer(),
            MemoryTrainingLog(),
            InMemoryCheckpointStore(),
            data=empty,
            out=tmp_path,
        )


def test_sequences_that_do_not_fit_the_token_limit_are_an_error_naming_it(tmp_path):
    data = gather_data(CATALOG, PLAN)
    with pytest.raises(PretrainDataError, match="no training sequence fits in max_tokens=20"):
        run(
            ScriptedPretrainer(),
            MemoryTrainingLog(),
            InMemoryCheckpointStore(),
            data=data,
            corpus=CorpusOptions(max_tokens=20),
            out=tmp_path,
        )
    big = Task("big", (Example(Grid([[1] * 20] * 20), Grid([[2] * 20] * 20)),), (Grid([[1]]),))
    with_big = replace(data, validation=(big,))
    with pytest.raises(PretrainDataError, match="no sequence of the 1 validation tasks fits"):
        run(
            ScriptedPretrainer(),
            MemoryTrainingLog(),
            InMemoryCheckpointStore(),
            data=with_big,
            corpus=CorpusOptions(max_tokens=300),
            out=tmp_path,
        )


class TimedPretrainer(ScriptedPretrainer):
    """Records the options it was given."""

    def pretrain(self, corpus, options, **kwargs):
        self.given = options
        return super().pretrain(corpus, options, **kwargs)


def test_start_up_and_corpus_building_come_off_the_time_cap(tmp_path):
    clock = FakeClock()

    class SlowLog(MemoryTrainingLog):  # building the corpus and the log take 25 s
        def restart(self) -> None:
            clock.advance(25.0)
            super().restart()

    pretrainer = TimedPretrainer()
    capped = replace(OPTIONS, train=replace(OPTIONS.train, max_seconds=60.0))
    use_case = Pretraining(pretrainer, SlowLog(), clock=clock)
    checkpoints = StateCheckpoints(InMemoryCheckpointStore(), "p", SaveSchedule(every_steps=4))
    request = PretrainRequest(capped, spent_seconds=5.0)  # 5 s of process start-up
    use_case.run(gather_data(CATALOG, PLAN), request, checkpoints, tmp_path)
    # 60 s less start-up, less corpus building, less the reserve for saving the model
    assert pretrainer.given.train.max_seconds == pytest.approx(60.0 - 5.0 - 25.0 - end_reserve(60))
    assert pretrainer.given.train.steps == OPTIONS.train.steps  # nothing else changed
