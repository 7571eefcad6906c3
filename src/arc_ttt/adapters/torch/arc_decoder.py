"""The built-in model: a small pre-norm decoder over the codec's 16 symbols with 3-D rotary positions.

RMSNorm, SwiGLU MLP, causal attention through ``scaled_dot_product_attention``; the projections
carry the Llama names (q_proj ... down_proj) so peft's LoRA finds them. Rotary positions are split
over (row, column, grid index); one head per layer rotates its keys with rows and columns
swapped, which took transposes from unreliable (73-100/100 after 500 steps) to learned in about
150 steps. Saved as ``config.json`` + ``model.safetensors`` (never pickle).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import NamedTuple

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import Tensor, nn
from torch.nn import functional
from torch.utils.checkpoint import checkpoint

from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.grid_rotary import GridRotary
from arc_ttt.adapters.torch.kv_cache import KVCache
from arc_ttt.domain.errors import ModelConfigError, ModelLoadError

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"


def attention_mask(
    new: int, start: int, key_valid: Tensor | None, device: torch.device
) -> tuple[Tensor | None, bool]:
    """(mask, is_causal) for ``new`` queries after ``start`` cached keys; the mask is True where
    a query may look. Without padding the cheap forms suffice (none, or SDPA's own causal mask).
    """
    if key_valid is None and new == 1:
        return None, False
    if key_valid is None and start == 0:
        return None, True
    query = torch.arange(start, start + new, device=device)[:, None]
    key = torch.arange(start + new, device=device)[None, :]
    if key_valid is None:
        return key <= query, False
    # A padding query would see no key at all (NaN); it may see itself, its output is never read.
    allowed = ((key <= query)[None] & key_valid[:, None, :]) | (key == query)[None]
    return allowed[:, None], False


class Rope(NamedTuple):
    """Rotation angles of the current tokens: plain, and with rows and columns swapped."""

    cos: Tensor
    sin: Tensor
    cos_t: Tensor
    sin_t: Tensor


class Attention(nn.Module):
    """Multi-head causal self-attention with grid rotary positions and an optional KV cache."""

    def __init__(self, config: ArcDecoderConfig) -> None:
        super().__init__()
        d, self.heads, self.head_dim = config.d_model, config.n_heads, config.head_dim
        self.plain_heads = config.n_heads - config.heads_transposed
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(
        self,
        x: Tensor,
        rope: Rope,
        mask: tuple[Tensor | None, bool],
        cache: KVCache | None,
        layer: int,
    ) -> Tensor:
        b, t, d = x.shape

        def heads(proj: nn.Module) -> Tensor:
            return proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)

        q = GridRotary.rotate(heads(self.q_proj), rope.cos, rope.sin)
        k = heads(self.k_proj)
        # The last heads rotate their keys transposed (see GridRotary.angles).
        p = self.plain_heads
        k = torch.cat(
            (
                GridRotary.rotate(k[:, :p], rope.cos, rope.sin),
                GridRotary.rotate(k[:, p:], rope.cos_t, rope.sin_t),
            ),
            dim=1,
        )
        v = heads(self.v_proj)
        if cache is not None:
            k, v = cache.write(layer, k, v)
        y = functional.scaled_dot_product_attention(q, k, v, attn_mask=mask[0], is_causal=mask[1])
        return self.o_proj(y.transpose(1, 2).reshape(b, t, d))


class SwiGLU(nn.Module):
    """down(silu(gate(x)) * up(x))."""

    def __init__(self, config: ArcDecoderConfig) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(config.d_model, config.hidden, bias=False)
        self.up_proj = nn.Linear(config.d_model, config.hidden, bias=False)
        self.down_proj = nn.Linear(config.hidden, config.d_model, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.down_proj(functional.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    """Pre-norm residual block: x + attn(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, config: ArcDecoderConfig) -> None:
        super().__init__()
        self.attn_norm = nn.RMSNorm(config.d_model, eps=config.norm_eps)
        self.attn = Attention(config)
        self.mlp_norm = nn.RMSNorm(config.d_model, eps=config.norm_eps)
        self.mlp = SwiGLU(config)

    def forward(
        self,
        x: Tensor,
        rope: Rope,
        mask: tuple[Tensor | None, bool],
        cache: KVCache | None,
        layer: int,
    ) -> Tensor:
        x = x + self.attn(self.attn_norm(x), rope, mask, cache, layer)
        return x + self.mlp(self.mlp_norm(x))


class ArcDecoder(nn.Module):
    """Decoder over codec tokens: logits [B, T, 16] from tokens and (row, col, grid) positions [B, T].

    ``valid`` [B, T] marks real tokens in a left-padded batch (None: no padding). With a
    ``KVCache`` the new tokens follow the cached ones and the cache grows by T.
    """

    def __init__(self, config: ArcDecoderConfig) -> None:
        super().__init__()
        self.arc_config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.d_model)
        self.rotary = GridRotary(config.head_dim, config.rope_theta)
        self.layers = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.norm = nn.RMSNorm(config.d_model, eps=config.norm_eps)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.gradient_checkpointing = False  # a training setting, not part of the config
        self._init_weights()

    @classmethod
    def seeded(cls, config: ArcDecoderConfig, seed: int) -> ArcDecoder:
        """A fresh model whose initial weights depend only on ``config`` and ``seed``."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return cls(config)

    def new_cache(self, capacity: int) -> KVCache:
        """An empty cache sized for ``capacity`` positions (it grows if needed)."""
        return KVCache(self.arc_config.n_layers, capacity)

    def forward(  # noqa: PLR0917 - nn.Module call convention; positions are the model's input
        self,
        tokens: Tensor,
        rows: Tensor,
        cols: Tensor,
        grids: Tensor,
        valid: Tensor | None = None,
        cache: KVCache | None = None,
    ) -> Tensor:
        b, t = tokens.shape
        start = cache.length if cache is not None else 0
        key_valid = cache.begin(t, valid, b, tokens.device) if cache is not None else valid
        mask = attention_mask(t, start, key_valid, tokens.device)
        rope = Rope(
            *self.rotary.angles(rows, cols, grids),
            *self.rotary.angles(rows, cols, grids, transposed=True),
        )
        x = self.embed_tokens(tokens)
        recompute = self.gradient_checkpointing and self.training and cache is None
        for i, block in enumerate(self.layers):
            if recompute:
                # Keep only each block's input; recompute its activations in the backward pass.
                x = checkpoint(block, x, rope, mask, None, i, use_reentrant=False)
            else:
                x = block(x, rope, mask, cache, i)
        if cache is not None:
            cache.advance(t)
        return self.lm_head(self.norm(x))

    def save(self, folder: str | Path) -> None:
        """Write ``config.json`` and ``model.safetensors`` into ``folder`` (created if missing)."""
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        (path / CONFIG_FILE).write_text(json.dumps(self.arc_config.to_json(), indent=2))
        state = {k: v.detach().contiguous().cpu() for k, v in self.state_dict().items()}
        save_file(state, str(path / WEIGHTS_FILE))

    @classmethod
    def load(cls, folder: str | Path) -> ArcDecoder:
        """Read a folder written by ``save``. Raises ``ModelLoadError`` naming the folder."""
        path = Path(folder)
        try:
            config = ArcDecoderConfig.from_json(json.loads((path / CONFIG_FILE).read_text()))
            state = load_file(str(path / WEIGHTS_FILE))
            model = cls(config)
            model.load_state_dict(state, strict=True)
        except (OSError, ValueError, RuntimeError, SafetensorError, ModelConfigError) as e:
            raise ModelLoadError(str(path), f"not a valid arc_decoder folder ({e})") from e
        return model

    def _init_weights(self) -> None:
        # Residual outputs scaled down with depth so the stream's variance stays put (GPT-2).
        residual_std = 0.02 / math.sqrt(2 * self.arc_config.n_layers)
        for name, p in self.named_parameters():
            if p.dim() < 2:
                continue
            std = residual_std if name.endswith(("o_proj.weight", "down_proj.weight")) else 0.02
            nn.init.normal_(p, mean=0.0, std=std)
