"""Pictures of grids and tasks: PNGs (Pillow) decode to the right pixels, SVGs parse to the right
cells."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image as PILImage

from arc_ttt.adapters.png import PillowPng, grid_png, task_png
from arc_ttt.application.show import render_task
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.picture import (
    FRAME,
    PALETTE,
    grid_raster,
    grid_svg,
    palette_rgb,
    task_raster,
    task_svg,
)
from arc_ttt.domain.task import Example, Task

SVG = "{http://www.w3.org/2000/svg}"
SIGNATURE = b"\x89PNG\r\n\x1a\n"
GREEN, RED = (0x2E, 0xCC, 0x40), (0xFF, 0x41, 0x36)
GREY, WHITE = (0x55, 0x55, 0x55), (0xFF, 0xFF, 0xFF)


def rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(bytes.fromhex(hex_color[1:]))  # type: ignore[return-value]


def decode_png(data: bytes) -> np.ndarray:
    """The pixels of PNG bytes, read back by Pillow: 8-bit RGB expected."""
    assert data[:8] == SIGNATURE
    with PILImage.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        return np.asarray(image).copy()


def cell_center(r: int, c: int, cell: int, line: int) -> tuple[int, int]:
    return line + r * (cell + line) + cell // 2, line + c * (cell + line) + cell // 2


def frame_interior(image: np.ndarray, color: tuple[int, int, int]) -> np.ndarray:
    """What the frame of ``color`` surrounds (the image must hold that color nowhere else)."""
    ys, xs = np.nonzero((image == color).all(axis=2))
    assert len(ys), f"no pixel of color {color}"
    return image[ys.min() + FRAME : ys.max() + 1 - FRAME, xs.min() + FRAME : xs.max() + 1 - FRAME]


def positions(image: np.ndarray, sub: np.ndarray) -> list[tuple[int, int]]:
    """Top-left corners where ``sub`` appears in ``image``."""
    windows = np.lib.stride_tricks.sliding_window_view(image, sub.shape)[:, :, 0]
    hits = (windows == sub).all(axis=(2, 3, 4))
    return [(int(y), int(x)) for y, x in zip(*np.nonzero(hits), strict=True)]


ALL_COLORS = Grid([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])
# the task avoids colors 2 and 3 so the red and green frames are the only pixels of those colors
DEMO_IN, DEMO_OUT = Grid([[1, 0], [0, 1]]), Grid([[4, 4, 4]])
TEST_IN, EXPECTED, WRONG_GUESS = Grid([[5, 6], [7, 8]]), Grid([[8, 7], [6, 5]]), Grid([[9]])


def make_task(task_id: str = "t1", solved: bool = True) -> Task:
    return Task(task_id, (Example(DEMO_IN, DEMO_OUT),), (TEST_IN,), (EXPECTED,) if solved else None)


def test_palette_is_the_arc_palette() -> None:
    table = palette_rgb()
    assert table.shape == (10, 3) and table.dtype == np.uint8
    assert [tuple(int(v) for v in row) for row in table] == [rgb(h) for h in PALETTE]
    assert PALETTE[1] == "#0074D9" and tuple(table[9]) == (0x87, 0x0C, 0x25)


def test_grid_raster_paints_cells_and_lines() -> None:
    image = grid_raster(ALL_COLORS, cell=10, line=2)
    assert image.shape == (2 * 10 + 3 * 2, 5 * 10 + 6 * 2, 3) and image.dtype == np.uint8
    for (r, c), color in np.ndenumerate(ALL_COLORS.cells):
        assert tuple(image[cell_center(r, c, 10, 2)]) == rgb(PALETTE[color])
    assert tuple(image[0, 0]) == GREY and tuple(image[12, 5]) == GREY  # border, line between rows


def test_grid_raster_without_lines_has_only_cells() -> None:
    image = grid_raster(Grid([[3, 9]]), cell=4, line=0)
    assert image.shape == (4, 8, 3)
    assert (image[:, :4] == rgb(PALETTE[3])).all() and (image[:, 4:] == rgb(PALETTE[9])).all()


@pytest.mark.parametrize(("cell", "line", "message"), [(0, 1, "cell"), (5, -1, "line")])
def test_grid_raster_rejects_bad_sizes(cell: int, line: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        grid_raster(ALL_COLORS, cell=cell, line=line)


def test_grid_png_decodes_to_the_palette_colors() -> None:
    image = decode_png(grid_png(ALL_COLORS, cell=20, line=1))
    assert image.shape == (2 * 20 + 3, 5 * 20 + 6, 3)
    for (r, c), color in np.ndenumerate(ALL_COLORS.cells):
        assert tuple(image[cell_center(r, c, 20, 1)]) == rgb(PALETTE[color])


def test_encode_png_round_trips_any_image() -> None:
    image = np.random.default_rng(0).integers(0, 256, size=(7, 13, 3), dtype=np.uint8)
    assert np.array_equal(decode_png(PillowPng().encode(image)), image)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((4, 4), dtype=np.uint8), "shape"),
        (np.zeros((4, 4, 4), dtype=np.uint8), "shape"),
        (np.zeros((4, 4, 3), dtype=np.float32), "uint8"),
        (np.zeros((0, 4, 3), dtype=np.uint8), "empty"),
    ],
)
def test_encode_png_names_the_problem(array: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PillowPng().encode(array)


def test_task_raster_frames_right_attempts_green_and_wrong_red() -> None:
    image = task_raster(make_task(), [[EXPECTED, WRONG_GUESS]], cell=8, line=1)
    assert np.array_equal(frame_interior(image, GREEN), grid_raster(EXPECTED, 8, 1))
    assert np.array_equal(frame_interior(image, RED), grid_raster(WRONG_GUESS, 8, 1))


def test_task_raster_lays_out_demos_then_tests_in_columns() -> None:
    image = task_raster(make_task(), cell=8, line=1)
    (demo_in,) = positions(image, grid_raster(DEMO_IN, 8, 1))
    (demo_out,) = positions(image, grid_raster(DEMO_OUT, 8, 1))
    (test_in,) = positions(image, grid_raster(TEST_IN, 8, 1))
    (expected,) = positions(image, grid_raster(EXPECTED, 8, 1))
    assert demo_out[1] == demo_in[1] and demo_out[0] > demo_in[0]  # output under input
    assert expected[1] == test_in[1] and expected[0] > test_in[0]
    assert test_in[1] > demo_in[1] + DEMO_OUT.width * 9  # test column right of the demo column
    assert tuple(image[0, 0]) == WHITE and tuple(image[-1, -1]) == WHITE


def test_task_raster_without_solutions_draws_attempts_unframed() -> None:
    image = task_raster(make_task(solved=False), [[WRONG_GUESS]], cell=8, line=1)
    assert len(positions(image, grid_raster(WRONG_GUESS, 8, 1))) == 1
    assert not (image == GREEN).all(axis=2).any() and not (image == RED).all(axis=2).any()


def test_predictions_must_match_the_test_inputs() -> None:
    with pytest.raises(ValueError, match="1 test inputs"):
        task_raster(make_task(), [[EXPECTED], [EXPECTED]])


def test_task_png_has_the_raster_size() -> None:
    task, predictions = make_task(), [[None, WRONG_GUESS]]
    decoded = decode_png(task_png(task, predictions, cell=6, line=1))
    assert np.array_equal(decoded, task_raster(task, predictions, cell=6, line=1))


def svg_cells(root: ET.Element) -> list[list[str]]:
    """Fill colors of each grid's cell rects (the first rect of a grid is its line backdrop)."""
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "grid"]
    return [[r.get("fill", "") for r in g.findall(f"{SVG}rect")[1:]] for g in groups]


def test_grid_svg_has_one_rect_per_cell_in_palette_colors() -> None:
    root = ET.fromstring(grid_svg(ALL_COLORS, cell=10))
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("56", "23")
    assert root.get("viewBox") == "0 0 56 23"
    assert svg_cells(root) == [[PALETTE[c] for c in range(10)]]


def test_grid_svg_of_a_full_size_grid_stays_compact() -> None:
    text = grid_svg(Grid([[(r + c) % 10 for c in range(30)] for r in range(30)]))
    (cells,) = svg_cells(ET.fromstring(text))
    assert len(cells) == 900 and len(text) < 100_000


def test_task_svg_labels_panels_and_marks_attempts() -> None:
    root = ET.fromstring(task_svg(make_task(), [[EXPECTED, WRONG_GUESS]]))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels == ["demo 1", "output", "test 1", "expected", "attempt 1 ✓", "attempt 2 ✗"]
    frames = {r.get("class"): r.get("stroke") for r in root.iter(f"{SVG}rect") if r.get("class")}
    assert frames == {"right": "#2ECC40", "wrong": "#FF4136"}
    expected_fills = [
        [PALETTE[v] for v in g.cells.flatten()]
        for g in (DEMO_IN, DEMO_OUT, TEST_IN, EXPECTED, EXPECTED, WRONG_GUESS)
    ]
    assert svg_cells(root) == expected_fills


def test_task_svg_without_solutions_keeps_attempt_numbers_and_no_marks() -> None:
    root = ET.fromstring(task_svg(make_task(solved=False), [[None, WRONG_GUESS]]))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["demo 1", "output", "test 1", "attempt 2"]


def test_task_svg_escapes_the_task_id() -> None:
    root = ET.fromstring(task_svg(make_task("a<b&c>")))
    assert root.findtext(f"{SVG}title") == "ARC task a<b&c>"


def test_jupyter_hooks_show_pictures() -> None:
    assert svg_cells(ET.fromstring(ALL_COLORS._repr_svg_())) == [list(PALETTE)]
    assert ET.fromstring(make_task()._repr_svg_()).tag == f"{SVG}svg"


def test_render_gives_png_or_svg_bytes() -> None:
    task = make_task()
    png = render_task(task, "png", png=PillowPng())
    assert np.array_equal(decode_png(png), task_raster(task))
    assert ET.fromstring(render_task(task, "svg", png=PillowPng()).decode()).tag == f"{SVG}svg"
    with pytest.raises(ValueError, match="png, svg"):
        render_task(task, "gif", png=PillowPng())
