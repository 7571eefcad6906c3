"""The SolveCache contract for the solve cache on a checkpoint store: in memory and in a folder
(the CLI keeps one in ``RUN/cache``)."""

from __future__ import annotations

import pytest
from solve_cache import SolveCacheContract

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.store_solve_cache import RECORD, StoreSolveCache


def _newest(store, key: str) -> int:
    return max(v.version for v in store.versions(f"candidates/{key}"))


class TestSolveCacheInMemory(SolveCacheContract):
    @pytest.fixture
    def cache(self):
        return StoreSolveCache(InMemoryCheckpointStore())

    def damage_newest(self, cache, key):
        store = cache.store
        version = _newest(store, key)
        data = store.get_raw(f"candidates/{key}", version, RECORD)
        store.put_raw(f"candidates/{key}", version, RECORD, data[: len(data) // 2])


class TestSolveCacheInAFolder(SolveCacheContract):
    @pytest.fixture
    def cache(self, tmp_path):
        return StoreSolveCache(FilesystemCheckpointStore(tmp_path / "cache"))

    def damage_newest(self, cache, key):
        store = cache.store
        path = store.version_path(f"candidates/{key}", _newest(store, key)) / "files" / RECORD
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
