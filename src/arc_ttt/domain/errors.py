"""The library's errors: one root, a few meaningful children.

Every message names what is wrong and where, so a user can fix the input without a debugger.
"""

from __future__ import annotations


class ArcTTTError(Exception):
    """Root of every error arc_ttt raises on purpose."""


class InvalidGridError(ArcTTTError, ValueError):
    """A grid breaks the ARC rules (1..30 x 1..30 cells, colors 0..9, rectangular)."""


class InvalidTaskError(ArcTTTError, ValueError):
    """A task could not be read. Names the file, the task id, the field and the problem."""

    def __init__(
        self, reason: str, *, source: str = "", task_id: str = "", field: str = ""
    ) -> None:
        self.reason = reason
        self.source = source
        self.task_id = task_id
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.task_id:
            where.append(f"task {self.task_id}")
        if self.field:
            where.append(self.field)
        return f"{': '.join(where)}: {self.reason}" if where else self.reason


class UnknownTaskError(ArcTTTError, KeyError):
    """A task id that is not in the collection."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown task"


class UnknownDatasetError(ArcTTTError, ValueError):
    """A dataset name that is neither bundled nor an existing path."""


class InvalidSubmissionError(ArcTTTError, ValueError):
    """A submission file does not follow the ARC Prize 2024/2025 format."""


class GridDecodeError(ArcTTTError, ValueError):
    """Generated tokens do not form a valid grid (ragged rows, stray symbols, no end)."""


class InvalidAugmentationError(ArcTTTError, ValueError):
    """An augmentation that is not invertible (e.g. a color map that is not a bijection)."""


class MissingSolutionsError(ArcTTTError, ValueError):
    """Scoring needs the test outputs, and the dataset does not have them."""


class CheckpointError(ArcTTTError):
    """Root of the checkpoint store's errors."""


class CheckpointNotFoundError(CheckpointError, LookupError):
    """No committed checkpoint under that key (and version)."""


class CheckpointCorruptedError(CheckpointError):
    """A stored checkpoint fails its integrity check. Names the key, version, file and problem."""

    def __init__(self, key: str, version: int, file: str, reason: str) -> None:
        self.key = key
        self.version = version
        self.file = file
        self.reason = reason
        super().__init__(f"checkpoint {key!r} version {version}: {file}: {reason}")


class InvalidCheckpointKeyError(CheckpointError, ValueError):
    """A key or file name that could escape the store's root or is ambiguous (``..``, ``/abs``)."""

    def __init__(self, value: str, reason: str, *, what: str = "key") -> None:
        self.value = value
        self.reason = reason
        self.what = what
        super().__init__(f"invalid checkpoint {what} {value!r}: {reason}")


class InvalidStoreUrlError(CheckpointError, ValueError):
    """A store URL that names no usable store."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"store URL {url!r}: {reason}")


class CheckpointMismatchError(CheckpointError, ValueError):
    """A saved training state that belongs to another run (other parameters, data or options)."""


class InvalidCheckpointDataError(CheckpointError, ValueError):
    """Metadata that is not JSON, or a file whose content is not bytes."""


class StoreUnavailableError(CheckpointError):
    """The store cannot be reached or written (network, permissions, full disk, missing bucket)."""


class ModelError(ArcTTTError):
    """Root of the model adapters' errors (loading, configuring, training, decoding)."""


class ModelLoadError(ModelError):
    """A model folder that cannot be loaded. Names the path and the problem."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot load model from {path}: {reason}")


class ModelConfigError(ModelError, ValueError):
    """A model or adapter setting out of range. Names the setting and its value."""


class UnknownModelError(ModelError, LookupError):
    """A model reference this backend did not issue, or one already released."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown model"


class ModelRuntimeError(ModelError, RuntimeError):
    """The framework failed while training or decoding (out of memory, a device error)."""


class ModelOutOfMemoryError(ModelRuntimeError, MemoryError):
    """Training or decoding ran out of memory (device or host), or passed the memory budget."""


class SolveInterruptedError(ArcTTTError):
    """A stop was requested (SIGINT/SIGTERM) while a task was being solved."""


class ExportError(ModelError):
    """A model that cannot be exported to ONNX. Names the model and the reason."""

    def __init__(self, what: str, reason: str) -> None:
        self.what = what
        self.reason = reason
        super().__init__(f"cannot export {what}: {reason}")


class OnnxModelError(ModelError):
    """An ONNX file that cannot serve: unreadable, corrupted, not exported by arc_ttt, or made for
    another codec or opset. Names the path and the problem."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot use ONNX model {path}: {reason}")


class InferenceRequestError(ArcTTTError, ValueError):
    """One inference request that cannot be served (empty, too long, a bad token); the engine
    goes on serving the next. Names the request and the problem."""


class InvalidCandidatesError(ArcTTTError, ValueError):
    """A candidates file (``submission.json`` or ``arc_ttt.candidates/1``) that cannot be read.
    Names the file, the task id, the field and the problem."""

    def __init__(
        self, reason: str, *, source: str = "", task_id: str = "", field: str = ""
    ) -> None:
        self.reason = reason
        self.source = source
        self.task_id = task_id
        self.field = field
        where = [w for w in (source, f"task {task_id}" if task_id else "", field) if w]
        super().__init__(f"{': '.join(where)}: {reason}" if where else reason)


class RunFolderInUseError(ArcTTTError):
    """Another process is writing the run folder (it holds the folder's lock)."""


class RunFolderWriteError(ArcTTTError):
    """A run folder's file could not be written (disk full, no permission); the file's earlier
    version, if any, is left as it was."""
