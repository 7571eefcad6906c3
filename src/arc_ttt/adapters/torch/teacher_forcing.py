"""Scoring by teacher forcing: one forward pass over prompt + target, summing the log-probs
(over the 16 symbols) the model gives each target token after everything before it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from arc_ttt.adapters.torch.decoding import by_length
from arc_ttt.adapters.torch.symbol_model import SymbolModel
from arc_ttt.adapters.torch.token_batch import padded
from arc_ttt.domain.codec import Encoded


def score(
    model: SymbolModel, prompts: Sequence[Encoded], targets: Sequence[Encoded], batch_size: int
) -> list[float]:
    """Summed log-probability of each target given its prompt; 0.0 for an empty target."""
    joined = [p + t for p, t in zip(prompts, targets, strict=True)]
    results = [0.0] * len(joined)
    for chunk in by_length(joined, batch_size):
        batch = padded([joined[i] for i in chunk], model.device, left=False)
        logprobs = torch.log_softmax(model.logits(batch)[:, :-1].float(), dim=-1)
        for row, i in enumerate(chunk):
            first, n = len(prompts[i]), len(targets[i])
            if n == 0:
                continue
            # Logits at position j predict token j + 1: the target's tokens come from first - 1 on.
            wanted = torch.tensor(targets[i].tokens, device=logprobs.device)[:, None]
            picked = logprobs[row, first - 1 : first - 1 + n].gather(1, wanted)
            results[i] = float(picked.double().sum())
    return results
