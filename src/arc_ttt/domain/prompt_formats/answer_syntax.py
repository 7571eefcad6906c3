"""How one format writes an answer grid, and the grammar that follows from it.

An answer is ``open``, then the rows joined by ``row_sep`` (each row's digits joined by
``cell_sep``), then ``close``, then the ``end`` token. Grammar and parsing work on *units*: a
single character, or the whole ``end`` token (a special token such as ``</s>`` or
``<|im_end|>`` is one unit, since a tokenizer keeps it whole).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from arc_ttt.domain.errors import GridDecodeError
from arc_ttt.domain.grid import MAX_SIDE, Grid

DIGITS = tuple(str(d) for d in range(10))
_DIGIT = "<digit>"


@dataclass(frozen=True, slots=True)
class _State:
    """Where an answer prefix stands: in ``part`` (open, cell, after, a literal, done), ``k``
    units into a literal, with ``rows`` rows finished, ``cells`` cells in the current row, and
    the grid's width once the first row ended."""

    part: str
    k: int = 0
    rows: int = 0
    cells: int = 0
    width: int | None = None


@dataclass(frozen=True, slots=True)
class AnswerSyntax:
    """The text of an answer grid: ``open`` + rows joined by ``row_sep`` + ``close`` + ``end``."""

    open: str
    cell_sep: str
    row_sep: str
    close: str
    end: str

    def text(self, grid: Grid) -> str:
        """The whole answer for ``grid``, ``end`` included."""
        return self.grid_text(grid) + self.end

    def grid_text(self, grid: Grid) -> str:
        """``grid`` as this syntax writes it, without ``end``."""
        rows = (self.cell_sep.join(str(c) for c in row) for row in grid.to_lists())
        return self.open + self.row_sep.join(rows) + self.close

    def units(self, text: str) -> list[str]:
        """``text`` cut into units: characters, and each ``end`` token whole."""
        out: list[str] = []
        for i, piece in enumerate(text.split(self.end)):
            if i:
                out.append(self.end)
            out.extend(piece)
        return out

    def unit_set(self) -> frozenset[str]:
        """Every unit an answer can hold (what a tokenizer must keep one token each)."""
        literals = self.open + self.cell_sep + self.row_sep + self.close
        return frozenset((*DIGITS, *literals, self.end))

    def parse(self, text: str) -> Grid:
        """The grid an answer text holds (``end`` and anything after it ignored); raises
        ``GridDecodeError`` naming what is wrong, never anything else."""
        body = text.split(self.end, 1)[0] if self.end else text
        if not body.startswith(self.open):
            raise GridDecodeError(f"answer does not start with {self.open!r}: {body[:20]!r}")
        body = body[len(self.open) :]
        if not body.endswith(self.close):
            raise GridDecodeError(f"answer does not end with {self.close!r}: {body[-20:]!r}")
        body = body[: len(body) - len(self.close)] if self.close else body
        if body == "":
            raise GridDecodeError("answer holds no cell")
        rows = []
        for r, line in enumerate(body.split(self.row_sep)):
            cells = line.split(self.cell_sep) if self.cell_sep else list(line)
            if not cells or any(c not in DIGITS for c in cells):
                raise GridDecodeError(f"row {r} is not a row of digits: {line[:40]!r}")
            rows.append([int(c) for c in cells])
        if len({len(row) for row in rows}) != 1:
            raise GridDecodeError(f"ragged rows: lengths {[len(row) for row in rows]}")
        if len(rows) > MAX_SIDE or len(rows[0]) > MAX_SIDE:
            raise GridDecodeError(f"{len(rows)} x {len(rows[0])} is larger than 30 x 30")
        return Grid(rows)

    def cursor(self) -> AnswerCursor:
        """Where an empty answer stands; ``advance`` it a unit at a time (constrained
        decoding and DFS keep one per hypothesis)."""
        return AnswerCursor(self, frozenset(self._start()))

    def next_units(self, prefix: Sequence[str]) -> frozenset[str]:
        """The units that may follow ``prefix`` (units of an answer so far) in some valid
        answer of at most 30 x 30 cells; empty once the answer is complete or off the grammar."""
        cursor = self.cursor()
        for unit in prefix:
            cursor = cursor.advance(unit)
        return cursor.allowed()

    def complete(self, prefix: Sequence[str]) -> bool:
        """Whether ``prefix`` is a whole answer, ``end`` included."""
        return bool(prefix) and prefix[-1] == self.end and not self.next_units(prefix)

    # --- the automaton -------------------------------------------------------------------

    def _start(self) -> set[_State]:
        return self._settle(_State("open"))

    def _literal(self, name: str) -> list[str]:
        if name == "finish":
            return [*self.close, self.end]
        return list(self.cell_sep if name == "cell_sep" else self.row_sep)

    def _settle(self, state: _State) -> set[_State]:
        """``state`` with empty literals passed through (a state that expects nothing yet)."""
        if state.part == "open" and state.k == len(self.open):
            return {_State("cell", rows=0, cells=0)}
        if state.part in ("cell_sep", "row_sep", "finish"):
            literal = self._literal(state.part)
            if state.k == len(literal):
                return {self._after_literal(state)}
        return {state}

    def _after_literal(self, state: _State) -> _State:
        if state.part == "cell_sep":
            return _State("cell", rows=state.rows, cells=state.cells, width=state.width)
        if state.part == "row_sep":
            width = state.cells if state.width is None else state.width
            return _State("cell", rows=state.rows + 1, cells=0, width=width)
        return _State("done")

    def _moves(self, state: _State) -> Iterable[tuple[str, _State]]:
        """(unit or ``_DIGIT``, next state) pairs out of ``state``."""
        if state.part == "open":
            yield self.open[state.k], next(iter(self._settle(_State("open", state.k + 1))))
            return
        if state.part in ("cell_sep", "row_sep", "finish"):
            literal = self._literal(state.part)
            moved = _State(state.part, state.k + 1, state.rows, state.cells, state.width)
            for s in self._settle(moved):
                yield literal[state.k], s
            return
        if state.part == "cell":
            yield _DIGIT, _State("after", rows=state.rows, cells=state.cells + 1, width=state.width)
            return
        if state.part != "after":
            return  # done
        limit = MAX_SIDE if state.width is None else state.width
        if state.cells < limit:
            sep = _State("cell_sep", 0, state.rows, state.cells, state.width)
            for s in self._settle(sep):
                yield from self._moves(s)
        if state.width is None or state.cells == state.width:
            if state.rows + 1 < MAX_SIDE:
                row = _State("row_sep", 0, state.rows, state.cells, state.width)
                for s in self._settle(row):
                    yield from self._moves(s)
            for s in self._settle(_State("finish", 0, state.rows, state.cells, state.width)):
                yield from self._moves(s)


def _matches(expected: str, unit: str) -> bool:
    return unit in DIGITS if expected == _DIGIT else unit == expected


@dataclass(frozen=True, slots=True)
class AnswerCursor:
    """An answer prefix's place in the grammar: which units may come next, and the place after
    one of them."""

    syntax: AnswerSyntax
    states: frozenset[_State]

    def allowed(self) -> frozenset[str]:
        """The units that may come next; empty when the answer is complete or off the grammar."""
        out: set[str] = set()
        for state in self.states:
            for u, _ in self.syntax._moves(state):
                out.update(DIGITS if u == _DIGIT else (u,))
        return frozenset(out)

    def advance(self, unit: str) -> AnswerCursor:
        moved = {n for s in self.states for u, n in self.syntax._moves(s) if _matches(u, unit)}
        return AnswerCursor(self.syntax, frozenset(moved))

    @property
    def off_grammar(self) -> bool:
        return not self.states

    @property
    def done(self) -> bool:
        """The answer is whole: its end token came."""
        return any(s.part == "done" for s in self.states)
