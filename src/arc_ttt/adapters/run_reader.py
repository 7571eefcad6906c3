"""Reads a run folder written by ``RunFolder`` back into a ``PastRun``."""

from __future__ import annotations

from pathlib import Path

from arc_ttt.domain.past_run import (
    ENVIRONMENT,
    METRICS,
    RESULTS,
    SETTINGS,
    DamagedRunFileError,
    NotARunFolderError,
    PastRun,
    parse_run,
)


def read_run(folder: Path, *, label: str | None = None) -> PastRun:
    """The run in ``folder``; ``label`` names it in reports (default: the path as given).

    Raises ``NotARunFolderError`` when ``folder`` is missing, not a folder, or holds no finished
    run, and ``DamagedRunFileError`` (with the file's path and line) when a file is unreadable.
    """
    name = label or str(folder)
    if not folder.exists():
        raise NotARunFolderError(f"run folder {name!r} does not exist")
    if not folder.is_dir():
        raise NotARunFolderError(f"{name!r} is a file, not a run folder")
    if not (folder / SETTINGS).is_file():
        raise NotARunFolderError(f"{name!r} is not a run folder (no {SETTINGS})")
    for required in (RESULTS, METRICS):
        if not (folder / required).is_file():
            raise NotARunFolderError(
                f"{name!r} has no {required}: the run has not finished "
                f"(continue it with: arc-ttt solve --resume {folder})"
            )
    env = folder / ENVIRONMENT
    try:
        return parse_run(
            name,
            settings_text=_read(folder / SETTINGS),
            metrics_text=_read(folder / METRICS),
            results_text=_read(folder / RESULTS),
            environment_text=_read(env) if env.is_file() else None,
        )
    except DamagedRunFileError as e:
        raise DamagedRunFileError(str(folder / e.file), e.reason, line=e.line) from e


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise DamagedRunFileError(path.name, f"not UTF-8 text (byte {e.start})") from e
    except OSError as e:
        raise DamagedRunFileError(path.name, f"cannot be read: {e.strerror or e}") from e
