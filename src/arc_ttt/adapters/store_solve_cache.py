"""``SolveCache`` on a checkpoint store: every record is a versioned, verified checkpoint."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from arc_ttt.domain.errors import CheckpointNotFoundError
from arc_ttt.ports.checkpoint_store import CheckpointStore

log = logging.getLogger(__name__)
RECORD = "candidates.json"


class StoreSolveCache:
    """Candidates under ``candidates/<key>`` (one JSON file), adapters under ``adapters/<key>``."""

    def __init__(self, store: CheckpointStore) -> None:
        self.store = store

    def _files(self, what: str, key: str) -> Mapping[str, bytes] | None:
        """The files of the newest intact ``<what>/<key>`` version (damaged ones are logged)."""
        try:
            checkpoint, skipped = self.store.load_latest_valid(f"{what}/{key}")
        except CheckpointNotFoundError:
            return None
        for s in skipped:
            log.warning("cached %s %s skipped: %s", what, key, s)
        return checkpoint.files

    def candidates(self, key: str) -> Mapping[str, Any] | None:
        files = self._files("candidates", key)
        if files is None:
            return None
        record: Mapping[str, Any] = json.loads(files[RECORD])
        return record

    def keep_candidates(self, key: str, record: Mapping[str, Any]) -> None:
        data = json.dumps(record, sort_keys=True).encode()
        self.store.save(f"candidates/{key}", {RECORD: data}, {"kind": "candidates"})

    def keep_adapter(
        self, key: str, files: Mapping[str, bytes], metadata: Mapping[str, Any]
    ) -> None:
        self.store.save(f"adapters/{key}", files, {"kind": "adapter", **metadata})

    def adapter(self, key: str) -> Mapping[str, bytes] | None:
        files = self._files("adapters", key)
        return None if files is None else dict(files)
