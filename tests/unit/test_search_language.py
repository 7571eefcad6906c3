"""Properties of the whole language: every operation is total on every valid grid, and the
algebra a user relies on holds (rigid transforms form a group, crop is idempotent, scaling up
then down gives the grid back, tiling multiplies the size)."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from arc_ttt.domain.augmentation import Dihedral
from arc_ttt.domain.search import geometry
from arc_ttt.domain.search.language import operations

OPS = operations(range(10), range(10), [5])
PROPERTY = settings(max_examples=60)


@st.composite
def cells(draw, max_side: int = 8):
    """A valid grid: noise, a sparse picture on background, separator lines or a blocky one."""
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    style = draw(st.sampled_from(["noise", "sparse", "lines", "blocks"]))
    if style == "noise":
        return draw(arrays(np.uint8, (h, w), elements=st.integers(0, 9)))
    if style == "blocks":
        small = draw(arrays(np.uint8, (max(1, h // 2), max(1, w // 2)), elements=st.integers(0, 9)))
        return np.kron(small, np.ones((2, 2), dtype=np.uint8))
    a = draw(arrays(np.uint8, (h, w), elements=st.sampled_from([0, 0, 0, 0, 1, 2, 5])))
    if style == "lines":
        a[draw(st.integers(0, h - 1)), :] = 8
        a[:, draw(st.integers(0, w - 1))] = 8
    return a


def _big(seed: int, style: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if style == "noise":
        return rng.integers(0, 10, (30, 30), dtype=np.uint8)
    if style == "sparse":
        return (rng.random((30, 30)) < 0.15).astype(np.uint8) * rng.integers(
            1, 10, (30, 30), dtype=np.uint8
        )
    if style == "uniform":
        return np.zeros((30, 30), dtype=np.uint8)
    a = np.zeros((30, 30), dtype=np.uint8)
    a[::5, :] = 8
    a[:, ::5] = 8
    return a


def test_the_language_has_unique_names():
    names = [op.name for op in OPS]
    assert len(names) == len(set(names))
    assert all(op.cost > 0 for op in OPS)


def _check_total(a: np.ndarray) -> None:
    before = a.copy()
    for op in OPS:
        out = op.apply(a)
        if out is None:
            continue
        assert isinstance(out, np.ndarray), op.name
        assert out.ndim == 2 and out.dtype == np.uint8, (op.name, out.dtype)
        assert 1 <= out.shape[0] <= 30 and 1 <= out.shape[1] <= 30, (op.name, out.shape)
        assert int(out.max()) <= 9, op.name
        assert np.array_equal(a, before), f"{op.name} changed its input"


@PROPERTY
@given(cells())
@example(np.zeros((1, 1), dtype=np.uint8))
@example(np.full((1, 1), 5, dtype=np.uint8))
@example(np.full((2, 2), 5, dtype=np.uint8))
def test_every_operation_is_total_on_small_grids(a):
    _check_total(a)


@pytest.mark.parametrize("style", ["noise", "sparse", "uniform", "lines"])
def test_every_operation_is_total_on_30x30_grids(style):
    _check_total(_big(11, style))


def test_operations_on_read_only_grids():
    # the search hands cached, read-only arrays around: an operation must not write into them
    a = _big(3, "sparse")
    a.setflags(write=False)
    _check_total(a)


def test_rigid_transforms_in_the_language_are_the_seven_non_identity_symmetries():
    rigid = {op.name for op in OPS} & {d.name.lower() for d in Dihedral}
    assert rigid == {d.name.lower() for d in Dihedral if d is not Dihedral.IDENTITY}


@PROPERTY
@given(st.sampled_from(list(Dihedral)), st.sampled_from(list(Dihedral)), cells(max_side=6))
def test_rigid_transforms_are_closed_under_composition(a, b, grid):
    composed = a.then(b)
    assert composed in Dihedral
    assert np.array_equal(composed.apply(grid), b.apply(a.apply(grid)))


@PROPERTY
@given(st.sampled_from(list(Dihedral)), cells(max_side=6))
def test_rigid_transforms_are_invertible(d, grid):
    assert np.array_equal(d.inverse().apply(d.apply(grid)), grid)
    assert d.then(d.inverse()) is Dihedral.IDENTITY


def test_the_language_rigid_transforms_compose_within_the_language():
    by_name = {op.name: op for op in OPS}
    probe = np.arange(6, dtype=np.uint8).reshape(2, 3)
    images = {geometry_key(by_name[d.name.lower()].apply(probe)) for d in Dihedral if d}
    images.add(geometry_key(probe))
    for d1 in Dihedral:
        for d2 in Dihedral:
            assert geometry_key(d2.apply(d1.apply(probe))) in images


def geometry_key(a):
    return (a.shape, a.tobytes())


@PROPERTY
@given(cells(), st.integers(0, 9))
def test_crop_is_idempotent(a, background):
    once = geometry.crop(a, background)
    if once is not None:
        assert np.array_equal(geometry.crop(once, background), once)
        assert np.any(once[0] != background) and np.any(once[-1] != background)
        assert np.any(once[:, 0] != background) and np.any(once[:, -1] != background)


@PROPERTY
@given(cells(), st.integers(2, 5))
def test_scale_up_then_down_is_the_identity(a, k):
    up = geometry.scale_up(a, k)
    if a.shape[0] * k <= 30 and a.shape[1] * k <= 30:
        assert up is not None and up.shape == (a.shape[0] * k, a.shape[1] * k)
        assert np.array_equal(geometry.scale_down(up, k), a)
    else:
        assert up is None


@PROPERTY
@given(cells(), st.integers(1, 5), st.integers(1, 5))
def test_tile_multiplies_the_shape(a, rows, cols):
    out = geometry.tile(a, rows, cols)
    h, w = a.shape[0] * rows, a.shape[1] * cols
    if h <= 30 and w <= 30:
        assert out is not None and out.shape == (h, w)
        assert np.array_equal(out[: a.shape[0], : a.shape[1]], a)
        assert np.array_equal(out[h - a.shape[0] :, w - a.shape[1] :], a)
    else:
        assert out is None


@PROPERTY
@given(cells())
def test_mirrors_are_symmetric_and_keep_the_original(a):
    four = geometry.mirror_four(a)
    if four is not None:
        assert np.array_equal(four, four[::-1]) and np.array_equal(four, four[:, ::-1])
        assert np.array_equal(four[: a.shape[0], : a.shape[1]], a)
