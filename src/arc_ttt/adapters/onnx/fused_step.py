"""The built-in decoder's KV-cache step in the form that exports to a small ONNX graph.

The same function as ``ArcDecoder`` (logits within 1e-4, checked by ``validate``), with the
weights rearranged so ONNX Runtime runs far fewer nodes per decoding step:

- each layer's q, k and v come from one MatMul, and the rotary rotation is two multiplies and an
  add: ``rotate(x W) = (x W) * cos(A) + (x W') * sin(A)`` where ``W'`` is ``W`` with each head's
  halves swapped and the first half negated, and ``A`` holds each output column's angle;
- the angles of every column come from one MatMul of the (row, column, grid) positions against a
  fixed frequency matrix (the transposed heads' keys read rows and columns swapped), shared by
  all layers, as is the additive attention mask;
- the attention scale multiplies the query columns' cosines and sines (once per run, not per layer;
  folded into the query weights instead, it would coarsen their int8 quantization, whose one scale
  per matrix the unscaled key and value weights set), the SwiGLU gate and up projections share
  one MatMul, and RMSNorm is written in the pattern ONNX Runtime fuses into one node.

Parameters are named ``w_<layer>_<part>`` (``initializers``), and so are the exported graph's
initializers: another model of the same configuration fits the same graph by swapping them.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional

from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.grid_rotary import GridRotary, axis_pairs

ROW, COL, GRID = 0, 1, 2


def _swapped(weight: Tensor, heads: int) -> Tensor:
    """Rows of a projection weight [out, in] rearranged per head: (-second half, first half)."""
    out, d_in = weight.shape
    w = weight.reshape(heads, 2, out // heads // 2, d_in)
    return torch.cat((-w[:, 1], w[:, 0]), dim=1).reshape(out, d_in)


def frequencies(config: ArcDecoderConfig) -> Tensor:
    """[3, 2 * d_model]: the angle of each q column (first d_model) and k column (last d_model)
    per unit of row, column and grid position."""
    rotary = GridRotary(config.head_dim, config.rope_theta)
    freqs = (rotary.row_freq, rotary.col_freq, rotary.grid_freq)
    side_r, side_c, _ = axis_pairs(config.head_dim)
    pairs = config.head_dim // 2
    axis = [ROW] * side_r + [COL] * side_c + [GRID] * (pairs - side_r - side_c)
    freq = torch.cat(freqs)
    plain = config.n_heads - config.heads_transposed
    out = torch.zeros(3, 2 * config.d_model)
    for part in range(2):  # 0: queries, 1: keys
        for h in range(config.n_heads):
            for j in range(config.head_dim):
                i = j % pairs
                a = axis[i]
                if part == 1 and h >= plain and a != GRID:
                    a = COL if a == ROW else ROW
                out[a, part * config.d_model + h * config.head_dim + j] = freq[i]
    return out


def fused_state(module: ArcDecoder) -> dict[str, Tensor]:
    """The fused step's parameters, computed from a decoder's weights (float32)."""
    config = module.arc_config
    heads = config.n_heads
    d = config.d_model
    state: dict[str, Tensor] = {
        "embed": module.embed_tokens.weight,
        "freq": frequencies(config),
        # the attention scale on the query columns of the rotation, 1 on the key columns
        "qscale": torch.cat((torch.full((d,), config.head_dim**-0.5), torch.ones(d))),
        "norm": module.norm.weight,
        "lm_head": module.lm_head.weight.T,
    }
    for i, block in enumerate(module.layers):
        a = block.attn
        wq, wk, wv = a.q_proj.weight, a.k_proj.weight, a.v_proj.weight
        qkv = torch.cat((wq, wk, _swapped(wq, heads), _swapped(wk, heads), wv))
        state[f"{i}.attn_norm"] = block.attn_norm.weight
        state[f"{i}.qkv"] = qkv.T
        state[f"{i}.o"] = a.o_proj.weight.T
        state[f"{i}.mlp_norm"] = block.mlp_norm.weight
        state[f"{i}.gate_up"] = torch.cat((block.mlp.gate_proj.weight, block.mlp.up_proj.weight)).T
        state[f"{i}.down"] = block.mlp.down_proj.weight.T
    return {k: v.detach().float().contiguous().cpu() for k, v in state.items()}


def initializers(module: ArcDecoder) -> dict[str, Tensor]:
    """``fused_state`` under the names its tensors take as parameters and graph initializers."""
    return {"w_" + k.replace(".", "_"): v for k, v in fused_state(module).items()}


class FusedStep(nn.Module):
    """(tokens, rows, cols, grids, key_valid, *prefix, *past) -> (logits, *present), the graph
    contract of ``graph``: keys and values of each layer in a read-only prefix and a past that the
    new tokens extend."""

    def __init__(self, module: ArcDecoder) -> None:
        super().__init__()
        config = module.arc_config
        self.d, self.heads, self.head_dim = config.d_model, config.n_heads, config.head_dim
        self.layers, self.hidden, self.eps = config.n_layers, config.hidden, config.norm_eps
        for name, value in initializers(module).items():
            self.register_parameter(name, nn.Parameter(value, False))

    def _p(self, name: str) -> Tensor:
        return getattr(self, "w_" + name.replace(".", "_"))  # type: ignore[no-any-return]

    def _norm(self, x: Tensor, weight: Tensor) -> Tensor:
        # x / sqrt(mean(x^2) + eps) * w: ONNX Runtime's SimplifiedLayerNormalization pattern.
        return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    def _heads(self, x: Tensor) -> Tensor:
        b, t, _ = x.shape
        return x.reshape(b, t, self.heads, self.head_dim).transpose(1, 2)

    def forward(
        self,
        tokens: Tensor,
        rows: Tensor,
        cols: Tensor,
        grids: Tensor,
        key_valid: Tensor,
        *cache: Tensor,
    ) -> tuple[Tensor, ...]:
        n = 2 * self.layers
        prefix, past = cache[:n], cache[n:]
        t = tokens.shape[1]
        fixed = prefix[0].shape[2]
        start = fixed + past[0].shape[2]
        freq = self._p("freq")
        # [B, T, 2d]: q columns, then k columns. Multiplies, not a MatMul: int8 quantization
        # rewrites MatMuls, and positions must stay exact.
        angles = sum(pos.float()[..., None] * freq[a] for a, pos in enumerate((rows, cols, grids)))
        qscale = self._p("qscale")
        cos, sin = angles.cos() * qscale, angles.sin() * qscale
        query = torch.arange(start, start + t, device=tokens.device)[:, None]
        key = torch.arange(start + t, device=tokens.device)[None, :]
        allowed = ((key <= query)[None] & key_valid.bool()[:, None, :]) | (key == query)[None]
        bias = torch.where(allowed, 0.0, float("-inf"))[:, None]  # [B, 1, T, P0 + P1 + T]
        x = functional.embedding(tokens, self._p("embed"))
        present: list[Tensor] = []
        d = self.d
        for i in range(self.layers):
            h = self._norm(x, self._p(f"{i}.attn_norm"))
            qkv = h @ self._p(f"{i}.qkv")
            # Slices, not split: torch.split exports as a sequence of tensors.
            rotated = qkv[..., : 2 * d] * cos + qkv[..., 2 * d : 4 * d] * sin
            q = self._heads(rotated[..., :d])
            k = torch.cat((past[2 * i], self._heads(rotated[..., d:])), dim=2)
            v = torch.cat((past[2 * i + 1], self._heads(qkv[..., 4 * d :])), dim=2)
            present += [k, v]
            # Scores against the prefix and the rest, side by side: the prefix is never copied.
            scores = torch.cat((q @ prefix[2 * i].transpose(2, 3), q @ k.transpose(2, 3)), dim=-1)
            weights = torch.softmax(scores + bias, dim=-1)
            y = weights[..., :fixed] @ prefix[2 * i + 1] + weights[..., fixed:] @ v
            b = y.shape[0]
            x = x + y.transpose(1, 2).reshape(b, t, d) @ self._p(f"{i}.o")
            h = self._norm(x, self._p(f"{i}.mlp_norm"))
            gate_up = h @ self._p(f"{i}.gate_up")
            gate, up = gate_up[..., : self.hidden], gate_up[..., self.hidden :]
            x = x + (torch.sigmoid(gate) * gate * up) @ self._p(f"{i}.down")
        logits = self._norm(x, self._p("norm")) @ self._p("lm_head")
        return (logits, *present)
