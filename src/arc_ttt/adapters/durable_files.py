"""Files and folders that survive a kill or a power cut: fsync, atomic rename, flock (POSIX).

A rename or a new folder entry is only durable once the folder holding it is fsynced too, so
every helper here syncs the parent after changing it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from arc_ttt.domain.errors import StoreUnavailableError


def write_tree(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (relative names) under the new folder ``folder``; fsync all of it, and
    ``folder``'s entry in its parent."""
    folder.mkdir(parents=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_synced(path, data, name)
    for sub, _, _ in os.walk(folder, topdown=False):
        fsync_dir(Path(sub))
    fsync_dir(folder.parent)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees all of it or no file at all (a failed
    write, such as on a full disk, removes what it had written)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        _write_synced(tmp, data, path.name)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _write_synced(path: Path, data: bytes, name: str) -> None:
    """``data`` into ``path``, on the disk when this returns; an error names the file ``name``
    (a failed write, such as ENOSPC, carries no file name of its own)."""
    try:
        with open(path, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        raise OSError(e.errno, e.strerror, name) from e


def makedirs(path: Path, root: Path) -> None:
    """Create ``path`` and its missing parents below ``root``, each new entry made durable."""
    missing = []
    while path != root and not path.is_dir():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
        fsync_dir(folder.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_or_none(path: Path) -> bytes | None:
    """The file's bytes, or ``None`` when there is no file at ``path``."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def newest_change(path: Path) -> float:
    """The latest modification time in ``path``'s tree (a write in progress keeps it fresh)."""
    newest = 0.0
    for folder, _, names in os.walk(path):
        for entry in [folder, *(os.path.join(folder, n) for n in names)]:
            with suppress(FileNotFoundError):
                newest = max(newest, os.lstat(entry).st_mtime)
    with suppress(FileNotFoundError):
        newest = max(newest, path.lstat().st_mtime)
    return newest


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (created if missing) across processes.

    flock locks belong to the open file description, so threads of one process that each enter
    here exclude each other too; the kernel drops the lock when its holder dies.
    """
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Turn an ``OSError`` (no space, no permission, ...) into ``StoreUnavailableError``."""
    try:
        yield
    except OSError as e:
        where = f" ({e.filename})" if e.filename else ""
        raise StoreUnavailableError(f"{what}: {e.strerror or e}{where}") from e
