"""A fake model for tests and demos: answers by a rule, and records what it was asked.

It serves the Trainer, Generator and Scorer ports without any ML. ``answers(test_input)`` returns
candidate grids with log-probs for the test input of each prompt (in the prompt's own view); the
scorer gives a target the log-prob the rule gave it, else ``miss_logprob``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from arc_ttt.domain.codec import Encoded, Symbol, decode_grid, encode_target
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import (
    Candidate,
    DecodeOptions,
    ModelRef,
    TrainingSequence,
    TrainOptions,
    TrainResult,
)

Answers = Callable[[Grid], Sequence[tuple[Grid, float]]]


@dataclass
class AdaptCall:
    name: str
    sequences: int
    tokens: int
    options: TrainOptions


@dataclass
class ScriptedModel:
    """Fake Trainer + Generator + Scorer with a recorded history."""

    answers: Answers
    miss_logprob: float = -30.0
    invalid_tokens: tuple[int, ...] | None = None  # also emit this invalid generation per prompt
    adapt_calls: list[AdaptCall] = field(default_factory=list)
    released: list[ModelRef] = field(default_factory=list)
    prompts_seen: list[Encoded] = field(default_factory=list)
    live: set[str] = field(default_factory=set)

    def base(self) -> ModelRef:
        return ModelRef("scripted")

    def adapt(
        self,
        base: ModelRef,
        name: str,
        sequences: Sequence[TrainingSequence],
        options: TrainOptions,
    ) -> TrainResult:
        tokens = sum(len(s) for s in sequences)
        self.adapt_calls.append(AdaptCall(name, len(sequences), tokens, options))
        self.live.add(name)
        steps = options.steps if sequences else 0
        return TrainResult(
            ModelRef(base.base, name), steps, tokens, 0.0, (), "steps" if sequences else "no_data"
        )

    def release(self, model: ModelRef) -> None:
        self.released.append(model)
        self.live.discard(model.adapter or "")

    def generate(
        self, model: ModelRef, prompts: Sequence[Encoded], options: DecodeOptions
    ) -> list[list[Candidate]]:
        out = []
        for prompt in prompts:
            self.prompts_seen.append(prompt)
            ranked = sorted(self.answers(test_input_of(prompt)), key=lambda a: -a[1])
            keep = 1 if options.strategy == "greedy" else options.max_candidates
            cands = [Candidate(_target_tokens(g), lp) for g, lp in ranked[:keep]]
            if self.invalid_tokens is not None:
                cands.append(Candidate(self.invalid_tokens, self.miss_logprob, complete=False))
            out.append(cands)
        return out

    def score(
        self, model: ModelRef, prompts: Sequence[Encoded], targets: Sequence[Encoded]
    ) -> list[float]:
        scores = []
        for prompt, target in zip(prompts, targets, strict=True):
            table = dict(self.answers(test_input_of(prompt)))
            scores.append(table.get(decode_grid(target.tokens), self.miss_logprob))
        return scores


def test_input_of(prompt: Encoded) -> Grid:
    """The test input grid of a prompt: the tokens between its last INPUT and OUTPUT markers."""
    tokens = list(prompt.tokens)
    start = len(tokens) - 1 - tokens[::-1].index(Symbol.INPUT)
    return decode_grid([*tokens[start + 1 : -1], int(Symbol.END)])


def _target_tokens(grid: Grid) -> tuple[int, ...]:
    return encode_target(grid, 0).tokens
