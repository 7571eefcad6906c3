"""``arc-ttt checkpoints`` use cases on the in-memory store: list, show, verify, prune."""

from __future__ import annotations

import re

import pytest

from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.application import checkpoints as use
from arc_ttt.domain.checkpoint_manifest import MANIFEST_NAME
from arc_ttt.domain.checkpoint_policy import RetentionPolicy
from arc_ttt.domain.errors import (
    CheckpointCorruptedError,
    CheckpointNotFoundError,
    InvalidCheckpointKeyError,
)


@pytest.fixture
def store():
    s = InMemoryCheckpointStore()
    for loss in (0.9, 0.2, 0.5, 0.7):
        s.save("run", {"w": str(loss).encode()}, {"loss": loss})
    s.save("other", {"x": b"1"})
    return s


def flip(store, key, version, name="w"):
    data = bytearray(store.get_raw(key, version, name))
    data[0] ^= 1
    store.put_raw(key, version, name, bytes(data))


def test_list_and_show(store):
    assert [(i.key, i.version) for i in use.list_checkpoints(store)] == [
        ("other", 1),
        ("run", 1),
        ("run", 2),
        ("run", 3),
        ("run", 4),
    ]
    assert [i.version for i in use.list_checkpoints(store, "run")] == [1, 2, 3, 4]
    newest = use.show_checkpoint(store, "run", None)
    assert newest.version == 4
    record = use.info_record(newest, files=True)
    assert record["files"][0]["name"] == "w" and len(record["files"][0]["sha256"]) == 64
    assert record["metadata"] == {"loss": 0.7} and record["size"] == 3


def test_unknown_and_bad_names(store):
    with pytest.raises(CheckpointNotFoundError, match="has no version 9 \\(it has 1, 2, 3, 4\\)"):
        use.show_checkpoint(store, "run", 9)
    with pytest.raises(CheckpointNotFoundError, match="no checkpoint under key 'nope'"):
        use.show_checkpoint(store, "nope", None)
    for call in (use.list_checkpoints, use.verify_checkpoints):
        with pytest.raises(CheckpointNotFoundError, match="'nope'"):
            call(store, "nope")
    with pytest.raises(InvalidCheckpointKeyError, match=re.escape("'..' component")):
        use.list_checkpoints(store, "../etc")


def test_metadata_summary_is_one_sorted_line():
    assert use.metadata_summary({"step": 3, "kind": "adapter", "l": [1, 2]}) == (
        "kind=adapter, l=[1, 2], step=3"
    )
    long = use.metadata_summary({"note": "x" * 200}, width=20)
    assert long == "note=" + "x" * 12 + "..." and len(long) == 20


def test_verify_reports_every_problem(store):
    reports = use.verify_checkpoints(store)
    assert len(reports) == 5 and all(r.ok for r in reports)
    assert [r.version for r in use.verify_checkpoints(store, "run", 3)] == [3]
    flip(store, "run", 2)
    store.put_raw("run", 3, "w", None)
    bad = {
        (r.version, p.file, p.reason)
        for r in use.verify_checkpoints(store, "run")
        for p in r.problems
    }
    assert {(v, f) for v, f, _ in bad} == {(2, "w"), (3, "w")}
    assert any("missing" in reason for _, _, reason in bad)


def test_verify_finds_versions_whose_manifest_is_damaged(store):
    # versions() leaves such a version out; verify must still report it, old or newest.
    store.put_raw("run", 2, MANIFEST_NAME, b"{not json")
    store.put_raw("run", 4, MANIFEST_NAME, b"")
    assert [i.version for i in store.versions("run")] == [1, 3]
    reports = {r.version: r for r in use.verify_checkpoints(store, "run")}
    assert sorted(reports) == [1, 2, 3, 4]
    assert [v for v, r in reports.items() if not r.ok] == [2, 4]
    assert reports[2].problems[0].file == MANIFEST_NAME
    with pytest.raises(CheckpointCorruptedError, match=re.escape("version 2: manifest.json")):
        use.show_checkpoint(store, "run", 2)


def test_verify_a_key_whose_every_manifest_is_damaged(store):
    for version in (1, 2):
        store.save("broken", {"w": b"x"})
        store.put_raw("broken", version, MANIFEST_NAME, b"[]")
    reports = use.verify_checkpoints(store, "broken")
    assert [(r.version, r.ok) for r in reports] == [(1, False), (2, False)]


def test_prune_keeps_last_and_best_and_dry_run_deletes_nothing(store):
    policy = RetentionPolicy(keep_last=1, keep_best=1, metric="loss", mode="min")
    [dry] = use.prune_checkpoints(store, policy, "run", dry_run=True)
    assert (dry.kept, dry.deleted, dry.damaged) == ([2, 4], [1, 3], [])
    assert len(store.versions("run")) == 4
    [done] = use.prune_checkpoints(store, policy, "run")
    assert [i.version for i in store.versions("run")] == [2, 4] == done.kept


def test_prune_every_key_and_mode_max(store):
    policy = RetentionPolicy(keep_last=1, keep_best=1, metric="loss", mode="max")
    results = {r.key: r for r in use.prune_checkpoints(store, policy)}
    assert (results["run"].kept, results["run"].deleted) == ([1, 4], [2, 3])
    assert (results["other"].kept, results["other"].deleted) == ([1], [])


def test_prune_never_keeps_damage_nor_deletes_the_only_valid_version(store):
    flip(store, "run", 4)  # the newest is damaged: v3 is the newest valid one and stays
    [r] = use.prune_checkpoints(store, RetentionPolicy(keep_last=1), "run")
    assert (r.kept, r.deleted, r.damaged) == ([3], [1, 2, 4], [4])
    store.save("lonely", {"w": b"1"})
    flip(store, "lonely", 1)  # nothing valid at all: nothing is touched
    [lonely] = use.prune_checkpoints(store, RetentionPolicy(keep_last=0), "lonely")
    assert (lonely.kept, lonely.deleted, lonely.damaged) == ([1], [], [1])
    assert [i.version for i in store.versions("lonely")] == [1]
