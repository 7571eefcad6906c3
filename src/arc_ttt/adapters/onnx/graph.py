"""The exported graph's contract: input and output names, metadata keys, supported opsets.

One graph serves the prompt and every incremental step: it takes the new tokens with their
(row, column, grid) positions, ``key_valid`` (which of the prefix + past + new positions are real
tokens: 0 for left padding), and each layer's cached keys and values in two segments: a *prefix*
[B, H, P0, head_dim] that the graph only reads (the prompt's, fixed while an answer is decoded)
and a *past* [B, H, P1, head_dim] that it extends. It returns the logits [B, T, 16] and each
layer's present keys and values [B, H, P1 + T, head_dim]: past and new, never the prefix, so a
decoding step copies only what was generated since the prefix was last extended. Either segment
may be empty (P0 = 0 or P1 = 0).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arc_ttt.domain.codec import CODEC_VERSION, SYMBOL_TEXT, VOCAB_SIZE

FORMAT = "arc_ttt.arc_decoder_kv/2"  # /2: the cache in two segments (prefix, past)
POSITION_INPUTS = ("tokens", "rows", "cols", "grids")
KEY_VALID = "key_valid"
LOGITS = "logits"
MIN_OPSET = 18  # the dynamo exporter's floor (onnxscript's torchlib)
MAX_OPSET = 21  # highest tested here; ONNX Runtime 1.19+ runs it
DEFAULT_OPSET = 18

# Metadata keys written into the model (ModelProto.metadata_props).
META_FORMAT = "arc_ttt.format"
META_VERSION = "arc_ttt.version"
META_CODEC = "arc_ttt.codec_version"
META_VOCAB = "arc_ttt.vocabulary"
META_CONFIG = "arc_ttt.model_config"
META_SOURCE = "arc_ttt.source_sha256"
META_OPSET = "arc_ttt.opset"
META_VARIANT = "arc_ttt.variant"  # fp32 | optimized | int8 | fp16


def prefix_names(layers: int) -> list[str]:
    """Read-only prefix key/value input names, layer by layer: prefix_key_0, prefix_value_0, ..."""
    return [f"prefix_{kv}_{i}" for i in range(layers) for kv in ("key", "value")]


def past_names(layers: int) -> list[str]:
    """Past key/value input names, layer by layer: past_key_0, past_value_0, ..."""
    return [f"past_{kv}_{i}" for i in range(layers) for kv in ("key", "value")]


def present_names(layers: int) -> list[str]:
    """Present key/value output names, in the order of ``past_names``."""
    return [f"present_{kv}_{i}" for i in range(layers) for kv in ("key", "value")]


def input_names(layers: int) -> list[str]:
    return [*POSITION_INPUTS, KEY_VALID, *prefix_names(layers), *past_names(layers)]


def output_names(layers: int) -> list[str]:
    return [LOGITS, *present_names(layers)]


@dataclass(frozen=True, slots=True)
class GraphInfo:
    """What an exported model says about itself (its metadata), checked before it serves."""

    format: str
    arc_ttt_version: str
    codec_version: int
    vocabulary: tuple[str, ...]
    config: Mapping[str, Any]
    source_sha256: str
    opset: int
    variant: str

    @property
    def layers(self) -> int:
        return int(self.config["n_layers"])

    @property
    def heads(self) -> int:
        return int(self.config["n_heads"])

    @property
    def head_dim(self) -> int:
        return int(self.config["d_model"]) // self.heads

    def to_metadata(self) -> dict[str, str]:
        return {
            META_FORMAT: self.format,
            META_VERSION: self.arc_ttt_version,
            META_CODEC: str(self.codec_version),
            META_VOCAB: json.dumps(list(self.vocabulary)),
            META_CONFIG: json.dumps(dict(self.config), sort_keys=True),
            META_SOURCE: self.source_sha256,
            META_OPSET: str(self.opset),
            META_VARIANT: self.variant,
        }


def read_graph_info(metadata: Mapping[str, str]) -> GraphInfo:
    """Parse and check the metadata of an exported model. Raises ``ValueError`` naming the first
    missing or incompatible entry (the caller adds the path)."""
    if metadata.get(META_FORMAT) != FORMAT:
        found = metadata.get(META_FORMAT)
        raise ValueError(
            "not exported by arc_ttt (no arc_ttt.format metadata)"
            if found is None
            else f"format {found!r}, this arc_ttt serves {FORMAT!r}"
        )
    try:
        codec = int(metadata[META_CODEC])
        vocabulary = tuple(json.loads(metadata[META_VOCAB]))
        config = json.loads(metadata[META_CONFIG])
        opset = int(metadata[META_OPSET])
        info = GraphInfo(
            metadata[META_FORMAT],
            metadata[META_VERSION],
            codec,
            vocabulary,
            config,
            metadata[META_SOURCE],
            opset,
            metadata.get(META_VARIANT, "fp32"),
        )
        _ = info.layers, info.head_dim
    except (KeyError, ValueError, TypeError) as e:
        raise ValueError(f"damaged arc_ttt metadata ({type(e).__name__}: {e})") from e
    if codec != CODEC_VERSION:
        raise ValueError(
            f"made for codec version {codec}, this arc_ttt uses codec version {CODEC_VERSION}; "
            "export it again with this version"
        )
    if vocabulary != SYMBOL_TEXT or int(config.get("vocab_size", -1)) != VOCAB_SIZE:
        raise ValueError("its vocabulary differs from this codec's 16 symbols")
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise ValueError(f"opset {opset} is outside the supported {MIN_OPSET}..{MAX_OPSET}")
    return info
