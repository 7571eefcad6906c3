"""Candidates from a ``SymbolModel``: batched greedy decoding and threshold depth-first search,
both over a KV cache. Log-probabilities are over the 16 codec symbols.

Generated tokens are fed back at the positions the codec gives an answer's cells (``Cursor``),
so a 3-D model sees its own output exactly as it saw training targets.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from arc_ttt.adapters.torch.options import check_decode_options
from arc_ttt.adapters.torch.symbol_model import SymbolModel
from arc_ttt.adapters.torch.token_batch import padded, step_batch
from arc_ttt.domain.codec import VOCAB_SIZE, Encoded, Symbol, max_target_tokens
from arc_ttt.domain.continuation import Cursor, answer_grid_index
from arc_ttt.domain.errors import ModelConfigError
from arc_ttt.domain.model_io import Candidate, DecodeOptions

END = int(Symbol.END)
_ALL = tuple(range(VOCAB_SIZE))


def _last_logprobs(model: SymbolModel, batch, cache) -> Tensor:  # type: ignore[no-untyped-def]
    return torch.log_softmax(model.logits(batch, cache)[:, -1].float(), dim=-1)


def by_length(prompts: Sequence[Encoded], batch_size: int) -> list[list[int]]:
    """Prompt indices in batches of similar length, so left padding stays short."""
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def _pick(logprobs: Sequence[float], allowed: tuple[int, ...] | None) -> int:
    """The most probable token among ``allowed`` (every symbol when None); the lowest id on a tie,
    like ``argmax``. In Python: for 16 values, cheaper per decoding step than tensor masking."""
    return max(_ALL if allowed is None else allowed, key=logprobs.__getitem__)


def greedy(
    model: SymbolModel,
    prompts: Sequence[Encoded],
    max_new_tokens: int,
    batch_size: int,
    *,
    constrained: bool = True,
    max_seconds: float | None = None,
) -> list[Candidate]:
    """The most probable next symbol at every step, for each prompt; one candidate per prompt.

    A candidate ends at END (``complete``) or after ``max_new_tokens`` (``complete=False``).
    ``constrained``: only symbols that keep the answer a valid grid are chosen (``Cursor.allowed``);
    log-probabilities stay those of the unconstrained model, so a scorer gives the same value.
    """
    results: list[Candidate | None] = [None] * len(prompts)
    deadline = None if max_seconds is None else time.perf_counter() + max_seconds
    for chunk in by_length(prompts, batch_size):
        batch = [prompts[i] for i in chunk]
        found = _greedy_batch(model, batch, max_new_tokens, constrained, deadline)
        for i, candidate in zip(chunk, found, strict=True):
            results[i] = candidate
    return [c for c in results if c is not None]


def _greedy_batch(
    model: SymbolModel,
    prompts: Sequence[Encoded],
    max_new_tokens: int,
    constrained: bool,
    deadline: float | None,
) -> list[Candidate]:
    n = len(prompts)
    if max_new_tokens <= 0 or (deadline is not None and time.perf_counter() >= deadline):
        return [Candidate((), 0.0, complete=False) for _ in prompts]
    batch = padded(prompts, model.device, left=True)
    cache = model.new_cache(n, batch.shape[1] + max_new_tokens)
    grids = [answer_grid_index(p) for p in prompts]
    cursors = [Cursor()] * n
    tokens: list[list[int]] = [[] for _ in prompts]
    scores = [0.0] * n
    done = [False] * n
    logprobs = _last_logprobs(model, batch, cache)
    for step in range(max_new_tokens):
        for row, values in enumerate(logprobs.tolist()):
            if not done[row]:
                token = _pick(values, _rule(cursors[row], constrained))
                tokens[row].append(token)
                scores[row] += values[token]
                done[row] = token == END
        if all(done) or step == max_new_tokens - 1:
            break
        if deadline is not None and time.perf_counter() >= deadline:
            break  # out of time: unfinished answers stay incomplete
        placed = [c.place(t[-1]) for c, t in zip(cursors, tokens, strict=True)]
        cursors = [p[1] for p in placed]
        # Finished rows keep stepping on their END; their outputs are ignored.
        feed = step_batch([t[-1] for t in tokens], [p[0] for p in placed], grids, model.device)
        logprobs = _last_logprobs(model, feed, cache)
    return [
        Candidate(tuple(t), s, complete=d) for t, s, d in zip(tokens, scores, done, strict=True)
    ]


@dataclass(slots=True)
class _Node:
    length: int  # cache positions that hold this node's prefix
    cursor: Cursor
    tokens: tuple[int, ...]
    logprob: float
    children: Iterator[tuple[int, float]]


def _children(
    logprobs: Tensor, logprob: float, floor: float, allowed: tuple[int, ...] | None
) -> Iterator[tuple[int, float]]:
    """Next symbols that keep the cumulative log-prob above ``floor``, most probable first; only
    those in ``allowed`` unless it is None."""
    values, order = torch.sort(logprobs, descending=True, stable=True)
    for token, lp in zip(order.tolist(), values.tolist(), strict=True):
        if logprob + lp < floor:
            return
        if allowed is None or token in allowed:
            yield token, lp


def threshold_dfs(
    model: SymbolModel,
    prompt: Encoded,
    min_prob: float,
    max_candidates: int,
    max_new_tokens: int,
    *,
    constrained: bool = True,
    max_expansions: int | None = None,
    max_seconds: float | None = None,
) -> list[Candidate]:
    """Every completion whose probability is at least ``min_prob`` (ARChitects' search), best first,
    at most ``max_candidates``. Complete candidates only (ending with END). ``constrained``: only
    branches that keep the answer a valid grid (``Cursor.allowed``), as in ``greedy``.
    ``max_expansions`` bounds the model steps and ``max_seconds`` the time; the search then
    returns what it has found.

    Depth first, most probable child first, one cache cropped back at each return to a branch.
    Once ``max_candidates`` are found the floor rises to the worst of them, since nothing below
    it could enter the list.
    """
    floor = math.log(min_prob) if min_prob > 0 else -math.inf
    batch = padded([prompt], model.device, left=True)
    cache = model.new_cache(1, len(prompt) + max_new_tokens)
    grid = answer_grid_index(prompt)
    found: list[tuple[float, tuple[int, ...]]] = []
    root = _last_logprobs(model, batch, cache)[0]
    start = Cursor()
    stack = [
        _Node(cache.length, start, (), 0.0, _children(root, 0.0, floor, _rule(start, constrained)))
    ]
    expansions = 0
    deadline = None if max_seconds is None else time.perf_counter() + max_seconds
    while stack:
        if max_expansions is not None and expansions >= max_expansions:
            break
        if deadline is not None and time.perf_counter() >= deadline:
            break
        node = stack[-1]
        child = next(node.children, None)
        if child is None or node.logprob + child[1] < floor:
            stack.pop()
            continue
        token, lp = child
        tokens, logprob = (*node.tokens, token), node.logprob + lp
        if token == END:
            found.append((logprob, tokens))
            if len(found) >= max_candidates:
                found.sort(key=lambda f: -f[0])
                del found[max_candidates:]
                floor = max(floor, found[-1][0])
            continue
        if len(tokens) >= max_new_tokens:
            continue  # no room left for END: an incomplete answer, dropped
        cache.crop(node.length)
        expansions += 1
        position, cursor = node.cursor.place(token)
        logprobs = _last_logprobs(
            model, step_batch([token], [position], [grid], model.device), cache
        )[0]
        children = _children(logprobs, logprob, floor, _rule(cursor, constrained))
        stack.append(_Node(cache.length, cursor, tokens, logprob, children))
    found.sort(key=lambda f: -f[0])
    return [Candidate(t, lp) for lp, t in found[:max_candidates]]


def _rule(cursor: Cursor, constrained: bool) -> tuple[int, ...] | None:
    return cursor.allowed() if constrained else None


def greedy_stream(
    model: SymbolModel, prompt: Encoded, max_new_tokens: int, *, constrained: bool = True
) -> Iterator[tuple[int, float]]:
    """Greedy decoding of one prompt, yielding each (token, log-probability) as it is chosen; it
    ends after END or ``max_new_tokens`` tokens. The same choices as ``greedy`` on this prompt
    alone. Each model call runs under inference mode on its own, so the caller's thread is never
    left in inference mode between tokens."""
    if max_new_tokens <= 0:
        return
    with torch.inference_mode():
        cache = model.new_cache(1, len(prompt) + max_new_tokens)
        logprobs = _last_logprobs(model, padded([prompt], model.device, left=True), cache)
    grid = answer_grid_index(prompt)
    cursor = Cursor()
    for step in range(max_new_tokens):
        values = logprobs[0].tolist()
        token = _pick(values, _rule(cursor, constrained))
        yield token, values[token]
        if token == END or step == max_new_tokens - 1:
            return
        position, cursor = cursor.place(token)
        with torch.inference_mode():
            feed = step_batch([token], [position], [grid], model.device)
            logprobs = _last_logprobs(model, feed, cache)


def candidates(
    model: SymbolModel, prompts: Sequence[Encoded], options: DecodeOptions
) -> list[list[Candidate]]:
    """Greedy (one candidate per prompt) or threshold-DFS candidates, best first, for any
    ``SymbolModel`` (torch or ONNX Runtime). Raises ``ModelConfigError`` for an option out of
    range or an empty prompt."""
    check_decode_options(options)
    for i, p in enumerate(prompts):
        if len(p) == 0:
            raise ModelConfigError(f"prompt {i} is empty (a prompt starts with BOS)")
    limit = min(options.max_new_tokens, max_target_tokens())
    if options.strategy == "greedy":
        found = greedy(
            model,
            prompts,
            limit,
            options.batch_size,
            constrained=options.constrained,
            max_seconds=options.max_seconds,
        )
        return [[c] for c in found]
    return [
        threshold_dfs(
            model,
            p,
            options.min_prob,
            options.max_candidates,
            limit,
            constrained=options.constrained,
            max_expansions=options.max_expansions,
            max_seconds=options.max_seconds,
        )
        for p in prompts
    ]
