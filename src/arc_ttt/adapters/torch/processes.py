"""``ProcessGroup`` over accelerate's process state: the processes ``accelerate launch`` started
(torch.distributed underneath: gloo on CPUs, NCCL on GPUs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from accelerate import Accelerator
from accelerate.utils import gather_object

from arc_ttt.domain.errors import ModelRuntimeError

T = TypeVar("T")


class AcceleratePeers:
    """The processes of ``accelerator``'s run (one when it was not launched with several)."""

    def __init__(self, accelerator: Accelerator) -> None:
        self._accelerator = accelerator

    @property
    def rank(self) -> int:
        return int(self._accelerator.process_index)

    @property
    def size(self) -> int:
        return int(self._accelerator.num_processes)

    def gather(self, items: Sequence[T]) -> list[T]:
        if self.size == 1:
            return list(items)
        try:
            return list(gather_object(list(items)))
        except RuntimeError as e:
            raise ModelRuntimeError(
                f"gathering results from {self.size} processes failed: {e}"
            ) from e
