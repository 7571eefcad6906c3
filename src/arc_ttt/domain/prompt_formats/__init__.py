"""Prompt formats: how a model reads ARC tasks as text, chosen by name or told by its folder.

``format_named(name, specials)`` builds one; ``detect_format(facts)`` says which one a model
folder speaks, from what the adapter read there (an ``arc_ttt_format.json``, the tokenizer's
vocabulary and chat template), or raises ``PromptFormatError`` saying why it cannot tell.
"""

from __future__ import annotations

from dataclasses import dataclass

from arc_ttt.domain.codec import SYMBOL_TEXT
from arc_ttt.domain.errors import ArcTTTError
from arc_ttt.domain.prompt_formats.answer_syntax import AnswerSyntax
from arc_ttt.domain.prompt_formats.formats import (
    FORMATS,
    ArchitectsFormat,
    ArcTTTFormat,
    MarcFormat,
    NvarcFormat,
    PromptFormat,
    Specials,
    TrainingText,
)

FORMAT_FILE = "arc_ttt_format.json"  # {"format": NAME}, written by arc_ttt beside its models

__all__ = [
    "FORMATS",
    "FORMAT_FILE",
    "AnswerSyntax",
    "ArcTTTFormat",
    "ArchitectsFormat",
    "FolderFacts",
    "MarcFormat",
    "NvarcFormat",
    "PromptFormat",
    "PromptFormatError",
    "Specials",
    "TrainingText",
    "detect_format",
    "format_named",
]


class PromptFormatError(ArcTTTError, ValueError):
    """An unknown format name, or a model folder whose format cannot be told."""


def format_named(name: str, specials: Specials | None = None) -> PromptFormat:
    """The format called ``name`` (one of ``FORMATS``), writing ``specials``."""
    try:
        return FORMATS[name](specials or Specials())
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise PromptFormatError(f"unknown prompt format {name!r}; use one of {known}") from None


@dataclass(frozen=True)
class FolderFacts:
    """What a model folder says about its format: the name in its ``arc_ttt_format.json``
    (None without one), its tokenizer's vocabulary (token strings) and chat template."""

    folder: str
    saved_format: str | None
    vocabulary: frozenset[str]
    chat_template: str | None


ARCHITECTS_MARKS = frozenset(ArchitectsFormat.PREPROMPT + "+/-=")
NVARC_MARKS = frozenset(("<|im_start|>", "<|im_end|>", "user", "assistant"))
SMALL_VOCABULARY = 200  # the cut tokenizers of ARChitects and NVARC keep fewer tokens than this


def detect_format(facts: FolderFacts) -> str:
    """The name of the format ``facts`` describe.

    - the folder's ``arc_ttt_format.json`` wins;
    - a cut vocabulary (under 200 tokens) with digits and Qwen's chat tokens: ``nvarc``;
    - a Llama-3 chat template (``<|start_header_id|>``): ``marc``;
    - a cut vocabulary with digits and every preprompt letter and ``+/-=``: ``architects``;
    - every codec symbol's character a token: ``arc_ttt`` (how arc_ttt always drove a folder);
    - anything else raises ``PromptFormatError`` naming what was seen.
    """
    if facts.saved_format is not None:
        if facts.saved_format not in FORMATS:
            raise PromptFormatError(
                f"{facts.folder}/{FORMAT_FILE}: unknown format {facts.saved_format!r}; "
                f"use one of {', '.join(sorted(FORMATS))}"
            )
        return facts.saved_format
    vocabulary = facts.vocabulary
    digits = all(str(d) in vocabulary for d in range(10))
    small = len(vocabulary) < SMALL_VOCABULARY
    if small and digits and vocabulary >= NVARC_MARKS:
        return NvarcFormat.name
    if facts.chat_template and "<|start_header_id|>" in facts.chat_template:
        return MarcFormat.name
    if small and digits and vocabulary >= ARCHITECTS_MARKS:
        return ArchitectsFormat.name
    if vocabulary >= frozenset(SYMBOL_TEXT):
        return ArcTTTFormat.name
    seen = f"{len(vocabulary)} tokens" + (", a chat template" if facts.chat_template else "")
    raise PromptFormatError(
        f"cannot tell the prompt format of {facts.folder} ({seen}, no {FORMAT_FILE}); "
        f"pass --format {'|'.join(sorted(FORMATS))}"
    )
