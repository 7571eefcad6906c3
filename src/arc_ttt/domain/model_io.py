"""What crosses the model ports: training sequences, candidates, options and results (no tensors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from arc_ttt.domain.codec import Encoded


@dataclass(frozen=True, slots=True)
class ModelRef:
    """Names a model the model adapter holds: a base (``adapter is None``) or a base + one adapter.

    Opaque to the domain; only the adapter that issued it can use it.
    """

    base: str
    adapter: str | None = None


@dataclass(frozen=True, slots=True)
class TrainingSequence:
    """One training sequence: tokens with 3-D positions; loss where ``loss_mask`` is True."""

    encoded: Encoded
    loss_mask: tuple[bool, ...]

    def __post_init__(self) -> None:
        if len(self.loss_mask) != len(self.encoded):
            raise ValueError(
                f"loss_mask has {len(self.loss_mask)} entries for {len(self.encoded)} tokens"
            )

    def __len__(self) -> int:
        return len(self.encoded)

    @property
    def loss_tokens(self) -> int:
        return sum(self.loss_mask)


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """How one adaptation runs. Validated by the settings layer; plain data here. These defaults
    are the CLI's too (``settings.TTTSettings`` reads them), so a library user and a CLI user
    adapt alike."""

    steps: int = 48
    batch_size: int = 4
    grad_accumulation: int = 1
    learning_rate: float = 2e-3
    warmup_steps: int = 4
    weight_decay: float = 0.0
    max_seconds: float | None = None
    early_stop_loss: float | None = 0.01  # stop once the mean loss of an epoch falls below
    patience: int | None = None  # stop after this many evaluations without improvement
    seed: int = 0
    method: Literal["lora", "full"] = "lora"
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.0
    lora_targets: tuple[str, ...] = ()  # empty: the adapter's default modules
    gradient_checkpointing: bool = False  # recompute activations in backward: less memory


@dataclass(frozen=True, slots=True)
class TrainResult:
    """The adapted model and what the adaptation did."""

    model: ModelRef
    steps: int
    tokens: int  # tokens seen (all positions of all sequences, padding excluded)
    seconds: float
    losses: tuple[float, ...] = ()  # mean loss per optimizer step
    stopped_because: str = "steps"  # steps | time | early_stop | patience | no_data
    resumed_from_step: int = 0  # > 0 when the run continued from a saved training state


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    """How candidates are produced.

    ``greedy``: one candidate per prompt. ``dfs``: every completion whose probability stays above
    ``min_prob`` (ARChitects' threshold search), at most ``max_candidates``, best first.
    ``constrained`` restricts both to answers that form a valid grid (rows of equal width, at
    most 30 x 30, then END); the log-probabilities reported stay those of the model.
    """

    strategy: Literal["greedy", "dfs"] = "greedy"
    min_prob: float = 0.1
    max_candidates: int = 8
    max_new_tokens: int = 931  # a 30 x 30 grid plus END
    batch_size: int = 8
    constrained: bool = True  # only symbols that keep the answer a valid grid
    max_expansions: int = 20_000  # DFS budget: model steps per prompt before the search stops
    max_seconds: float | None = None  # time cap of one generate call (unfinished answers drop)


@dataclass(frozen=True, slots=True)
class Candidate:
    """Generated tokens (ending with END when complete) and their summed log-probability."""

    tokens: tuple[int, ...]
    logprob: float
    complete: bool = True
    extra: dict[str, float] = field(default_factory=dict)
