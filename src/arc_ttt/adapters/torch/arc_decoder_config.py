"""Shape of the built-in decoder, validated up front, stored as ``config.json`` beside its weights."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from arc_ttt.domain.codec import VOCAB_SIZE
from arc_ttt.domain.errors import ModelConfigError

MODEL_TYPE = "arc_decoder"


@dataclass(frozen=True, slots=True)
class ArcDecoderConfig:
    """Sizes of ``ArcDecoder``.

    ``d_model`` is split over ``n_heads`` heads; each head's dimensions are split in three parts
    rotated by row, column and grid index, so a head needs at least 6 dimensions (3 pairs).
    ``d_ff`` is the SwiGLU hidden width (default: 8/3 of ``d_model``, rounded up to a multiple of 8).
    ``rope_theta`` sets the slowest rotation; ARC positions stay below 32, so it is small.
    ``transposed_heads`` heads per layer (None: one, if there are two or more heads) see the
    keys' rows and columns swapped: a query at
    (r, c) then finds the key at (c, r) at a fixed offset, which plain relative positions can
    not express (transposes and rotations otherwise need absolute positions learned in context).
    """

    d_model: int = 128
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int | None = None
    transposed_heads: int | None = None
    rope_theta: float = 100.0
    norm_eps: float = 1e-5
    vocab_size: int = VOCAB_SIZE

    def __post_init__(self) -> None:
        for name in ("d_model", "n_layers", "n_heads"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ModelConfigError(
                    f"ArcDecoderConfig.{name} must be a positive int, got {value!r}"
                )
        if self.d_model % self.n_heads:
            raise ModelConfigError(
                f"ArcDecoderConfig.d_model={self.d_model} is not divisible by n_heads={self.n_heads}"
            )
        head_dim = self.d_model // self.n_heads
        if head_dim % 2 or head_dim < 6:
            raise ModelConfigError(
                f"ArcDecoderConfig: head dim d_model/n_heads={head_dim} must be even and >= 6 "
                "(rotary pairs split over row, column and grid index)"
            )
        if self.d_ff is not None and (not isinstance(self.d_ff, int) or self.d_ff <= 0):
            raise ModelConfigError(
                f"ArcDecoderConfig.d_ff must be a positive int, got {self.d_ff!r}"
            )
        if self.transposed_heads is not None and not 0 <= self.transposed_heads <= self.n_heads:
            raise ModelConfigError(
                f"ArcDecoderConfig.transposed_heads={self.transposed_heads!r} must be in "
                f"0..n_heads={self.n_heads}"
            )
        if not self.rope_theta > 1.0:
            raise ModelConfigError(
                f"ArcDecoderConfig.rope_theta must be > 1, got {self.rope_theta!r}"
            )
        if not self.norm_eps > 0.0:
            raise ModelConfigError(f"ArcDecoderConfig.norm_eps must be > 0, got {self.norm_eps!r}")
        if self.vocab_size != VOCAB_SIZE:
            raise ModelConfigError(
                f"ArcDecoderConfig.vocab_size must be the codec's {VOCAB_SIZE}, got {self.vocab_size!r}"
            )

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    @property
    def heads_transposed(self) -> int:
        """How many heads per layer see the keys transposed."""
        if self.transposed_heads is not None:
            return self.transposed_heads
        return 1 if self.n_heads >= 2 else 0

    @property
    def hidden(self) -> int:
        """The SwiGLU hidden width."""
        if self.d_ff is not None:
            return self.d_ff
        return -(-(8 * self.d_model // 3) // 8) * 8

    def to_json(self) -> dict[str, Any]:
        """The ``config.json`` content, tagged with the model type that ``from_pretrained`` detects."""
        return {"model_type": MODEL_TYPE, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArcDecoderConfig:
        """Parse ``config.json`` content; unknown keys or a foreign model type are errors."""
        data = dict(data)
        model_type = data.pop("model_type", MODEL_TYPE)
        if model_type != MODEL_TYPE:
            raise ModelConfigError(f"config model_type is {model_type!r}, not {MODEL_TYPE!r}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ModelConfigError(f"unknown ArcDecoderConfig keys: {', '.join(unknown)}")
        return cls(**data)
