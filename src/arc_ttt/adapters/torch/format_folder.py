"""Which prompt format a Hugging Face model folder speaks, and whether its tokenizer can serve
it: every answer unit one token, no two cells merged into one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from arc_ttt.adapters.torch.arc_decoder_config import MODEL_TYPE as ARC_DECODER_TYPE
from arc_ttt.adapters.torch.hf_causal_lm import refuse_unsafe_folder
from arc_ttt.domain.errors import ModelLoadError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.prompt_formats import (
    FORMAT_FILE,
    FolderFacts,
    PromptFormat,
    Specials,
    detect_format,
    format_named,
)

PROBE = Grid([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]])


def encode(tokenizer: Any, text: str) -> list[int]:
    return [int(i) for i in tokenizer.encode(text, add_special_tokens=False)]


def unit_token_ids(tokenizer: Any, prompt_format: PromptFormat, folder: str) -> dict[str, int]:
    """The token id of every answer unit of ``prompt_format``; a unit that is not one token,
    or a tokenizer that merges units of an answer, raises ``ModelLoadError`` naming it."""
    ids: dict[str, int] = {}
    for unit in sorted(prompt_format.answer.unit_set()):
        encoded = encode(tokenizer, unit)
        if len(encoded) != 1 or encoded[0] == getattr(tokenizer, "unk_token_id", None):
            raise ModelLoadError(
                folder,
                f"the {prompt_format.name} format needs {unit!r} as one token; this tokenizer "
                f"gives {encoded}",
            )
        ids[unit] = encoded[0]
    for text in (prompt_format.target(PROBE), prompt_format.prompt([], PROBE)):
        for token in encode(tokenizer, text):
            piece = tokenizer.decode([token])
            digits = sum(ch.isdigit() for ch in piece)
            if digits and len(piece) > 1:
                raise ModelLoadError(
                    folder,
                    f"this tokenizer merges {piece!r} into one token (id {token}); the "
                    f"{prompt_format.name} format needs one token per cell",
                )
    return ids


def folder_format(folder: Path, tokenizer: Any, name: str | None) -> PromptFormat:
    """The format ``name`` (None: the one ``folder`` speaks, see ``detect_format``), writing the
    tokenizer's own BOS and EOS."""
    if name is None:
        saved = None
        marker = folder / FORMAT_FILE
        if marker.is_file():
            try:
                saved = str(json.loads(marker.read_text())["format"])
            except (OSError, ValueError, KeyError, TypeError) as e:
                raise ModelLoadError(str(folder), f"{FORMAT_FILE} is not readable: {e}") from e
        facts = FolderFacts(
            str(folder),
            saved,
            frozenset(tokenizer.get_vocab()),
            getattr(tokenizer, "chat_template", None),
        )
        name = detect_format(facts)
    specials = Specials(
        getattr(tokenizer, "bos_token", None), getattr(tokenizer, "eos_token", None)
    )
    return format_named(name, specials)


def prompt_format_name(folder: Path, requested: str | None) -> str | None:
    """None for arc_ttt's own decoder folder; else ``requested``, or the format the folder's
    files tell (reading only the tokenizer, not the weights)."""
    from transformers import AutoTokenizer  # noqa: PLC0415 - seconds to import

    try:
        config = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError) as e:
        raise ModelLoadError(str(folder), f"no readable config.json ({e})") from e
    if isinstance(config, dict) and config.get("model_type") == ARC_DECODER_TYPE:
        return None
    if requested is not None:
        return requested
    refuse_unsafe_folder(folder)
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            str(folder), local_files_only=True, trust_remote_code=False
        )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ModelLoadError(str(folder), f"{type(e).__name__}: {e}") from e
    return folder_format(folder, tokenizer, None).name
