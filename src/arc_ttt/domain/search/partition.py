"""A grid split into parts: at separator lines or into equal halves; logic and overlays of parts."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import numpy as np

from arc_ttt.domain.search.cells import Cells, is_symmetric, key


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """Maximal [start, end) runs of False."""
    runs, start = [], None
    for i, f in enumerate([*flags, True]):
        if not f and start is None:
            start = i
        elif f and start is not None:
            runs.append((start, i))
            start = None
    return runs


Box = tuple[int, int, int, int]  # top, bottom, left, right (exclusive ends)


def split_lines(a: Cells) -> list[Cells] | None:
    """The parts between full rows/columns of one separator color, in reading order.

    Applies when there is at least one separator and at least two parts.
    """
    boxes = line_boxes(a)
    return None if boxes is None else [a[t:b, c0:c1] for t, b, c0, c1 in boxes]


def line_boxes(a: Cells) -> list[Box] | None:
    """Where ``split_lines`` cuts its parts, in reading order."""
    return _line_boxes(a.shape, a.tobytes())


@lru_cache(maxsize=4096)
def _line_boxes(shape: tuple[int, int], raw: bytes) -> list[Box] | None:
    a = np.frombuffer(raw, dtype=np.uint8).reshape(shape)
    row_uniform = np.all(a == a[:, :1], axis=1)
    col_uniform = np.all(a == a[:1, :], axis=0)
    candidates = set(a[row_uniform, 0].tolist()) | set(a[0, col_uniform].tolist())
    best: tuple[tuple[bool, bool, int], list[Box]] | None = None
    for color in sorted(candidates):
        rows = (row_uniform & (a[:, 0] == color)).tolist()
        cols = (col_uniform & (a[0, :] == color)).tolist()
        if all(rows) or all(cols):
            continue
        boxes = [(r0, r1, c0, c1) for r0, r1 in _runs(rows) for c0, c1 in _runs(cols)]
        if len(boxes) < 2:
            continue
        # separators that cut equal parts, in a color other than background, win
        rank = (len({(b - t, c1 - c0) for t, b, c0, c1 in boxes}) == 1, color != 0, -color)
        if best is None or rank > best[0]:
            best = (rank, boxes)
    return None if best is None else best[1]


def split_equal(a: Cells, axis: int, n: int = 2) -> list[Cells] | None:
    """``n`` equal parts along ``axis`` (0: stacked, 1: side by side), no separator."""
    size = a.shape[axis]
    if size % n or size < n:
        return None
    return list(np.split(a, n, axis=axis))


def split_quadrants(a: Cells) -> list[Cells] | None:
    """The four equal quadrants (reading order); applies to even heights and widths."""
    h, w = a.shape
    if h % 2 or w % 2:
        return None
    return [
        a[: h // 2, : w // 2],
        a[: h // 2, w // 2 :],
        a[h // 2 :, : w // 2],
        a[h // 2 :, w // 2 :],
    ]


def split_squares(a: Cells) -> list[Cells] | None:
    """Square blocks along the longer side, when the longer side is a multiple of the shorter."""
    h, w = a.shape
    if h == w or max(h, w) % min(h, w):
        return None
    n = max(h, w) // min(h, w)
    return list(np.split(a, n, axis=0 if h > w else 1))


LOGIC = ("and", "or", "xor", "nor", "left_only", "right_only")


def combine(parts: list[Cells] | None, how: str, background: int = 0) -> Cells | None:
    """Cell-wise logic of the first two equal-size parts; true cells get color 1, others 0."""
    if not parts or len(parts) != 2 or parts[0].shape != parts[1].shape:
        return None
    p, q = parts[0] != background, parts[1] != background
    result = {
        "and": p & q,
        "or": p | q,
        "xor": p ^ q,
        "nor": ~(p | q),
        "left_only": p & ~q,
        "right_only": q & ~p,
    }[how]
    out: Cells = result.astype(np.uint8)
    return out


def overlay(parts: list[Cells] | None, last_on_top: bool, background: int = 0) -> Cells | None:
    """All equal-size parts stacked, background transparent."""
    if not parts or len({p.shape for p in parts}) != 1:
        return None
    order = parts if last_on_top else parts[::-1]
    out = np.full_like(order[0], background)
    for p in order:
        out = np.where(p != background, p, out).astype(np.uint8)
    return out


PART_PICKS = (
    "most_filled",
    "least_filled",
    "odd_one",
    "most_colors",
    "first",
    "last",
    "symmetric",
    "asymmetric",
)


def pick_part(parts: list[Cells] | None, how: str, background: int = 0) -> Cells | None:
    """One part singled out by ``how`` (one of ``PART_PICKS``); ``None`` on a tie."""
    if not parts:
        return None
    if how == "first":
        return parts[0]
    if how == "last":
        return parts[-1]
    if how == "odd_one":
        counts = Counter(key(p) for p in parts)
        lonely = [p for p in parts if counts[key(p)] == 1]
        return lonely[0] if len(lonely) == 1 and len(parts) > 2 else None
    if how in ("symmetric", "asymmetric"):
        sym = [is_symmetric(p) for p in parts]
        lonely = [p for p, s in zip(parts, sym, strict=True) if s == (how == "symmetric")]
        return lonely[0] if len(lonely) == 1 else None
    if how == "most_colors":
        score = [len(np.unique(p)) for p in parts]
    else:
        score = [int(np.count_nonzero(p != background)) for p in parts]
    best = min(score) if how == "least_filled" else max(score)
    winners = [p for p, s in zip(parts, score, strict=True) if s == best]
    return winners[0] if len(winners) == 1 else None


def broadcast_part(a: Cells, background: int = 0) -> Cells | None:
    """Every part between separator lines becomes a copy of the most filled one (which must be
    the only one that is most filled); applies when all parts have one size."""
    boxes = line_boxes(a)
    if boxes is None or len({(b - t, c1 - c0) for t, b, c0, c1 in boxes}) != 1:
        return None
    filled = [int(np.count_nonzero(a[t:b, c0:c1] != background)) for t, b, c0, c1 in boxes]
    if filled.count(max(filled)) != 1:
        return None
    t0, b0, l0, r0 = boxes[filled.index(max(filled))]
    out = a.copy()
    for t, b, c0, c1 in boxes:
        out[t:b, c0:c1] = a[t0:b0, l0:r0]
    return None if np.array_equal(out, a) else out


def kron_parts(parts: list[Cells] | None, background: int = 0) -> Cells | None:
    """Two equal parts, one of a single color (the mask) and one of several cells (the colors):
    each cell of the color part becomes a block shaped like the mask, in that cell's color."""
    if not parts or len(parts) != 2 or parts[0].shape != parts[1].shape:
        return None
    single = [len(set(np.unique(p).tolist()) - {background}) == 1 for p in parts]
    if single.count(True) != 1:
        return None
    mask = parts[single.index(True)] != background
    colors = parts[single.index(False)]
    h, w = colors.shape
    if h * mask.shape[0] > 30 or w * mask.shape[1] > 30:
        return None
    out: Cells = np.kron(colors, mask).astype(np.uint8)
    return out


def _meta_shape(boxes: list[Box]) -> tuple[int, int]:
    return len({t for t, _, _, _ in boxes}), len({c0 for _, _, c0, _ in boxes})


def block_counts(a: Cells, background: int = 0) -> Cells | None:
    """The grid of blocks between separator lines read as one cell per block: the number of
    non-background cells in it (a color map then names the counts). Applies when every count
    is at most 9."""
    boxes = line_boxes(a)
    if boxes is None:
        return None
    rows, cols = _meta_shape(boxes)
    if rows * cols != len(boxes):
        return None
    counts = [int(np.count_nonzero(a[t:b, c0:c1] != background)) for t, b, c0, c1 in boxes]
    if max(counts) > 9:
        return None
    return np.array(counts, dtype=np.uint8).reshape(rows, cols)


def fill_fullest_blocks(a: Cells, background: int = 0) -> Cells | None:
    """Between separator lines, the blocks with the most non-background cells are filled solid
    with their one color and every other block is cleared; the separators stay."""
    boxes = line_boxes(a)
    if boxes is None:
        return None
    counts = [int(np.count_nonzero(a[t:b, c0:c1] != background)) for t, b, c0, c1 in boxes]
    most = max(counts)
    if most == 0 or all(c == most for c in counts):
        return None
    out = a.copy()
    for (t, b, c0, c1), n in zip(boxes, counts, strict=True):
        block = a[t:b, c0:c1]
        if n == most:
            colors = np.unique(block[block != background])
            if colors.size != 1:
                return None
            out[t:b, c0:c1] = colors[0]
        else:
            out[t:b, c0:c1] = background
    return out


def paint_mask(parts: list[Cells] | None, background: int = 0) -> Cells | None:
    """Of the parts, the one with several colors is a palette and the largest one-color part a
    mask; the mask's cells take the palette's color scaled up to the mask's size."""
    if not parts or len(parts) < 2:
        return None
    colored = [p for p in parts if len(np.unique(p[p != background])) >= 2]
    masks = [p for p in parts if len(np.unique(p[p != background])) == 1]
    if len(colored) != 1 or not masks:
        return None
    palette = colored[0]
    mask = max(masks, key=lambda p: p.size)
    (ph, pw), (mh, mw) = palette.shape, mask.shape
    if mh % ph or mw % pw or mask.size <= palette.size:
        return None
    scaled = np.kron(palette, np.ones((mh // ph, mw // pw), dtype=np.uint8))
    out: Cells = np.where(mask != background, scaled, background).astype(np.uint8)
    return out
