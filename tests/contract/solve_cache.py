"""The SolveCache contract: what a solve run relies on to resume and to re-select.

A subclass provides ``cache`` (a fresh, empty ``SolveCache``) and ``damage_newest(cache, key)``,
which breaks the newest kept candidates record of ``key`` the way a killed write or a bad disk
would.
"""

from __future__ import annotations

import pytest

from arc_ttt.ports.solve_cache import SolveCache

KEY = "007bbfb7/0123456789abcdef0123"  # <task id>/<digest>, as cache_key makes them
RECORD = {"format": 1, "task_id": "007bbfb7", "tests": [{"grids": [[[1, 2]]]}], "invalid": 0}
FILES = {"adapter_config.json": b'{"r": 8}', "adapter_model.safetensors": bytes(range(256))}


class SolveCacheContract:
    @pytest.fixture
    def cache(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def damage_newest(self, cache, key: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def test_is_a_solve_cache(self, cache):
        assert isinstance(cache, SolveCache)

    def test_nothing_is_kept_at_first(self, cache):
        assert cache.candidates(KEY) is None
        assert cache.adapter(KEY) is None

    def test_a_kept_record_reads_back_equal(self, cache):
        cache.keep_candidates(KEY, RECORD)
        assert cache.candidates(KEY) == RECORD

    def test_the_newest_record_wins(self, cache):
        cache.keep_candidates(KEY, RECORD)
        newer = {**RECORD, "invalid": 3}
        cache.keep_candidates(KEY, newer)
        assert cache.candidates(KEY) == newer

    def test_keys_do_not_share_records(self, cache):
        other = KEY.replace("0123", "9999", 1)
        cache.keep_candidates(KEY, RECORD)
        assert cache.candidates(other) is None
        cache.keep_candidates(other, {**RECORD, "task_id": "other"})
        assert cache.candidates(KEY) == RECORD

    def test_adapter_files_read_back_byte_for_byte(self, cache):
        cache.keep_adapter(KEY, FILES, {"task_id": "007bbfb7", "steps": 3})
        assert dict(cache.adapter(KEY) or {}) == FILES
        assert cache.candidates(KEY) is None  # adapters and candidates are kept apart

    def test_a_damaged_newest_record_falls_back_to_the_one_before(self, cache):
        cache.keep_candidates(KEY, RECORD)
        cache.keep_candidates(KEY, {**RECORD, "invalid": 3})
        self.damage_newest(cache, KEY)
        assert cache.candidates(KEY) == RECORD

    def test_a_damaged_only_record_reads_as_nothing_kept(self, cache):
        cache.keep_candidates(KEY, RECORD)
        self.damage_newest(cache, KEY)
        assert cache.candidates(KEY) is None
