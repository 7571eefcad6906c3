"""The prompt formats of the published ARC models, and arc_ttt's own.

A format turns a task into text: the demonstrations, then the test input, ending exactly where
the answer starts (``prompt``); an answer grid into its text (``target``); a task into a
training text with the character spans the loss covers (``training``); and generated text back
into a grid (``parse``). Text is meant to be tokenized as it is, with no special tokens added
(``add_special_tokens=False``): a format writes its BOS and end tokens itself, with the strings
of the checkpoint's own tokenizer (``Specials``).

Written from the public descriptions and code of each pipeline (see docs/models.md):

- ``architects``: the ARChitects (ARC Prize 2024; the 2025 product-of-experts paper);
- ``marc``: MIT's test-time training (Akyurek et al., 2024), Llama-3 chat;
- ``nvarc``: NVARC (ARC Prize 2025), Qwen chat over a 16-token vocabulary;
- ``arc_ttt``: this library's codec, one character per codec symbol.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from arc_ttt.domain.codec import SYMBOL_TEXT, Symbol
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.prompt_formats.answer_syntax import AnswerSyntax
from arc_ttt.domain.task import Example, Task


@dataclass(frozen=True, slots=True)
class Specials:
    """The special token strings of the checkpoint's tokenizer that a format writes."""

    bos: str | None = None
    eos: str | None = None


@dataclass(frozen=True, slots=True)
class TrainingText:
    """A training sequence: its text and the ``[start, end)`` character spans of the loss."""

    text: str
    loss_spans: tuple[tuple[int, int], ...]

    def loss_text(self) -> str:
        return "".join(self.text[a:b] for a, b in self.loss_spans)


class _Writer:
    """Text built piece by piece, remembering where the pieces the loss covers stand."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int]] = []

    def add(self, text: str, *, loss: bool = False) -> None:
        if loss and text:
            self.spans.append((self.length, self.length + len(text)))
        self.parts.append(text)
        self.length += len(text)

    def done(self) -> TrainingText:
        return TrainingText("".join(self.parts), tuple(self.spans))


class PromptFormat(ABC):
    """One published way to write ARC tasks as text."""

    name: ClassVar[str]

    def __init__(self, specials: Specials | None = None) -> None:
        self.specials = specials or Specials()

    @property
    @abstractmethod
    def answer(self) -> AnswerSyntax:
        """How an answer grid is written (and parsed, and constrained while decoding)."""

    @abstractmethod
    def prompt(self, demonstrations: Sequence[Example], test_input: Grid) -> str:
        """The text before the answer of ``test_input``, after ``demonstrations``."""

    @abstractmethod
    def training(self, demonstrations: Sequence[Example]) -> TrainingText:
        """``demonstrations`` as one training sequence, the loss on the answers it teaches."""

    def task_prompt(self, task: Task, test_index: int = 0) -> str:
        return self.prompt(task.train, task.test_inputs[test_index])

    def target(self, output: Grid) -> str:
        """The answer text for ``output``, its end token included."""
        return self.answer.text(output)

    def parse(self, text: str) -> Grid:
        """The grid in generated ``text``; ``GridDecodeError`` when it holds none."""
        return self.answer.parse(text)


def _rows(grid: Grid, cell_sep: str = "") -> list[str]:
    return [cell_sep.join(str(c) for c in row) for row in grid.to_lists()]


class ArchitectsFormat(PromptFormat):
    """One character per cell, rows joined by newlines; a 48-letter preprompt; each input after
    ``I``, each output after ``\\n+/-=O`` and followed by ``\\n`` and EOS; BOS first. The loss
    covers every output but the first (``mask_first``), with its newline and EOS."""

    name = "architects"
    PREPROMPT = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjklmnpqrstuvwxyz"
    INPUT, OUTPUT = "I", "\n+/-=O"

    def __init__(self, specials: Specials | None = None, *, mask_first: bool = True) -> None:
        super().__init__(specials)
        self.mask_first = mask_first

    @property
    def answer(self) -> AnswerSyntax:
        return AnswerSyntax("", "", "\n", "\n", self.specials.eos or "</s>")

    def _write(self, w: _Writer, demonstrations: Sequence[Example], *, train: bool) -> None:
        w.add((self.specials.bos or "") + self.PREPROMPT)
        for i, ex in enumerate(demonstrations):
            w.add(self.INPUT + "\n".join(_rows(ex.input)) + self.OUTPUT)
            w.add(self.target(ex.output), loss=train and not (self.mask_first and i == 0))

    def prompt(self, demonstrations: Sequence[Example], test_input: Grid) -> str:
        w = _Writer()
        self._write(w, demonstrations, train=False)
        w.add(self.INPUT + "\n".join(_rows(test_input)) + self.OUTPUT)
        return w.done().text

    def training(self, demonstrations: Sequence[Example]) -> TrainingText:
        w = _Writer()
        self._write(w, demonstrations, train=True)
        return w.done()


class MarcFormat(PromptFormat):
    """Llama-3 chat: a system message with the instruction and one ``input -> output#`` line
    per demonstration (grids as numpy prints them), the test input and `` ->`` as the user
    message, the answer ``output#`` from the assistant. Training: the last demonstration is the
    question; the loss covers its answer and (``unmask_outputs``) every demonstration output
    in the system message after the first."""

    name = "marc"
    INSTRUCTION = (
        "Figure out the underlying transformation in the following examples and apply it to the "
        "test case. Here are some examples from this transformation, your answer must follow "
        "the format.\nThe input-output grids are provided as python arrays:\n"
    )
    EOT = "<|eot_id|>"

    def __init__(self, specials: Specials | None = None, *, unmask_outputs: bool = True) -> None:
        super().__init__(specials)
        self.unmask_outputs = unmask_outputs

    @property
    def answer(self) -> AnswerSyntax:
        return AnswerSyntax("[[", " ", "]\n [", "]]#", self.EOT)

    @staticmethod
    def grid_text(grid: Grid) -> str:
        """``str(numpy.array(grid))`` for one-digit cells: ``[[1 2]\\n [3 4]]``."""
        return "[[" + "]\n [".join(_rows(grid, " ")) + "]]"

    def _header(self, role: str) -> str:
        return f"<|start_header_id|>{role}<|end_header_id|>\n\n"

    def _write(
        self, w: _Writer, demonstrations: Sequence[Example], test_input: Grid, *, train: bool
    ) -> None:
        w.add((self.specials.bos or "<|begin_of_text|>") + self._header("system"))
        w.add(self.INSTRUCTION if demonstrations else self.INSTRUCTION.rstrip("\n"))
        for i, ex in enumerate(demonstrations):
            w.add(self.grid_text(ex.input) + " -> ")
            last = i == len(demonstrations) - 1
            w.add(self.grid_text(ex.output) + "#", loss=train and self.unmask_outputs and i > 0)
            w.add("" if last else "\n")  # the template strips the message's last newline
        w.add(self.EOT + self._header("user") + self.grid_text(test_input) + " ->")
        w.add(self.EOT + self._header("assistant"))

    def prompt(self, demonstrations: Sequence[Example], test_input: Grid) -> str:
        w = _Writer()
        self._write(w, demonstrations, test_input, train=False)
        return w.done().text

    def training(self, demonstrations: Sequence[Example]) -> TrainingText:
        *shown, asked = demonstrations
        w = _Writer()
        self._write(w, shown, asked.input, train=True)
        w.add(self.target(asked.output), loss=True)
        return w.done()


class NvarcFormat(PromptFormat):
    """Qwen chat with no BOS and no newline between turns: the input grid as the user turn, the
    output as the assistant's, rows joined by newlines, each turn closed by ``<|im_end|>``. The
    loss covers every assistant turn with its ``<|im_end|>``."""

    name = "nvarc"
    USER, ASSISTANT, END = "<|im_start|>user\n", "<|im_start|>assistant\n", "<|im_end|>"

    @property
    def answer(self) -> AnswerSyntax:
        return AnswerSyntax("", "", "\n", "", self.END)

    def _write(self, w: _Writer, demonstrations: Sequence[Example], *, train: bool) -> None:
        for ex in demonstrations:
            w.add(self.USER + "\n".join(_rows(ex.input)) + self.END + self.ASSISTANT)
            w.add(self.target(ex.output), loss=train)

    def prompt(self, demonstrations: Sequence[Example], test_input: Grid) -> str:
        w = _Writer()
        self._write(w, demonstrations, train=False)
        w.add(self.USER + "\n".join(_rows(test_input)) + self.END + self.ASSISTANT)
        return w.done().text

    def training(self, demonstrations: Sequence[Example]) -> TrainingText:
        w = _Writer()
        self._write(w, demonstrations, train=True)
        return w.done()


class ArcTTTFormat(PromptFormat):
    """This library's codec (``domain/codec.py``) with one character per symbol
    (``SYMBOL_TEXT``): ``^``, then per demonstration ``I`` + input rows + ``O`` + output rows
    + ``.``, each row ended by a newline. The loss covers the outputs and their ``.``."""

    name = "arc_ttt"
    BOS, INPUT, OUTPUT, END = (
        SYMBOL_TEXT[s] for s in (Symbol.BOS, Symbol.INPUT, Symbol.OUTPUT, Symbol.END)
    )
    ROW = SYMBOL_TEXT[Symbol.ROW]

    @property
    def answer(self) -> AnswerSyntax:
        return AnswerSyntax("", "", self.ROW, self.ROW, self.END)

    def _write(self, w: _Writer, demonstrations: Sequence[Example], *, train: bool) -> None:
        w.add(self.BOS)
        for ex in demonstrations:
            w.add(self.INPUT + "".join(r + self.ROW for r in _rows(ex.input)) + self.OUTPUT)
            w.add(self.target(ex.output), loss=train)

    def prompt(self, demonstrations: Sequence[Example], test_input: Grid) -> str:
        w = _Writer()
        self._write(w, demonstrations, train=False)
        w.add(self.INPUT + "".join(r + self.ROW for r in _rows(test_input)) + self.OUTPUT)
        return w.done().text

    def training(self, demonstrations: Sequence[Example]) -> TrainingText:
        w = _Writer()
        self._write(w, demonstrations, train=True)
        return w.done()


FORMATS: dict[str, type[PromptFormat]] = {
    f.name: f for f in (ArcTTTFormat, ArchitectsFormat, MarcFormat, NvarcFormat)
}
