"""The real pretraining data (bundled ARC-AGI-1 and ARC-AGI-2 training plus synthetic tasks): no
ARC-AGI-1 evaluation task, by content hash or as a near copy, and no ARC-AGI-2 evaluation task
is in it; validation tasks share nothing with training tasks."""

import pytest

from arc_ttt import load_tasks
from arc_ttt.adapters.catalog import DatasetCatalog
from arc_ttt.application.pretrain_data import DataPlan, gather_data


@pytest.fixture(scope="module")
def data():
    return gather_data(DatasetCatalog(), DataPlan(synthetic_tasks=40, val_fraction=0.05, seed=0))


def test_no_arc_agi_1_evaluation_task_is_in_the_pretraining_data(data):
    evaluation = load_tasks("arc-agi-1/evaluation")
    hashes = {t.content_hash() for t in evaluation}
    prints = set().union(*(t.fingerprints() for t in evaluation))
    used = data.train + data.validation
    assert not [t.id for t in used if t.content_hash() in hashes]
    assert not [t.id for t in used if t.fingerprints() & prints]
    # ARC-AGI-2 training holds 375 of them (376 with a corrected one): the rule did remove them.
    arc2 = load_tasks("arc-agi-2/training")
    assert sum(t.content_hash() in hashes for t in arc2) == 375
    counts = {s.source: s for s in data.sources}
    assert counts["arc2-train"].excluded == 376 and counts["arc1-train"].excluded == 1


def test_no_arc_agi_2_evaluation_task_is_in_it_either(data):
    evaluation = load_tasks("arc-agi-2/evaluation")
    prints = set().union(*(t.fingerprints() for t in evaluation))
    assert not [t.id for t in data.train + data.validation if t.fingerprints() & prints]


def test_validation_tasks_share_nothing_with_training_tasks(data):
    prints = set().union(*(t.fingerprints() for t in data.validation))
    assert not [t.id for t in data.train if t.fingerprints() & prints]
    assert len(data.validation) == 20 + 12 + 2  # 5% of 399, 233 and 40
    # ARC-AGI-2 training repeats ARC-AGI-1 training: each task goes in once.
    assert len({t.content_hash() for t in data.train + data.validation}) == len(data.train) + 34
