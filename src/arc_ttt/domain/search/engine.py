"""The search: one breadth-first walk over compositions, applied to every grid of a task at once.

A state is the tuple of grids a program made of every demonstration input and test input.
States are deduplicated by content (many programs reach the same grids), each new state is
fitted against the demonstrated outputs (``fitting``), and the most promising states of a
depth are expanded first. The walk stops at ``max_depth``, at the deadline, or when a depth
has given exact fits; what it found so far is always returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from arc_ttt.domain.grid import Grid
from arc_ttt.domain.search import pieces as piece_stack
from arc_ttt.domain.search.cells import MAX_SIDE, Cells, key
from arc_ttt.domain.search.fitting import (
    agreement,
    changes_color,
    count_lookup,
    fits,
    role_color_map,
)
from arc_ttt.domain.search.language import Operation, operations
from arc_ttt.domain.search.program import Finding, Program
from arc_ttt.domain.task import Task

_STATE_OVERHEAD = 400
_MEMO_ENTRIES = 200_000  # cached (operation, grid) results per search
_MISSING = object()  # bytes per stored state besides its cells (tuple, key, bookkeeping)


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """How far and how long to search.

    ``max_depth``: most operations in a program (before the learned final step).
    ``seconds``: wall-clock allowance (``None``: no limit); the deadline passed to ``search``
    wins when it is earlier. ``memory_bytes``: cap on the stored states' estimated size.
    ``local_depth``: deepest state on which the local-rule fitters are tried (they cost most).
    ``max_findings``: distinct findings kept per task.
    """

    max_depth: int = 3
    seconds: float | None = 10.0
    memory_bytes: int = 4 * 1024**3
    local_depth: int = 1
    max_findings: int = 8
    max_pieces: int = 3000

    def __post_init__(self) -> None:
        if self.max_depth < 0:
            raise ValueError(f"max_depth must be >= 0, got {self.max_depth}")
        if self.seconds is not None and self.seconds <= 0:
            raise ValueError(f"seconds must be > 0, got {self.seconds}")
        if self.memory_bytes <= 0:
            raise ValueError(f"memory_bytes must be > 0, got {self.memory_bytes}")


@dataclass
class SearchResult:
    """Findings best first, and what the walk cost."""

    findings: list[Finding]
    states: int = 0
    applications: int = 0
    depth_reached: int = 0
    seconds: float = 0.0
    stopped_because: str = "exhausted"
    notes: list[str] = field(default_factory=list)

    def candidates(self, test_index: int) -> list[tuple[Grid, Finding]]:
        """Distinct grids for one test input, best first, each with the finding that gave it."""
        seen: set[Grid] = set()
        out: list[tuple[Grid, Finding]] = []
        for f in self.findings:
            g = f.outputs[test_index]
            if g not in seen:
                seen.add(g)
                out.append((g, f))
        return out


@dataclass(slots=True)
class _State:
    grids: tuple[Cells, ...]
    keys: tuple[bytes, ...]
    steps: tuple[str, ...]
    cost: float
    promise: float


def fits_side(a: Cells) -> bool:
    """Whether both sides are 1..30."""
    return bool(0 < a.shape[0] <= MAX_SIDE and 0 < a.shape[1] <= MAX_SIDE)


class _Walk:
    """The mutable bookkeeping of one search."""

    def __init__(
        self, task: Task, options: SearchOptions, deadline: float | None, clock: Callable[[], float]
    ):
        self.xs = [ex.input.cells for ex in task.train]
        self.ys = [ex.output.cells for ex in task.train]
        self.tests = [g.cells for g in task.test_inputs]
        self.n_train = len(self.xs)
        self.options = options
        self.deadline = deadline
        self.clock = clock
        in_colors = {int(c) for x in self.xs + self.tests for c in np.unique(x)}
        out_colors = {int(c) for y in self.ys for c in np.unique(y)}
        holes = {
            c for c in in_colors if c not in out_colors and all(c in np.unique(x) for x in self.xs)
        }
        self.ops: tuple[Operation, ...] = operations(in_colors, out_colors, holes)
        self.seen: set[bytes] = set()
        self.memo: dict[tuple[int, bytes], tuple[Cells, bytes] | None] = {}
        self.findings: dict[tuple[bytes, ...], Finding] = {}
        self.partials: list[Finding] = []
        self.pieces: list[piece_stack.Piece] = []
        self.bytes_used = 0
        self.states = 0
        self.applications = 0
        self.out_shapes = [y.shape for y in self.ys]

    def out_of_time(self) -> bool:
        return self.deadline is not None and self.clock() >= self.deadline

    def apply(
        self, state: _State, index: int
    ) -> tuple[tuple[Cells, ...], tuple[bytes, ...]] | None:
        """Operation ``index`` on every grid of the state, with the new grids' keys; None when
        it does not apply to one of them. Results are cached per grid: many states share
        grids (a test input an operation leaves alone, a crop reached two ways)."""
        op = self.ops[index]
        grids: list[Cells] = []
        keys: list[bytes] = []
        for g, k in zip(state.grids, state.keys, strict=True):
            memo = (index, k)
            hit: tuple[Cells, bytes] | None
            if memo in self.memo:
                hit = self.memo[memo]
            else:
                r = op.apply(g)
                legal = r is not None and r.ndim == 2
                hit = (r, key(r)) if r is not None and legal and fits_side(r) else None
                if len(self.memo) < _MEMO_ENTRIES:
                    self.memo[memo] = hit
                    extra = 0 if hit is None else hit[0].nbytes + len(hit[1])
                    self.bytes_used += _STATE_OVERHEAD // 2 + extra
            if hit is None:
                return None
            grids.append(hit[0])
            keys.append(hit[1])
        return tuple(grids), tuple(keys)

    def visit(
        self, grids: tuple[Cells, ...], keys: tuple[bytes, ...], steps: tuple[str, ...], cost: float
    ) -> _State | None:
        """Record a new state (``None`` if seen before) and fit it against the outputs."""
        k = b"|".join(keys)
        if k in self.seen:
            return None
        self.seen.add(k)
        self.states += 1
        self.bytes_used += sum(g.nbytes for g in grids) + len(k) + _STATE_OVERHEAD
        train = grids[: self.n_train]
        shapes_ok = all(g.shape == s for g, s in zip(train, self.out_shapes, strict=True))
        promise = 0.0
        if shapes_ok:
            for fit in fits(
                train,
                self.ys,
                local=len(steps) <= self.options.local_depth,
                tests=grids[self.n_train :],
            ):
                predicted = [fit.predict(t) for t in grids[self.n_train :]]
                if any(
                    p is None
                    or p.ndim != 2
                    or not (0 < p.shape[0] <= MAX_SIDE and 0 < p.shape[1] <= MAX_SIDE)
                    for p in predicted
                ):
                    continue
                program = Program(steps, fit.name, cost + fit.cost)
                self._add(
                    Finding(
                        program,
                        tuple(Grid.from_array(p) for p in predicted if p is not None),
                        "exact",
                    )
                )
            if steps:
                self._mark_changes(grids, steps, cost)
                self._overlay_input(grids, steps, cost)
            self._role_colors(grids, steps, cost)
            promise = agreement(train, self.ys)
            if len(self.partials) < 64 or promise > self.partials[-1].agreement:
                self._partial(grids, steps, cost, promise)
            if len(self.pieces) < self.options.max_pieces and piece_stack.is_piece(grids, self.ys):
                self.pieces.append(piece_stack.Piece(grids, Program(steps).text, cost))
        else:
            # a size closer to the outputs' is a better start than an arbitrary one
            promise = -sum(
                abs(g.shape[0] - s[0]) + abs(g.shape[1] - s[1])
                for g, s in zip(train, self.out_shapes, strict=True)
            ) / (4 * MAX_SIDE * self.n_train)
        return _State(grids, keys, steps, cost, promise)

    def _mark_changes(self, grids: tuple[Cells, ...], steps: tuple[str, ...], cost: float) -> None:
        """The fit 'the program says where, one learned color says what'."""
        color = changes_color(grids[: self.n_train], self.xs, self.ys)
        if color is None:
            return
        predicted = []
        for state, root in zip(grids[self.n_train :], self.tests, strict=True):
            if state.shape != root.shape:
                return
            predicted.append(Grid.from_array(np.where(state != root, np.uint8(color), root)))
        program = Program(steps, f"mark_changes({color})", cost + 1.0)
        self._add(Finding(program, tuple(predicted), "exact"))

    def _overlay_input(self, grids: tuple[Cells, ...], steps: tuple[str, ...], cost: float) -> None:
        """The fit 'the input drawn back over what the program made': where the input is not
        background it wins, elsewhere the program's cells stay."""
        differs = False
        for state, root, y in zip(grids[: self.n_train], self.xs, self.ys, strict=True):
            if state.shape != root.shape:
                return
            drawn = np.where(root != 0, root, state)
            if not np.array_equal(drawn, y):
                return
            differs = differs or not np.array_equal(state, y)
        if not differs:
            return
        predicted = []
        for state, root in zip(grids[self.n_train :], self.tests, strict=True):
            if state.shape != root.shape:
                return
            predicted.append(Grid.from_array(np.where(root != 0, root, state)))
        program = Program(steps, "overlay_input", cost + 0.8)
        self._add(Finding(program, tuple(predicted), "exact"))

    def lookup_counts(self) -> None:
        found = count_lookup(self.xs, self.ys, self.tests)
        if found is not None:
            text, outputs = found
            program = Program((), text, 3.0)
            self._add(Finding(program, tuple(Grid.from_array(o) for o in outputs), "exact"))

    def _role_colors(self, grids: tuple[Cells, ...], steps: tuple[str, ...], cost: float) -> None:
        found = role_color_map(
            grids[: self.n_train], self.xs, self.ys, grids[self.n_train :], self.tests
        )
        if found is not None:
            text, outputs = found
            program = Program(steps, text, cost + 1.0)
            self._add(Finding(program, tuple(Grid.from_array(o) for o in outputs), "exact"))

    def _add(self, finding: Finding) -> None:
        k = tuple(key(g.cells) for g in finding.outputs)
        old = self.findings.get(k)
        if old is None or finding.rank_key < old.rank_key:
            self.findings[k] = finding

    def _partial(
        self, grids: tuple[Cells, ...], steps: tuple[str, ...], cost: float, promise: float
    ) -> None:
        tests = grids[self.n_train :]
        finding = Finding(
            Program(steps, "", cost), tuple(Grid.from_array(t) for t in tests), "partial", promise
        )
        self.partials.append(finding)
        self.partials.sort(key=lambda f: f.rank_key)
        del self.partials[64:]

    def over_memory(self) -> bool:
        return self.bytes_used >= self.options.memory_bytes

    def stacked(self) -> Finding | None:
        chosen = piece_stack.stack(self.pieces, self.ys)
        if not chosen:  # None: no cover; []: nothing to cover (all-background outputs)
            return None
        outputs = []
        for i in range(self.n_train, self.n_train + len(self.tests)):
            outputs.append(Grid.from_array(piece_stack.overlay(chosen, i)))
        text = " + ".join(f"({p.text})" for p in chosen)
        cost = sum(p.cost for p in chosen) + 1.0 * (len(chosen) - 1)
        return Finding(Program((text,), "", cost), tuple(outputs), "pieces")


def search(
    task: Task,
    options: SearchOptions | None = None,
    *,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SearchResult:
    """Search programs that map each demonstration input to its output; test outputs unused.

    ``deadline``: a ``clock()`` time at which to stop with what was found. Never raises on a
    valid task.
    """
    options = options or SearchOptions()
    start = clock()
    if options.seconds is not None:
        own = start + options.seconds
        deadline = own if deadline is None else min(deadline, own)
    walk = _Walk(task, options, deadline, clock)
    root_grids = tuple(walk.xs + walk.tests)
    root = walk.visit(root_grids, tuple(key(g) for g in root_grids), (), 0.0)
    walk.lookup_counts()
    frontier: list[_State] = [root] if root is not None else []
    stopped = "exhausted"
    depth_reached = 0
    for depth in range(1, options.max_depth + 1):
        # branch and bound on the simplicity prior: every operation costs at least 1, so a
        # program of ``depth`` operations cannot beat a finding that costs ``depth`` or less
        if walk.findings and min(f.program.cost for f in walk.findings.values()) <= depth:
            stopped = "solved"
            break
        frontier.sort(key=lambda s: (-s.promise, s.cost))
        next_frontier: list[_State] = []
        stop = None
        for state in frontier:
            for index, op in enumerate(walk.ops):
                if walk.out_of_time():
                    stop = "deadline"
                    break
                walk.applications += 1
                applied = walk.apply(state, index)
                if applied is None:
                    continue
                new = walk.visit(*applied, (*state.steps, op.name), state.cost + op.cost)
                if new is not None and depth < options.max_depth and not walk.over_memory():
                    next_frontier.append(new)
            if stop:
                break
            if walk.over_memory() and stop is None:
                stop = "memory"
        depth_reached = depth
        frontier = next_frontier
        if stop:
            stopped = stop
            break
    findings = sorted(walk.findings.values(), key=lambda f: f.rank_key)
    if not findings:
        stacked = walk.stacked()
        if stacked is not None:
            findings.append(stacked)
    findings = findings[: options.max_findings]
    seen = {tuple(g for g in f.outputs) for f in findings}
    for p in walk.partials:
        if len(findings) >= options.max_findings + 2:
            break
        if p.outputs not in seen:
            seen.add(p.outputs)
            findings.append(p)
    return SearchResult(
        findings,
        states=walk.states,
        applications=walk.applications,
        depth_reached=depth_reached,
        seconds=clock() - start,
        stopped_because=stopped,
    )
