"""The grid language: every unary operation the search composes, named and priced.

An ``Operation`` maps one grid to one grid, or to ``None`` when it does not apply. The set is
built per task, because color-parametrised operations only make sense for the task's colors.
Costs are the simplicity prior: a program's cost is the sum of its operations' costs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

import numpy as np

from arc_ttt.domain.augmentation import Dihedral
from arc_ttt.domain.search import (
    cleanup,
    colors,
    extents,
    geometry,
    lines,
    markers,
    moves,
    partition,
    regions,
    rings,
    stamps,
)
from arc_ttt.domain.search.cells import Cells
from arc_ttt.domain.search.objects import PICKS, components, label_objects, pick


@dataclass(frozen=True, slots=True)
class Operation:
    """A named grid function with its cost in the simplicity prior."""

    name: str
    apply: Callable[[Cells], Cells | None]
    cost: float = 1.0


def _rigid(d: Dihedral, a: Cells) -> Cells:
    return np.ascontiguousarray(d.apply(a))


def _object(a: Cells, how: str, diagonal: bool, by_color: bool, region: bool) -> Cells | None:
    found = pick(components(a, diagonal=diagonal, by_color=by_color), how)
    if found is None:
        return None
    if region:
        return a[found.top : found.bottom, found.left : found.right]
    return found.image


def _erase_object(a: Cells, how: str, diagonal: bool, by_color: bool) -> Cells | None:
    objs = components(a, diagonal=diagonal, by_color=by_color)
    if len(objs) < 2:
        return None
    found = pick(objs, how)
    if found is None:
        return None
    out = a.copy()
    for y, x in found.cells:
        out[y, x] = 0
    return out


def _parts_then(
    split: Callable[[Cells], list[Cells] | None], then: Callable[[list[Cells] | None], Cells | None]
) -> Callable[[Cells], Cells | None]:
    return lambda a: then(split(a))


_SPLITS: dict[str, Callable[[Cells], list[Cells] | None]] = {
    "lines": partition.split_lines,
    "rows2": partial(partition.split_equal, axis=0),
    "cols2": partial(partition.split_equal, axis=1),
    "quadrants": partition.split_quadrants,
    "squares": partition.split_squares,
}


def _moves_and_marks(ins: list[int], outs: list[int]) -> list[Operation]:
    """Rays, sliding, per-object moves, cleanup, stamps, rings and line painting."""
    ops: list[Operation] = []
    ops += [
        Operation(f"smear({d})", partial(moves.smear, direction=d), 1.2) for d in moves.DIRECTIONS
    ]
    ops += [
        Operation(f"slide({d})", partial(moves.slide_objects, direction=d), 1.2)
        for d in ("down", "up", "left", "right")
    ]
    ops += [Operation(f"slide_to({c})", partial(moves.slide_to, color=c), 1.2) for c in ins]
    ops += [
        Operation(f"slide_to({c},diagonal)", partial(moves.slide_to, color=c, diagonal=True), 1.3)
        for c in ins
    ]
    ops += [
        Operation(f"each_object({d.name.lower()})", partial(moves.per_object, transform=d), 1.3)
        for d in Dihedral
        if d
    ]
    ops.append(Operation("stack_objects", moves.stack_objects, 1.3))
    ops += [Operation(f"drop_small({k})", partial(moves.drop_small, size=k)) for k in (1, 2)]
    ops += [
        Operation(f"bounce({d})", partial(moves.bounce, direction=d), 1.3)
        for d in ("up_right", "up_left", "down_right", "down_left")
    ]
    ops += [
        Operation("opening", cleanup.opening, 1.2),
        Operation("stamp_template", stamps.stamp_template, 1.2),
        Operation("histogram", colors.histogram, 1.3),
        Operation("broadcast_part", partition.broadcast_part, 1.3),
        Operation("block_counts", partition.block_counts, 1.3),
        Operation("keep_unique_cells", extents.keep_unique_cells, 1.2),
        Operation("mirror_about(symmetric)", extents.mirror_about_symmetric, 1.3),
        Operation("repeat_band(down)", extents.repeat_band, 1.2),
        Operation("repeat_band(right)", partial(extents.repeat_band, down=False), 1.2),
        Operation("fill_fullest_blocks", partition.fill_fullest_blocks, 1.3),
    ]
    ops += [
        Operation("ring_reverse", rings.ring_reverse, 1.2),
        Operation("ring_cycle", rings.ring_cycle, 1.2),
        Operation("keep_center(cols)", partial(geometry.keep_center_line, axis="cols"), 1.2),
        Operation("keep_center(rows)", partial(geometry.keep_center_line, axis="rows"), 1.2),
        Operation("corners_overlay", geometry.corners_overlay, 1.3),
        Operation("continue_period(right)", geometry.continue_period, 1.2),
        Operation("continue_period(down)", partial(geometry.continue_period, down=True), 1.2),
    ]
    ops += [
        Operation(
            f"recolor_by_marker({axis})", partial(markers.recolor_by_aligned_marker, axis=axis), 1.3
        )
        for axis in ("cols", "rows")
    ]
    ops += [
        Operation(
            f"smear_alternate({d},{c})", partial(moves.smear_alternate, direction=d, color=c), 1.4
        )
        for d in ("up", "down", "left", "right")
        for c in outs
    ]
    ops += [
        Operation(f"alternate({c})", partial(markers.alternate_in_objects, color=c), 1.3)
        for c in outs
    ]
    ops += [
        Operation(f"center_in_frame({c})", partial(markers.center_in_frame, color=c), 1.3)
        for c in ins
    ]
    ops += [
        Operation(f"diagonal_halo({c})", partial(extents.diagonal_halo, color=c), 1.3) for c in outs
    ]
    ops += [
        Operation(f"fill_largest_rect({c})", partial(extents.fill_largest_empty_rect, color=c), 1.3)
        for c in outs
    ]
    ops += [
        Operation(f"mirror_about({c})", partial(extents.mirror_about, color=c), 1.3) for c in ins
    ]
    ops += [Operation(f"mark_in_box({c})", partial(extents.mark_in_box, color=c), 1.3) for c in ins]
    ops += [
        Operation(f"fill_windows({c})", partial(regions.fill_windows, color=c), 1.2) for c in outs
    ]
    ops += [Operation(f"denoise({c})", partial(cleanup.denoise, color=c), 1.3) for c in ins]
    ops += [
        Operation(f"paint_from_edge({e})", partial(lines.paint_from_edge, edge=e), 1.2)
        for e in lines.EDGES
    ]
    ops += [
        Operation(f"fill_empty_lines({c})", partial(lines.fill_empty_lines, color=c), 1.2)
        for c in outs
    ]
    ops += [
        Operation(
            f"fill_empty_lines({c},inner)",
            partial(lines.fill_empty_lines, color=c, inner=True),
            1.3,
        )
        for c in outs
    ]
    return ops


def operations(
    input_colors: Iterable[int], output_colors: Iterable[int], holes: Iterable[int] = ()
) -> tuple[Operation, ...]:
    """The language instantiated for a task whose grids use these colors.

    ``holes``: colors that mark cells to be filled (in the inputs, never in the outputs).
    """
    ins = sorted(set(input_colors) - {0})
    outs = sorted(set(output_colors) - {0})
    ops: list[Operation] = [Operation(d.name.lower(), partial(_rigid, d)) for d in Dihedral if d]
    ops += [
        Operation("crop", geometry.crop),
        Operation("crop_majority", geometry.crop_majority),
        Operation("dedupe_lines", geometry.dedupe_lines),
        Operation("unrepeat", geometry.unrepeat),
        Operation("rotate_four", geometry.rotate_four),
        Operation("rotate_four(ccw)", partial(geometry.rotate_four, clockwise=False)),
        Operation("shrink", geometry.shrink),
        Operation("extend_edges", geometry.extend_edges),
        Operation("drop_empty_lines", geometry.drop_uniform_lines),
        Operation("mirror_right", geometry.mirror_right),
        Operation("mirror_down", geometry.mirror_down),
        Operation("mirror_four", geometry.mirror_four),
        Operation("mirror_four_inward", geometry.mirror_four_inward, 1.2),
        Operation("majority_cell", colors.majority_cell),
        Operation("minority_cell", colors.minority_cell),
        Operation("hollow", regions.hollow),
        Operation("fill_between", regions.fill_boxes),
        Operation("fill_between(rows)", partial(regions.fill_boxes, axes="rows")),
        Operation("fill_between(cols)", partial(regions.fill_boxes, axes="cols")),
        Operation("fill_between(diagonals)", regions.fill_between_diagonals),
    ]
    ops += [Operation(f"scale_up({k})", partial(geometry.scale_up, k=k)) for k in (2, 3, 4, 5)]
    ops += [Operation(f"scale_down({k})", partial(geometry.scale_down, k=k)) for k in (2, 3, 4, 5)]
    ops += [
        Operation(f"tile({r}x{c})", partial(geometry.tile, rows=r, cols=c))
        for r, c in ((1, 2), (2, 1), (2, 2), (3, 3), (1, 3), (3, 1), (4, 4))
    ]
    ops += [
        Operation(f"half({h})", partial(geometry.half, which=h))
        for h in ("top", "bottom", "left", "right")
    ]
    ops += [
        Operation(f"gravity({d})", partial(regions.gravity, direction=d))
        for d in ("down", "up", "left", "right")
    ]
    ops += [
        Operation(f"lines({d})", partial(regions.lines_from_cells, direction=d), 1.3)
        for d in ("rows", "cols", "both")
    ]
    for hole in sorted({0, *holes}):
        ops += [
            Operation(
                f"symmetrize({s},hole={hole})", partial(regions.symmetrize, kind=s, hole=hole)
            )
            for s in regions.SYMMETRIES
        ]
    for hole in sorted(holes):
        ops.append(
            Operation(
                f"complete_pattern(hole={hole})", partial(regions.complete_pattern, hole=hole)
            )
        )
        ops.append(
            Operation(
                f"pattern_under(hole={hole})", partial(regions.pattern_under_holes, hole=hole)
            )
        )
    ops.append(
        Operation("complete_pattern(hole=0)", partial(regions.complete_pattern, hole=0), 1.2)
    )
    ops.append(Operation("fractal", regions.fractal))
    ops.append(Operation("fractal(inverse)", partial(regions.fractal, inverse=True)))
    for by in ("size_rank", "size"):
        ops.append(Operation(f"label_objects({by})", partial(label_objects, by=by), 1.3))
        ops.append(
            Operation(f"label_objects4({by})", partial(label_objects, by=by, diagonal=False), 1.3)
        )
    ops += _moves_and_marks(ins, outs)
    ops += [Operation(f"keep_color({c})", partial(colors.keep_color, color=c)) for c in ins]
    ops += [Operation(f"drop_color({c})", partial(colors.drop_color, color=c)) for c in ins]
    ops += [Operation(f"paint_all({c})", partial(colors.paint_all, color=c)) for c in outs]
    ops += [Operation(f"fill_enclosed({c})", partial(regions.fill_enclosed, color=c)) for c in outs]
    ops += [Operation(f"outline({c})", partial(regions.outline, color=c)) for c in outs]
    ops += [
        Operation(f"outline8({c})", partial(regions.outline, color=c, diagonal=True), 1.2)
        for c in outs
    ]
    for name, split in _SPLITS.items():
        ops += [
            Operation(
                f"split({name})|{how}", _parts_then(split, partial(partition.combine, how=how)), 1.5
            )
            for how in partition.LOGIC
        ]
        ops += [
            Operation(
                f"split({name})|overlay({top})",
                _parts_then(split, partial(partition.overlay, last_on_top=top)),
                1.5,
            )
            for top in (False, True)
        ]
    ops += [
        Operation(f"split({name})|kron", _parts_then(_SPLITS[name], partition.kron_parts), 1.5)
        for name in ("squares", "rows2", "cols2", "lines")
    ]
    ops += [
        Operation(
            f"split({name})|paint_mask", _parts_then(_SPLITS[name], partition.paint_mask), 1.5
        )
        for name in ("squares", "rows2", "cols2", "lines")
    ]
    for name in ("lines", "squares"):
        ops += [
            Operation(
                f"split({name})|part({how})",
                _parts_then(_SPLITS[name], partial(partition.pick_part, how=how)),
                1.5,
            )
            for how in partition.PART_PICKS
        ]
    ops += [
        Operation("swap_colors", colors.swap_colors),
        Operation("count_cells", colors.count_cells, 1.3),
        Operation("colors_by_count", colors.colors_by_count, 1.3),
        Operation("colors_by_count(row)", partial(colors.colors_by_count, column=False), 1.3),
        Operation("mirror_overlap(down)", geometry.mirror_overlap, 1.2),
        Operation("mirror_overlap(right)", partial(geometry.mirror_overlap, down=False), 1.2),
        Operation("scale_by_colors", geometry.scale_by_colors),
        Operation("fractal(majority)", partial(regions.fractal, color=-1)),
    ]
    ops += [Operation(f"fractal(color={c})", partial(regions.fractal, color=c), 1.2) for c in ins]
    for hole in sorted({0, *holes}):
        ops += [
            Operation(
                f"symmetry_under({s},hole={hole})",
                partial(regions.symmetry_under_holes, kind=s, hole=hole),
                1.3,
            )
            for s in regions.SYMMETRIES
        ]
    for diagonal, by_color in ((True, False), (False, True)):
        tag = ("8" if diagonal else "4") + ("c" if by_color else "")
        for how in PICKS:
            ops.append(
                Operation(
                    f"object{tag}({how})",
                    partial(_object, how=how, diagonal=diagonal, by_color=by_color, region=False),
                    1.5,
                )
            )
            ops.append(
                Operation(
                    f"object_box{tag}({how})",
                    partial(_object, how=how, diagonal=diagonal, by_color=by_color, region=True),
                    1.6,
                )
            )
        for how in ("largest", "smallest"):
            ops.append(
                Operation(
                    f"erase{tag}({how})",
                    partial(_erase_object, how=how, diagonal=diagonal, by_color=by_color),
                    1.6,
                )
            )
    return tuple(ops)
