"""Any Hugging Face causal LM from a local folder, spoken to in codec symbols.

Each of the 16 symbols maps to one token of the model's tokenizer (through ``SYMBOL_TEXT``);
the model sees 1-D positions, and its logits are narrowed to those 16 tokens, so training and
decoding work over the same vocabulary as the built-in decoder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional

from arc_ttt.adapters.torch.symbol_model import DecodeCache
from arc_ttt.adapters.torch.token_batch import TokenBatch
from arc_ttt.domain.codec import SYMBOL_TEXT, Symbol
from arc_ttt.domain.errors import ModelLoadError

_SYMBOL_NAMES = [str(i) for i in range(10)] + [s.name for s in Symbol]


def symbol_token_ids(tokenizer: Any, folder: str) -> list[int]:
    """The tokenizer's token id for each codec symbol, in symbol order.

    Raises ``ModelLoadError`` naming the symbol whose text is not exactly one known token, or
    two symbols that share a token.
    """
    ids: list[int] = []
    for name, text in zip(_SYMBOL_NAMES, SYMBOL_TEXT, strict=True):
        encoded = list(tokenizer.encode(text, add_special_tokens=False))
        if len(encoded) != 1:
            raise ModelLoadError(
                folder,
                f"symbol {name} (text {text!r}) encodes to {len(encoded)} tokens {encoded}, not 1",
            )
        if encoded[0] == getattr(tokenizer, "unk_token_id", None):
            raise ModelLoadError(folder, f"symbol {name} (text {text!r}) is not in the vocabulary")
        ids.append(int(encoded[0]))
    if len(set(ids)) != len(ids):
        raise ModelLoadError(folder, f"two codec symbols share one token: ids {ids}")
    return ids


PICKLED = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def refuse_unsafe_folder(folder: Path) -> None:
    """Refuse, before anything is read with transformers, a model folder that could run code:
    weights only in pickle formats (``.bin``, ``.pt``, ...; arc_ttt reads safetensors only) or a
    config that needs the folder's own Python code (``auto_map``)."""
    files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    if not any(p.suffix == ".safetensors" for p in files):
        pickled = sorted(p.name for p in files if p.suffix in PICKLED)
        if pickled:
            raise ModelLoadError(
                str(folder),
                f"holds only pickled weights ({', '.join(pickled[:3])}); arc_ttt never unpickles "
                "a model: convert it to safetensors",
            )
    config = folder / "config.json"
    if config.is_file():
        try:
            loaded = json.loads(config.read_text())
        except (OSError, ValueError) as e:
            raise ModelLoadError(str(folder), f"config.json is not readable JSON ({e})") from e
        if isinstance(loaded, dict) and "auto_map" in loaded:
            raise ModelLoadError(
                str(folder),
                "its config.json needs the folder's own Python code (auto_map); arc_ttt never "
                "sets trust_remote_code",
            )


def load_hf_folder(folder: str | Path, dtype: torch.dtype | None = None) -> tuple[nn.Module, Any]:
    """Load model and tokenizer from ``folder`` offline, refusing pickles and remote code."""
    # transformers takes seconds to import; only Hugging Face bases pay for it.
    from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: PLC0415

    path = str(folder)
    refuse_unsafe_folder(Path(folder))
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            path, local_files_only=True, trust_remote_code=False
        )
        model = AutoModelForCausalLM.from_pretrained(
            path,
            local_files_only=True,
            dtype=dtype,
            trust_remote_code=False,
            use_safetensors=True,
        )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        raise ModelLoadError(path, f"{type(e).__name__}: {e}") from e
    return model, tokenizer


def load_hf_causal_lm(
    folder: str | Path, dtype: torch.dtype | None = None
) -> tuple[nn.Module, Any, list[int]]:
    """Load model and tokenizer from ``folder`` offline: (model, tokenizer, symbol token ids)."""
    model, tokenizer = load_hf_folder(folder, dtype)
    return model, tokenizer, symbol_token_ids(tokenizer, str(folder))


class HfCache:
    """A transformers ``DynamicCache`` plus the mask of real tokens it holds (for positions)."""

    def __init__(self, kv: Any) -> None:
        self.kv = kv
        self.mask: Tensor | None = None  # [B, length] bool

    @property
    def length(self) -> int:
        return 0 if self.mask is None else self.mask.shape[1]

    def crop(self, length: int) -> None:
        if not 0 <= length <= self.length:
            raise ValueError(f"cannot crop a cache of {self.length} positions to {length}")
        if length < self.length:
            self.kv.crop(length - self.length)  # a negative count removes that many positions
            assert self.mask is not None
            self.mask = self.mask[:, :length]


class HfSymbolModel:
    """A Hugging Face causal LM (LoRA layers injected or not) as a ``SymbolModel``."""

    def __init__(self, module: nn.Module, symbol_ids: list[int]) -> None:
        self._module = module
        self._ids = torch.tensor(symbol_ids, dtype=torch.long)
        head = module.get_output_embeddings()
        body = module.get_decoder()
        # Project only onto the 16 symbol rows when the head is a plain linear layer: a 100k-token
        # vocabulary would otherwise cost [B, T, 100k] logits per step. Else, full logits.
        plain = (
            type(head) is nn.Linear
            and getattr(module.config, "final_logit_softcapping", None) is None
        )
        self._head: nn.Linear | None = head if plain and body is not module else None
        self._body = body

    @property
    def module(self) -> nn.Module:
        return self._module

    @property
    def device(self) -> torch.device:
        return next(self._module.parameters()).device

    def new_cache(self, batch_size: int, capacity: int) -> DecodeCache:
        from transformers import DynamicCache  # noqa: PLC0415 - see load_hf_causal_lm

        return HfCache(DynamicCache(config=self._module.config))

    def logits(self, batch: TokenBatch, cache: DecodeCache | None = None) -> Tensor:
        ids = self._ids.to(batch.tokens.device)
        input_ids = ids[batch.tokens]
        new_valid = (
            batch.valid
            if batch.valid is not None
            else torch.ones_like(batch.tokens, dtype=torch.bool)
        )
        kwargs: dict[str, Any] = {"input_ids": input_ids}
        if cache is None:
            past = torch.zeros(new_valid.shape[0], 1, dtype=torch.long, device=new_valid.device)
            kwargs["attention_mask"] = None if batch.valid is None else new_valid.long()
            kwargs["use_cache"] = False
        else:
            assert isinstance(cache, HfCache)
            previous = cache.mask if cache.mask is not None else new_valid[:, :0]
            past = previous.sum(dim=1, keepdim=True)
            cache.mask = torch.cat([previous, new_valid], dim=1)
            kwargs.update(
                attention_mask=cache.mask.long(), past_key_values=cache.kv, use_cache=True
            )
        # Padding gets position 0; real tokens count only real tokens before them.
        kwargs["position_ids"] = (past + new_valid.long().cumsum(dim=1) - 1).clamp(min=0)
        if self._head is None:
            return self._module(**kwargs).logits[..., ids]
        hidden = self._body(**kwargs).last_hidden_state
        bias = self._head.bias[ids] if self._head.bias is not None else None
        return functional.linear(hidden, self._head.weight[ids], bias)
