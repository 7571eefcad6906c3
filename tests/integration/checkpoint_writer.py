"""A process that saves checkpoints to a store (a folder or an ``s3://`` URL, as ``open_store``
reads it): the victim of the fault tests.

Run as a script (``python checkpoint_writer.py STORE KEY FIRST``) it prints ``ready`` and saves
``content(FIRST)``, ``content(FIRST + 1)``, ... until it is killed. ``save_many`` is the same
work for a ``multiprocessing`` child. Content is a pure function of its number, so a reader can
tell a whole checkpoint from a mix of two.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from arc_ttt.adapters.store_url import open_store

SIZES = {"model.safetensors": 256 * 1024, "optimizer.bin": 64 * 1024, "rng/state.bin": 100}


def content(i: int) -> dict[str, bytes]:
    rng = random.Random(i)
    return {name: rng.randbytes(size) for name, size in SIZES.items()}


def digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def metadata(i: int) -> dict[str, Any]:
    return {"i": i, "digest": digest(content(i))}


def save_many(root: str, key: str, first: int, count: int, start: Any, out: str) -> None:
    """Wait for ``start`` (a barrier), save ``count`` checkpoints, record ``[version, i]`` pairs."""
    store = open_store(root)
    start.wait()
    done = [
        [store.save(key, content(i), metadata(i)).version, i] for i in range(first, first + count)
    ]
    Path(out).write_text(json.dumps(done))


def main(root: str, key: str, first: str) -> None:
    store = open_store(root)
    print("ready", flush=True)
    i = int(first)
    while True:
        store.save(key, content(i), metadata(i))
        i += 1


if __name__ == "__main__":
    main(*sys.argv[1:])
